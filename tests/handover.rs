//! The command line's hand-overs on a real terminal: `muxdeck attach` and `muxdeck exec`
//! run in a pane of a private tmux server (the "terminal"), apart from the world of
//! sessions they act on, and the pane is read with `capture-pane`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{Containers, TmuxWorld, muxdeck, podman_ok, shell_line, unique, wait_until};

const WAIT: Duration = Duration::from_secs(20);

/// A terminal: one pane of a private tmux server running `muxdeck ARGS` against `world`,
/// then printing `muxdeck-exit=<status>` and staying open to be read.
struct Term {
    server: TmuxWorld,
    socket: String,
}

impl Term {
    fn run(world: &TmuxWorld, args: &[&str]) -> Term {
        let mut cmd = muxdeck(None);
        world.apply(&mut cmd);
        cmd.args(args);
        let script = format!(
            "{}; echo \"muxdeck-exit=$?\"; exec sleep 600",
            shell_line(&cmd)
        );
        let server = TmuxWorld::new();
        let socket = unique("term");
        server.tmux_ok(
            &socket,
            [
                "new-session", "-d", "-x", "120", "-y", "35", "-s", "term", &script,
            ],
        );
        Term { server, socket }
    }

    fn screen(&self) -> String {
        self.server.capture(&self.socket, "=term:")
    }

    fn wait(&self, needle: &str) -> String {
        self.server
            .wait_for_text(&self.socket, "=term:", needle, WAIT)
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
    let screen = term.wait("muxdeck-exit=");
    assert!(screen.contains("muxdeck-exit=7"), "{screen}");
    // A command that worked is 0, as podman exec says.
    let term = Term::run(&world, &["exec", &name, "--", "true"]);
    let screen = term.wait("muxdeck-exit=");
    assert!(screen.contains("muxdeck-exit=0"), "{screen}");
}
