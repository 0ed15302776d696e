//! [`SshHost`]: a private `sshd` on 127.0.0.1 standing in for another machine, and
//! [`Fleet`]: several of them with one private `ssh_config` and `known_hosts`. Nothing here
//! reads or writes the real `~/.ssh`; every key is generated in a temp dir.
//!
//! Each host has its own `TMUX_TMPDIR` (given to every session by sshd's `SetEnv`), so its
//! tmux servers are its own; containers share this machine's podman store, so tests name
//! theirs uniquely. Dropping a host kills its sshd, which also ends the ssh connections
//! muxdeck shares with it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{TmuxWorld, containers_conf, temp_dir, wait_until};

/// One stand-in host: its sshd, keys and tmux world.
pub struct SshHost {
    /// The name in muxdeck's `hosts:` and in the ssh config (`Host NAME`).
    pub name: String,
    /// The port sshd listens on (127.0.0.1).
    pub port: u16,
    /// The host's tmux world (its `TMUX_TMPDIR`).
    pub tmux: TmuxWorld,
    dir: tempfile::TempDir,
    sshd: Option<Child>,
    /// `PATH` for sessions, when the host is to lack some tools.
    path: Option<PathBuf>,
    /// podman's settings for sessions, when the host has a store of its own.
    podman: Option<Vec<(String, String)>>,
}

/// A free TCP port on 127.0.0.1 (the kernel picks one; it is released for sshd).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "muxdeck-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("ssh-keygen: {e} (install openssh-client)"));
    assert!(out.status.success(), "ssh-keygen failed: {out:?}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

impl SshHost {
    /// Starts a host named `name`, accepting the key at `client_key`.
    pub fn start(name: &str, client_key: &Path) -> SshHost {
        let dir = temp_dir("sshd");
        let d = dir.path();
        keygen(&d.join("host_key"));
        write(
            &d.join("authorized_keys"),
            &read(&client_key.with_extension("pub")),
        );
        // sshd's privilege separation folder; made only where it is missing.
        let _ = std::fs::create_dir_all("/run/sshd");
        let mut host = SshHost {
            name: name.to_string(),
            port: 0,
            tmux: TmuxWorld::new(),
            dir,
            sshd: None,
            path: None,
            podman: None,
        };
        host.spawn_sshd();
        host
    }

    fn spawn_sshd(&mut self) {
        let d = self.dir.path().to_path_buf();
        // The login shell reads its rc file from HOME: an empty one here, so the user's
        // own (which may start slow tools) plays no part in the tests.
        let home = d.join("home");
        let _ = std::fs::create_dir_all(&home);
        // A port can be taken between the probe and sshd's bind: a few tries.
        for _ in 0..5 {
            let port = free_port();
            let config = self.config_text(port, &home);
            write(&d.join("sshd_config"), &config);
            let up = self.launch(port);
            if up {
                self.port = port;
                return;
            }
            self.kill();
        }
        panic!("sshd did not start: {}", self.log());
    }

    /// Starts sshd on its written config; whether it took `port` within 10 s.
    fn launch(&mut self, port: u16) -> bool {
        let d = self.dir.path();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.join("sshd.log"))
            .unwrap_or_else(|e| panic!("sshd log: {e}"));
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("/usr/sbin/sshd: {e} (install openssh-server)"));
        self.sshd = Some(child);
        wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        })
    }

    fn config_text(&self, port: u16, home: &Path) -> String {
        let d = self.dir.path();
        let path = self
            .path
            .as_ref()
            .map(|p| format!(" PATH={}", p.display()))
            .unwrap_or_default();
        let podman = match &self.podman {
            Some(env) => env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            None => format!("CONTAINERS_CONF={}", containers_conf().display()),
        };
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nUsePAM no\nStrictModes no\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPrintMotd no\nLogLevel VERBOSE\n\
             SetEnv TMUX_TMPDIR={tmux} {podman} HOME={home}{path}\n",
            d = d.display(),
            tmux = self.tmux.tmpdir().display(),
            home = home.display(),
        )
    }

    /// Gives the host's sessions a PATH with only `tools` (from /usr/bin or /bin), as a
    /// machine without the others installed; restarts sshd for it.
    pub fn only_tools(&mut self, tools: &[&str]) {
        let bin = self.dir.path().join("bin");
        let _ = std::fs::create_dir_all(&bin);
        for t in tools {
            let from = ["/usr/bin", "/bin", "/usr/sbin"]
                .iter()
                .map(|d| Path::new(d).join(t))
                .find(|p| p.exists())
                .unwrap_or_else(|| panic!("no {t} on this machine"));
            let _ = std::os::unix::fs::symlink(from, bin.join(t));
        }
        self.path = Some(bin);
        self.reconfigure();
    }

    /// Gives the host's sessions `store` as their podman (as a machine with its own store,
    /// its own events file where podman's defaults do not say); restarts sshd for it.
    pub fn use_store(&mut self, store: &super::PrivateStore) {
        self.podman = Some(store.env());
        self.reconfigure();
    }

    /// Writes sshd's config anew from the host's settings and restarts sshd on it.
    fn reconfigure(&mut self) {
        let home = self.dir.path().join("home");
        write(
            &self.dir.path().join("sshd_config"),
            &self.config_text(self.port, &home),
        );
        self.restart();
    }

    /// Every process sshd runs for its clients now: pid and command line (arguments
    /// joined by spaces).
    pub fn processes(&self) -> Vec<(u32, String)> {
        let Some(sshd) = &self.sshd else {
            return Vec::new();
        };
        descendants(sshd.id())
            .into_iter()
            .filter_map(|p| {
                let c = std::fs::read(format!("/proc/{p}/cmdline")).ok()?;
                Some((p, String::from_utf8_lossy(&c).replace('\0', " ")))
            })
            .collect()
    }

    /// Stops sshd and every connection it serves, as when the machine goes away.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.sshd.take() {
            let tree = descendants(c.id());
            let _ = c.kill();
            let _ = c.wait();
            for pid in tree {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(pid.to_string())
                    .status();
            }
        }
    }

    /// Stops sshd's listener only: connections already made go on, as in a real sshd
    /// restart.
    pub fn stop_listening(&mut self) {
        if let Some(mut c) = self.sshd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops sshd's listener and starts it again on the same port (an sshd restart:
    /// connections already made go on).
    pub fn restart(&mut self) {
        self.stop_listening();
        let port = self.port;
        assert!(self.launch(port), "sshd did not come back: {}", self.log());
    }

    /// The host's public key line.
    pub fn host_key(&self) -> String {
        read(&self.dir.path().join("host_key.pub"))
    }

    /// Replaces the host key (a reinstalled machine, or a man in the middle) and restarts.
    pub fn change_host_key(&mut self) {
        let d = self.dir.path();
        let _ = std::fs::remove_file(d.join("host_key"));
        let _ = std::fs::remove_file(d.join("host_key.pub"));
        keygen(&d.join("host_key"));
        self.restart();
    }

    /// Stops accepting the client key (as a host whose authorized_keys lost it).
    pub fn refuse_client_key(&self) {
        write(&self.dir.path().join("authorized_keys"), "");
    }

    /// What sshd logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// How many logins (ssh handshakes) the host has accepted.
    pub fn logins(&self) -> usize {
        self.log().matches("Accepted publickey").count()
    }
}

impl Drop for SshHost {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every process below `pid` (children first found through /proc).
fn descendants(pid: u32) -> Vec<u32> {
    let mut all = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for c in super::children(p) {
            all.push(c);
            todo.push(c);
        }
    }
    all
}

/// Stand-in hosts with one client key, `ssh_config` and `known_hosts`.
pub struct Fleet {
    /// The hosts, in the order given.
    pub hosts: Vec<SshHost>,
    dir: tempfile::TempDir,
}

impl Fleet {
    /// Starts one sshd per name.
    pub fn start(names: &[&str]) -> Fleet {
        let dir = temp_dir("fleet");
        keygen(&dir.path().join("client_key"));
        let key = dir.path().join("client_key");
        let hosts = names.iter().map(|n| SshHost::start(n, &key)).collect();
        let fleet = Fleet { hosts, dir };
        fleet.write_client_files();
        fleet
    }

    /// Writes `ssh_config` (one `Host` block each) and `known_hosts` (each host's key).
    pub fn write_client_files(&self) {
        let d = self.dir.path();
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        let mut config = String::new();
        let mut known = String::new();
        for h in &self.hosts {
            config.push_str(&format!(
                "Host {name}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  \
                 IdentityFile {d}/client_key\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {d}/known_hosts\n  GlobalKnownHostsFile /dev/null\n  \
                 StrictHostKeyChecking yes\n",
                name = h.name,
                port = h.port,
                d = d.display(),
            ));
            known.push_str(&format!("[127.0.0.1]:{} {}", h.port, h.host_key()));
        }
        write(&d.join("ssh_config"), &config);
        write(&d.join("known_hosts"), &known);
    }

    /// The private `ssh_config`.
    pub fn ssh_config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    /// The host called `name`.
    pub fn host(&self, name: &str) -> &SshHost {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no test host {name}"))
    }

    /// The host called `name`, to restart or break it.
    pub fn host_mut(&mut self, name: &str) -> &mut SshHost {
        self.hosts
            .iter_mut()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no test host {name}"))
    }

    /// The `ssh_config:` and `hosts:` part of a muxdeck config for every host.
    pub fn config_yaml(&self) -> String {
        let mut y = format!("ssh_config: {}\nhosts:\n", self.ssh_config().display());
        for h in &self.hosts {
            y.push_str(&format!("  {0}:\n    ssh: {0}\n", h.name));
        }
        y
    }

    /// A folder for muxdeck's shared ssh connections (`XDG_RUNTIME_DIR`), private to
    /// this fleet so tests never share one.
    pub fn runtime_dir(&self) -> PathBuf {
        let p = self.dir.path().join("run");
        let _ = std::fs::create_dir_all(&p);
        p
    }
}
