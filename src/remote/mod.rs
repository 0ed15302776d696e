//! Other hosts, reached with the system's OpenSSH client: the route to each (options,
//! shared connection, failures) and the quoting of everything sent to a remote shell.

mod channel;
pub mod quote;
mod route;

pub use channel::Channel;
pub use route::{HostFault, Route, control_dir, ensure_control_dir};
