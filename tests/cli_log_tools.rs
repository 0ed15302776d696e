//! `muxdeck logs` search and time options (`--grep`, `--invert`, `-C`, `--since`,
//! `--timestamps`, `--no-color`) and the merged log of several sessions, against real tmux
//! panes and real podman containers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{World, container_state, unique, wait_for, wait_for_logs};

const WAIT: Duration = Duration::from_secs(20);

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

/// A tmux session on its own socket that printed `script`'s output; its name.
fn tmux_printing(w: &World, script: &str, last: &str) -> String {
    let (name, sock) = (unique("tgrep"), unique("sock"));
    w.tmux
        .new_session(&sock, &name, &format!("{script}; exec sleep 600"));
    w.tmux
        .wait_for_text(&sock, &format!("={name}:"), last, WAIT);
    name
}

const TEN: &str = "for i in 1 2 3 4 5 6 7 8 9 10; do if [ $i = 3 ] || [ $i = 9 ]; then printf '\\033[31mERROR\\033[0m %s\\n' $i; else echo info $i; fi; done";

#[test]
fn grep_invert_and_context_on_a_tmux_pane() {
    let w = World::new();
    let name = tmux_printing(&w, TEN, "info 10");
    // Smart case: lower case matches any case; colors stay on what is printed.
    let hits = w.logs(&["--grep", "error", &name]);
    assert_eq!(
        hits.iter().map(|l| plain(l)).collect::<Vec<_>>(),
        ["ERROR 3", "ERROR 9"]
    );
    assert!(hits[0].contains("\x1b[31mERROR"), "{hits:?}");
    // An upper-case letter makes it exact.
    assert!(w.logs(&["--grep", "Error", &name]).is_empty());
    // A regex, never matched against the escape codes.
    assert_eq!(
        w.logs(&["--grep", r"^info \d$", "--no-color", &name]).len(),
        7
    );
    assert!(w.logs(&["--grep", "31m", &name]).is_empty());
    // Invert.
    let rest = w.logs(&["--grep", "error", "--invert", "--no-color", &name]);
    assert_eq!(rest.len(), 8);
    assert!(rest.iter().all(|l| l.starts_with("info ")), "{rest:?}");
    // Context groups, split by `--`.
    let ctx = w.logs(&["--grep", "error", "-C", "1", "--no-color", &name]);
    assert_eq!(
        ctx,
        [
            "info 2", "ERROR 3", "info 4", "--", "info 8", "ERROR 9", "info 10"
        ]
    );
    // --no-color prints no escape at all.
    assert!(ctx.iter().all(|l| !l.contains('\x1b')));
}

#[test]
fn bad_patterns_and_durations_are_one_line_exit_2() {
    let w = World::new();
    let name = tmux_printing(&w, "echo x", "x");
    for (args, want) in [
        (vec!["--grep", "a(b"], "invalid regex"),
        (vec!["--grep", ""], "empty pattern"),
        (vec!["--since", "5x"], "invalid duration"),
        (vec!["--since", "1.5h"], "invalid duration"),
        (vec!["--invert"], "--grep"),
        (vec!["-C", "2"], "--grep"),
    ] {
        let mut all = args.clone();
        all.push(&name);
        let mut full = vec!["logs"];
        full.extend(all);
        let err = w.fail(None, &full, 2);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn a_catastrophic_pattern_on_a_long_line_answers_at_once() {
    let w = World::new();
    let name = tmux_printing(
        &w,
        "head -c 15000 /dev/zero | tr '\\\\0' a; echo b; echo done",
        "done",
    );
    let started = std::time::Instant::now();
    let out = w.logs(&["--grep", "(a+)+$", "--no-color", &name]);
    assert!(started.elapsed() < Duration::from_secs(10));
    // Only `done` ends in no `b`... and holds no `a`: nothing matches but lines of a's.
    assert!(out.iter().all(|l| l.ends_with('a')), "{:?}", out.len());
}

#[test]
fn container_since_and_timestamps() {
    let w = World::new();
    let name = unique("csince");
    w.containers
        .run_detached(&name, "echo first; sleep 3; echo second; exit 0");
    wait_for(WAIT, "the container to exit", || {
        container_state(&name) == "exited"
    });
    // The runtime's own stamps, in front of each line.
    let stamped = w.logs(&["--timestamps", "--no-color", &name]);
    assert_eq!(stamped.len(), 2, "{stamped:?}");
    for (l, text) in stamped.iter().zip(["first", "second"]) {
        let (stamp, rest) = l.split_once(' ').unwrap();
        assert_eq!(rest, text);
        assert!(
            stamp.len() >= 20 && &stamp[4..5] == "-" && &stamp[10..11] == "T",
            "{l}"
        );
    }
    // --grep sees the line, not the stamp.
    assert_eq!(
        w.logs(&["--timestamps", "--grep", "^sec", "--no-color", &name])
            .len(),
        1
    );
    // Everything of the last day; nothing of the last second once it has passed.
    assert_eq!(w.logs(&["--since", "1d", &name]), ["first", "second"]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(w.logs(&["--since", "1s", &name]).is_empty());
}

#[test]
fn tmux_timestamps_and_since_say_what_tmux_keeps() {
    let w = World::new();
    let name = tmux_printing(&w, "echo one; echo two", "two");
    let stamped = w.logs(&["--timestamps", "--no-color", &name]);
    assert_eq!(stamped.len(), 2, "{stamped:?}");
    assert!(stamped[0].ends_with("Z one"), "{stamped:?}");
    let out = support::run(
        w.mx(None).args(["logs", "--since", "5m", &name]),
        support::DEFAULT_TIMEOUT,
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tmux keeps no times"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn several_names_print_one_merged_log_one_name_prints_as_before() {
    let w = World::new();
    let t = tmux_printing(
        &w,
        "echo from-tmux; printf '\\033[32mgreen\\033[0m\\n'",
        "green",
    );
    let c = unique("cmerge");
    w.containers.run_detached(&c, "echo from-podman; sleep 600");
    wait_for_logs(&c, "from-podman", WAIT);
    // One name: exactly the lines, no prefix.
    let one = w.logs(&[&t]);
    assert_eq!(
        one.iter().map(|l| plain(l)).collect::<Vec<_>>(),
        ["from-tmux", "green"]
    );
    assert_eq!(one[1], "\x1b[32mgreen\x1b[0m");
    // Several: `name | line`, names padded to one width.
    let merged = w.logs(&["--no-color", &t, &c]);
    let (wt, wc) = (t.len().max(c.len()), t.len().max(c.len()));
    assert!(
        merged.contains(&format!("{t:wt$} | from-tmux")),
        "{merged:?}"
    );
    assert!(merged.contains(&format!("{t:wt$} | green")), "{merged:?}");
    assert!(
        merged.contains(&format!("{c:wc$} | from-podman")),
        "{merged:?}"
    );
    assert_eq!(merged.len(), 3);
    // In color, each name has its own color and a colored line does not bleed into the next.
    let colored = w.logs(&[&t, &c]);
    assert!(
        colored.iter().all(|l| l.starts_with("\x1b[3")),
        "{colored:?}"
    );
    assert!(colored[1].ends_with("\x1b[0m"), "{colored:?}");
}

/// `muxdeck logs -f` whose stdout lines arrive on a channel; killed on drop.
struct Follow {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Follow {
    fn spawn(cmd: &mut std::process::Command) -> Self {
        use std::io::BufRead as _;
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("muxdeck logs -f starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
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

    fn wait_line(&mut self, want: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        while !self.seen.iter().any(|l| l == want) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(e) => panic!("no line {want:?} ({e}); printed:\n{}", self.seen.join("\n")),
            }
        }
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_merged_follow_goes_on_when_one_session_ends_and_stops_when_all_have() {
    let w = World::new();
    let (t, sock) = (unique("tmf"), unique("sock"));
    let go = w.path("go");
    w.tmux.new_session(
        &sock,
        &t,
        &format!(
            "echo t-old; while [ ! -e {go} ]; do sleep 0.05; done; echo t-new; sleep 1; exit 0",
            go = go.display()
        ),
    );
    w.tmux
        .wait_for_text(&sock, &format!("={t}:"), "t-old", WAIT);
    let c = unique("cmf");
    w.containers.run_detached(
        &c,
        "trap 'echo c-bye; exit 0' TERM; echo c-old; while true; do sleep 0.05; done",
    );
    wait_for_logs(&c, "c-old", WAIT);
    let width = t.len().max(c.len());
    let mut f = Follow::spawn(w.mx(None).args(["logs", "-f", "--no-color", &t, &c]));
    f.wait_line(&format!("{t:width$} | t-old"));
    f.wait_line(&format!("{c:width$} | c-old"));
    std::fs::write(&go, b"").unwrap();
    f.wait_line(&format!("{t:width$} | t-new"));
    // The tmux session has ended; the container's log is still followed.
    assert!(
        f.child.try_wait().unwrap().is_none(),
        "ended with one source left"
    );
    let out = support::run(
        w.mx(None).args(["stop", "--timeout", "5", &c]),
        support::DEFAULT_TIMEOUT,
    );
    assert!(out.status.success());
    f.wait_line(&format!("{c:width$} | c-bye"));
    let mut status = None;
    support::wait_until(WAIT, || {
        status = f.child.try_wait().ok().flatten();
        status.is_some()
    });
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

#[test]
fn a_merged_follow_of_fifty_sessions_prints_each_ones_line_after_its_name() {
    let w = World::new();
    let (base, sock) = (unique("f50"), unique("sock"));
    let names: Vec<String> = (0..50).map(|i| format!("{base}-{i:02}")).collect();
    for n in &names {
        w.tmux
            .new_session(&sock, n, &format!("echo only-from-{n}; exec sleep 600"));
    }
    for n in &names {
        w.tmux
            .wait_for_text(&sock, &format!("={n}:"), &format!("only-from-{n}"), WAIT);
    }
    let mut f = Follow::spawn(w.mx(None).args(["logs", "-f", "--no-color"]).args(&names));
    for n in &names {
        f.wait_line(&format!("{n} | only-from-{n}"));
    }
    assert!(
        f.child.try_wait().unwrap().is_none(),
        "logs -f ended while fifty sessions run"
    );
}
