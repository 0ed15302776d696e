//! bash completion of session names someone else chose: what Tab puts on the command line
//! must run as that name, never as a command. bash inserts a completion as it is, so a
//! session named `$(touch …)` completed unquoted would run `touch` when the user presses
//! Enter on `muxdeck stop <Tab>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{TmuxWorld, run, show_output, temp_dir, unique};

const BIN: &str = env!("CARGO_BIN_EXE_muxdeck");

/// bash with the binary under test first on PATH and the world's tmux servers, in `cwd`.
fn bash(world: &TmuxWorld, cwd: &Path, script: &str, args: &[&str]) -> Command {
    let template = support::muxdeck(None);
    let mut cmd = Command::new("bash");
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    world.apply(&mut cmd);
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", bin_dir.display()));
    cmd.current_dir(cwd);
    cmd.arg("-c").arg(script).arg("bash").args(args);
    cmd
}

/// What the completion function leaves in COMPREPLY for `muxdeck stop WORD`.
fn offered(world: &TmuxWorld, cwd: &Path, word: &str) -> Vec<String> {
    let script = r#"
source <(muxdeck completions bash) || exit 90
fn=$(complete -p muxdeck | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
COMP_WORDS=(muxdeck stop "$1")
COMP_CWORD=2
COMP_TYPE=9
COMP_LINE="muxdeck stop $1"
COMP_POINT=${#COMP_LINE}
"$fn" muxdeck "$1" stop
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = run(
        &mut bash(world, cwd, script, &[word]),
        Duration::from_secs(10),
    );
    assert!(out.status.success(), "{}", show_output(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn hostile_session_names_complete_to_words_that_stay_names() {
    let world = TmuxWorld::new();
    let socket = unique("hostile");
    let dir = temp_dir("hostile-cwd");
    let cwd = dir.path();
    let names = [
        "$(touch pwned1)".to_string(),
        "a;touch pwned2".to_string(),
        "`touch pwned3`".to_string(),
        "it's x".to_string(),
    ];
    for n in &names {
        world.new_session(&socket, n, "sleep 600");
    }
    let plain = unique("plain");
    world.new_session(&socket, &plain, "sleep 600");

    let words = offered(&world, cwd, "");
    // A plain name is offered as it is.
    assert!(words.contains(&plain), "{words:?}");
    // The words offered, put on a command line as Tab puts them, read back by bash one
    // argument each: exactly the names, and nothing ran.
    let line = format!("printf '%s\\n' {}", words.join(" "));
    let out = run(&mut bash(&world, cwd, &line, &[]), Duration::from_secs(10));
    assert!(out.status.success(), "{line}\n{}", show_output(&out));
    let read_back: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(read_back.len(), words.len(), "{line}\n{read_back:?}");
    for n in &names {
        assert!(read_back.contains(n), "{n:?} not read back from {line}");
    }
    // Typing the quote first narrows to the quoted names.
    let quoted = offered(&world, cwd, "'$(");
    assert_eq!(quoted.len(), 1, "{quoted:?}");

    // The command line as Tab completes it, run: it stops that session and runs nothing.
    let word = words.iter().find(|w| w.contains("pwned1")).unwrap();
    assert_ne!(word, &names[0], "offered unquoted");
    let out = run(
        &mut bash(&world, cwd, &format!("muxdeck stop --force {word}"), &[]),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{}", show_output(&out));
    assert!(!world.session_names(&socket).contains(&names[0]));
    for marker in ["pwned1", "pwned2", "pwned3"] {
        assert!(!cwd.join(marker).exists(), "{marker} was created");
    }
}
