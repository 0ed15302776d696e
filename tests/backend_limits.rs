//! Reliability tests for runtimes that misbehave in volume (issue 15, items 3 and 4), with a
//! fake `podman`: a shell script that logs each call and then floods or exits at once.
//!
//! - Output is read up to a cap: a `podman` that prints without end (on stdout, on stderr,
//!   or into a container log) is stopped, with an error that names the call, while the
//!   peak memory of muxdeck (measured by `/usr/bin/time`) stays small.
//! - Restarted streams back off: an `events` that exits at once is restarted after a wait
//!   that doubles, not in a busy loop, and `R` still retries at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::deck::Deck;
use support::{DEFAULT_TIMEOUT, TmuxWorld, muxdeck, run, show_output, temp_dir, wait_until};

/// Backend call limit in these tests: short, so a muxdeck without caps fails the memory
/// bound rather than growing for long.
const COMMAND_TIMEOUT_S: u64 = 2;
/// Peak resident memory a capped muxdeck stays under, in KiB.
const RSS_BOUND_KIB: u64 = 100 * 1024;

/// A fake `podman` in a temporary directory: a `sh` script that appends its first argument
/// to a call log, then runs `body` (a `case "$1"` over the subcommands).
struct FakePodman {
    dir: tempfile::TempDir,
    path: PathBuf,
    calls: PathBuf,
}

impl FakePodman {
    fn new(body: &str) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("fake-podman");
        let path = dir.path().join("podman");
        let calls = dir.path().join("calls");
        let script = format!("#!/bin/sh\necho \"$1\" >> '{}'\n{body}\n", calls.display());
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        FakePodman { dir, path, calls }
    }

    /// Config YAML pointing muxdeck at this podman and at no docker.
    fn config_yaml(&self) -> String {
        format!(
            "defaults:\n  podman_binary: {}\n  docker_binary: /nonexistent/docker\n  command_timeout: {COMMAND_TIMEOUT_S}\n",
            self.path.display()
        )
    }

    /// Writes [`Self::config_yaml`] next to the script.
    fn config(&self) -> PathBuf {
        support::write_config(self.dir.path(), &self.config_yaml())
    }

    /// How many times the script was called with `subcommand` (any, with None).
    fn calls(&self, subcommand: Option<&str>) -> usize {
        std::fs::read_to_string(&self.calls)
            .unwrap_or_default()
            .lines()
            .filter(|l| subcommand.is_none_or(|s| *l == s))
            .count()
    }
}

/// muxdeck `args` with `config`, run under `/usr/bin/time`: its output, its peak resident
/// memory in KiB, and how long it took.
fn measured(config: &Path, args: &[&str]) -> (Output, u64, Duration) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "/usr/bin/time is needed to measure memory (apt-get install time)"
    );
    let mut inner = muxdeck(Some(config));
    inner.args(args);
    let report = temp_dir("rss");
    let rss_file = report.path().join("rss");
    let mut cmd = Command::new(time);
    cmd.arg("-f").arg("%M").arg("-o").arg(&rss_file);
    cmd.arg(inner.get_program()).args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    let started = Instant::now();
    let out = run(&mut cmd, DEFAULT_TIMEOUT);
    let took = started.elapsed();
    let rss = std::fs::read_to_string(&rss_file).unwrap_or_default();
    let rss = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS from /usr/bin/time: {rss:?}"));
    (out, rss, took)
}

/// Runs `muxdeck args` against `fake` and checks the flood was cut: small peak memory, an
/// answer well within the call's timeout, and `expected` (the error) on stderr. Returns the
/// output.
fn assert_cut(fake: &FakePodman, args: &[&str], expected: &str) -> Output {
    let (out, rss_kib, took) = measured(&fake.config(), args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        rss_kib < RSS_BOUND_KIB,
        "muxdeck peaked at {} MiB\n{}",
        rss_kib / 1024,
        show_output(&out)
    );
    assert!(
        stderr.contains(expected) && !stderr.contains("did not answer"),
        "expected {expected:?}\n{}",
        show_output(&out)
    );
    assert!(
        took < Duration::from_secs(COMMAND_TIMEOUT_S),
        "took {took:?}\n{}",
        show_output(&out)
    );
    out
}

#[test]
fn a_runtime_flooding_stderr_is_stopped_at_the_cap() {
    let fake = FakePodman::new("case \"$1\" in ps) yes xxxx >&2 ;; esac");
    let out = assert_cut(
        &fake,
        &["list"],
        "podman ps` printed more than 256 KiB on stderr; muxdeck stopped it",
    );
    // Listing tolerates one broken backend: a warning, not a failure.
    assert!(out.status.success(), "{}", show_output(&out));
}

#[test]
fn a_runtime_flooding_stdout_is_stopped_at_the_cap() {
    let fake = FakePodman::new("case \"$1\" in ps) yes '{}' ;; esac");
    assert_cut(
        &fake,
        &["list"],
        "podman ps` printed more than 8 MiB on stdout; muxdeck stopped it",
    );
}

#[test]
fn a_flooding_container_log_is_stopped_at_the_logs_cap() {
    let fake = FakePodman::new(
        "case \"$1\" in\n  ps) echo '[{\"Names\":[\"flood\"],\"Id\":\"f100d\",\"State\":\"running\"}]' ;;\n  container) echo '[{\"Name\":\"flood\",\"Id\":\"f100d\",\"State\":{\"Status\":\"running\"}}]' ;;\n  logs) yes xxxx ;;\nesac",
    );
    let out = assert_cut(
        &fake,
        &["logs", "flood", "-n", "10"],
        "podman logs` printed more than 32 MiB of output; muxdeck stopped it (ask for fewer lines (-n)",
    );
    assert_eq!(out.status.code(), Some(1), "{}", show_output(&out));
    assert_eq!(fake.calls(Some("logs")), 1);
}

#[test]
fn an_events_stream_that_ends_at_once_is_restarted_with_a_doubling_wait() {
    // Lists nothing, and every other call (`events` included) ends at once, successfully.
    let fake = FakePodman::new("case \"$1\" in ps) echo '[]' ;; esac");
    let world = TmuxWorld::new();
    let window = Duration::from_secs(8);
    let started = Instant::now();
    let deck = Deck::start(&world, &fake.config_yaml());
    // Over the window: the first stream at once, the second after 5 s, the third not before
    // 15 s. A busy loop passes any bound within milliseconds, so stop watching then.
    let busy = wait_until(window.saturating_sub(started.elapsed()), || {
        fake.calls(None) > 10
    });
    let (events, all) = (fake.calls(Some("events")), fake.calls(None));
    assert!(
        !busy && (1..=3).contains(&events) && all <= 10,
        "{events} `events` and {all} calls in all within {window:?}"
    );
    // A manual refresh still retries at once.
    deck.keys(&["R"]);
    assert!(
        wait_until(Duration::from_secs(3), || fake.calls(Some("events"))
            > events),
        "R did not restart `events` at once ({} calls)",
        fake.calls(Some("events"))
    );
}

/// A number field of `/proc/<pid>/status` (`VmHWM`, `VmRSS`), in KiB; 0 once it is gone.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time used so far by all threads of `pid` (`/proc/<pid>/task/*/schedstat`).
fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}

#[test]
fn an_events_stream_that_never_stops_printing_costs_little_memory_and_cpu() {
    // One endless line: a reader that waits for the end of the line holds all of it.
    let fake = FakePodman::new(
        "case \"$1\" in\n  ps) echo '[]' ;;\n  events) exec cat /dev/zero ;;\nesac",
    );
    let world = TmuxWorld::new();
    let deck = Deck::start(&world, &fake.config_yaml());
    let pid = deck.pid();
    assert!(
        wait_until(Duration::from_secs(10), || fake.calls(Some("events")) >= 1),
        "`events` never started"
    );
    let window = Duration::from_secs(4);
    let cpu_before = cpu_time(pid);
    // Stop watching as soon as the bound is passed: an unbounded reader grows by GB/s.
    let grew = wait_until(window, || proc_status_kib(pid, "VmHWM") > RSS_BOUND_KIB);
    let cpu = cpu_time(pid).saturating_sub(cpu_before);
    let peak = proc_status_kib(pid, "VmHWM");
    assert!(!grew, "muxdeck peaked at {} MiB", peak / 1024);
    assert!(
        cpu < window / 4,
        "muxdeck used {cpu:?} of CPU in {window:?} reading the events"
    );
    // Still listing, every few seconds at most.
    assert!(
        fake.calls(Some("ps")) >= 2,
        "{} listings",
        fake.calls(Some("ps"))
    );
}
