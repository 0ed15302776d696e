//! Many hosts over ssh, against real sshd processes on 127.0.0.1 (tests/support/sshd.rs):
//! listing, names, every operation, logs and follow, and the faults of the network and of
//! ssh itself. Every host is a private sshd with its own tmux world; nothing here uses the
//! real `~/.ssh`.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::screen::last_count;
use support::{Fleet, TmuxWorld, muxdeck, run_fail, run_ok, temp_dir, wait_until, write_config};

const PATIENCE: Duration = Duration::from_secs(60);

/// A fleet and a muxdeck config that names it.
struct Setup {
    fleet: Fleet,
    local: TmuxWorld,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Setup {
    fn new(hosts: &[&str], extra: &str) -> Setup {
        let fleet = Fleet::start(hosts);
        let dir = temp_dir("hosts");
        let config = write_config(dir.path(), &format!("{}{extra}", fleet.config_yaml()));
        Setup {
            fleet,
            local: TmuxWorld::new(),
            config,
            _dir: dir,
        }
    }

    /// muxdeck with this config, seeing the local tmux world, its own ssh runtime folder.
    fn muxdeck(&self, args: &[&str]) -> Command {
        let mut cmd = muxdeck(Some(&self.config));
        self.local.apply(&mut cmd);
        cmd.env("XDG_RUNTIME_DIR", self.fleet.runtime_dir());
        cmd.args(args);
        cmd
    }

    /// The real binary in a private tmux pane with this config and ssh runtime folder.
    fn deck(&self) -> support::deck::Deck {
        let runtime = self.fleet.runtime_dir();
        let config = std::fs::read_to_string(&self.config).unwrap_or_default();
        support::deck::Deck::start_with(
            &self.local,
            &config,
            &[("XDG_RUNTIME_DIR", &runtime.display().to_string())],
            support::deck::Shell::Plain,
        )
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = run_ok(&mut self.muxdeck(args), PATIENCE);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

fn sessions_named<'a>(doc: &'a serde_json::Value, name: &str) -> Vec<&'a serde_json::Value> {
    doc["sessions"]
        .as_array()
        .map(|a| a.iter().filter(|s| s["name"] == name).collect())
        .unwrap_or_default()
}

#[test]
fn remote_tmux_sessions_are_listed_with_their_host() {
    let s = Setup::new(&["web1", "db"], "");
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "api", "sleep 600");
    s.fleet
        .host("db")
        .tmux
        .new_session("work", "api", "sleep 600");
    s.local.new_session("default", "api", "sleep 600");

    let doc = s.json(&["list", "--json"]);
    let api = sessions_named(&doc, "api");
    let ids: Vec<&str> = api.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(
        ids,
        ["tmux:api", "db/tmux@work:api", "web1/tmux:api"],
        "{doc:#}"
    );
    let hosts: Vec<&str> = api.iter().filter_map(|s| s["host"].as_str()).collect();
    assert_eq!(hosts, ["local", "db", "web1"]);
    let health: Vec<(&str, &str)> = doc["hosts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| Some((h["host"].as_str()?, h["status"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(health, [("local", "ok"), ("db", "ok"), ("web1", "ok")]);
    assert!(
        doc["backends"].as_array().is_some_and(|b| b
            .iter()
            .any(|h| h["host"] == "web1" && h["backend"] == "tmux")),
        "{doc:#}"
    );

    // A bare name on several hosts is ambiguous; each qualified choice resolves.
    let err = run_fail(&mut s.muxdeck(&["status", "api"]), 2);
    assert!(
        err.contains("web1/tmux:api") && err.contains("db/tmux@work:api"),
        "{err}"
    );
    let st = run_ok(&mut s.muxdeck(&["status", "web1/tmux:api"]), PATIENCE);
    assert!(st.contains("host:     web1"), "{st}");
    let st = run_ok(&mut s.muxdeck(&["status", "db/api"]), PATIENCE);
    assert!(st.contains("db/tmux@work:api"), "{st}");

    // --host keeps the listing to the hosts named.
    let only = s.json(&["list", "--json", "--host", "db"]);
    let hosts: Vec<&str> = only["sessions"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["host"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !hosts.is_empty() && hosts.iter().all(|h| *h == "db"),
        "{only:#}"
    );
    let err = run_fail(&mut s.muxdeck(&["list", "--host", "nosuch"]), 2);
    assert!(err.contains("no host named \"nosuch\""), "{err}");
}

#[test]
fn hostile_remote_names_are_listed_logged_and_stopped_exactly() {
    let s = Setup::new(&["web1"], "");
    let h = s.fleet.host("web1");
    let marker = temp_dir("pwned").path().join("pwned");
    let hostile = format!("x$(touch {})", marker.display());
    for name in [hostile.as_str(), "a;b", "'-rf'", "{a,b}"] {
        h.tmux.new_session(
            "default",
            name,
            "printf 'hello from %s\\n' remote; sleep 600",
        );
    }
    h.tmux.new_session("default", "victim", "sleep 600");

    let doc = s.json(&["list", "--json", "--host", "web1"]);
    for name in [hostile.as_str(), "a;b", "'-rf'", "{a,b}", "victim"] {
        assert_eq!(sessions_named(&doc, name).len(), 1, "{name} in {doc:#}");
    }
    for name in [hostile.as_str(), "a;b", "'-rf'", "{a,b}"] {
        let q = format!("web1/{name}");
        let logs = run_ok(&mut s.muxdeck(&["logs", &q]), PATIENCE);
        assert!(logs.contains("hello from remote"), "{name}: {logs}");
        run_ok(&mut s.muxdeck(&["kill", &q]), PATIENCE);
    }
    let left = h.tmux.session_names("default");
    assert_eq!(left, ["victim"], "only the victim stays");
    assert!(
        !marker.exists(),
        "a name ran as a command on the remote host"
    );
}

#[test]
fn every_operation_works_on_a_remote_session() {
    let s = Setup::new(
        &["web1"],
        "sessions:\n  worker:\n    host: web1\n    command: \"printf 'worker up\\\\n'; sleep 600\"\n",
    );
    let h = s.fleet.host("web1");
    // The config session lives on web1: defined there, started there, never here.
    let doc = s.json(&["list", "--json"]);
    let w = sessions_named(&doc, "worker");
    assert_eq!(w.len(), 1, "{doc:#}");
    assert_eq!(
        (w[0]["id"].as_str(), w[0]["state"].as_str()),
        (Some("web1/tmux:worker"), Some("defined"))
    );
    run_ok(&mut s.muxdeck(&["start", "worker"]), PATIENCE);
    assert_eq!(h.tmux.session_names("default"), ["worker"]);
    assert!(s.local.session_names("default").is_empty());
    let logs = run_ok(&mut s.muxdeck(&["logs", "web1/worker"]), PATIENCE);
    assert!(logs.contains("worker up"), "{logs}");
    run_ok(&mut s.muxdeck(&["restart", "web1/tmux:worker"]), PATIENCE);
    assert_eq!(h.tmux.session_names("default"), ["worker"]);
    let out = run_ok(&mut s.muxdeck(&["stop", "web1/worker"]), PATIENCE);
    assert!(out.contains("stopped") || out.is_empty(), "{out}");
    assert!(h.tmux.session_names("default").is_empty());

    // Containers of that host: stop keeps the container, rm removes it.
    let containers = support::Containers::new();
    let name = support::unique("remote");
    containers.run_detached(&name, "printf '\\033[31mred\\033[0m\\n'; sleep 600");
    support::wait_for_logs(&name, "red", PATIENCE);
    let q = format!("web1/podman:{name}");
    let logs = run_ok(&mut s.muxdeck(&["logs", &q]), PATIENCE);
    assert!(logs.contains("\u{1b}[31mred"), "colors are kept: {logs:?}");
    run_ok(&mut s.muxdeck(&["stop", "--timeout", "1", &q]), PATIENCE);
    assert_eq!(support::podman_state(&name).as_deref(), Some("exited"));
    run_ok(&mut s.muxdeck(&["start", &q]), PATIENCE);
    assert_eq!(support::podman_state(&name).as_deref(), Some("running"));
    run_ok(&mut s.muxdeck(&["kill", &q]), PATIENCE);
    run_ok(&mut s.muxdeck(&["rm", &q]), PATIENCE);
    assert!(!support::container_exists(&name));
}

#[test]
fn follow_streams_a_remote_pane_and_container() {
    let s = Setup::new(&["web1"], "");
    let h = s.fleet.host("web1");
    h.tmux.new_session(
        "default",
        "ticker",
        "i=0; while [ $i -lt 300 ]; do printf '\\033[32mtick %s\\033[0m\\n' $i; i=$((i+1)); sleep 0.2; done",
    );
    let text = follow_until(&mut s.muxdeck(&["logs", "-f", "web1/ticker"]), |t| {
        t.matches("tick ").count() >= 8
    });
    assert!(
        text.matches("tick ").count() >= 8,
        "follow printed: {text:?}"
    );
    assert!(text.contains("\u{1b}[32mtick"), "colors are kept: {text:?}");

    let containers = support::Containers::new();
    let name = support::unique("rfollow");
    containers.run_detached(
        &name,
        "i=0; while [ $i -lt 300 ]; do echo beat $i; i=$((i+1)); sleep 0.2; done",
    );
    let q = format!("web1/podman:{name}");
    let text = follow_until(&mut s.muxdeck(&["logs", "-f", &q]), |t| {
        t.matches("beat ").count() >= 8
    });
    assert!(
        text.matches("beat ").count() >= 8,
        "follow printed: {text:?}"
    );
}

/// Runs a follow until `done` holds for what it printed (at most 20 s), then stops it.
fn follow_until(cmd: &mut Command, mut done: impl FnMut(&str) -> bool) -> String {
    use std::io::Read;
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !done(&text) {
        if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(200)) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    text
}

#[test]
fn faults_of_hosts_are_named_per_host_and_never_hang_the_list() {
    let mut s = Setup::new(
        &["up", "down", "hole", "locked", "rekeyed"],
        "defaults:\n  command_timeout: 5\n",
    );
    // down: nothing listens any more.
    s.fleet.host_mut("down").kill();
    // hole: accepts TCP and never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let hole_port = hole.local_addr().map(|a| a.port()).unwrap_or(0);
    // locked: muxdeck's key is not accepted; rekeyed: the host key changed.
    let ssh_config = std::fs::read_to_string(s.fleet.ssh_config()).unwrap_or_default();
    let patched = ssh_config.replace(
        &format!("Port {}\n", s.fleet.host("hole").port),
        &format!("Port {hole_port}\n"),
    );
    s.fleet.host("locked").refuse_client_key();
    std::fs::write(s.fleet.ssh_config(), patched).unwrap_or_else(|e| panic!("{e}"));
    s.fleet.host_mut("rekeyed").change_host_key();
    s.fleet
        .host("up")
        .tmux
        .new_session("default", "alive", "sleep 600");

    let started = Instant::now();
    let doc = s.json(&["list", "--json"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5 + 1 + 3), "list took {took:?}");
    let status = |name: &str| {
        doc["hosts"]
            .as_array()
            .and_then(|a| a.iter().find(|h| h["host"] == name))
            .map(|h| {
                (
                    h["status"].as_str().unwrap_or("").to_string(),
                    h["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .unwrap_or_default()
    };
    assert_eq!(status("up").0, "ok", "{:?}", status("up"));
    assert_eq!(sessions_named(&doc, "alive").len(), 1, "{doc:#}");
    let (st, msg) = status("down");
    assert_eq!(st, "unreachable", "{msg}");
    assert!(msg.contains("host down cannot be reached"), "{msg}");
    let (st, msg) = status("hole");
    assert_eq!(st, "unreachable", "{msg}");
    let (st, msg) = status("locked");
    assert_eq!(st, "auth_failed", "{msg}");
    assert!(msg.contains("run `ssh locked` once"), "{msg}");
    let (st, msg) = status("rekeyed");
    assert_eq!(st, "error", "{msg}");
    assert!(msg.to_lowercase().contains("host key"), "{msg}");
    drop(hole);

    // A NAME on a host that does not answer says so, in one line, exit 1.
    let err = run_fail(&mut s.muxdeck(&["stop", "down/x"]), 1);
    assert!(
        err.contains("host down cannot be reached") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn the_screen_shows_hosts_keeps_a_lost_host_stale_and_attaches_over_ssh() {
    let mut s = Setup::new(&["web1", "db"], "");
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "alpha", "echo alpha-screen; sleep 600");
    s.fleet
        .host("db")
        .tmux
        .new_session("default", "beta", "sleep 600");
    let deck = s.deck();
    let screen = deck.wait("both hosts listed", |t| {
        t.contains("HOST")
            && t.contains("alpha")
            && t.contains("beta")
            && t.contains("web1 ok")
            && t.contains("db ok")
    });
    assert!(screen.contains("web1"), "{screen}");

    // Changes on a host show up by themselves: a new tmux session (the /proc fingerprint
    // loop) and a new container (podman's events).
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "gamma", "sleep 600");
    deck.wait("the new remote tmux session", |t| {
        t.lines().any(|l| l.contains("web1") && l.contains("gamma"))
    });
    let containers = support::Containers::new();
    let name = support::unique("rnew");
    containers.run_detached(&name, "sleep 600");
    deck.wait("the new container on web1", |t| {
        t.lines().any(|l| l.contains("web1") && l.contains(&name))
    });

    // db goes away: its row stays, stale, with the time it was last seen.
    s.fleet.host_mut("db").kill();
    deck.keys(&["R"]);
    let screen = deck.wait("db stale", |t| {
        t.contains("db unreachable")
            && t.lines()
                .any(|l| l.contains("beta") && l.contains("stale, seen"))
    });
    assert!(
        screen
            .lines()
            .any(|l| l.contains("alpha") && l.contains("running")),
        "{screen}"
    );

    // It comes back.
    s.fleet.host_mut("db").restart();
    deck.keys(&["R"]);
    deck.wait("db back", |t| t.contains("db ok") && !t.contains("stale"));

    // Attach over ssh -t, and back with the prefix and d.
    deck.keys(&["/"]);
    deck.type_text("alpha");
    deck.keys(&["Enter"]);
    deck.wait("alpha alone", |t| t.contains("filter: alpha"));
    deck.keys(&["Enter"]);
    deck.wait("attached to alpha on web1", |t| {
        t.contains("alpha-screen") && !t.contains(" sessions ")
    });
    deck.keys(&["C-b", "d"]);
    deck.wait("back in muxdeck", |t| {
        t.contains(" sessions ") && t.contains("alpha")
    });
}

/// A host's change feed looks for podman's way of telling changes (a `podman events` run)
/// only after its first sleep, so that it never competes with other hosts' first
/// listings: a container made in that window, right after the host first answered, must
/// still show up, long before the ten-minute safety listing.
#[test]
fn a_container_made_just_after_a_host_first_answers_shows_up() {
    let s = Setup::new(&["web1"], "");
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "alpha", "sleep 600");
    let name = support::unique("early");
    let deck = s.deck();
    deck.wait("web1 listed", |t| {
        t.contains("web1 ok") && t.contains("alpha")
    });
    let containers = support::Containers::new();
    containers.run_detached(&name, "sleep 600");
    // Only this container's rows: other tests' containers share the store.
    deck.keys(&["/"]);
    deck.type_text(&name);
    deck.keys(&["Enter"]);
    deck.wait("the container made before the feed looked at podman", |t| {
        t.lines().any(|l| l.contains("web1") && l.contains(&name))
    });
}

/// A host whose podman keeps its events file where podman's defaults do not say (a store
/// of its own, its own `tmp_dir`): the feed watches the file podman's own `events` opens
/// there, so a container started after the feed has looked shows up within seconds, not
/// at the ten-minute safety listing. (Watching the default place instead saw nothing.)
#[test]
fn a_host_with_its_own_podman_store_tells_its_changes() {
    let store = support::PrivateStore::new();
    let mut s = Setup::new(&["web1"], "");
    s.fleet.host_mut("web1").use_store(&store);
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "alpha", "sleep 600");
    let deck = s.deck();
    deck.wait("web1 listed", |t| {
        t.contains("web1 ok") && t.contains("alpha")
    });
    // The feed looks for the file right after its first `sleep 2`: once a second sleep
    // has begun, it has looked (and a container made now is news only the file tells;
    // one made before would be replayed by `podman events --since`).
    let host = s.fleet.host("web1");
    let mut first = None;
    let looked = wait_until(PATIENCE, || {
        let sleeping = host
            .processes()
            .into_iter()
            .find(|(_, c)| c.trim_end() == "sleep 2")
            .map(|(pid, _)| pid);
        match (first, sleeping) {
            (None, now) => {
                first = now;
                false
            }
            (Some(a), Some(b)) => a != b,
            (Some(_), None) => false,
        }
    });
    assert!(looked, "the feed never slept twice: {:?}", host.processes());
    assert!(
        !host
            .processes()
            .iter()
            .any(|(_, c)| c.starts_with("podman events")),
        "the feed kept `podman events` running, found no events file: {:?}",
        host.processes()
    );
    let name = support::unique("ownstore");
    store.run_detached(&name, "sleep 600");
    // Told by the feed (its file is looked at every 2 s): the next listing without it is
    // two minutes away for tmux and ten for the runtimes, past this wait.
    deck.wait_for(
        Duration::from_secs(30),
        "the container started in the host's own store",
        |t| t.lines().any(|l| l.contains("web1") && l.contains(&name)),
    );
}

#[test]
fn one_connection_per_host_serves_every_call() {
    let s = Setup::new(&["web1"], "");
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "one", "echo hi; sleep 600");
    for _ in 0..3 {
        s.json(&["list", "--json"]);
    }
    run_ok(&mut s.muxdeck(&["status", "web1/one"]), PATIENCE);
    run_ok(&mut s.muxdeck(&["logs", "web1/one"]), PATIENCE);
    assert_eq!(
        s.fleet.host("web1").logins(),
        1,
        "every command shares one ssh connection: {}",
        s.fleet.host("web1").log()
    );
}

#[test]
fn a_host_without_tmux_or_runtimes_says_so_and_starts_nothing() {
    let mut s = Setup::new(
        &["bare"],
        "sessions:\n  job:\n    host: bare\n    command: sleep 600\n",
    );
    s.fleet
        .host_mut("bare")
        .only_tools(&["sh", "mktemp", "id", "cat", "rm", "wc", "sleep"]);
    let doc = s.json(&["list", "--json", "--host", "bare"]);
    let states: Vec<(String, String)> = doc["backends"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|b| b["host"] == "bare")
                .map(|b| {
                    (
                        b["backend"].as_str().unwrap_or("").to_string(),
                        b["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let not_installed = |name: &str| {
        states
            .iter()
            .any(|(b, st)| b == name && st == "not_installed")
    };
    assert!(
        not_installed("tmux") && not_installed("podman") && not_installed("docker"),
        "{doc:#}"
    );
    let err = run_fail(&mut s.muxdeck(&["start", "bare/job"]), 1);
    assert!(
        err.contains("tmux (on host bare) is not installed"),
        "{err}"
    );
}

#[test]
fn without_ssh_on_this_machine_each_host_says_so() {
    let s = Setup::new(&["web1"], "");
    let bin = temp_dir("nossh");
    for tool in ["tmux", "podman", "docker"] {
        if let Some(p) = ["/usr/bin", "/bin"]
            .iter()
            .map(|d| std::path::Path::new(d).join(tool))
            .find(|p| p.exists())
        {
            let _ = std::os::unix::fs::symlink(p, bin.path().join(tool));
        }
    }
    let mut cmd = s.muxdeck(&["list", "--json"]);
    cmd.env("PATH", bin.path());
    let out = run_ok(&mut cmd, PATIENCE);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let web1 = doc["hosts"]
        .as_array()
        .and_then(|a| a.iter().find(|h| h["host"] == "web1"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(web1["status"], "error", "{doc:#}");
    assert!(
        web1["message"]
            .as_str()
            .is_some_and(|m| m.contains("ssh is not installed")),
        "{web1}"
    );
}

#[test]
fn a_killed_connection_mid_follow_resumes_and_marks_the_break() {
    let mut s = Setup::new(&["web1"], "");
    let containers = support::Containers::new();
    let name = support::unique("rbreak");
    containers.run_detached(
        &name,
        "i=0; while [ $i -lt 1000 ]; do echo beat-$i; i=$((i+1)); sleep 0.3; done",
    );
    let deck = s.deck();
    deck.wait("web1 listed", |t| t.contains("web1 ok"));
    deck.keys(&["/"]);
    deck.type_text(&format!("web1/podman:{name}"));
    deck.keys(&["Enter"]);
    deck.wait("its log followed", |t| {
        t.contains("beat-") && t.contains(&format!("logs · web1/podman:{name}"))
    });

    // Kill the shared connection (the ControlMaster) under the running follow.
    let master = Command::new("pkill")
        .arg("-f")
        .arg(format!(
            "{}.*\\[mux\\]",
            s.fleet.runtime_dir().join("muxdeck").display()
        ))
        .status()
        .map(|st| st.success())
        .unwrap_or(false);
    assert!(master, "no ssh master to kill");
    let last_beat = |t: &str| last_count(t.lines(), "beat-");
    let screen = deck.wait("the break marked", |t| t.contains("log stream broke"));
    let before = last_beat(&screen);
    deck.wait_for(Duration::from_secs(30), "following again", |t| {
        last_beat(t) > before + 3
    });

    // sshd restarts (connections stay): the host stays fine.
    s.fleet.host_mut("web1").restart();
    deck.keys(&["R"]);
    deck.wait("still ok", |t| t.contains("web1 ok"));
    deck.assert_responsive();
}

/// Points the ssh config's entries for `names` at local listeners that accept and never
/// answer; they hang while the listeners live.
fn blackhole(s: &Setup, names: &[&str]) -> Vec<std::net::TcpListener> {
    let holes: Vec<std::net::TcpListener> = names
        .iter()
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut ssh_config = std::fs::read_to_string(s.fleet.ssh_config()).unwrap_or_default();
    for (name, hole) in names.iter().zip(&holes) {
        let port = hole.local_addr().map(|a| a.port()).unwrap_or(0);
        let host = s.fleet.host(name);
        ssh_config =
            ssh_config.replace(&format!("Port {}\n", host.port), &format!("Port {port}\n"));
    }
    std::fs::write(s.fleet.ssh_config(), ssh_config).unwrap_or_else(|e| panic!("{e}"));
    holes
}

/// A host's change feed waits for the other machines' first answers (here a blackholed
/// host holds that back to the cap), and takes its picture of tmux when it starts: a
/// session made between the host's listing and that start is listed right after it, not
/// at the two-minute safety listing.
#[test]
fn a_session_made_while_a_host_waits_for_the_others_shows_up() {
    let s = Setup::new(&["web1", "dead"], "defaults:\n  command_timeout: 30\n");
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "alpha", "sleep 600");
    let holes = blackhole(&s, &["dead"]);
    let deck = s.deck();
    deck.wait("web1 listed", |t| t.contains("alpha"));
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "beta", "sleep 600");
    deck.wait_for(
        Duration::from_secs(30),
        "the session made before the feed started",
        |t| t.contains("beta"),
    );
    drop(holes);
}

#[test]
fn twenty_hosts_with_five_blackholed_keep_the_screen_responsive() {
    let names: Vec<String> = (0..20).map(|i| format!("h{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let s = Setup::new(&refs, "defaults:\n  command_timeout: 5\n");
    s.fleet
        .host("h00")
        .tmux
        .new_session("default", "first", "sleep 600");
    // Five hosts accept TCP and never answer.
    let holes = blackhole(&s, &refs[15..]);
    let started = Instant::now();
    let deck = s.deck();
    // Keys are answered while the five hang, and the live hosts' rows arrive.
    deck.assert_responsive();
    deck.wait("the reachable hosts' rows", |t| {
        t.contains("first") && t.contains("h00")
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    deck.assert_responsive();
    // Twenty hosts do not fit the status line one by one: the ones down are counted.
    deck.wait_for(
        Duration::from_secs(40),
        "the blackholed hosts reported",
        |t| t.contains("5 of 20 hosts down: h15 h16 h17…"),
    );
    drop(holes);
}

#[test]
fn exec_in_a_remote_container_gives_its_exit_status() {
    let s = Setup::new(&["web1"], "");
    let containers = support::Containers::new();
    let name = support::unique("rexec");
    containers.run_detached(&name, "sleep 600");
    let q = format!("web1/podman:{name}");
    let out = support::run(
        &mut s.muxdeck(&["exec", &q, "--", "sh", "-c", "echo in-$HOSTNAME-ok; exit 7"]),
        PATIENCE,
    );
    assert_eq!(out.status.code(), Some(7), "{}", support::show_output(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("-ok"),
        "{}",
        support::show_output(&out)
    );
}

#[test]
fn the_tree_of_a_remote_session_follows_and_attaches_to_a_pane_that_is_not_active() {
    use support::deck::{NO_RUNTIMES, WAIT};
    use support::screen::{log_rows, log_title, tree_rows};
    let s = Setup::new(&["web1"], NO_RUNTIMES);
    let remote = &s.fleet.host("web1").tmux;
    let marker = support::unique("remote-split");
    let split = remote.windows_and_split(
        "default",
        "tree",
        &format!("i=0; while [ $i -lt 600 ]; do echo {marker} $i; i=$((i+1)); sleep 0.5; done"),
    );
    let deck = s.deck();
    deck.wait("the remote session", |t| {
        t.contains("web1 ok") && log_title(t).contains("web1/tmux:tree")
    });
    deck.keys(&["l"]);
    deck.wait("its windows and panes, read over ssh", |t| {
        tree_rows(t).len() == 5
    });
    deck.keys(&["j", "j", "j", "j", "j"]);
    deck.wait("the split pane's log, over ssh", |t| {
        log_title(t).contains(&format!("pane {split} "))
            && log_rows(t).iter().any(|l| l.starts_with(&marker))
    });
    deck.keys(&["Enter"]);
    let clients = || {
        remote.tmux_ok(
            "default",
            ["list-clients", "-F", "#{window_index} #{pane_id}"],
        )
    };
    let expected = format!("1 {split}");
    assert!(
        support::wait_until(WAIT, || clients().trim() == expected),
        "the ssh client is not on window 1, pane {split}: {:?}; screen:\n{}",
        clients(),
        deck.screen()
    );
    deck.keys(&["C-b", "d"]);
    deck.wait("back in muxdeck", |t| {
        t.contains("back from web1/tmux:tree")
    });
}

#[test]
fn a_merged_session_whose_host_drops_is_marked_the_others_flow_and_it_resumes() {
    use support::deck::NO_RUNTIMES;
    let mut s = Setup::new(&["web1"], NO_RUNTIMES);
    // near slow enough that the pane still shows far's mark when near has gone on.
    let ticks = |word: &str, pause: &str| {
        format!(
            "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo {word}-tick-$i; sleep {pause}; done; exec sleep 600"
        )
    };
    s.fleet
        .host("web1")
        .tmux
        .new_session("default", "far", &ticks("far", "0.2"));
    s.local.new_session("default", "near", &ticks("near", "1"));
    let deck = s.deck();
    deck.wait("both listed", |t| {
        t.contains("web1 ok") && t.contains("near") && t.contains("far")
    });
    deck.keys(&["g", "Space", "Space"]);
    deck.wait("two marked", |t| t.contains("2 marked"));
    deck.keys(&["L"]);
    let flowing = |t: &str, name: &str, word: &str| {
        support::screen::log_rows(t)
            .iter()
            .any(|r| r.starts_with(name) && r.contains(&format!(" | {word}-tick-")))
    };
    deck.wait("lines of both, after their names", |t| {
        flowing(t, "near", "near") && flowing(t, "web1/far", "far")
    });

    // Only far's lines in the pane (other tests' containers on this machine's podman fill
    // the list, and near's lines would push far's marks out of sight).
    let near_before = last_count(deck.screen().lines(), "near-tick-");
    deck.keys(&["Tab", "&"]);
    deck.type_text("web1/far");
    deck.keys(&["Enter"]);
    deck.wait("far alone", |t| t.contains("filter: web1/far"));
    // Wrapped: a mark's reason is longer than the pane is wide.
    deck.keys(&["w"]);

    // web1 goes away, its connections with it.
    s.fleet.host_mut("web1").kill();
    let screen = deck.wait("the drop marked with its name", |t| {
        // Rows joined: the wrap may cut the mark anywhere.
        let rows = support::screen::log_rows(t).concat();
        rows.contains("web1/far | ── stream broke: host web1 cannot be reached")
            && rows.contains("; following again ──")
    });
    let far_before = last_count(screen.lines(), "far-tick-");
    // Back before the resumes run out (they wait 1, 2 and 4 s).
    s.fleet.host_mut("web1").restart();
    let screen = deck.wait_for(Duration::from_secs(30), "far followed again", |t| {
        last_count(t.lines(), "far-tick-") > far_before + 3
    });
    assert!(
        !screen.contains("given up"),
        "resumed, yet given up:\n{screen}"
    );
    assert!(screen.contains("merged: 2 sessions"), "{screen}");
    // near went on meanwhile: its lines of the whole drop are there.
    deck.keys(&["Escape"]);
    let screen = deck.wait("near's lines again", |t| {
        !t.contains("filter: ") && last_count(t.lines(), "near-tick-") > near_before + 3
    });
    let mut near: Vec<u32> = support::screen::log_rows(&screen)
        .iter()
        .filter_map(|r| r.strip_prefix("near     | near-tick-"))
        .filter_map(|n| n.parse().ok())
        .collect();
    near.sort_unstable();
    assert!(
        near.windows(2).all(|w| w[1] == w[0] + 1),
        "near lost lines: {near:?}\n{screen}"
    );
    deck.assert_responsive();
}
