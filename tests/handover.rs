//! The command line's hand-overs on a real terminal: `muxdeck attach` and `muxdeck exec`
//! run in a pane of a private tmux server (the "terminal"), apart from the world of
//! sessions they act on, and the pane is read with `capture-pane`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{Containers, TmuxWorld, container_state, muxdeck, shell_line, unique, wait_until};

const WAIT: Duration = Duration::from_secs(20);

/// A terminal: one pane of a private tmux server running `muxdeck ARGS` against `world`,
/// then printing `muxdeck-exit=<status>` and staying open to be read.
struct Term {
    server: TmuxWorld,
    socket: String,
}

impl Term {
    fn run(world: &TmuxWorld, args: &[&str]) -> Term {
        Term::run_to(world, args, "")
    }

    /// Like [`Term::run`], with `redirect` (`2>FILE`) applied to muxdeck.
    fn run_to(world: &TmuxWorld, args: &[&str], redirect: &str) -> Term {
        let mut cmd = muxdeck(None);
        world.apply(&mut cmd);
        cmd.args(args);
        let script = format!(
            "{} {redirect}; echo \"muxdeck-exit=$?\"; exec sleep 600",
            shell_line(&cmd)
        );
        let server = TmuxWorld::new();
        let socket = unique("term");
        server.new_session_sized(&socket, "term", (120, 35), &script);
        Term { server, socket }
    }

    /// muxdeck's exit status, once it has ended (128 + N for signal N, as a shell says).
    fn ended(&self) -> String {
        let mut status = None;
        let done = wait_until(WAIT, || {
            status = self.history().lines().find_map(|l| {
                l.split_once("muxdeck-exit=")
                    .map(|(_, n)| n.trim().to_string())
            });
            status.is_some()
        });
        assert!(
            done,
            "muxdeck did not end; the pane shows:\n{}",
            self.screen()
        );
        format!("exit {}", status.unwrap_or_default())
    }

    fn screen(&self) -> String {
        self.server.capture(&self.socket, "=term:")
    }

    /// The pane with its history: what scrolled off or was cleared off the screen.
    fn history(&self) -> String {
        self.server.tmux_ok(
            &self.socket,
            ["capture-pane", "-p", "-S", "-", "-t", "=term:"],
        )
    }

    fn wait(&self, needle: &str) -> String {
        self.server
            .wait_for_text(&self.socket, "=term:", needle, WAIT)
    }

    /// Waits until the program in the pane has put the terminal in raw mode (as attach
    /// does before it reads detach keys).
    fn wait_raw(&self) {
        let tty = self.server.tmux_ok(
            &self.socket,
            ["display-message", "-p", "-t", "=term:", "#{pane_tty}"],
        );
        let raw = || {
            std::process::Command::new("stty")
                .args(["-a", "-F", tty.trim()])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("-icanon"))
        };
        assert!(wait_until(WAIT, raw), "never raw:\n{}", self.screen());
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "=term:"];
        args.extend_from_slice(keys);
        self.server.tmux_ok(&self.socket, args);
    }
}

#[test]
fn exec_exits_with_the_status_of_the_command() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached(&unique("exec-status"), "sleep 600");
    let term = Term::run(&world, &["exec", &name, "--", "sh", "-c", "exit 7"]);
    assert_eq!(term.ended(), "exit 7", "{}", term.screen());
    // A command that worked is 0, as podman exec says.
    let term = Term::run(&world, &["exec", &name, "--", "true"]);
    assert_eq!(term.ended(), "exit 0", "{}", term.screen());
}

#[test]
fn attach_to_a_container_without_a_terminal_follows_its_log_and_ctrl_c_leaves_it_running() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    // Started as `podman run -d` without -i -t. An interrupt passed on would end it with 3.
    let name = containers.run_detached(
        &unique("attach-notty"),
        "trap 'exit 3' INT; while :; do echo notty-tick; sleep 0.3; done",
    );
    let term = Term::run(&world, &["attach", &name]);
    let screen = term.wait("notty-tick");
    assert!(
        screen.contains(&format!("podman:{name} has no terminal")),
        "{screen}"
    );
    assert!(screen.contains("Ctrl-C ends this view"), "{screen}");
    term.keys(&["C-c"]);
    assert_eq!(term.ended(), "exit 130", "{}", term.screen());
    // The container never saw the interrupt: it runs on, still printing.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(container_state(&name), "running", "{}", term.screen());
}

#[test]
fn attach_to_a_container_with_a_terminal_says_ctrl_p_ctrl_q_and_that_detaches() {
    let containers = Containers::new();
    let world = TmuxWorld::new();
    let name = containers.run_detached_with(
        &unique("attach-tty"),
        &["-it"],
        &["sh", "-c", "while :; do echo tty-tick; sleep 0.3; done"],
    );
    let term = Term::run(&world, &["attach", &name]);
    let screen = term.wait("tty-tick");
    assert!(
        screen.contains(&format!(
            "attaching to podman:{name}; Ctrl-p Ctrl-q detaches"
        )),
        "{screen}"
    );
    term.wait_raw();
    // Typed one after the other: podman 4.3 misses the pair when it comes in one read.
    term.keys(&["C-p"]);
    std::thread::sleep(Duration::from_millis(300));
    term.keys(&["C-q"]);
    assert_eq!(term.ended(), "exit 0", "{}", term.screen());
    assert_eq!(container_state(&name), "running", "{}", term.screen());
}

#[test]
fn attach_to_tmux_names_the_servers_prefix_and_that_detaches() {
    let world = TmuxWorld::new();
    world.new_session("alpha", "api", "while :; do echo api-tick; sleep 0.3; done");
    // A user who chose another prefix is told that one.
    world.tmux_ok("alpha", ["set-option", "-g", "prefix", "C-a"]);
    // The attaching client clears the screen: the line is read where stderr went.
    let dir = support::temp_dir("attach-stderr");
    let err = dir.path().join("stderr");
    let term = Term::run_to(&world, &["attach", "api"], &format!("2>{}", err.display()));
    let clients = || world.tmux_ok("alpha", ["list-clients", "-F", "#{client_session}"]);
    assert!(
        wait_until(WAIT, || clients().trim() == "api"),
        "not attached: {}",
        term.screen()
    );
    term.keys(&["C-a", "d"]);
    assert_eq!(term.ended(), "exit 0", "{}", term.screen());
    let said = std::fs::read_to_string(&err).unwrap_or_default();
    assert_eq!(
        said.trim(),
        "muxdeck: attaching to tmux@alpha:api; Ctrl-a d detaches"
    );
    assert!(clients().trim().is_empty());
}
