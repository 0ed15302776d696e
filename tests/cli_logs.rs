//! `muxdeck logs` and `muxdeck logs -f`: colors kept, no blank screen rows, `-n`, and
//! following a live session until it ends. Real tmux panes and real container logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::World;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{
    DEFAULT_TIMEOUT, container_state, podman_ok, run, run_ok, unique, wait_for, wait_for_logs,
    wait_until,
};

const WAIT: Duration = Duration::from_secs(20);
const RED: &str = "\x1b[31mred";

/// Text without SGR sequences (`ESC [ ... m`).
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn plain_lines(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| plain(l)).collect()
}

/// A `muxdeck logs -f` process whose stdout lines arrive on a channel; killed on drop.
struct Follow {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Follow {
    fn spawn(cmd: &mut Command) -> Self {
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().expect("muxdeck logs -f starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Follow {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (with a deadline) for a line whose plain text is `want`.
    fn wait_line(&mut self, want: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.seen.iter().any(|l| plain(l) == want) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(e) => panic!(
                    "no line {want:?} from logs -f ({e}); it printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits (with a deadline) for the process to exit by itself.
    fn wait_exit(&mut self) -> ExitStatus {
        let mut status = None;
        wait_until(WAIT, || {
            status = self.child.try_wait().ok().flatten();
            status.is_some()
        });
        status.unwrap_or_else(|| {
            panic!(
                "logs -f did not end by itself; it printed:\n{}",
                self.seen.join("\n")
            )
        })
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn touch(path: &Path) {
    std::fs::write(path, b"").unwrap();
}

#[test]
fn tmux_logs_keep_colors_without_blank_rows() {
    let w = World::new();
    let (name, sock) = (unique("tcolor"), unique("sock"));
    w.tmux.new_session(
        &sock,
        &name,
        "printf '\\033[31mred\\033[0m\\n'; echo second; echo third; exec sleep 600",
    );
    w.tmux
        .wait_for_text(&sock, &format!("={name}:"), "third", WAIT);
    let lines = w.logs(&[&name]);
    // The pane is 50 rows high; only the three written rows come back.
    assert_eq!(plain_lines(&lines), ["red", "second", "third"], "{lines:?}");
    assert!(lines[0].starts_with(RED), "colors lost: {:?}", lines[0]);
    assert!(
        lines.iter().all(|l| !l.ends_with(' ')),
        "trailing blanks: {lines:?}"
    );

    let last = w.logs(&["-n", "2", &format!("tmux@{sock}:{name}")]);
    assert_eq!(plain_lines(&last), ["second", "third"]);
    let one = w.logs(&["--lines", "1", &name]);
    assert_eq!(plain_lines(&one), ["third"]);

    // NO_COLOR prints the same text without escapes.
    let out = run_ok(
        w.mx(None).env("NO_COLOR", "1").args(["logs", &name]),
        DEFAULT_TIMEOUT,
    );
    assert_eq!(out, "red\nsecond\nthird\n");
}

#[test]
fn tmux_logs_reach_into_the_scrollback() {
    let w = World::new();
    let (name, sock) = (unique("tscroll"), unique("sock"));
    w.tmux
        .new_session(&sock, &name, "seq 1 300; echo done; exec sleep 600");
    w.tmux
        .wait_for_text(&sock, &format!("={name}:"), "done", WAIT);
    let lines = w.logs(&["-n", "120", &name]);
    assert_eq!(lines.len(), 120, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some("done"));
    assert_eq!(lines[0], "182");
    // The default is 100 lines.
    let lines = w.logs(&[&name]);
    assert_eq!(lines.len(), 100);
    assert_eq!(lines[0], "202");
}

#[test]
fn container_logs_keep_colors_and_honour_n() {
    let w = World::new();
    let name = unique("ccolor");
    w.containers.run_detached(
        &name,
        "printf '\\033[31mred\\033[0m\\n'; seq 1 150; echo oops >&2; echo done; exec sleep 600",
    );
    wait_for_logs(&name, "done", WAIT);
    let lines = w.logs(&["-n", "500", &name]);
    assert_eq!(lines.len(), 153, "{lines:?}");
    assert!(lines[0].starts_with(RED), "colors lost: {:?}", lines[0]);
    // stderr is part of the log too (conmon may swap lines written at the same instant
    // to the two streams, so their order is not asserted).
    let mut tail = lines[151..].to_vec();
    tail.sort();
    assert_eq!(tail, ["done", "oops"]);

    let mut last = w.logs(&["-n", "3", &format!("podman:{name}")]);
    assert_eq!(last.len(), 3);
    assert_eq!(last[0], "150");
    last.sort();
    assert_eq!(last, ["150", "done", "oops"]);
    let lines = w.logs(&[&name]);
    assert_eq!(lines.len(), 100);
    assert_eq!(lines[0], "53");
    assert!(lines[98..].contains(&"done".to_string()), "{lines:?}");
}

#[test]
fn logs_of_a_stopped_container_still_print() {
    let w = World::new();
    let name = unique("cexited");
    w.containers
        .run_detached(&name, "printf '\\033[31mred\\033[0m\\n'; echo last; exit 4");
    wait_for(WAIT, "the container to exit", || {
        container_state(&name) == "exited"
    });
    let lines = w.logs(&[&name]);
    assert_eq!(plain_lines(&lines), ["red", "last"]);
    assert!(lines[0].starts_with(RED));
}

#[test]
fn tmux_follow_prints_new_lines_and_ends_with_the_session() {
    let w = World::new();
    let (name, sock) = (unique("tfollow"), unique("sock"));
    let (go, end) = (w.path("go"), w.path("end"));
    w.tmux.new_session(
        &sock,
        &name,
        &format!(
            "echo old-line; while [ ! -e {go} ]; do sleep 0.05; done; printf '\\033[32mnew-line\\033[0m\\n'; while [ ! -e {end} ]; do sleep 0.05; done",
            go = go.display(),
            end = end.display()
        ),
    );
    w.tmux
        .wait_for_text(&sock, &format!("={name}:"), "old-line", WAIT);
    let mut f = Follow::spawn(w.mx(None).args(["logs", "-f", "-n", "5", &name]));
    // The history comes first: the follower is attached once it is printed.
    f.wait_line("old-line");
    touch(&go);
    f.wait_line("new-line");
    assert!(
        f.seen.iter().any(|l| l.contains("\x1b[32mnew-line")),
        "colors lost: {:?}",
        f.seen
    );
    // Written once, shown once.
    assert_eq!(f.seen.iter().filter(|l| plain(l) == "new-line").count(), 1);
    touch(&end);
    let status = f.wait_exit();
    assert!(status.success(), "logs -f ended with {status}");
    assert!(w.tmux.session_names(&sock).is_empty());
}

/// Lines of the file at `path` that contain `what` (0 when it does not exist yet).
fn count_lines(path: &Path, what: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(what))
        .count()
}

#[test]
fn a_long_quiet_pane_is_asked_only_when_its_server_reads_and_its_next_line_still_comes() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    let (name, sock) = (unique("tquiet"), unique("sock"));
    let go = w.path("go");
    w.tmux.new_session(
        &sock,
        &name,
        &format!(
            "echo old-line; while [ ! -e {go} ]; do sleep 0.05; done; echo new-line; sleep 600",
            go = go.display()
        ),
    );
    w.tmux
        .wait_for_text(&sock, &format!("={name}:"), "old-line", WAIT);
    // tmux for everything, writing down what muxdeck asked of it.
    let (calls, wrapper) = (w.path("tmux-calls"), w.path("tmux-recording"));
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec tmux \"$@\"\n",
            calls.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = w.config(&format!(
        "defaults:\n  tmux_binary: {}\nbackends: [tmux]\n",
        wrapper.display()
    ));
    let mut f = Follow::spawn(w.mx(Some(&cfg)).args(["logs", "-f", "-n", "5", &name]));
    f.wait_line("old-line");
    // Past ten quiet seconds, a pane that writes nothing costs no tmux call: polled
    // every 2 s, these 8 s would have made four.
    std::thread::sleep(Duration::from_secs(13));
    let before = count_lines(&calls, "display-message");
    std::thread::sleep(Duration::from_secs(8));
    let during = count_lines(&calls, "display-message") - before;
    assert!(
        during <= 1,
        "{during} calls for a quiet pane in 8 s:\n{}",
        std::fs::read_to_string(&calls).unwrap_or_default()
    );
    let written = Instant::now();
    touch(&go);
    f.wait_line("new-line");
    assert!(
        written.elapsed() < Duration::from_secs(5),
        "the line came {:?} after it was written",
        written.elapsed()
    );
    let _ = f.child.kill();
    let _ = f.child.wait();
}

#[test]
fn container_follow_prints_new_lines_and_ends_when_stopped() {
    let w = World::new();
    let name = unique("cfollow");
    w.containers.run_detached(
        &name,
        "trap 'echo bye; exit 0' TERM; echo old-line; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo new-line; while true; do sleep 0.05; done",
    );
    wait_for_logs(&name, "old-line", WAIT);
    let mut f = Follow::spawn(w.mx(None).args(["logs", "--follow", "-n", "10", &name]));
    f.wait_line("old-line");
    podman_ok(["exec", name.as_str(), "touch", "/tmp/go"]);
    f.wait_line("new-line");
    // Stopping the container ends the follow on its own, after its last words.
    let out = run(
        w.mx(None).args(["stop", "--timeout", "5", &name]),
        DEFAULT_TIMEOUT,
    );
    assert!(out.status.success());
    let status = f.wait_exit();
    assert!(status.success(), "logs -f ended with {status}");
    // Drain what was printed before the end.
    while let Ok(l) = f.lines.recv_timeout(Duration::from_secs(2)) {
        f.seen.push(l);
    }
    assert!(f.seen.iter().any(|l| l == "bye"), "{:?}", f.seen);
    assert_eq!(f.seen.iter().filter(|l| *l == "new-line").count(), 1);
}

#[test]
fn follow_a_container_that_is_already_stopped_prints_and_ends() {
    let w = World::new();
    let name = unique("cfstopped");
    w.containers.run_detached(&name, "echo only-line; exit 0");
    wait_for(WAIT, "the container to exit", || {
        container_state(&name) == "exited"
    });
    let mut f = Follow::spawn(w.mx(None).args(["logs", "-f", &name]));
    f.wait_line("only-line");
    assert!(f.wait_exit().success());
}
