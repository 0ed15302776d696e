//! One test's private world for the CLI tests: tmux servers on a private TMUX_TMPDIR,
//! containers it made, a temp dir for files and configs, and optionally a Docker API.
//! Everything is cleaned up on drop, also when the test panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{
    Containers, DEFAULT_TIMEOUT, DockerApi, TmuxWorld, muxdeck, run, run_fail, run_ok, temp_dir,
    write_config,
};

/// See the module doc.
pub struct World {
    /// The tmux servers.
    pub tmux: TmuxWorld,
    /// The containers.
    pub containers: Containers,
    /// Files and configs.
    pub dir: tempfile::TempDir,
    /// podman's Docker API, when asked for.
    pub docker: Option<DockerApi>,
}

impl World {
    /// A world without a Docker API.
    pub fn new() -> Self {
        World {
            tmux: TmuxWorld::new(),
            containers: Containers::new(),
            dir: temp_dir("world"),
            docker: None,
        }
    }

    /// A world whose `docker` CLI talks to podman's Docker API.
    pub fn with_docker() -> Self {
        let mut w = World::new();
        w.docker = Some(DockerApi::start());
        w
    }

    /// The binary, seeing this world's tmux servers (and Docker API).
    pub fn mx(&self, config: Option<&Path>) -> Command {
        let mut cmd = muxdeck(config);
        self.tmux.apply(&mut cmd);
        if let Some(api) = &self.docker {
            api.apply(&mut cmd);
        }
        cmd
    }

    /// Runs `muxdeck ARGS` and returns everything it did.
    pub fn exec(&self, config: Option<&Path>, args: &[&str]) -> Output {
        run(self.mx(config).args(args), DEFAULT_TIMEOUT)
    }

    /// `muxdeck ARGS`, which must succeed; its stdout.
    pub fn ok(&self, config: Option<&Path>, args: &[&str]) -> String {
        run_ok(self.mx(config).args(args), DEFAULT_TIMEOUT)
    }

    /// `muxdeck ARGS`, which must exit with `code`; its stderr.
    pub fn fail(&self, config: Option<&Path>, args: &[&str], code: i32) -> String {
        run_fail(self.mx(config).args(args), code)
    }

    /// A path in the world's temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a config file into the world's temp dir.
    pub fn config(&self, yaml: &str) -> PathBuf {
        write_config(self.dir.path(), yaml)
    }

    /// `muxdeck list --json ARGS`, parsed.
    pub fn list(&self, config: Option<&Path>, args: &[&str]) -> Value {
        let out = run_ok(
            self.mx(config).args(["list", "--json"]).args(args),
            DEFAULT_TIMEOUT,
        );
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("list --json is not JSON: {e}\n{out}"))
    }

    /// `muxdeck status --json NAME`, parsed.
    pub fn status(&self, config: Option<&Path>, name: &str) -> Value {
        let out = self.ok(config, &["status", "--json", name]);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("status --json: {e}\n{out}"))
    }

    /// `muxdeck logs ARGS`: its stdout as lines.
    pub fn logs(&self, args: &[&str]) -> Vec<String> {
        run_ok(self.mx(None).arg("logs").args(args), DEFAULT_TIMEOUT)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Whether the exact tmux session runs on `socket`.
    pub fn has_tmux(&self, socket: &str, name: &str) -> bool {
        self.tmux.session_names(socket).iter().any(|n| n == name)
    }
}
