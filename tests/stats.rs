//! CPU and memory through `muxdeck list --json --stats` against real processes: a tmux pane
//! whose shell forks a busy child and a child holding memory (the tree is summed), a
//! session without them (it is not charged theirs), containers read from their control
//! groups without running `podman stats`, a runtime whose `stats` must be asked and hangs
//! (only its containers lose their figures, by the deadline), and a pane
//! whose processes come and go while /proc is read, then end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use muxdeck::stats::proc_tree::ProcSampler;
use serde_json::Value;
use support::{DockerApi, World, podman_ok, skip_without_docker_cli, test_image, unique, wait_for};

const MB: u64 = 1024 * 1024;

fn session<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed: {list}"))
}

/// Resident memory of a process, bytes, from /proc (0 once it is gone).
fn rss(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Every process under `pid`, itself included.
fn tree(pid: u32) -> Vec<u32> {
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() && out.len() < 1000 {
        let p = out[i];
        let kids =
            std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")).unwrap_or_default();
        out.extend(
            kids.split_whitespace()
                .filter_map(|k| k.parse::<u32>().ok()),
        );
        i += 1;
    }
    out
}

#[test]
fn a_pane_is_charged_its_whole_process_tree() {
    let w = World::new();
    let sock = unique("st");
    let (busy, quiet) = (unique("busy"), unique("quiet"));
    // The pane's shell forks a child that holds ~40 MB and one that spins for a while
    // (bounded: it ends by itself), then waits for them.
    let script = "sh -c 'x=$(head -c 40000000 /dev/zero | tr \"\\0\" a); sleep 600' & \
                  sh -c 'i=0; while [ $i -lt 20000000 ]; do i=$((i+1)); done' & wait";
    w.tmux.new_session(&sock, &busy, script);
    w.tmux.new_session(&sock, &quiet, "exec sleep 600");
    let pane = w.tmux.pane_pid(&sock, &busy).expect("the session runs");
    wait_for(
        Duration::from_secs(20),
        "the child to hold its memory",
        || tree(pane).iter().map(|p| rss(*p)).sum::<u64>() > 40 * MB,
    );
    let list = w.list(None, &["--stats", "--backend", "tmux"]);
    let id = format!("tmux@{sock}:{busy}");
    let s = session(&list, &id);
    let mem = s["memory_bytes"].as_u64().unwrap_or_else(|| panic!("{s}"));
    let ours: u64 = tree(pane).iter().map(|p| rss(*p)).sum();
    assert!(mem > 40 * MB, "the tree's memory is summed: {mem} ({s})");
    // Same processes, read a moment apart: within a few MB.
    assert!(mem.abs_diff(ours) < 8 * MB, "muxdeck {mem} vs /proc {ours}");
    let cpu = s["cpu_percent"].as_f64().unwrap_or_else(|| panic!("{s}"));
    assert!(
        cpu > 10.0,
        "the spinning child is charged to its pane: {cpu}"
    );
    let q = session(&list, &format!("tmux@{sock}:{quiet}"));
    assert!(q["memory_bytes"].as_u64().unwrap() < 10 * MB, "{q}");
    assert!(q["cpu_percent"].as_f64().unwrap() < 5.0, "{q}");
    // Without --stats the fields are not there at all.
    let plain = w.list(None, &["--backend", "tmux"]);
    assert!(session(&plain, &id).get("cpu_percent").is_none());
    // Sorted by memory, the busy one comes first.
    let sorted = w.list(None, &["--sort", "mem", "--backend", "tmux"]);
    assert_eq!(sorted["sessions"][0]["id"], id, "{sorted}");
    let rev = w.list(None, &["--sort", "mem", "--reverse", "--backend", "tmux"]);
    assert_eq!(rev["sessions"][1]["id"], id, "{rev}");
}

/// `802.8kB`, `1.2MB`, `512B` (podman's SI sizes) in bytes.
fn si_bytes(text: &str) -> Option<u64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = text.split_at(split);
    let scale = match unit {
        "B" => 1.0,
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        _ => return None,
    };
    let v: f64 = n.parse().ok()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((v * scale) as u64)
}

/// An executable script at `path` that runs `body` (a `sh` script).
fn script(path: &std::path::Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_hanging_stats_blanks_only_its_containers() {
    if skip_without_docker_cli() {
        return;
    }
    let w = World::new();
    let api = DockerApi::start();
    let image = test_image();
    let name = w.containers.track(&unique("sth"));
    w.containers
        .run_detached_with(&name, &[], &["sh", "-c", "exec sleep 600"]);
    let sock = unique("sts");
    let tname = unique("stt");
    w.tmux.new_session(&sock, &tname, "exec sleep 600");
    // The container through the Docker API only: `docker ps` names no init process, so
    // muxdeck must ask `docker stats`, and this docker hangs on `stats`.
    let fake = w.path("docker-hanging-stats");
    let env: String = api
        .env()
        .iter()
        .map(|(k, v)| format!("export {k}='{v}'\n"))
        .collect();
    script(
        &fake,
        &format!(
            "{env}for a in \"$@\"; do [ \"$a\" = stats ] && exec sleep 600; done\nexec docker \"$@\"\n"
        ),
    );
    let cfg = w.config(&format!(
        "defaults:\n  docker_binary: {}\n  command_timeout: 2\nbackends: [tmux, docker]\n",
        fake.display()
    ));
    let started = Instant::now();
    let list = w.list(Some(&cfg), &["--stats"]);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the deadline held: {:?}",
        started.elapsed()
    );
    let c = session(&list, &format!("docker:{name}"));
    assert_eq!(c["image"], image);
    assert!(
        c["cpu_percent"].is_null() && c["memory_bytes"].is_null(),
        "{c}"
    );
    let t = session(&list, &format!("tmux@{sock}:{tname}"));
    assert!(
        t["memory_bytes"].as_u64().is_some(),
        "tmux keeps its figures: {t}"
    );
}

#[test]
fn containers_are_measured_from_their_groups_without_asking_the_runtime() {
    let w = World::new();
    let (busy, idle) = (
        w.containers.track(&unique("stb")),
        w.containers.track(&unique("sti")),
    );
    // Bounded: the loop ends by itself well after the test.
    w.containers.run_detached_with(
        &busy,
        &[],
        &[
            "sh",
            "-c",
            "i=0; while [ $i -lt 300000000 ]; do i=$((i+1)); done",
        ],
    );
    w.containers
        .run_detached_with(&idle, &[], &["sh", "-c", "exec sleep 600"]);
    // podman for everything, writing down what it was asked; its listing shows only this
    // test's containers (another test's container that stops while this one measures would
    // rightly be asked of `podman stats`).
    let asked = w.path("podman-calls");
    let fake = w.path("podman-recording");
    script(
        &fake,
        &format!(
            "echo \"$*\" >> '{}'\n\
             [ \"$1\" = ps ] && exec podman \"$@\" --filter name='^{busy}$' --filter name='^{idle}$'\n\
             exec podman \"$@\"\n",
            asked.display()
        ),
    );
    let cfg = w.config(&format!(
        "defaults:\n  podman_binary: {}\nbackends: [podman]\n",
        fake.display()
    ));
    let list = w.list(Some(&cfg), &["--stats"]);
    let calls = std::fs::read_to_string(&asked).unwrap_or_default();
    assert!(
        !calls.lines().any(|l| l.starts_with("stats")),
        "podman stats was run: {calls}"
    );
    let b = session(&list, &format!("podman:{busy}"));
    let cpu = b["cpu_percent"].as_f64().unwrap_or_else(|| panic!("{b}"));
    assert!(cpu > 10.0, "the spinning container is busy: {b}");
    let i = session(&list, &format!("podman:{idle}"));
    assert!(i["cpu_percent"].as_f64().is_some_and(|c| c < 5.0), "{i}");
    // Podman's own figure for the same container, a moment apart: within a few MB.
    let mem = i["memory_bytes"].as_u64().unwrap_or_else(|| panic!("{i}"));
    let theirs: Value = serde_json::from_str(&podman_ok([
        "stats",
        "--no-stream",
        "--format",
        "json",
        &idle,
    ]))
    .unwrap();
    let usage = theirs[0]["mem_usage"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let theirs = si_bytes(usage.split_whitespace().next().unwrap_or_default())
        .unwrap_or_else(|| panic!("podman stats memory: {usage}"));
    assert!(
        mem > 0 && mem.abs_diff(theirs) < 4 * MB,
        "muxdeck {mem} vs podman {usage}"
    );
}

#[test]
fn processes_that_come_and_go_while_read_are_measured_and_an_ended_session_has_no_figure() {
    let w = World::new();
    let sock = unique("stc");
    let name = unique("churn");
    // A pane whose shell starts and reaps short-lived children without pause (bounded: it
    // settles into a sleep by itself), so passes over /proc meet processes that end mid-way.
    let script = "i=0; while [ $i -lt 20000 ]; do sh -c 'exit 0'; i=$((i+1)); done; exec sleep 600";
    w.tmux.new_session(&sock, &name, script);
    let pane = w.tmux.pane_pid(&sock, &name).expect("the session runs");
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut sampler = ProcSampler::default();
    let mut measured = 0;
    for _ in 0..40 {
        let snap = sampler.sample().expect("/proc reads while processes end");
        let u = snap
            .usage(&[pane])
            .unwrap_or_else(|| panic!("the pane {pane} is alive and measured"));
        assert!(u.memory_bytes.is_some_and(|m| m > 0), "{u:?}");
        if let Some(cpu) = u.cpu_percent {
            // Ticks of processes that ended, or of pids given to others, are never
            // charged: the figure stays within what the machine's cores can give.
            #[allow(clippy::cast_precision_loss)]
            let most = 100.0 * cores as f64 * 1.5;
            assert!(cpu.is_finite() && (0.0..=most).contains(&cpu), "{cpu}");
            measured += 1;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(measured >= 39, "every pass after the first measures CPU");
    // The session ends between two passes: no figure, rather than the last one.
    w.tmux
        .tmux_ok(&sock, ["kill-session", "-t", &format!("={name}")]);
    wait_for(Duration::from_secs(10), "the pane's process to end", || {
        !std::path::Path::new(&format!("/proc/{pane}")).exists()
    });
    let snap = sampler.sample().expect("/proc reads");
    assert_eq!(snap.usage(&[pane]), None);
}
