//! The watcher of one configured host. It lists the host in one ssh round trip, then waits
//! on one long-lived ssh channel that prints a line whenever something there changes: the
//! runtimes' own event streams, and a shell loop that looks at the tmux sockets and the
//! servers' pane processes in the host's /proc every two seconds without starting a
//! process. One remote shell start per change, not per poll. A host that does not answer
//! is tried again after a doubling wait, up to a minute; its rows stay on screen, stale.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, mpsc};

use super::Msg;
use super::watch::Backoff;
use crate::backend::process::Invocation;
use crate::engine::{Engine, HostStatus, Machine, Source};

/// First wait before a host that did not answer is tried again; doubles up to
/// [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(5);
/// Longest wait between two tries of a host.
const RETRY_MAX: Duration = Duration::from_secs(60);
/// A full listing even when the feed says nothing (a rename changes no process).
const SAFETY_INTERVAL: Duration = Duration::from_secs(30);
/// Quiet time after a change before listing, so a burst costs one listing.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// The feed's remote half: `$1` the server pids to watch, `$2` the sources. It ends when
/// its stdin closes (muxdeck dropped the channel), taking its children with it, so
/// nothing of muxdeck stays on the host.
const FEED: &str = r#"pids=$1; want=" $2 "; kids=
case $want in *" podman "*)
  command -v podman >/dev/null 2>&1 && { podman events --format json --filter type=container 2>/dev/null & kids="$kids $!"; };;
esac
case $want in *" docker "*)
  command -v docker >/dev/null 2>&1 && { docker events --format '{{json .}}' --filter type=container 2>/dev/null & kids="$kids $!"; };;
esac
case $want in *" tmux "*)
  base=${TMUX_TMPDIR:-/tmp}; [ -d "$base" ] || base=/tmp
  dir="$base/tmux-$(id -u)"
  (
    last=
    while :; do
      fp=
      for s in "$dir"/*; do fp="$fp|$s"; done
      for p in $pids; do c=; read -r c < "/proc/$p/task/$p/children" 2>/dev/null; fp="$fp|$p:$c"; done
      [ -n "$last" ] && [ "$fp" != "$last" ] && echo tmux-changed
      last=$fp
      sleep 2
    done
  ) &
  kids="$kids $!";;
esac
read -r _
kill $kids 2>/dev/null
"#;

/// Watches one host until the receiver goes away.
pub async fn watch_host(
    engine: Engine,
    machine: Machine,
    sources: Vec<Source>,
    tx: mpsc::Sender<Msg>,
    wake: Arc<Notify>,
) {
    let mut down = Backoff::new(RETRY_FIRST, RETRY_MAX);
    loop {
        let scan = engine.scan_host(&machine, &sources).await;
        let ok = scan.health.status == HostStatus::Ok;
        let retry = if ok {
            down.reset();
            None
        } else {
            Some(down.ended())
        };
        let servers: Vec<u32> = scan.servers.iter().map(|(_, pid)| *pid).collect();
        let retry_at = retry.map(|d| std::time::Instant::now() + d);
        if tx.send(Msg::Host { scan, retry_at }).await.is_err() {
            return;
        }
        if let Some(wait) = retry {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => {}
            }
            continue;
        }
        let mut feed = Feed::start(&machine, &servers, &sources);
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(SAFETY_INTERVAL) => {}
            alive = feed_changed(&mut feed) => {
                // A feed that ended is a dropped connection: the listing tells.
                if alive {
                    tokio::time::sleep(DEBOUNCE).await;
                }
            }
        }
    }
}

/// The running feed; dropping it closes the channel, which ends the remote half.
struct Feed {
    _child: tokio::process::Child,
    _stdin: tokio::process::ChildStdin,
    stdout: tokio::process::ChildStdout,
}

impl Feed {
    fn start(machine: &Machine, pids: &[u32], sources: &[Source]) -> Option<Feed> {
        let pids: Vec<String> = pids.iter().map(u32::to_string).collect();
        let want: Vec<&str> = sources.iter().map(|s| s.name()).collect();
        let inv = Invocation::new("sh")
            .args(["-c", FEED, "sh", &pids.join(" "), &want.join(" ")])
            .on(machine.route.clone())
            .named("watch");
        let mut cmd = inv.to_tokio();
        cmd.stdin(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().ok()?;
        let stdin = child.stdin.take()?;
        let stdout = child.stdout.take()?;
        Some(Feed {
            _child: child,
            _stdin: stdin,
            stdout,
        })
    }
}

/// Waits for the feed to print (true) or end (false); without a feed, never returns, so
/// the safety interval decides.
async fn feed_changed(feed: &mut Option<Feed>) -> bool {
    let Some(f) = feed else {
        return std::future::pending().await;
    };
    let mut buf = [0u8; 4096];
    matches!(f.stdout.read(&mut buf).await, Ok(n) if n > 0)
}
