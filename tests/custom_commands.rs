//! `commands:` run from the command line (`muxdeck cmd COMMAND NAME`) on real tmux sessions
//! and podman containers: placeholders expand inside single arguments and no shell reads
//! a hostile name, the wrong kind of session is refused, a hung command is killed at
//! `command_timeout`, a missing binary is one line, escape sequences are normalized like
//! logs, `confirm: true` needs `--yes`, and `handover` passes the exit status on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use support::{World, podman_ok, unique, wait_for};

const WAIT: Duration = Duration::from_secs(20);

/// A config with these commands (YAML under `commands:`), and `defaults:` extra lines.
fn config(w: &World, defaults: &str, commands: &str) -> std::path::PathBuf {
    w.config(&format!(
        "defaults:\n{defaults}  stop_timeout: 10\ncommands:\n{commands}"
    ))
}

/// The argv of a command that writes each argument on its own line into `out`.
fn recorder(out: &std::path::Path, args: &[&str]) -> String {
    let mut argv = vec![
        "\"sh\"".to_string(),
        "\"-c\"".to_string(),
        format!("\"printf '%s\\\\n' \\\"$@\\\" > '{}'\"", out.display()),
        "\"sh\"".to_string(),
    ];
    argv.extend(args.iter().map(|a| format!("\"{a}\"")));
    format!("[{}]", argv.join(", "))
}

#[test]
fn a_hostile_tmux_name_is_one_argument_and_never_run() {
    let w = World::new();
    let sock = unique("cmdsock");
    let pwned = w.path("pwned");
    let name = format!(
        "$(touch {}) `touch {}` ; x",
        pwned.display(),
        pwned.display()
    );
    w.tmux.new_session(&sock, &name, "sleep 600");
    let out = w.path("args");
    let cfg = config(
        &w,
        "",
        &format!(
            "  show:\n    for: tmux\n    argv: {}\n",
            recorder(
                &out,
                &[
                    "{name}",
                    "{socket}",
                    "{backend}",
                    "{id}",
                    "{runtime}",
                    "n={name}!"
                ]
            )
        ),
    );
    let printed = w.ok(Some(&cfg), &["cmd", "show", &format!("tmux@{sock}:{name}")]);
    assert_eq!(printed, "");
    assert!(!pwned.exists(), "a name was run by a shell");
    let args = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = args.lines().collect();
    assert_eq!(lines[0], name);
    assert_eq!(lines[1], sock);
    assert_eq!(lines[2], "tmux");
    assert!(lines[3].starts_with('$'), "tmux session id: {args}");
    assert_eq!(lines[4], "");
    assert_eq!(lines[5], format!("n={name}!"));
}

#[test]
fn a_container_command_gets_its_full_id_and_runtime_and_tmux_ones_are_refused() {
    let w = World::new();
    let name = unique("cmdc");
    w.containers.run_detached(&name, "exec sleep 600");
    let out = w.path("args");
    let cfg = config(
        &w,
        "",
        &format!(
            "  show:\n    for: [container]\n    argv: {}\n  pane:\n    for: tmux\n    argv: [\"true\"]\n",
            recorder(&out, &["{name}", "{runtime}", "{id}", "{backend}"])
        ),
    );
    w.ok(Some(&cfg), &["cmd", "show", &name]);
    let full_id = podman_ok(["container", "inspect", "--format", "{{.Id}}", "--", &name]);
    let args = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [name.as_str(), "podman", full_id.trim(), "container"]
    );
    let err = w.fail(Some(&cfg), &["cmd", "pane", &name], 2);
    assert!(
        err.contains("the command pane is for tmux sessions") && err.contains(&name),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_hung_command_is_killed_at_command_timeout() {
    let w = World::new();
    let sock = unique("hungsock");
    let name = unique("hung");
    w.tmux.new_session(&sock, &name, "sleep 600");
    // A duration no other process has, to find this one in /proc.
    let marker = format!("{}.{}", 50 + std::process::id() % 40, std::process::id());
    let cfg = config(
        &w,
        "  command_timeout: 1\n",
        &format!("  hang:\n    argv: [sleep, \"{marker}\"]\n"),
    );
    let started = Instant::now();
    let err = w.fail(Some(&cfg), &["cmd", "hang", &name], 1);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.contains("the command hang did not end within 1 s and was killed"),
        "{err}"
    );
    wait_for(WAIT, "the hung command to be gone", || !sleeping(&marker));
}

/// Whether a `sleep MARKER` process exists.
fn sleeping(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        std::fs::read(e.path().join("cmdline"))
            .map(|c| c == format!("sleep\0{marker}\0").as_bytes())
            .unwrap_or(false)
    })
}

#[test]
fn a_missing_binary_an_unknown_command_and_an_unconfirmed_one_are_one_line() {
    let w = World::new();
    let sock = unique("misssock");
    let name = unique("miss");
    w.tmux.new_session(&sock, &name, "sleep 600");
    let done = w.path("done");
    let cfg = config(
        &w,
        "",
        &format!(
            "  gone:\n    argv: [mxt-no-such-binary, \"{{name}}\"]\n  careful:\n    confirm: true\n    argv: [touch, \"{}\"]\n",
            done.display()
        ),
    );
    let missing = w.fail(Some(&cfg), &["cmd", "gone", &name], 1);
    assert!(
        missing.contains("mxt-no-such-binary is not installed"),
        "{missing}"
    );
    let unknown = w.fail(Some(&cfg), &["cmd", "nope", &name], 2);
    assert!(
        unknown.contains("no command named \"nope\"") && unknown.contains("careful, gone"),
        "{unknown}"
    );
    let unconfirmed = w.fail(Some(&cfg), &["cmd", "careful", &name], 2);
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    assert!(!done.exists());
    w.ok(Some(&cfg), &["cmd", "careful", "--yes", &name]);
    assert!(done.exists());
    for e in [&missing, &unknown, &unconfirmed] {
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}

#[test]
fn output_keeps_colors_and_loses_every_other_escape_sequence() {
    let w = World::new();
    let sock = unique("escsock");
    let name = unique("esc");
    w.tmux.new_session(&sock, &name, "sleep 600");
    let cfg = config(
        &w,
        "",
        "  paint:\n    argv: [printf, \"\\\\033[31mred\\\\033[0m\\\\033]0;title\\\\007\\\\033[2J\\\\033]52;c;aGk=\\\\007 done\\\\nline2\\\\n\"]\n",
    );
    let out = w.ok(Some(&cfg), &["cmd", "paint", &name]);
    assert!(out.contains("\u{1b}[31mred"), "{out:?}");
    assert!(
        !out.contains("\u{1b}]") && !out.contains("\u{1b}[2J"),
        "{out:?}"
    );
    assert!(out.contains(" done\nline2\n"), "{out:?}");
    let mut plain = w.mx(Some(&cfg));
    plain.env("NO_COLOR", "1").args(["cmd", "paint", &name]);
    let out = support::run_ok(&mut plain, support::DEFAULT_TIMEOUT);
    assert_eq!(out, "red done\nline2\n");
}

#[test]
fn a_handover_command_passes_its_exit_status_on_and_silent_prints_nothing() {
    let w = World::new();
    let sock = unique("hosock");
    let name = unique("ho");
    w.tmux.new_session(&sock, &name, "sleep 600");
    let cfg = config(
        &w,
        "  command_timeout: 1\n",
        "  seven:\n    output: handover\n    argv: [sh, -c, \"sleep 2; echo handed; exit 7\"]\n  quiet:\n    output: silent\n    argv: [sh, -c, \"echo hidden; exit 3\"]\n",
    );
    let out = w.exec(Some(&cfg), &["cmd", "seven", &name]);
    assert_eq!(out.status.code(), Some(7), "{}", support::show_output(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "handed\n");
    let out = w.exec(Some(&cfg), &["cmd", "quiet", &name]);
    assert_eq!(out.status.code(), Some(3), "{}", support::show_output(&out));
    assert!(out.stdout.is_empty(), "{}", support::show_output(&out));
}

#[test]
fn on_another_host_the_argv_runs_there_quoted_and_config_init_names_the_host() {
    let fleet = support::Fleet::start(&["web1"]);
    let dir = support::temp_dir("cmdhost");
    let pwned = dir.path().join("pwned");
    let name = format!("$(touch {}) 'q\" x", pwned.display());
    fleet
        .host("web1")
        .tmux
        .new_session("default", &name, "sleep 600");
    let out = dir.path().join("args");
    let cfg = support::write_config(
        dir.path(),
        &format!(
            "{}commands:\n  show:\n    argv: {}\n",
            fleet.config_yaml(),
            recorder(&out, &["{name}", "{host}", "{backend}"])
        ),
    );
    let local = support::TmuxWorld::new();
    let mx = |args: &[&str]| {
        let mut cmd = support::muxdeck(Some(&cfg));
        local.apply(&mut cmd);
        cmd.env("XDG_RUNTIME_DIR", fleet.runtime_dir());
        cmd.args(args);
        cmd
    };
    let target = format!("web1/tmux:{name}");
    support::run_ok(&mut mx(&["cmd", "show", &target]), Duration::from_secs(60));
    assert!(!pwned.exists(), "a name was run by a shell");
    let args = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [name.as_str(), "web1", "tmux"]
    );

    let yaml = support::run_ok(
        &mut mx(&["config", "init", "--from", &target]),
        Duration::from_secs(60),
    );
    assert!(
        yaml.contains("hosts:\n  web1:\n    ssh: \"web1\"\n"),
        "{yaml}"
    );
    assert!(yaml.contains("    host: \"web1\"\n"), "{yaml}");
    assert!(yaml.contains("    command: \"sleep 600\"\n"), "{yaml}");
    let captured = dir.path().join("captured.yml");
    std::fs::write(&captured, &yaml).unwrap();
    let mut check = support::muxdeck(Some(&captured));
    let text = support::run_ok(check.args(["config", "check"]), Duration::from_secs(60));
    assert!(text.contains("1 session"), "{text}\n{yaml}");
}
