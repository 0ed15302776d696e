//! `muxdeck config init`: the starter config, and definitions captured from sessions that
//! run (real tmux servers, real podman containers) that `config check` accepts and that
//! make the same session again when started.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{World, podman_ok, unique, wait_for};

const WAIT: Duration = Duration::from_secs(20);

/// Saves `yaml` as a config in the world and checks it; the path.
fn checked(w: &World, file: &str, yaml: &str) -> std::path::PathBuf {
    let path = w.path(file);
    std::fs::write(&path, yaml).unwrap();
    let out = w.ok(Some(&path), &["config", "check"]);
    assert!(out.contains("is valid"), "{out}\n{yaml}");
    path
}

/// `(start command, current path)` of the first pane of a tmux session.
fn pane_origin(w: &World, socket: &str, name: &str) -> (String, String) {
    let out = w.tmux.tmux_ok(
        socket,
        [
            "list-panes",
            "-t",
            &format!("={name}:"),
            "-F",
            "#{pane_start_command}\t#{pane_current_path}",
        ],
    );
    let line = out.lines().next().unwrap_or_default().to_string();
    let (cmd, cwd) = line.split_once('\t').unwrap_or_default();
    (cmd.to_string(), cwd.to_string())
}

#[test]
fn the_starter_config_passes_config_check() {
    let w = World::new();
    let starter = w.ok(None, &["config", "init"]);
    assert!(
        starter
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 10
    );
    let path = checked(&w, "starter.yml", &starter);
    // It defines nothing that would show up as a session.
    let listed = w.list(Some(&path), &["--backend", "tmux"]);
    assert_eq!(listed["sessions"].as_array().map(Vec::len), Some(0));
}

/// The starter with its top-level examples (`# key:` and the lines under them) made live.
fn uncommented(starter: &str) -> String {
    let live = regex::Regex::new(r"^# (?:[a-z_]+:|  )").unwrap();
    starter
        .lines()
        .map(|l| if live.is_match(l) { &l[2..] } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_starter_shows_theme_mouse_and_commands_and_its_examples_are_valid() {
    let w = World::new();
    let starter = w.ok(None, &["config", "init"]);
    for key in [
        "# theme:",
        "# mouse:",
        "# commands:",
        "# keys:",
        "# backends:",
    ] {
        assert!(starter.contains(key), "the starter shows {key}\n{starter}");
    }
    let live = uncommented(&starter);
    let path = checked(&w, "live.yml", &live);
    // The example command is really there: `muxdeck cmd` knows it.
    let err = w.fail(Some(&path), &["cmd", "nope", "x"], 2);
    assert!(err.contains("it has: top"), "{err}\n{live}");
}

#[test]
fn a_captured_tmux_session_checks_and_starts_again_with_the_same_command_and_folder() {
    let w = World::new();
    let (sock, name) = (unique("initsock"), unique("initt"));
    let work = w.path("work dir");
    std::fs::create_dir(&work).unwrap();
    let marker = w.path("runs");
    let command = format!(
        "echo run >> '{}'; printf '%s\\n' \"it's $((6 * 7))\"; exec sleep 600",
        marker.display()
    );
    w.tmux.tmux_ok(
        &sock,
        [
            "new-session",
            "-d",
            "-s",
            &name,
            "-c",
            work.to_str().unwrap(),
            &command,
        ],
    );
    wait_for(WAIT, "the command to run once", || {
        std::fs::read_to_string(&marker)
            .unwrap_or_default()
            .lines()
            .count()
            == 1
    });
    let before = pane_origin(&w, &sock, &name);

    let yaml = w.ok(
        None,
        &["config", "init", "--from", &format!("tmux@{sock}:{name}")],
    );
    assert!(yaml.contains(&format!("  {name}:")), "{yaml}");
    let cfg = checked(&w, "captured.yml", &yaml);

    let out = w.ok(Some(&cfg), &["stop", "--force", &name]);
    assert!(out.contains(&name), "{out}");
    assert!(!w.has_tmux(&sock, &name));
    let out = w.ok(Some(&cfg), &["start", &name]);
    assert_eq!(out.trim(), format!("started tmux@{sock}:{name}"));
    wait_for(WAIT, "the command to run again", || {
        std::fs::read_to_string(&marker)
            .unwrap_or_default()
            .lines()
            .count()
            == 2
    });
    let after = pane_origin(&w, &sock, &name);
    assert_eq!(after.1, before.1, "same folder");
    assert_eq!(after.1, work.to_str().unwrap());
    // tmux shows a one-argument command quoted; both ran the same line.
    assert_eq!(after.0, before.0, "same command");
}

#[test]
fn odd_names_and_sessions_without_a_command_are_captured_as_valid_definitions() {
    let w = World::new();
    let sock = unique("oddsock");
    let hostile = format!("$(touch {}) ü x", w.path("pwned").display());
    let leading = "-dash";
    w.tmux
        .tmux_ok(&sock, ["new-session", "-d", "-s", &hostile, "sleep 600"]);
    // No command: the default shell.
    w.tmux.tmux_ok(&sock, ["new-session", "-d", "-s", leading]);
    let yaml = w.ok(
        None,
        &[
            "config",
            "init",
            "--from",
            &format!("tmux@{sock}:{hostile}"),
            &format!("tmux@{sock}:{leading}"),
        ],
    );
    assert!(!w.path("pwned").exists(), "a name was run by a shell");
    assert!(yaml.contains("TODO: renamed from"), "{yaml}");
    assert!(
        yaml.contains("# no command: it runs the default shell"),
        "{yaml}"
    );
    let cfg = checked(&w, "odd.yml", &yaml);
    let text = w.ok(Some(&cfg), &["config", "check"]);
    assert!(text.contains("2 sessions"), "{text}\n{yaml}");
}

#[test]
fn a_captured_container_checks_and_starts_again_with_the_same_command_env_and_folder() {
    let w = World::new();
    let name = unique("initc");
    let data = w.path("data");
    std::fs::create_dir(&data).unwrap();
    w.containers.run_detached_with(
        &name,
        &[
            "-e",
            "GREETING=hello world",
            "-e",
            "API_TOKEN=s3cr3t-value",
            "-w",
            "/tmp",
            "-v",
            &format!("{}:/data:ro", data.display()),
        ],
        &["sh", "-c", "echo \"$GREETING from $(pwd)\"; exec sleep 600"],
    );
    let yaml = w.ok(
        None,
        &["config", "init", "--from", &format!("podman:{name}")],
    );
    assert!(
        !yaml.contains("s3cr3t-value"),
        "a secret was written\n{yaml}"
    );
    assert!(
        yaml.contains("API_TOKEN: \"TODO-set-me\"  # TODO"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("PATH:") && !yaml.contains("HOSTNAME:"),
        "{yaml}"
    );
    let cfg = checked(&w, "captured.yml", &yaml);

    w.ok(Some(&cfg), &["stop", "--force", &name]);
    w.ok(Some(&cfg), &["rm", &name]);
    let out = w.ok(Some(&cfg), &["start", &name]);
    assert!(out.contains("started"), "{out}");
    w.containers.track(&name);
    let inspect = |fmt: &str| podman_ok(["container", "inspect", "--format", fmt, "--", &name]);
    assert_eq!(
        inspect("{{json .Config.Cmd}}").trim(),
        r#"["sh","-c","echo \"$GREETING from $(pwd)\"; exec sleep 600"]"#
    );
    assert_eq!(inspect("{{.Config.WorkingDir}}").trim(), "/tmp");
    let env = inspect("{{json .Config.Env}}");
    assert!(env.contains("GREETING=hello world"), "{env}");
    assert!(env.contains("API_TOKEN=TODO-set-me"), "{env}");
    let mounts = inspect("{{range .Mounts}}{{.Source}}:{{.Destination}}:{{.RW}} {{end}}");
    assert_eq!(mounts.trim(), format!("{}:/data:false", data.display()));
    support::wait_for_logs(&name, "hello world from /tmp", WAIT);
}

#[test]
fn a_container_with_a_huge_env_and_no_command_is_captured_whole() {
    let w = World::new();
    let name = unique("inithuge");
    let mut args: Vec<String> = Vec::new();
    for i in 0..150 {
        args.push("-e".into());
        args.push(format!("VAR_{i}={}", format!("v{i}'\"\\ ").repeat(60)));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // No command: the image's own (`sh`, which exits at once without a terminal).
    w.containers.create_with(&name, &args, &[]);
    let all = w.ok(None, &["config", "init", "--all"]);
    let at = all
        .find(&format!("  {name}:"))
        .unwrap_or_else(|| panic!("{name} missing from --all:\n{all}"));
    let block: String = all[at..]
        .lines()
        .take_while(|l| !l.starts_with("  # from"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(block.contains("# command: the image's default"), "{block}");
    assert_eq!(block.matches("      VAR_").count(), 150, "{block}");
    let yaml = w.ok(None, &["config", "init", "--from", &name]);
    let cfg = checked(&w, "huge.yml", &yaml);
    let out = w.ok(Some(&cfg), &["config", "check"]);
    assert!(out.contains("1 session"), "{out}");
}

#[test]
fn the_command_w_suggests_for_a_missing_config_creates_one_it_can_write_to() {
    use muxdeck::config::append::{AppendError, FileStamp, append_definition};
    let w = World::new();
    // A new user's home: no ~/.config/muxdeck yet (and a space in the path).
    let path = w.path("new home/.config/muxdeck/config.yml");
    let block = "  web:\n    backend: tmux\n    command: \"sleep 100\"\n";
    let err = append_definition(Some(&path), None, "web", block).unwrap_err();
    assert!(matches!(err, AppendError::Missing(_)), "{err:?}");
    let message = err.to_string();
    let command = message
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command in {message:?}"));
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_muxdeck"));
    let path_var = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", command])
        .env("PATH", path_var)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The file it made takes the definition.
    let loaded = FileStamp::read(&path).expect("the command wrote the file");
    let text = append_definition(Some(&path), Some(&loaded), "web", block).unwrap();
    assert!(text.contains("\n  web:\n"), "{text}");
}
