//! The backends of one machine: this one, or a configured host reached through ssh. Every
//! call a machine's backends build runs there.

use std::sync::Arc;
use std::time::Duration;

use crate::backend::container::ContainerCli;
use crate::backend::tmux::Tmux;
use crate::config::Defaults;
use crate::model::{Host, Runtime};
use crate::remote::Route;

/// tmux and the container runtimes of one machine.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Which machine.
    pub host: Host,
    /// Its tmux.
    pub tmux: Tmux,
    /// Its podman.
    pub podman: ContainerCli,
    /// Its docker.
    pub docker: ContainerCli,
    /// How it is reached; None for this machine.
    pub route: Option<Arc<Route>>,
}

impl Machine {
    /// This machine, with the configured binaries.
    pub fn local(d: &Defaults, timeout: Duration) -> Self {
        Machine {
            host: Host::Local,
            tmux: Tmux::new(d.tmux_binary.clone(), timeout),
            podman: ContainerCli::new(Runtime::Podman, d.podman_binary.clone(), timeout),
            docker: ContainerCli::new(Runtime::Docker, d.docker_binary.clone(), timeout),
            route: None,
        }
    }

    /// A host reached through `route`. Its tools are found on its own PATH: the binaries
    /// configured for this machine may not exist there.
    pub fn remote(route: Route, timeout: Duration) -> Self {
        let host = Host::Remote(route.host.clone());
        let route = Some(Arc::new(route));
        Machine {
            host,
            tmux: Tmux::new("tmux", timeout).on(route.clone()),
            podman: ContainerCli::new(Runtime::Podman, "podman", timeout).on(route.clone()),
            docker: ContainerCli::new(Runtime::Docker, "docker", timeout).on(route.clone()),
            route,
        }
    }

    /// The CLI of a runtime on this machine.
    pub fn runtime(&self, runtime: Runtime) -> &ContainerCli {
        match runtime {
            Runtime::Podman => &self.podman,
            Runtime::Docker => &self.docker,
        }
    }
}
