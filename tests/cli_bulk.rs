//! Operations on several sessions at once through the binary (`stop`, `start`, `restart`,
//! `kill`, `pause`, `unpause`, `send`): every name resolved before anything is touched,
//! one result per session, a summary, and exit 1 when any failed. Real tmux servers, real
//! podman containers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::{World, container_state, podman_ok, run, unique, wait_for};

const WAIT: Duration = Duration::from_secs(20);

/// session name → tmux session id (`$N`) on `socket`.
fn ids(w: &World, socket: &str) -> BTreeMap<String, String> {
    let out = w.tmux.tmux(
        socket,
        ["list-sessions", "-F", "#{session_name}\t#{session_id}"],
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, i)| (n.to_string(), i.to_string()))
        .collect()
}

fn started_at(name: &str) -> String {
    podman_ok(["inspect", "--format", "{{.State.StartedAt}}", name])
}

#[test]
fn fifty_sessions_restarted_at_once_two_fail_the_other_48_are_done_and_the_failures_named() {
    let w = World::new();
    let sock = unique("bulk");
    let image = support::test_image();
    let defined: Vec<String> = (0..47).map(|i| format!("cfg{i:02}")).collect();
    let container = w.containers.track(&unique("bulkc"));
    let mut yaml = String::from("sessions:\n");
    for n in &defined {
        yaml.push_str(&format!(
            "  {n}:\n    socket: {sock}\n    command: exec sleep 600\n"
        ));
    }
    yaml.push_str(&format!(
        "  {container}:\n    backend: container\n    image: {image}\n    command: sleep 600\n"
    ));
    let cfg = w.config(&yaml);
    // Two sessions the config does not define: muxdeck cannot restart those.
    let strays = ["stray1", "stray2"];
    for n in strays {
        w.tmux.new_session(&sock, n, "exec sleep 600");
    }
    let mut all: Vec<String> = defined.clone();
    all.push(container.clone());

    // Starting all 48 at once.
    let t = Instant::now();
    let out = run(
        w.mx(Some(&cfg)).arg("start").args(&all),
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", support::show_output(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("started ")).count(),
        48
    );
    assert_eq!(stdout.lines().last(), Some("48 started"), "{stdout}");
    eprintln!("48 started in {:?}", t.elapsed());
    let before = ids(&w, &sock);
    assert_eq!(before.len(), 49, "{before:?}");
    let container_started = started_at(&container);

    // Restarting 50, of which the two strays fail.
    all.extend(strays.iter().map(|n| format!("tmux@{sock}:{n}")));
    let t = Instant::now();
    let out = run(
        w.mx(Some(&cfg)).arg("restart").args(&all),
        Duration::from_secs(180),
    );
    let took = t.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    eprintln!("50 restarts (2 failing) in {took:?}");
    let done: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("restarted "))
        .collect();
    assert_eq!(done.len(), 48, "{stdout}");
    for n in &defined {
        assert!(done.contains(&format!("restarted tmux@{sock}:{n}").as_str()));
    }
    // Each failure on its own line, and in the summary, by name and why.
    for n in strays {
        let id = format!("tmux@{sock}:{n}");
        assert!(
            stderr.contains(&format!(
                "muxdeck: restart {id} failed: {id} is not in the config"
            )),
            "{stderr}"
        );
    }
    let summary = stderr.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(&format!(
            "muxdeck: 48 restarted, 2 failed: tmux@{sock}:stray1 — tmux@{sock}:stray1 is not in the config"
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("; tmux@{sock}:stray2 — ")),
        "{summary}"
    );
    // The 47 tmux sessions are new sessions (new ids); the strays are the same ones.
    let after = ids(&w, &sock);
    assert_eq!(after.len(), 49, "{after:?}");
    for n in &defined {
        assert_ne!(before[n], after[n], "{n} was not made anew");
    }
    for n in strays {
        assert_eq!(before[n], after[n], "{n} was touched");
    }
    assert_ne!(started_at(&container), container_started);
    assert_eq!(container_state(&container), "running");
}

#[test]
fn one_unknown_or_ambiguous_name_among_several_touches_nothing_and_exits_2() {
    let w = World::new();
    let (s1, s2) = (unique("a"), unique("b"));
    let c = w.containers.run_detached(&unique("c"), "exec sleep 600");
    for n in ["one", "two"] {
        w.tmux.new_session(&s1, n, "exec sleep 600");
    }
    // `two` on a second server too: a bare `two` is ambiguous.
    w.tmux.new_session(&s2, "two", "exec sleep 600");
    let one = format!("tmux@{s1}:one");
    let err = w.fail(None, &["stop", &one, &c, "nosuch"], 2);
    assert!(
        err.contains("1 of 3 names do not resolve, so nothing was done"),
        "{err}"
    );
    assert!(err.contains("\"nosuch\""), "{err}");
    let err = w.fail(None, &["kill", &one, "two", &c], 2);
    assert!(
        err.contains(&format!("tmux@{s1}:two")) && err.contains(&format!("tmux@{s2}:two")),
        "{err}"
    );
    assert_eq!(w.tmux.session_names(&s1).len(), 2);
    assert_eq!(container_state(&c), "running");

    // Named right, they all stop; the container is kept.
    let two = format!("tmux@{s2}:two");
    let out = w.ok(None, &["stop", &one, &two, &c, &format!("tmux@{s1}:two")]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"4 stopped"), "{out}");
    assert_eq!(lines.len(), 5, "{out}");
    assert!(!w.has_tmux(&s1, "one") && !w.has_tmux(&s2, "two"));
    wait_for(WAIT, "the container to be stopped", || {
        container_state(&c) != "running"
    });
    assert!(support::container_exists(&c));
}

#[test]
fn a_name_given_twice_is_acted_on_once() {
    let w = World::new();
    let s = unique("twice");
    w.tmux.new_session(&s, "x", "exec sleep 600");
    w.tmux.new_session(&s, "y", "exec sleep 600");
    let out = w.ok(
        None,
        &["kill", &format!("tmux@{s}:x"), "x", &format!("tmux@{s}:y")],
    );
    assert_eq!(out.lines().last(), Some("2 killed"), "{out}");
    assert!(w.tmux.session_names(&s).is_empty());
}

#[test]
fn pause_and_unpause_freeze_and_thaw_a_container_and_refuse_tmux() {
    let w = World::new();
    let c = w.containers.run_detached(
        &unique("pz"),
        "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done",
    );
    let out = w.ok(None, &["pause", &c]);
    assert_eq!(out.trim(), format!("paused podman:{c}"));
    assert_eq!(container_state(&c), "paused");
    assert_eq!(w.status(None, &c)["state"], "paused");
    // Frozen: it writes nothing while paused.
    let before = support::podman_logs(&c).lines().count();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(support::podman_logs(&c).lines().count(), before);
    let out = w.ok(None, &["pause", &c]);
    assert_eq!(out.trim(), format!("podman:{c} is already paused"));
    let out = w.ok(None, &["unpause", &c]);
    assert_eq!(out.trim(), format!("unpaused podman:{c}"));
    assert_eq!(container_state(&c), "running");
    let out = w.ok(None, &["unpause", &c]);
    assert_eq!(out.trim(), format!("podman:{c} is not paused; it runs"));

    let s = unique("pt");
    w.tmux.new_session(&s, "t", "exec sleep 600");
    let err = w.fail(None, &["pause", &format!("tmux@{s}:t")], 2);
    assert!(
        err.contains("pause is for containers") && err.contains("is a tmux session"),
        "{err}"
    );
    // With a container beside it, nothing is paused either.
    let err = w.fail(None, &["pause", &c, &format!("tmux@{s}:t")], 2);
    assert!(err.contains("pause is for containers"), "{err}");
    assert_eq!(container_state(&c), "running");
}

#[test]
fn send_types_a_line_literally_and_runs_nothing_in_muxdecks_shell() {
    let w = World::new();
    let s = unique("send");
    let (got1, got2, marker) = (w.path("got1"), w.path("got2"), w.path("pwned"));
    w.tmux
        .new_session(&s, "p1", &format!("cat > '{}'", got1.display()));
    w.tmux
        .new_session(&s, "p2", &format!("cat > '{}'", got2.display()));
    let line = format!(
        "it's \"quoted\"; echo done; $(touch {m}) `touch {m}` \\; -x\nsecond line;",
        m = marker.display()
    );
    let out = w.ok(
        None,
        &[
            "send",
            &format!("tmux@{s}:p1"),
            &format!("tmux@{s}:p2"),
            "--",
            &line,
        ],
    );
    assert_eq!(out.lines().last(), Some("2 sent"), "{out}");
    for f in [&got1, &got2] {
        wait_for(WAIT, "the line to arrive", || {
            std::fs::read_to_string(f).is_ok_and(|t| t.ends_with("second line;\n"))
        });
        assert_eq!(std::fs::read_to_string(f).unwrap(), format!("{line}\n"));
    }
    assert!(!marker.exists(), "something ran the line");
    // Keys by their tmux names: C-d ends `cat`, and with it the session.
    let out = w.ok(None, &["send", "--keys", "C-d", "p1"]);
    assert_eq!(out.trim(), format!("sent to tmux@{s}:p1"));
    wait_for(WAIT, "p1 to end on C-d", || !w.has_tmux(&s, "p1"));
    assert!(w.has_tmux(&s, "p2"));
}

#[test]
fn send_to_a_container_points_to_exec_and_sends_nothing() {
    let w = World::new();
    let s = unique("sendc");
    let got = w.path("got");
    w.tmux
        .new_session(&s, "p", &format!("cat > '{}'", got.display()));
    let c = w.containers.run_detached(&unique("sc"), "exec sleep 600");
    let err = w.fail(None, &["send", &c, "--", "ls"], 2);
    assert!(
        err.contains(&format!("send is for tmux panes; podman:{c} is a container: run a command in it with `muxdeck exec podman:{c} -- CMD`")),
        "{err}"
    );
    let err = w.fail(None, &["send", "p", &c, "--", "ls"], 2);
    assert!(err.contains("send is for tmux panes"), "{err}");
    let err = w.fail(None, &["send", "p"], 2);
    assert!(err.contains("nothing to send"), "{err}");
    let err = w.fail(None, &["send", "--keys", "C-c", "p", "--", "x"], 2);
    assert!(err.contains("not both"), "{err}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read_to_string(&got).unwrap_or_default(), "");
}
