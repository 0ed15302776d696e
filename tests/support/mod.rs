//! Shared fixtures for muxdeck's integration tests, included by every test
//! file with `mod support;`.
//!
//! Everything here talks to the *real* backends (tmux, podman, the Docker API
//! served by `podman system service`) and cleans up after itself in `Drop`,
//! also when a test panics:
//!
//! - [`unique`] names things so parallel tests and test processes never collide;
//! - [`wait_until`] / [`wait_for`] poll a condition with a deadline (never a
//!   bare sleep in a test);
//! - [`podman()`], [`test_image`] and the [`Containers`] guard: the local busybox
//!   image and containers made from it;
//! - [`TmuxWorld`]: tmux servers in a private `TMUX_TMPDIR`, never the user's;
//! - [`DockerApi`]: a private Docker-compatible API socket and the `docker` CLI;
//! - [`muxdeck()`], [`run_ok`], [`run_fail`], [`write_config`]: the binary under
//!   test in a controlled environment.
//!
//! Each test file uses only part of this, hence `dead_code` (and
//! `unused_imports`, for the re-exports below) is allowed.
#![allow(dead_code, unused_imports)]

pub mod deck;
mod docker;
mod podman;
mod process;
pub mod screen;
pub mod sshd;
mod tmux;
mod world;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use docker::{DockerApi, docker_cli_available, skip_without_docker_cli};
pub use podman::{
    Containers, PrivateStore, TEST_IMAGE, container_exists, container_state, containers_conf,
    podman, podman_cmd, podman_env, podman_logs, podman_ok, podman_state, test_image,
    wait_for_logs,
};
pub use process::{
    DEFAULT_TIMEOUT, describe, muxdeck, run, run_fail, run_ok, shell_line, show_output,
    write_config, write_config_named,
};
pub use sshd::{Fleet, SshHost};
pub use tmux::TmuxWorld;
pub use world::World;

/// The repository root (where `Cargo.toml` is).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A name no other test (in this or any other process) uses:
/// `mxt-<prefix>-<pid>-<counter>-<6 hex digits>`, all lowercase.
///
/// Safe as a podman container name and as a tmux socket or session name:
/// `prefix` is lowercased and anything but `[a-z0-9]` becomes `-`.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = RandomState::new().build_hasher();
    h.write_u128(nanos);
    h.write_u64(n);
    let random = h.finish() & 0xff_ffff;
    let prefix: String = prefix
        .chars()
        .take(24)
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let prefix = prefix.trim_matches('-');
    let prefix = if prefix.is_empty() { "t" } else { prefix };
    format!("mxt-{prefix}-{}-{n}-{random:06x}", std::process::id())
}

/// Polls `cond` until it returns true or `timeout` passes; returns whether it
/// became true. The first check is immediate, then the interval grows from
/// 10 ms to 200 ms. The condition is checked once more at the deadline.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    loop {
        if cond() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// Like [`wait_until`], but panics with `what` (a description of the awaited
/// condition) when the deadline passes.
pub fn wait_for(timeout: Duration, what: &str, cond: impl FnMut() -> bool) {
    assert!(
        wait_until(timeout, cond),
        "timed out after {timeout:?} waiting for {what}"
    );
}

/// Polls `probe` until it returns `Some`, for at most `timeout`.
pub fn wait_for_value<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let mut value = None;
    wait_until(timeout, || {
        value = probe();
        value.is_some()
    });
    value
}

/// A directory for temporary files whose path is short enough for Unix socket
/// names (`sun_path` holds 108 bytes): `$TMPDIR` if short, else `/tmp`.
pub fn short_tmp() -> PathBuf {
    let tmp = std::env::temp_dir();
    if tmp.as_os_str().len() <= 40 {
        tmp
    } else {
        PathBuf::from("/tmp")
    }
}

/// A new temporary directory (removed when the returned guard drops), under
/// [`short_tmp`], named `mxt-<prefix>-XXXXXX`.
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("mxt-{prefix}-"))
        .tempdir_in(short_tmp())
        .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

/// Whether process `pid` exists and is not a zombie (an exited daemon may
/// stay a zombie for a while until init reaps it).
pub fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the parenthesised command name.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// The children of process `pid` (empty when it has none or is gone).
pub fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The command name of process `pid` (`/proc/PID/comm`), if it exists.
pub fn comm(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim().to_string())
}
