use super::*;

fn parse_str(text: &str) -> Result<Config, ConfigError> {
    parse(text, Path::new("/etc/muxdeck/test.yml"))
}

fn err(text: &str) -> String {
    match parse_str(text) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn hosts_are_checked_where_they_are_written() {
    let err = |text: &str| match parse(text, Path::new("/c/config.yml")) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    };
    let e = err("hosts:\n  local:\n    ssh: x\n");
    assert!(
        e.contains("line 2") && e.contains("this machine's own name"),
        "{e}"
    );
    let e = err("hosts:\n  \"a/b\":\n    ssh: x\n");
    assert!(e.contains("invalid host name"), "{e}");
    let e = err("hosts:\n  web1:\n    ssh: x\n    port: 70000\n");
    assert!(e.contains("line 4") && e.contains("out of range"), "{e}");
    let e = err("hosts:\n  web1:\n    sshh: x\n");
    assert!(e.contains("did you mean `ssh`"), "{e}");
    let e = err("hosts:\n  web1:\n    ssh: x\nsessions:\n  w:\n    host: web2\n");
    assert!(
        e.contains("not a host of `hosts:`") && e.contains("web1"),
        "{e}"
    );
    let e = err("hosts:\n  web1:\n    ssh: a\n  web1:\n    ssh: b\n");
    assert!(e.contains("\"web1\" is defined twice"), "{e}");
}

#[test]
fn example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.yml");
    let cfg = load(&ConfigSource::Flag(path.clone())).expect("example loads");
    assert_eq!(cfg.sessions.len(), 3);
    let hosts: Vec<(&str, &str, Option<u16>)> = cfg
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.destination.as_str(), h.port))
        .collect();
    assert_eq!(
        hosts,
        [("db", "admin@10.0.0.7", Some(2222)), ("web1", "web1", None)]
    );
    let worker = cfg.session("worker").expect("worker");
    assert_eq!(worker.host, crate::model::Host::Remote("web1".into()));
    let prod = cfg.session("api-prod").expect("api-prod");
    match &prod.kind {
        SessionKind::Container {
            image,
            volumes,
            ports,
            runtime,
        } => {
            assert_eq!(image, "localhost/acme/api:1.4");
            let base = path.parent().expect("parent");
            assert_eq!(volumes, &[format!("{}/./data:/data:ro", base.display())]);
            assert_eq!(ports, &["8080:8080".to_string()]);
            assert_eq!(*runtime, RuntimeChoice::Podman);
        }
        other => panic!("{other:?}"),
    }
    let dev = cfg.session("api-dev").expect("api-dev");
    assert_eq!(
        dev.kind,
        SessionKind::Tmux {
            socket: "work".into()
        }
    );
    assert!(!dev.working_dir.as_ref().expect("dir").starts_with("~"));
    assert_eq!(cfg.defaults.stop_timeout, Duration::from_secs(10));
    assert_eq!(
        cfg.keys["quit"],
        vec!["q".to_string(), "ctrl-c".to_string()]
    );
    let top = cfg.command("top").expect("commands.top");
    assert_eq!(top.key.as_deref(), Some("T"));
    assert_eq!(top.argv, ["podman", "top", "{id}"]);
    assert!(
        cfg.command("panes")
            .is_some_and(|c| c.applies.tmux && !c.applies.container)
    );
    assert_eq!(cfg.save_style, SaveStyle::Plain);
}

#[test]
fn log_save_style_is_plain_unless_ansi_is_asked_and_checked_where_written() {
    assert_eq!(parse_str("").unwrap().save_style, SaveStyle::Plain);
    assert_eq!(
        parse_str("logs:\n  save: ansi\n").unwrap().save_style,
        SaveStyle::Ansi
    );
    assert_eq!(
        parse_str("logs: { save: plain }\n").unwrap().save_style,
        SaveStyle::Plain
    );
    let e = err("log_lines: 100\nlogs:\n  save: color\n");
    assert!(
        e.contains("line 3 column 9") && e.contains("unknown variant `color`"),
        "{e}"
    );
    assert!(
        e.contains("logs.save: ") && e.contains("`plain` or `ansi`"),
        "{e}"
    );
    let e = err("logs:\n  sav: ansi\n");
    assert!(
        e.contains("line 2") && e.contains("did you mean `save`"),
        "{e}"
    );
}

#[test]
fn empty_file_is_empty_config() {
    let cfg = parse_str("# nothing\n\n").expect("empty");
    assert!(cfg.sessions.is_empty());
}

#[test]
fn missing_platform_file_is_empty_but_flag_is_error() {
    let p = PathBuf::from("/nonexistent/muxdeck/config.yml");
    assert!(load(&ConfigSource::Platform(p.clone())).is_ok());
    let e = load(&ConfigSource::Flag(p)).expect_err("missing");
    assert!(e.to_string().contains("does not exist"), "{e}");
}

#[test]
fn malformed_yaml_has_position() {
    let e = err("sessions:\n  a:\n    command: [unclosed\n");
    assert!(e.starts_with("config /etc/muxdeck/test.yml line "), "{e}");
}

#[test]
fn unknown_key_suggests() {
    let e = err("sessions:\n  api:\n    comand: x\n");
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("sessions.api"), "{e}");
    assert!(e.contains("did you mean `command`"), "{e}");
    let e = err("defaultz: {}\n");
    assert!(e.contains("did you mean `defaults`"), "{e}");
}

#[test]
fn invalid_values_are_located() {
    let cases = [
        (
            "sessions:\n  9bad:\n    command: x\n",
            "must start with a letter",
        ),
        (
            "sessions:\n  a:\n    backend: container\n    image: 'Bad Image'\n",
            "invalid image",
        ),
        (
            "sessions:\n  a:\n    backend: container\n    image: x\n    ports: ['99999']\n",
            "invalid port",
        ),
        (
            "sessions:\n  a:\n    backend: container\n    image: x\n    volumes: ['/a:b']\n",
            "invalid volume",
        ),
        (
            "sessions:\n  a:\n    env: { 1X: y }\n",
            "invalid environment",
        ),
        ("sessions:\n  a:\n    backend: podman\n", "unknown variant"),
        ("sessions:\n  a:\n    backend: container\n", "needs `image`"),
        (
            "sessions:\n  a:\n    image: busybox\n",
            "only for container",
        ),
        ("defaults:\n  stop_timeout: -1\n", "invalid type"),
    ];
    for (text, want) in cases {
        let e = err(text);
        assert!(e.contains(want), "{text:?} gave {e}");
        assert!(e.contains(" line "), "no line in {e}");
    }
}

#[test]
fn relative_paths_resolve_against_the_file() {
    let cfg = parse_str("sessions:\n  a:\n    working_dir: sub/dir\n").expect("ok");
    assert_eq!(
        cfg.session("a").and_then(|s| s.working_dir.clone()),
        Some(PathBuf::from("/etc/muxdeck/sub/dir"))
    );
}

#[test]
fn errors_point_at_the_offending_line() {
    // (text, line, fragment): checked values report their own line, not their mapping's.
    let cases = [
        (
            "sessions:\n  a:\n    command: x\n  9bad:\n    command: y\n",
            4,
            "9bad",
        ),
        (
            "sessions:\n  a:\n    backend: container\n    image: 'UP/x'\n",
            4,
            "sessions.a.image",
        ),
        (
            "sessions:\n  a:\n    backend: container\n    image: x\n    ports:\n      - '80'\n      - '0'\n",
            7,
            "sessions.a.ports[1]",
        ),
        (
            "sessions:\n  a:\n    socket: 'a/b'\n",
            3,
            "sessions.a.socket",
        ),
        (
            "sessions:\n  a:\n    command: x\n  b:\n    command: y\n  a:\n    command: z\n",
            6,
            "defined twice",
        ),
    ];
    for (text, line, want) in cases {
        let e = err(text);
        assert!(e.contains(&format!(" line {line} ")), "{text:?} gave {e}");
        assert!(e.contains(want), "{text:?} gave {e}");
    }
    // libyaml's own position of the unclosed quote survives; the reported one is not repeated.
    let e = err("sessions:\n  a:\n    command: \"unclosed\n  b:\n    command: x\n");
    assert!(e.contains("at line 3 column 14"), "{e}");
    assert_eq!(e.matches("line 6 column 1").count(), 1, "{e}");
}

#[test]
fn numbers_out_of_range_are_located_errors() {
    // (text, line, key path, fragment)
    let cases = [
        (
            "defaults:\n  stop_timeout: 18446744073709551615\n",
            2,
            "defaults.stop_timeout",
            "from 0 to 3600",
        ),
        (
            "defaults:\n  stop_timeout: 3601\n",
            2,
            "defaults.stop_timeout",
            "3601 is out of range",
        ),
        (
            "defaults:\n  backend: tmux\n  command_timeout: 18446744073709551615\n",
            3,
            "defaults.command_timeout",
            "from 0 to 600",
        ),
        (
            "defaults:\n  command_timeout: 99999999999999999999999\n",
            2,
            "defaults.command_timeout",
            "seconds",
        ),
        ("log_lines: 0\n", 1, "log_lines", "from 1 to 1000000"),
        (
            "log_lines: 18446744073709551615\n",
            1,
            "log_lines",
            "from 1 to 1000000",
        ),
    ];
    for (text, line, key, want) in cases {
        let e = err(text);
        assert!(
            e.contains(&format!(" line {line} column ")),
            "{text:?} gave {e}"
        );
        assert!(e.contains(key), "{text:?} gave {e}");
        assert!(e.contains(want), "{text:?} gave {e}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn numbers_at_their_bounds_are_taken() {
    let cfg =
        parse_str("defaults:\n  stop_timeout: 3600\n  command_timeout: 600\nlog_lines: 1000000\n")
            .expect("at the bounds");
    assert_eq!(cfg.defaults.stop_timeout, Duration::from_secs(3600));
    assert_eq!(cfg.defaults.command_timeout, Duration::from_secs(600));
    assert_eq!(cfg.log_lines, 1_000_000);
    let cfg = parse_str("defaults:\n  stop_timeout: 0\n  command_timeout: 0\n").expect("zeros");
    assert_eq!(cfg.defaults.stop_timeout, Duration::ZERO);
    assert_eq!(cfg.defaults.command_timeout, Duration::from_secs(1));
}

/// A flow collection nested `depth` deep under `keys:`, padded to about `bytes`.
fn nested_flow(depth: usize) -> String {
    format!("keys: {}{}\n", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deep_nesting_is_refused_before_yaml_and_quickly() {
    let started = std::time::Instant::now();
    // 200 KB of brackets: libyaml alone took tens of seconds on this.
    let e = err(&nested_flow(100_000));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(e.contains("nested deeper than 32 levels"), "{e}");
    assert!(e.contains(" line 1 column "), "{e}");
    // Block nesting, by indentation and by `- ` entries.
    let block: String = (0..40)
        .map(|i| format!("{}a{i}:\n", "  ".repeat(i)))
        .collect();
    let e = err(&block);
    assert!(e.contains("nested deeper than 32 levels"), "{e}");
    assert!(e.contains(" line 3"), "{e}");
    let e = err(&format!("keys:\n  quit:\n  {}q\n", "- ".repeat(40)));
    assert!(e.contains("nested deeper than 32 levels"), "{e}");
}

#[test]
fn what_only_looks_deep_is_not_refused() {
    // Brackets in quotes, plain scalars, comments and block scalars are not nesting.
    let text = format!(
        "sessions:\n  a:\n    command: \"{open}\"\n  b:\n    command: echo {open} it's\n  # {open}\n  c:\n    command: |\n{body}\n  d:\n    env: {{ A: '{open}' }}\n",
        open = "[{".repeat(40),
        body = (0..40)
            .map(|i| format!("      {}x [ {{", " ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let cfg = parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(cfg.sessions.len(), 4);
    // The example config is far from the limit; 31 levels of flow under a key pass the
    // scan (YAML then refuses them for their type, not their depth).
    let e = err(&nested_flow(MAX_DEPTH - 1));
    assert!(!e.contains("nested deeper"), "{e}");
}

#[test]
fn oversized_text_is_refused() {
    let text = format!(
        "# {}\n",
        "x".repeat(usize::try_from(MAX_CONFIG_BYTES).unwrap_or(0))
    );
    let e = err(&text);
    assert!(e.contains("larger than 1 MiB"), "{e}");
}

#[test]
fn files_that_are_not_regular_are_refused_without_reading() {
    let started = std::time::Instant::now();
    for (path, kind) in [("/dev/zero", "character device"), ("/", "folder")] {
        let e = load(&ConfigSource::Flag(PathBuf::from(path))).expect_err(path);
        assert!(e.to_string().contains(kind), "{e}");
        assert!(matches!(e, ConfigError::NotAFile { .. }), "{e:?}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("config.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // The platform path too: a FIFO there is an error, not an empty config.
    let e = load(&ConfigSource::Platform(fifo)).expect_err("fifo");
    assert!(e.to_string().contains("named pipe (FIFO)"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let big = dir.path().join("big.yml");
    std::fs::write(&big, vec![b'#'; 2 << 20]).expect("write");
    let e = load(&ConfigSource::Flag(big)).expect_err("big");
    assert!(matches!(e, ConfigError::TooLarge { .. }), "{e:?}");
}

#[test]
fn backends_default_to_what_container_runtime_allows() {
    let cfg = parse_str("log_lines: 5\n").expect("default");
    assert_eq!(cfg.backends, Backends::default());
    let cfg = parse_str("defaults:\n  container_runtime: podman\n").expect("podman");
    assert!(!cfg.backends.uses(BackendName::Docker));
    assert!(cfg.backends.uses(BackendName::Tmux) && cfg.backends.uses(BackendName::Podman));
    let cfg = parse_str("backends: [docker, tmux, docker]\n").expect("listed");
    assert!(cfg.backends.named(BackendName::Docker) && !cfg.backends.uses(BackendName::Podman));
}

#[test]
fn backends_that_cannot_work_are_located_errors() {
    let cases = [
        (
            "backends: [tmux, dokcer]\n",
            "line 1 column 18",
            "unknown variant `dokcer`",
        ),
        ("backends: []\n", "line 1", "the list is empty"),
        (
            "backends: [tmux, podman]\ndefaults:\n  container_runtime: docker\n",
            "line 3",
            "defaults.container_runtime: docker is not in `backends:`",
        ),
        (
            "backends: [podman]\nsessions:\n  a:\n    command: x\n",
            "line 3",
            "sessions.a: it runs on tmux, which `backends:` leaves out",
        ),
        (
            "backends: [tmux]\nsessions:\n  a:\n    backend: container\n    image: busybox\n",
            "line 3",
            "sessions.a: it runs on a container runtime",
        ),
        (
            "backends: [tmux, podman]\nsessions:\n  a:\n    backend: container\n    image: busybox\n    runtime: docker\n",
            "line 3",
            "sessions.a: it runs on docker",
        ),
    ];
    for (yaml, at, what) in cases {
        let e = err(yaml);
        assert!(e.contains(at), "{yaml:?}: {e}");
        assert!(e.contains(what), "{yaml:?}: {e}");
    }
}

#[test]
fn keys_are_checked_where_they_are_written() {
    let e = err("keys:\n  quit: q\n  atach: [a]\n");
    assert!(
        e.contains("line 3 column 3: keys: unknown action \"atach\""),
        "{e}"
    );
    let e = err("keys:\n  quit: [q, foo]\n");
    assert!(
        e.contains("line 2 column 13: keys.quit[1]: unknown key \"foo\""),
        "{e}"
    );
    let cfg = parse_str("keys:\n  quit: Q\n  help: 5\n  stop: [x, ctrl-x]\n").expect("keys");
    assert_eq!(cfg.keys["help"], vec!["5".to_string()]);
    assert_eq!(
        cfg.keys["stop"],
        vec!["x".to_string(), "ctrl-x".to_string()]
    );
}

#[test]
fn custom_commands_load_with_their_defaults() {
    let cfg = parse_str(
        "commands:\n  top:\n    key: T\n    for: [container]\n    argv: [podman, top, \"{name}\"]\n  env:\n    argv: [\"sh\", \"-c\", \"tmux -L {socket} show-environment -t {id}\"]\n    output: handover\n    confirm: true\n",
    )
    .expect("loads");
    let top = cfg.command("top").expect("top");
    assert_eq!(top.key.as_deref(), Some("T"));
    assert!(top.applies.container && !top.applies.tmux);
    assert_eq!(top.output, OutputMode::Pane);
    assert!(!top.confirm);
    let env = cfg.command("env").expect("env");
    assert!(env.applies.container && env.applies.tmux);
    assert_eq!(env.output, OutputMode::Handover);
    assert!(env.confirm);
}

#[test]
fn custom_command_errors_are_located() {
    let e = err("commands:\n  top:\n    argv: [podman, top, \"{nmae}\"]\n");
    assert!(e.contains("line 3 column"), "{e}");
    assert!(e.contains("unknown placeholder {nmae}"), "{e}");
    let e = err("commands:\n  top:\n    argv: []\n");
    assert!(e.contains("line 3 column"), "{e}");
    assert!(e.contains("argv is empty"), "{e}");
    let e = err("commands:\n  top:\n    key: T\n");
    assert!(e.contains("missing field `argv`"), "{e}");
    let e = err("commands:\n  top:\n    key: x\n    argv: [\"true\"]\n");
    assert!(e.contains("line 3 column 10"), "{e}");
    assert!(
        e.contains("commands.top.key: \"x\" is already the action `stop`'s key"),
        "{e}"
    );
    // Moved away in `keys:`, the key is free.
    assert!(
        parse_str("keys:\n  stop: [ctrl-x]\ncommands:\n  top:\n    key: x\n    argv: [\"true\"]\n")
            .is_ok()
    );
    let e = err("commands:\n  top:\n    for: vm\n    argv: [\"true\"]\n");
    assert!(
        e.contains("line 3 column") && e.contains("unknown session kind \"vm\""),
        "{e}"
    );
    let e = err("commands:\n  top:\n    argv: [\"true\"]\n    output: screen\n");
    assert!(
        e.contains("line 4 column") && e.contains("unknown variant `screen`"),
        "{e}"
    );
    let e = err("commands:\n  2top:\n    argv: [\"true\"]\n");
    assert!(e.contains("invalid command name"), "{e}");
}

#[test]
fn theme_by_name_or_with_overrides() {
    use theme::{ColorValue, Element, ThemeBase};
    assert_eq!(
        parse_str("theme: light\n").expect("light").theme.base,
        ThemeBase::Light
    );
    let cfg = parse_str(
        "theme:\n  base: high-contrast\n  selected_bg: \"#dde4ff\"\n  error: red\n  dim: 245\n  text: default\n",
    )
    .expect("overrides");
    assert_eq!(cfg.theme.base, ThemeBase::HighContrast);
    assert_eq!(
        cfg.theme.colors[&Element::SelectedBg],
        ColorValue::Rgb(0xdd, 0xe4, 0xff)
    );
    assert_eq!(cfg.theme.colors[&Element::Error], ColorValue::Named(1));
    assert_eq!(cfg.theme.colors[&Element::Dim], ColorValue::Indexed(245));
    assert_eq!(cfg.theme.colors[&Element::Text], ColorValue::Default);
    // No `theme:`: dark, nothing overridden; `mouse:` defaults to on.
    let cfg = parse_str("log_lines: 5\n").expect("plain");
    assert_eq!(cfg.theme, theme::ThemeConfig::default());
    assert!(cfg.mouse);
    assert!(!parse_str("mouse: false\n").expect("mouse off").mouse);
    assert!(!cfg.grouped);
    assert!(parse_str("grouped: true\n").expect("grouped").grouped);
}

#[test]
fn theme_errors_name_file_position_key_path_and_the_nearest_name() {
    let e = err("log_lines: 5\ntheme:\n  base: light\n  error: redd\n");
    assert!(e.starts_with("config /etc/muxdeck/test.yml line 4 column 10: theme.error: unknown color \"redd\" (did you mean `red`?)"), "{e}");
    let e = err("theme:\n  base: light\n  selectd_bg: blue\n");
    assert!(e.starts_with("config /etc/muxdeck/test.yml line 3 column 3: theme: unknown theme element `selectd_bg` (did you mean `selected_bg`?)"), "{e}");
    let e = err("theme: ligth\n");
    assert!(
        e.contains("line 1 column 8: theme: unknown theme \"ligth\" (did you mean `light`?)"),
        "{e}"
    );
    let e = err("theme:\n  base: darc\n");
    assert!(
        e.contains("line 2 column 9: theme.base: unknown theme \"darc\" (did you mean `dark`?)"),
        "{e}"
    );
    // Unquoted, `#dde4ff` is a YAML comment: the value is missing, and the error says why.
    let e = err("theme:\n  selected_bg: #dde4ff\n");
    assert!(e.contains("line 2") && e.contains("quote it"), "{e}");
    let e = err("theme:\n  dim: 300\n");
    assert!(
        e.contains("line 2 column 8: theme.dim: invalid color \"300\""),
        "{e}"
    );
    let e = err("theme:\n  key: \"#12345\"\n");
    assert!(
        e.contains("theme.key: invalid color \"#12345\": write #rrggbb"),
        "{e}"
    );
    let e = err("theme:\n  key: red\n  key: blue\n");
    assert!(
        e.contains("line 3") && e.contains("`key` is given twice"),
        "{e}"
    );
}
