//! The README's lines for completions and the man page, run as written by a new user: a
//! fresh home with muxdeck where `cargo install` puts it (`~/.cargo/bin`), nothing else
//! set up. A line that only works on the author's machine (a folder that happens to exist,
//! a `compinit` already run, a MANPATH) fails here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_muxdeck");

/// The shell lines of the README's "Completions and the man page" block, comments dropped.
fn readme_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("### Completions and the man page")
        .nth(1)
        .expect("the README has a section on completions and the man page");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a sh block");
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(ToString::to_string)
        .collect()
}

/// The README lines that mention `needle`, joined as one script.
fn lines_with(needle: &str) -> String {
    let lines: Vec<String> = readme_lines()
        .into_iter()
        .filter(|l| l.contains(needle))
        .collect();
    assert!(!lines.is_empty(), "no README line mentions {needle:?}");
    lines.join("\n")
}

/// A fresh home with muxdeck in `~/.cargo/bin`, as `cargo install` leaves it.
fn fresh_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("muxdeck")).unwrap();
    home
}

/// `program args...` as the user of `home` would run it: their PATH, no MANPATH or
/// completion settings of the machine running the tests.
fn as_user(home: &Path, program: &str, args: &[&str]) -> Output {
    let path = format!("{}/.cargo/bin:/usr/bin:/bin", home.display());
    Command::new(program)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", path)
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .current_dir(home)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_readme_man_page_install_line_makes_man_muxdeck_work_in_a_fresh_home() {
    let home = fresh_home();
    let install = lines_with("gzip");
    let out = as_user(home.path(), "bash", &["-euc", &install]);
    assert!(out.status.success(), "{install}\n{}", text(&out));
    let out = as_user(home.path(), "man", &["-w", "muxdeck"]);
    assert!(
        out.status.success(),
        "man does not find the page\n{}",
        text(&out)
    );
    let found = String::from_utf8_lossy(&out.stdout);
    assert!(
        found.trim().starts_with(&*home.path().to_string_lossy()),
        "man found another page than the one installed: {found}"
    );
    let out = as_user(home.path(), "man", &["-P", "cat", "muxdeck"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SYNOPSIS"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_readme_bash_and_zsh_lines_load_in_a_fresh_home() {
    let home = fresh_home();
    let bash = lines_with("completions bash");
    let out = as_user(
        home.path(),
        "bash",
        &["-c", &format!("{bash}\ncomplete -p muxdeck")],
    );
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{bash}\n{}",
        text(&out)
    );
    // zsh started bare (no system or user rc): only what the README says is there.
    let zsh = format!(
        "{}\n{}",
        lines_with("compinit"),
        lines_with("completions zsh")
    );
    let out = as_user(
        home.path(),
        "zsh",
        &[
            "-f",
            "-c",
            &format!("{zsh}\nprint -r -- ${{_comps[muxdeck]}}"),
        ],
    );
    assert!(
        out.status.success()
            && out.stderr.is_empty()
            && String::from_utf8_lossy(&out.stdout).contains("muxdeck"),
        "{zsh}\n{}",
        text(&out)
    );
}

#[test]
fn the_readme_fish_lines_write_a_file_fish_completes_from() {
    let home = fresh_home();
    let fish = lines_with("fish/completions");
    let out = as_user(home.path(), "bash", &["-euc", &fish]);
    assert!(out.status.success(), "{fish}\n{}", text(&out));
    let out = as_user(home.path(), "fish", &["-c", "complete -C 'muxdeck sto'"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("stop"),
        "{fish}\n{}",
        text(&out)
    );
}
