//! The binary in a user's shell and manual: the completion scripts (loaded by a real bash,
//! zsh and fish, and completing real tmux session names there through clap_complete's
//! protocol: bash's function called as `complete -F` does, a Tab typed into an interactive
//! zsh, fish's `complete -C`), the man page
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

/// `program` with the hermetic environment of the binary under test (no user tmux, config
/// or state), the binary's folder first on PATH (the scripts call `muxdeck` by name), and
/// `extra` applied last.
fn hermetic(program: &str, extra: &[(&str, &str)]) -> Command {
    let template = support::muxdeck(None);
    let mut cmd = Command::new(program);
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
    cmd
}

/// `bash -c script bash args...`, [`hermetic`].
fn bash(script: &str, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let mut cmd = hermetic("bash", extra);
    cmd.arg("-c").arg(script).arg("bash").args(args);
    cmd
}

/// Fails the test, saying what to install, when `shell` is not on PATH: CI installs every
/// shell whose script the package ships, so a missing one is a broken set-up, not a skip.
fn require_shell(shell: &str) {
    let found = Command::new(shell)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{shell}` is needed for this test (its completion script is shipped): \
         apt-get install -y --no-install-recommends {shell}"
    );
}

/// A home of its own for a shell under test, so that zsh's and fish's files (history,
/// universal variables, caches) never go to the user's.
fn shell_home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// [`hermetic`] `program` with `HOME` and fish's data and cache folders in `home`.
fn shell_in(program: &str, home: &Path, extra: &[(&str, &str)]) -> Command {
    let home = home.to_str().unwrap();
    let data = format!("{home}/.local/share");
    let cache = format!("{home}/.cache");
    let mut env = vec![
        ("HOME", home),
        ("XDG_DATA_HOME", data.as_str()),
        ("XDG_CACHE_HOME", cache.as_str()),
    ];
    env.extend(extra.iter().copied());
    hermetic(program, &env)
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

/// Four tmux sessions on two private servers: `alpha` on `a`, `beta` on `b`, and `dup` on
/// both (offered qualified, once per server).
struct TwoServers {
    world: TmuxWorld,
    sockets: [String; 2],
    alpha: String,
    beta: String,
    dup: String,
}

impl TwoServers {
    fn new() -> Self {
        let world = TmuxWorld::new();
        let sockets = [unique("compa"), unique("compb")];
        let (alpha, beta, dup) = (unique("alpha"), unique("beta"), unique("dup"));
        world.new_session(&sockets[0], &alpha, "sleep 600");
        world.new_session(&sockets[1], &beta, "sleep 600");
        for sock in &sockets {
            world.new_session(sock, &dup, "sleep 600");
        }
        Self {
            world,
            sockets,
            alpha,
            beta,
            dup,
        }
    }

    fn tmpdir(&self) -> String {
        self.world.tmpdir().to_str().unwrap().to_string()
    }

    /// Asserts that `offered` (for `muxdeck stop `) holds every session as it must be
    /// typed: the unique names bare, the shared one qualified per server, never bare.
    fn assert_all_offered(&self, shell: &str, offered: &[String]) {
        for want in [&self.alpha, &self.beta] {
            assert!(offered.contains(want), "{shell}: {want} in {offered:?}");
        }
        assert!(!offered.contains(&self.dup), "{shell}: {offered:?}");
        for sock in &self.sockets {
            let q = format!("tmux@{sock}:{}", self.dup);
            assert!(offered.contains(&q), "{shell}: {q} in {offered:?}");
        }
        assert!(
            offered.iter().any(|o| o == "--force"),
            "{shell}: options too: {offered:?}"
        );
    }

    /// The start of `alpha`'s name, which no other session's name starts with.
    fn alpha_prefix(&self) -> &str {
        &self.alpha[..self.alpha.len() - 3]
    }
}

/// Drives a real interactive zsh in a pseudo-terminal (zsh/zpty): runs `$2` (the set-up
/// a user's ~/.zshrc would have), types `$1` and Tab, and prints the matches zsh's
/// completion system added, one a line, as recorded into `$3` by a `compadd` that
/// records what it is given, then hands it to the builtin. The calls with -O, -A or -D
/// only ask which words match (as `_describe` does before adding): not recorded.
const ZSH_TAB: &str = r#"
zmodload zsh/zpty || exit 80
words=$1 setup=$2 out=$3
zpty z zsh -f -i || exit 81
zpty -w z "$setup; print ready-\$?-\$((40+2))"
zpty -r z line '*ready-<->-42*' || exit 82
[[ $line == *ready-0-42* ]] || { print -r -- "set-up failed: $line" >&2; exit 83 }
zpty -w z "compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd \"\$@\"; return; fi
  local -a __hits
  builtin compadd -A __hits \"\$@\"
  print -rl -- \"\${__hits[@]}\" >>${(q)out}
  builtin compadd \"\$@\"
}"
zpty -w z "__done() { print -r -- __completion_done__ >>${(q)out} }; comppostfuncs=(__done)"
zpty -w -n z "$words"$'\t'
for i in {1..100}; do
  [[ -f $out ]] && grep -qx __completion_done__ $out && break
  sleep 0.1
done
screen=
while zpty -rt z chunk; do screen+=$chunk; done
zpty -d z
if ! grep -qx __completion_done__ $out 2>/dev/null; then
  print -r -- "no completion ran in 10 s; the terminal showed: $screen" >&2
  exit 84
fi
grep -vx __completion_done__ $out || true
"#;

/// What a real zsh offers on Tab after `words` (see [`ZSH_TAB`]), set up by `setup`.
fn zsh_tab(words: &str, setup: &str, extra: &[(&str, &str)]) -> Vec<String> {
    require_shell("zsh");
    let home = shell_home();
    let out = home.path().join("offered");
    let mut cmd = shell_in("zsh", home.path(), extra);
    cmd.args(["-f", "-c", ZSH_TAB, "zsh", words, setup])
        .arg(&out);
    let out = run(&mut cmd, Duration::from_secs(30));
    assert!(
        out.status.success(),
        "zsh Tab failed\n{}",
        show_output(&out)
    );
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        // `_describe` pads its listing with empty matches (compadd -E).
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The set-up README gives for ~/.zshrc.
const ZSHRC: &str = "autoload -Uz compinit && compinit -u -D && source <(muxdeck completions zsh)";

#[test]
fn zsh_loads_the_completion_script_and_registers_its_function() {
    require_shell("zsh");
    let home = shell_home();
    let script = format!("{ZSHRC} && print -r -- ${{_comps[muxdeck]}}");
    let out = run(
        shell_in("zsh", home.path(), &[]).args(["-f", "-c", &script]),
        DEFAULT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "_clap_dynamic_completer_muxdeck"
    );
}

#[test]
fn zsh_completes_stop_with_the_names_of_real_tmux_sessions() {
    let sessions = TwoServers::new();
    let tmpdir = sessions.tmpdir();
    let env = [("TMUX_TMPDIR", tmpdir.as_str())];
    let offered = zsh_tab("muxdeck stop ", ZSHRC, &env);
    sessions.assert_all_offered("zsh", &offered);

    // The word typed so far narrows the names.
    let words = format!("muxdeck stop {}", sessions.alpha_prefix());
    let offered = zsh_tab(&words, ZSHRC, &env);
    assert_eq!(offered, std::slice::from_ref(&sessions.alpha));
}

#[test]
fn zsh_completes_on_the_first_tab_with_the_script_installed_on_fpath() {
    // As the Debian package installs it: `_muxdeck` in a folder on $fpath, loaded by
    // zsh on the first Tab, which must complete already.
    let sessions = TwoServers::new();
    let dir = tempfile::tempdir().unwrap();
    let script = run_ok(
        Command::new(BIN).args(["completions", "zsh"]),
        DEFAULT_TIMEOUT,
    );
    std::fs::write(dir.path().join("_muxdeck"), script).unwrap();
    let tmpdir = sessions.tmpdir();
    let fpath = dir.path().to_str().unwrap();
    let env = [("TMUX_TMPDIR", tmpdir.as_str()), ("COMP_DIR", fpath)];
    let setup = r#"fpath=("$COMP_DIR" $fpath); autoload -Uz compinit && compinit -u -D"#;
    let offered = zsh_tab("muxdeck stop ", setup, &env);
    sessions.assert_all_offered("zsh from $fpath", &offered);
}

/// What a real fish offers for `line` (`complete -C`, fish's own way to ask), fish's home
/// being `home`; the candidates without their descriptions. With `Some(setup)`, fish
/// reads no configuration and runs `setup` first; with `None`, fish starts as it does for
/// a user, reading its configuration and completions folders.
fn fish_complete(
    line: &str,
    setup: Option<&str>,
    home: &Path,
    extra: &[(&str, &str)],
) -> Vec<String> {
    require_shell("fish");
    let mut cmd = shell_in("fish", home, extra);
    match setup {
        Some(setup) => cmd.args([
            "--no-config",
            "-c",
            &format!("{setup}; or exit 90; complete -C $argv[1]"),
            line,
        ]),
        None => cmd.args(["-c", "complete -C $argv[1]", line]),
    };
    let out = run(&mut cmd, COMPLETION_TIMEOUT);
    assert!(
        out.status.success(),
        "fish completion failed\n{}",
        show_output(&out)
    );
    assert!(out.stderr.is_empty(), "{}", show_output(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

/// Loading the script by hand (as one would in config.fish).
const FISH_SOURCE: &str = "muxdeck completions fish | source";

#[test]
fn fish_loads_the_completion_script_and_completes_stop_with_real_tmux_session_names() {
    let sessions = TwoServers::new();
    let home = shell_home();
    let tmpdir = sessions.tmpdir();
    let env = [("TMUX_TMPDIR", tmpdir.as_str())];
    let offered = fish_complete("muxdeck stop ", Some(FISH_SOURCE), home.path(), &env);
    sessions.assert_all_offered("fish", &offered);

    // The word typed so far narrows the names.
    let line = format!("muxdeck stop {}", sessions.alpha_prefix());
    let offered = fish_complete(&line, Some(FISH_SOURCE), home.path(), &env);
    assert_eq!(offered, std::slice::from_ref(&sessions.alpha));
}

#[test]
fn fish_completes_with_the_script_written_where_the_readme_says() {
    // `muxdeck completions fish > ~/.config/fish/completions/muxdeck.fish`, loaded by fish
    // the first time muxdeck is completed; the package's file in vendor_completions.d is
    // found the same way (another folder on $fish_complete_path).
    let sessions = TwoServers::new();
    let home = shell_home();
    let config = home.path().join(".config");
    let folder = config.join("fish").join("completions");
    std::fs::create_dir_all(&folder).unwrap();
    let script = run_ok(
        Command::new(BIN).args(["completions", "fish"]),
        DEFAULT_TIMEOUT,
    );
    std::fs::write(folder.join("muxdeck.fish"), script).unwrap();
    let tmpdir = sessions.tmpdir();
    let env = [
        ("TMUX_TMPDIR", tmpdir.as_str()),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
    ];
    let offered = fish_complete("muxdeck stop ", None, home.path(), &env);
    sessions.assert_all_offered("fish from ~/.config/fish/completions", &offered);
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
