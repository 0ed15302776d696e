//! Other hosts, reached with the system's OpenSSH client: the route to each (options,
//! shared connection, failures) and the quoting of everything sent to a remote shell.

mod channel;
pub mod quote;
mod route;

pub use channel::Channel;
pub use route::{HostFault, Route, control_dir, ensure_control_dir};

/// A marker token no remote output can guess (a session name, a log line): markers in
/// what a host sends back carry it, so only muxdeck's own scripts can print one.
pub fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("@muxdeck-{:016x}", h.finish())
}
