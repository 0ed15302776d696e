//! The binary in a user's shell and manual: the completion scripts (loaded by a real bash,
//! and completing real tmux session names through clap_complete's protocol), the man page
//! (rendered by a real `man`), `--version` with its commit, and the files under `assets/`
//! that the package ships, which must be what the binary prints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::{DEFAULT_TIMEOUT, TmuxWorld, repo_root, run, run_ok, show_output, unique};

const BIN: &str = env!("CARGO_BIN_EXE_muxdeck");

/// Completion must answer while a person waits on Tab.
const COMPLETION_TIMEOUT: Duration = Duration::from_secs(10);

/// `bash` with the hermetic environment of the binary under test (no user tmux, config or
/// state), the binary's folder first on PATH (the scripts call `muxdeck` by name), and
/// `extra` applied last.
fn bash(script: &str, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let template = support::muxdeck(None);
    let mut cmd = Command::new("bash");
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", bin_dir.display()));
    cmd.envs(extra.iter().copied());
    cmd.arg("-c").arg(script).arg("bash").args(args);
    cmd
}

/// What bash offers for the last of `words` (the word being completed, maybe empty), by
/// sourcing `muxdeck completions bash` and calling its function as bash's `complete -F`
/// does: COMP_WORDS, COMP_CWORD and COMP_TYPE set, then `fn command word previous`.
fn complete(words: &[&str], extra: &[(&str, &str)]) -> (Vec<String>, Output) {
    let script = r#"
source <(muxdeck completions bash) || exit 90
fn=$(complete -p muxdeck | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || exit 91
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_TYPE=9
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
prev=""
[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
"$fn" muxdeck "${COMP_WORDS[COMP_CWORD]}" "$prev"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = run(&mut bash(script, words, extra), COMPLETION_TIMEOUT);
    assert!(
        out.status.success(),
        "completion failed\n{}",
        show_output(&out)
    );
    let offered = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (offered, out)
}

#[test]
fn every_completion_script_is_printed_and_the_bash_one_loads() {
    for shell in ["bash", "zsh", "fish"] {
        let text = run_ok(
            Command::new(BIN).args(["completions", shell]),
            DEFAULT_TIMEOUT,
        );
        assert!(
            text.contains("COMPLETE=") || text.contains("COMPLETE=\"") || text.contains(shell),
            "{shell}: {text}"
        );
        assert!(text.contains("muxdeck"), "{shell}: {text}");
    }
    let out = run(
        &mut bash(
            "source <(muxdeck completions bash) && complete -p muxdeck",
            &[],
            &[],
        ),
        DEFAULT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    let registered = String::from_utf8_lossy(&out.stdout);
    assert!(
        registered.contains("-F _clap_complete_muxdeck muxdeck"),
        "{registered}"
    );
}

#[test]
fn an_unknown_shell_is_a_one_line_usage_error() {
    let out = run(
        Command::new(BIN).args(["completions", "tcsh"]),
        DEFAULT_TIMEOUT,
    );
    assert_eq!(out.status.code(), Some(2), "{}", show_output(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

#[test]
fn bash_completes_subcommands_and_options_from_the_clap_definition() {
    let (offered, _) = complete(&["muxdeck", "st"], &[]);
    for want in ["start", "status", "stop"] {
        assert!(offered.iter().any(|o| o == want), "{want} in {offered:?}");
    }
    assert!(!offered.iter().any(|o| o == "list"), "{offered:?}");
    let (offered, _) = complete(&["muxdeck", "stop", "--ti"], &[]);
    assert_eq!(offered, ["--timeout"]);
    let (offered, _) = complete(&["muxdeck", "completions", ""], &[]);
    let shells: Vec<&String> = offered.iter().filter(|o| !o.starts_with('-')).collect();
    assert_eq!(shells, ["bash", "zsh", "fish"]);
}

#[test]
fn bash_completes_stop_with_the_names_of_real_tmux_sessions() {
    let world = TmuxWorld::new();
    let (sock_a, sock_b) = (unique("compa"), unique("compb"));
    let (alpha, beta, dup) = (unique("alpha"), unique("beta"), unique("dup"));
    world.new_session(&sock_a, &alpha, "sleep 600");
    world.new_session(&sock_b, &beta, "sleep 600");
    // One name on two servers: the bare name would be ambiguous, so each is offered
    // qualified.
    world.new_session(&sock_a, &dup, "sleep 600");
    world.new_session(&sock_b, &dup, "sleep 600");
    let tmpdir = world.tmpdir().to_str().unwrap().to_string();
    let env = [("TMUX_TMPDIR", tmpdir.as_str())];

    let (offered, out) = complete(&["muxdeck", "stop", ""], &env);
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    assert!(offered.contains(&alpha), "{alpha} in {offered:?}");
    assert!(offered.contains(&beta), "{beta} in {offered:?}");
    assert!(!offered.contains(&dup), "{offered:?}");
    for sock in [&sock_a, &sock_b] {
        let q = format!("tmux@{sock}:{dup}");
        assert!(offered.contains(&q), "{q} in {offered:?}");
    }

    // The word typed so far narrows the names, exactly as typed.
    let prefix = &alpha[..alpha.len() - 3];
    let (offered, _) = complete(&["muxdeck", "stop", prefix], &env);
    assert_eq!(offered, std::slice::from_ref(&alpha));

    // A qualified id offered for stop is one stop accepts.
    let target = format!("tmux@{sock_b}:{dup}");
    let mut stop = support::muxdeck(None);
    world.apply(&mut stop);
    run_ok(stop.args(["stop", "--force", &target]), DEFAULT_TIMEOUT);
    assert!(world.session_names(&sock_a).contains(&dup));
    assert!(!world.session_names(&sock_b).contains(&dup));
}

#[test]
fn completion_without_any_backend_or_with_a_broken_config_is_quiet() {
    // No tmux, podman or docker on PATH: only the folder of muxdeck itself (and bash's
    // own tools, found by path below).
    let bin_dir = Path::new(BIN)
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("config.yml");
    std::fs::write(&broken, "sessions: [not, a, map\n").unwrap();
    let broken = broken.to_str().unwrap().to_string();
    let script = r#"
PATH="$BIN_DIR"
source <(muxdeck completions bash) || exit 90
COMP_WORDS=(muxdeck stop "")
COMP_CWORD=2
_clap_complete_muxdeck muxdeck "" stop
for w in "${COMPREPLY[@]}"; do echo "$w"; done
"#;
    let out = run(
        &mut bash(
            script,
            &[],
            &[
                ("BIN_DIR", bin_dir.as_str()),
                ("MUXDECK_CONFIG", broken.as_str()),
            ],
        ),
        COMPLETION_TIMEOUT,
    );
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    let offered = String::from_utf8_lossy(&out.stdout);
    // Options are still offered; no session name, no error text.
    assert!(offered.lines().any(|l| l == "--force"), "{offered}");
    assert!(
        offered.lines().all(|l| l.starts_with("--")),
        "only options: {offered}"
    );
}

#[test]
fn a_config_session_is_completed_from_the_config_given_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("muxdeck.yml");
    let name = "webdefined";
    std::fs::write(
        &cfg,
        format!("backends: [tmux]\nsessions:\n  {name}:\n    command: sleep 1\n"),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let (offered, _) = complete(&["muxdeck", "--config", cfg, "start", "web"], &[]);
    assert_eq!(offered, [name]);
}

/// `muxdeck man | man -l -`, as the README says.
fn rendered_man_page() -> String {
    assert!(
        Command::new("man")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
        "`man` is needed for this test: apt-get install man-db"
    );
    let script = "set -o pipefail; muxdeck man | man -l -";
    let out = run(
        &mut bash(script, &[], &[("MANPAGER", "cat"), ("MANWIDTH", "100")]),
        DEFAULT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(
        out.stderr.is_empty(),
        "man warned about the page\n{}",
        show_output(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_man_page_renders_with_every_subcommand() {
    let page = rendered_man_page();
    // man may embolden with backspaces when not writing to a terminal.
    let page: String = strip_overstrike(&page);
    for want in [
        "NAME",
        "SYNOPSIS",
        "COMMANDS",
        "muxdeck stop [NAME] [--group GROUP]",
        "--timeout",
        "muxdeck config check",
        "muxdeck completions",
        "EXIT STATUS",
        "MUXDECK_CONFIG",
        env!("CARGO_PKG_VERSION"),
    ] {
        assert!(page.contains(want), "{want:?} missing from:\n{page}");
    }
}

fn strip_overstrike(s: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in s.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    // `x\bx` leaves the second x after the pop.
    out.into_iter().collect()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let text = run_ok(Command::new(BIN).arg("--version"), DEFAULT_TIMEOUT);
    let prefix = format!("muxdeck {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = text
        .trim()
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not `{prefix}COMMIT)`: {text}"));
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    if git(&["rev-parse", "--git-dir"]).is_none() {
        assert_eq!(commit, "unknown", "{text}");
        return;
    }
    // A commit of this checkout: HEAD when built from it, or one HEAD descends from when
    // commits were made after the build.
    assert!(
        commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
    assert!(
        git(&["merge-base", "--is-ancestor", commit, "HEAD"]).is_some(),
        "{commit} is not HEAD or one of its ancestors"
    );
}

/// The build script, compiled on its own and run as cargo runs it.
fn build_script_output(manifest_dir: &Path) -> String {
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("build-script-{}", unique("b")));
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    run_ok(
        Command::new(rustc)
            .args(["--edition", "2024", "-o"])
            .arg(&exe)
            .arg(repo_root().join("build.rs")),
        Duration::from_secs(120),
    );
    let out = run_ok(
        Command::new(&exe).env("CARGO_MANIFEST_DIR", manifest_dir),
        DEFAULT_TIMEOUT,
    );
    let _ = std::fs::remove_file(&exe);
    out
}

#[test]
fn the_commit_is_unknown_outside_a_git_checkout_of_the_crate() {
    // A crate unpacked from a tarball: no git at all around it.
    let plain = tempfile::tempdir().unwrap();
    let out = build_script_output(plain.path());
    assert!(
        out.contains("cargo:rustc-env=MUXDECK_COMMIT=unknown"),
        "{out}"
    );
    // Unpacked inside some other checkout (a vendored source tree): not that one's commit.
    let other = tempfile::tempdir().unwrap();
    run_ok(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(other.path()),
        DEFAULT_TIMEOUT,
    );
    let nested: PathBuf = other.path().join("vendor").join("muxdeck");
    std::fs::create_dir_all(&nested).unwrap();
    let out = build_script_output(&nested);
    assert!(
        out.contains("cargo:rustc-env=MUXDECK_COMMIT=unknown"),
        "{out}"
    );
}

/// The files the package ships, each with the command that prints it.
const ASSETS: [(&str, &[&str]); 4] = [
    ("assets/muxdeck.1", &["man"]),
    ("assets/completions/muxdeck.bash", &["completions", "bash"]),
    ("assets/completions/_muxdeck", &["completions", "zsh"]),
    ("assets/completions/muxdeck.fish", &["completions", "fish"]),
];

#[test]
fn the_shipped_man_page_and_completions_are_what_the_binary_prints() {
    let mut stale = Vec::new();
    for (file, args) in ASSETS {
        let printed = run_ok(Command::new(BIN).args(args), DEFAULT_TIMEOUT);
        let committed = std::fs::read_to_string(repo_root().join(file)).unwrap_or_default();
        if printed != committed {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what the binary prints; run assets/update.sh and commit the result"
    );
}
