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
fn example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.yml");
    let cfg = load(&ConfigSource::Flag(path.clone())).expect("example loads");
    assert_eq!(cfg.sessions.len(), 2);
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
