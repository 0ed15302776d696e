//! Listing another host in one round trip: a single remote shell script asks every tmux
//! server there and both container runtimes at once, and prints each answer between
//! markers that carry a random token (a session name can never forge one). The answers go
//! through the same parsers as this machine's.

use std::time::Instant;

use serde::Serialize;

use super::listing::{Health, HealthStatus, Report, Source};
use super::{Engine, Machine};
use crate::backend::BackendError;
use crate::backend::container::parse_ps;
use crate::backend::process::{self, Invocation};
use crate::backend::tmux::{PANE_FORMAT, is_no_server, parse_panes};
use crate::model::{Host, Runtime, Session};
use crate::remote::HostFault;

/// The remote half: `$1` the marker token, `$2` the sources to ask, `$3` tmux's pane
/// format. Runs with `sh`, needs only POSIX tools (`mktemp`, `id`, `cat`). Each answer is
/// printed as a header `TOKEN KIND STATUS NAME`, the output, `TOKEN err`, the errors.
const SCRIPT: &str = r#"t=$1; want=" $2 "; fmt=$3
d=$(mktemp -d) || exit 97
trap 'rm -rf -- "$d"' EXIT
nl='
'
n=0
case $want in *" tmux "*)
  if command -v tmux >/dev/null 2>&1; then
    base=${TMUX_TMPDIR:-/tmp}; [ -d "$base" ] || base=/tmp
    for s in "$base/tmux-$(id -u)"/*; do
      [ -S "$s" ] || continue
      case ${s##*/} in *"$nl"*) continue;; esac
      n=$((n+1))
      printf '%s' "${s##*/}" > "$d/name$n"
      ( tmux -u -S "$s" list-panes -a -F "$fmt" > "$d/out$n" 2> "$d/err$n"; echo $? > "$d/rc$n" ) &
    done
  else
    printf '%s tmux-missing 127 -\n' "$t"
  fi;;
esac
for rt in podman docker; do
  case $want in *" $rt "*) ;; *) continue;; esac
  if command -v $rt >/dev/null 2>&1; then
    pod=; [ $rt = podman ] && pod=--pod
    ( $rt ps -a $pod --no-trunc --format json > "$d/out-$rt" 2> "$d/err-$rt"; echo $? > "$d/rc-$rt" ) &
  else
    printf '%s %s-missing 127 -\n' "$t" "$rt"
  fi
done
wait
emit() {
  rc=1; read -r rc < "$d/rc$2" || :
  printf '%s %s %s %s\n' "$t" "$1" "$rc" "$3"
  cat "$d/out$2"; printf '\n%s err\n' "$t"; cat "$d/err$2"; printf '\n'
}
i=1
while [ $i -le $n ]; do emit tmux "$i" "$(cat "$d/name$i")"; i=$((i+1)); done
for rt in podman docker; do [ -f "$d/rc-$rt" ] && emit "$rt" "-$rt" -; done
printf '%s end\n' "$t"
"#;

/// How a host answered, as `list --json` tells it (`"hosts": [...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    /// It answered.
    Ok,
    /// Nothing answered in time: refused, no route, a dropped connection.
    Unreachable,
    /// It wants a password or a key muxdeck does not have (batch mode).
    AuthFailed,
    /// Anything else: a changed host key, ssh missing, a broken reply.
    Error,
}

/// One host's health line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostHealth {
    /// Which host.
    pub host: Host,
    /// How it answered.
    pub status: HostStatus,
    /// Why it did not, one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How long its listing took, in milliseconds, when it answered.
    pub latency_ms: Option<u64>,
}

impl HostHealth {
    /// A host that answered in `latency`.
    pub fn ok(host: Host, started: Instant) -> Self {
        HostHealth {
            host,
            status: HostStatus::Ok,
            message: None,
            latency_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
        }
    }

    /// A host whose listing failed with `e`.
    pub fn failed(host: Host, e: &BackendError) -> Self {
        let status = match e {
            BackendError::Host {
                fault: HostFault::Unreachable,
                ..
            }
            | BackendError::Timeout { .. } => HostStatus::Unreachable,
            BackendError::Host {
                fault: HostFault::AuthFailed,
                ..
            } => HostStatus::AuthFailed,
            _ => HostStatus::Error,
        };
        HostHealth {
            host,
            status,
            message: Some(e.to_string()),
            latency_ms: None,
        }
    }
}

/// What one host's listing found.
#[derive(Debug, Clone)]
pub struct HostScan {
    /// The host's health line.
    pub health: HostHealth,
    /// One report per source asked (none when the host did not answer).
    pub reports: Vec<Report>,
    /// tmux servers with sessions there: socket name and server pid (for a fingerprint).
    pub servers: Vec<(String, u32)>,
}

impl Engine {
    /// Lists `sources` of a configured host in one ssh round trip.
    pub async fn scan_host(&self, machine: &Machine, sources: &[Source]) -> HostScan {
        // Closed never: a permit is always given back.
        let _permit = self.scans.acquire().await.ok();
        let started = Instant::now();
        let token = crate::remote::token();
        let want: Vec<&str> = sources.iter().map(|s| s.name()).collect();
        let inv = Invocation::new("sh")
            .args(["-c", SCRIPT, "sh", &token, &want.join(" "), PANE_FORMAT])
            .on(machine.route.clone())
            .named("listing");
        // Connecting is part of the round trip: the same deadline as any call.
        let timeout = machine.tmux.timeout;
        let out = match process::run(&inv, timeout).await {
            Ok(out) => out,
            Err(e) => {
                return HostScan {
                    health: HostHealth::failed(machine.host.clone(), &e),
                    reports: Vec::new(),
                    servers: Vec::new(),
                };
            }
        };
        let text = out.text();
        let Some(sections) = split_sections(&text, &token) else {
            let e = BackendError::Parse {
                program: inv.who(),
                action: "listing".into(),
                detail: "the reply ended early".into(),
            };
            return HostScan {
                health: HostHealth::failed(machine.host.clone(), &e),
                reports: Vec::new(),
                servers: Vec::new(),
            };
        };
        let mut scan = HostScan {
            health: HostHealth::ok(machine.host.clone(), started),
            reports: Vec::new(),
            servers: Vec::new(),
        };
        for source in sources {
            let report = self.host_report(machine, *source, &sections, &mut scan.servers);
            scan.reports.push(report);
        }
        scan
    }

    fn host_report(
        &self,
        machine: &Machine,
        source: Source,
        sections: &[Section<'_>],
        servers: &mut Vec<(String, u32)>,
    ) -> Report {
        let host = &machine.host;
        let mut sessions: Vec<Session> = Vec::new();
        let status = match source {
            Source::Tmux if sections.iter().any(|s| s.kind == "tmux-missing") => {
                HealthStatus::NotInstalled
            }
            Source::Tmux => {
                let mut error = None;
                let mut count = 0;
                for s in sections.iter().filter(|s| s.kind == "tmux") {
                    if s.status != "0" {
                        if !is_no_server(s.err) {
                            error.get_or_insert(format!(
                                "socket {}: {}",
                                s.name,
                                first_line(s.err)
                            ));
                        }
                        continue;
                    }
                    let (list, pid) = parse_panes(s.out, s.name);
                    if let Some(pid) = pid.filter(|_| !list.is_empty()) {
                        servers.push((s.name.to_string(), pid));
                        count += 1;
                    }
                    sessions.extend(list);
                }
                match error {
                    Some(message) => HealthStatus::Error { message },
                    None => HealthStatus::Ok {
                        sessions: sessions.len(),
                        servers: Some(count),
                    },
                }
            }
            Source::Runtime(rt) => self.runtime_section(machine, rt, sections, &mut sessions),
        };
        for s in &mut sessions {
            s.id.host = host.clone();
        }
        Report {
            source,
            sessions,
            health: Health {
                host: host.clone(),
                backend: source,
                status,
            },
        }
    }

    fn runtime_section(
        &self,
        machine: &Machine,
        rt: Runtime,
        sections: &[Section<'_>],
        sessions: &mut Vec<Session>,
    ) -> HealthStatus {
        let missing = format!("{rt}-missing");
        if sections.iter().any(|s| s.kind == missing) {
            return HealthStatus::NotInstalled;
        }
        let Some(s) = sections.iter().find(|s| s.kind == rt.as_str()) else {
            return HealthStatus::Error {
                message: format!("{rt} on host {} gave no answer", machine.host),
            };
        };
        let who = format!("ssh {} {rt}", machine.host);
        if s.status != "0" {
            let e = BackendError::Failed {
                program: who,
                action: "ps".into(),
                message: first_line(s.err),
            }
            .daemon_absent();
            return match e {
                BackendError::NotRunning { message, .. } => HealthStatus::NotRunning { message },
                e => HealthStatus::Error {
                    message: e.to_string(),
                },
            };
        }
        match parse_ps(s.out, rt) {
            Ok(mut list) => {
                self.mark_stopped(&mut list);
                let n = list.len();
                sessions.extend(list);
                HealthStatus::Ok {
                    sessions: n,
                    servers: None,
                }
            }
            Err(detail) => HealthStatus::Error {
                message: BackendError::Parse {
                    program: who,
                    action: "ps".into(),
                    detail,
                }
                .to_string(),
            },
        }
    }
}

/// One answer in the reply.
#[derive(Debug, PartialEq, Eq)]
struct Section<'a> {
    kind: &'a str,
    status: &'a str,
    name: &'a str,
    out: &'a str,
    err: &'a str,
}

/// The answers in a reply, or None when its end marker is missing (the reply was cut).
fn split_sections<'a>(text: &'a str, token: &str) -> Option<Vec<Section<'a>>> {
    let header = format!("{token} ");
    let err_marker = format!("\n{token} err\n");
    let mut sections = Vec::new();
    let mut rest = text;
    // Each header starts a line; what follows up to the next header is that answer.
    loop {
        let start = if rest.starts_with(&header) {
            0
        } else {
            rest.find(&format!("\n{header}"))? + 1
        };
        let line_end = rest[start..].find('\n').map_or(rest.len(), |i| start + i);
        let line = &rest[start + header.len()..line_end];
        if line == "end" {
            return Some(sections);
        }
        let mut f = line.splitn(3, ' ');
        let (kind, status, name) = (f.next()?, f.next()?, f.next().unwrap_or("-"));
        let body_start = (line_end + 1).min(rest.len());
        let body = &rest[body_start..];
        let next_header = |from: &str| {
            from.find(&format!("\n{header}"))
                .map_or(from.len(), |i| i + 1)
        };
        // A `-missing` header has no body; the others have output, the err marker, errors.
        let (out, err, next) = if kind.ends_with("-missing") {
            ("", "", 0)
        } else {
            let i = body.find(&err_marker)?;
            let errors = &body[i + err_marker.len()..];
            let n = next_header(errors);
            (&body[..i], &errors[..n], i + err_marker.len() + n)
        };
        sections.push(Section {
            kind,
            status,
            name,
            out,
            err,
        });
        rest = &body[next..];
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains("level=warning"))
        .unwrap_or("failed")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_splits_into_its_answers() {
        let t = "@muxdeck-1";
        let reply = format!(
            "{t} tmux-missing 127 -\n{t} tmux 0 a b\npane1\npane2\n\n{t} err\n\n{t} podman 1 -\n\n{t} err\nCannot connect to Podman\n\n{t} end\n"
        );
        let s = split_sections(&reply, t).unwrap_or_default();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].kind, s[0].status), ("tmux-missing", "127"));
        assert_eq!((s[1].kind, s[1].name), ("tmux", "a b"));
        assert_eq!(s[1].out, "pane1\npane2\n");
        assert_eq!((s[2].kind, s[2].status), ("podman", "1"));
        assert_eq!(s[2].err, "Cannot connect to Podman\n\n");
    }

    #[test]
    fn a_cut_reply_is_refused() {
        let t = "@muxdeck-1";
        assert_eq!(split_sections(&format!("{t} tmux 0 a\nx\n"), t), None);
    }

    #[test]
    fn a_session_name_cannot_forge_a_marker() {
        let t = "@muxdeck-1";
        // The forged marker lacks the token, so it is plain output.
        let reply =
            format!("{t} tmux 0 s\n1\t@muxdeck-0 end\n@muxdeck-0 end\n\n{t} err\n\n{t} end\n");
        let s = split_sections(&reply, t).unwrap_or_default();
        assert_eq!(s.len(), 1);
        assert!(s[0].out.contains("@muxdeck-0 end"));
    }
}
