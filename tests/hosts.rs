//! Many hosts over ssh, against real sshd processes on 127.0.0.1 (tests/support/sshd.rs):
//! listing, names, every operation, logs and follow, and the faults of the network and of
//! ssh itself. Every host is a private sshd with its own tmux world; nothing here uses the
//! real `~/.ssh`.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Fleet, TmuxWorld, muxdeck, run, run_fail, run_ok, temp_dir, write_config};

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
