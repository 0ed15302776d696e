//! CPU and memory of containers on this machine, read from their control groups: the
//! figures a runtime's `stats` prints, without starting the runtime. `podman stats` costs
//! about 3 ms of CPU per container it lists, every container of the store, each time;
//! reading two or three small files per container costs microseconds.
//!
//! A container is found by its init process: `/proc/PID/cgroup` names the group, and the
//! group's path must hold the container's full id. That check is what makes a figure the
//! container's: a pid of another machine (a remote runtime), a pid reused since the listing
//! or a container sharing a group with others gives no figure, and the caller asks the
//! runtime instead. Both cgroup versions are read: v2 (`cpu.stat`, `memory.current`) and v1
//! (`cpuacct.usage`, `memory.usage_in_bytes`), wherever they are mounted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use procfs::process::MountInfos;
use procfs::{FromBufRead, ProcessCGroups};

use super::Usage;

/// Where the cgroup file systems this reader needs are mounted, and at which group each
/// mount's root is (not `/` inside a container that sees only its own part of the tree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Mounts {
    unified: Option<Mount>,
    cpuacct: Option<Mount>,
    memory: Option<Mount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    at: PathBuf,
    root: String,
}

impl Mount {
    /// The folder of group `path` under this mount, if the mount shows it.
    fn folder(&self, path: &str) -> Option<PathBuf> {
        let inside = if self.root == "/" {
            path
        } else {
            path.strip_prefix(self.root.as_str())?
        };
        Some(self.at.join(inside.trim_start_matches('/')))
    }
}

impl Mounts {
    /// Reads `mountinfo` text (`/proc/self/mountinfo`).
    fn parse(mountinfo: &[u8]) -> Self {
        let Ok(infos) = MountInfos::from_buf_read(mountinfo) else {
            return Mounts::default();
        };
        let mut mounts = Mounts::default();
        for m in infos {
            let mount = Mount {
                at: m.mount_point.clone(),
                root: m.root.clone(),
            };
            match m.fs_type.as_str() {
                "cgroup2" => {
                    mounts.unified.get_or_insert(mount);
                }
                "cgroup" => {
                    if m.super_options.contains_key("cpuacct") {
                        mounts.cpuacct.get_or_insert(mount.clone());
                    }
                    if m.super_options.contains_key("memory") {
                        mounts.memory.get_or_insert(mount);
                    }
                }
                _ => {}
            }
        }
        mounts
    }
}

/// The files that hold one container's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Files {
    /// cgroup v2: `cpu.stat` (`usage_usec`), `memory.current`, `memory.stat`.
    Unified(PathBuf),
    /// cgroup v1: the group's folder in the `cpuacct` and in the `memory` hierarchy.
    Split { cpuacct: PathBuf, memory: PathBuf },
}

impl Files {
    /// Finds the group of the process whose `/proc/PID/cgroup` reads `cgroup`, if its
    /// path names the container `id` and the mounts show it.
    fn locate(cgroup: &[u8], id: &str, mounts: &Mounts) -> Option<Files> {
        let ProcessCGroups(groups) = ProcessCGroups::from_buf_read(cgroup).ok()?;
        let mine = |path: &str| path.contains(id);
        let in_v1 = |controller: &str, mount: &Option<Mount>| {
            let group = groups
                .iter()
                .find(|g| g.controllers.iter().any(|c| c == controller))?;
            mine(&group.pathname)
                .then(|| mount.as_ref()?.folder(&group.pathname))
                .flatten()
        };
        if let (Some(cpuacct), Some(memory)) = (
            in_v1("cpuacct", &mounts.cpuacct),
            in_v1("memory", &mounts.memory),
        ) {
            return Some(Files::Split { cpuacct, memory });
        }
        let unified = groups
            .iter()
            .find(|g| g.hierarchy == 0 && g.controllers.is_empty())?;
        mine(&unified.pathname)
            .then(|| mounts.unified.as_ref()?.folder(&unified.pathname))
            .flatten()
            .map(Files::Unified)
    }

    /// CPU used so far in nanoseconds, and memory in use without the page cache that
    /// could be dropped (what `docker stats` and `podman stats` show).
    fn read(&self) -> Option<(u64, u64)> {
        match self {
            Files::Unified(dir) => {
                let usec = field(&read(&dir.join("cpu.stat"))?, "usage_usec")?;
                let current = number(&read(&dir.join("memory.current"))?)?;
                let cache = read(&dir.join("memory.stat"))
                    .and_then(|s| field(&s, "inactive_file"))
                    .unwrap_or(0);
                Some((usec.saturating_mul(1000), current.saturating_sub(cache)))
            }
            Files::Split { cpuacct, memory } => {
                let nanos = number(&read(&cpuacct.join("cpuacct.usage"))?)?;
                let usage = number(&read(&memory.join("memory.usage_in_bytes"))?)?;
                let cache = read(&memory.join("memory.stat"))
                    .and_then(|s| field(&s, "total_inactive_file"))
                    .unwrap_or(0);
                Some((nanos, usage.saturating_sub(cache)))
            }
        }
    }
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn number(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// The value of `key` in a flat-keyed cgroup file (`key value` per line).
fn field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
        .and_then(number)
}

/// A container to measure: its full id and the pid of its init process.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The runtime's full id of the container.
    pub id: String,
    /// Its init process, as the runtime listed it.
    pub pid: u32,
}

/// Reads containers' groups measurement after measurement, keeping each container's CPU
/// time of the last one to measure CPU against.
#[derive(Debug)]
pub struct CgroupSampler {
    proc_root: PathBuf,
    /// Discovered on the first measurement.
    mounts: Option<Mounts>,
    /// Per container: where its figures are, and its last CPU reading.
    known: HashMap<Target, (Files, Option<(Instant, u64)>)>,
}

impl Default for CgroupSampler {
    fn default() -> Self {
        CgroupSampler::new("/proc")
    }
}

impl CgroupSampler {
    /// A sampler reading processes under `proc_root` (`/proc`; another path in tests).
    pub fn new(proc_root: impl Into<PathBuf>) -> Self {
        CgroupSampler {
            proc_root: proc_root.into(),
            mounts: None,
            known: HashMap::new(),
        }
    }

    /// Measures each of `targets` it can find, by container id. CPU is None on a
    /// container's first measurement (nothing to compare with yet); a container left out
    /// could not be read here, and its runtime's `stats` is the way to measure it.
    pub fn sample(&mut self, targets: &[Target]) -> HashMap<String, Usage> {
        let mounts = match &self.mounts {
            Some(m) => m,
            None => {
                let text = std::fs::read(self.proc_root.join("self/mountinfo")).unwrap_or_default();
                self.mounts.insert(Mounts::parse(&text))
            }
        };
        let wanted: HashSet<&Target> = targets.iter().collect();
        self.known.retain(|t, _| wanted.contains(t));
        let mut out = HashMap::new();
        for t in targets {
            if !self.known.contains_key(t) {
                let path = self.proc_root.join(t.pid.to_string()).join("cgroup");
                let located = std::fs::read(path)
                    .ok()
                    .and_then(|text| Files::locate(&text, &t.id, mounts));
                match located {
                    Some(files) => {
                        self.known.insert(t.clone(), (files, None));
                    }
                    None => continue,
                }
            }
            let Some((files, last)) = self.known.get_mut(t) else {
                continue;
            };
            let Some((nanos, memory)) = files.read() else {
                // The group is gone: the container stopped since it was listed.
                self.known.remove(t);
                continue;
            };
            let now = Instant::now();
            let cpu_percent = last.and_then(|(at, before)| {
                let wall = now.duration_since(at).as_nanos();
                #[allow(clippy::cast_precision_loss)]
                let share = nanos.checked_sub(before)? as f64 / wall as f64;
                (wall > 0).then_some(share * 100.0)
            });
            *last = Some((now, nanos));
            out.insert(
                t.id.clone(),
                Usage {
                    cpu_percent,
                    memory_bytes: Some(memory),
                },
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "ce30f85a6176e1fb6250208208da5993e17eecaa47a4ac9f38cafe1483765dda";

    // Captured on a Debian 12 machine with cgroup v1 hierarchies, and on one with the
    // unified hierarchy only (trimmed to the cgroup lines and one other).
    const MOUNTS_V1: &str = "\
24 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:5 - cgroup cgroup rw,cpu
31 25 0:27 / /sys/fs/cgroup/cpuacct rw,relatime shared:6 - cgroup cgroup rw,cpuacct
33 25 0:29 / /sys/fs/cgroup/memory rw,relatime shared:8 - cgroup cgroup rw,memory
38 25 0:34 / /sys/fs/cgroup/unified rw,relatime shared:13 - cgroup2 cgroup2 rw
";
    const MOUNTS_V2: &str = "\
24 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
28 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
";

    fn cgroup_v1(id: &str) -> String {
        format!(
            "9:name=systemd:/libpod_parent/libpod-{id}\n\
             4:memory:/libpod_parent/libpod-{id}\n\
             2:cpuacct:/libpod_parent/libpod-{id}\n\
             1:cpu:/libpod_parent/libpod-{id}\n\
             0::/libpod_parent/libpod-{id}\n"
        )
    }

    #[test]
    fn finds_the_groups_of_both_versions() {
        let v1 = Mounts::parse(MOUNTS_V1.as_bytes());
        let base = "/libpod_parent/libpod-".to_string() + ID;
        assert_eq!(
            Files::locate(cgroup_v1(ID).as_bytes(), ID, &v1),
            Some(Files::Split {
                cpuacct: PathBuf::from(format!("/sys/fs/cgroup/cpuacct{base}")),
                memory: PathBuf::from(format!("/sys/fs/cgroup/memory{base}")),
            })
        );
        let v2 = Mounts::parse(MOUNTS_V2.as_bytes());
        let line = format!("0::/machine.slice/libpod-{ID}.scope/container\n");
        assert_eq!(
            Files::locate(line.as_bytes(), ID, &v2),
            Some(Files::Unified(PathBuf::from(format!(
                "/sys/fs/cgroup/machine.slice/libpod-{ID}.scope/container"
            ))))
        );
    }

    #[test]
    fn a_group_that_does_not_name_the_container_is_not_its_own() {
        let v1 = Mounts::parse(MOUNTS_V1.as_bytes());
        let other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        // A pid reused by another container, or a plain process of this machine.
        assert_eq!(Files::locate(cgroup_v1(other).as_bytes(), ID, &v1), None);
        assert_eq!(Files::locate(b"0::/user.slice\n", ID, &v1), None);
        // No cgroup file system mounted where this process looks.
        assert_eq!(
            Files::locate(cgroup_v1(ID).as_bytes(), ID, &Mounts::default()),
            None
        );
    }

    #[test]
    fn a_mount_of_part_of_the_tree_shows_only_that_part() {
        let m = Mount {
            at: PathBuf::from("/sys/fs/cgroup"),
            root: "/machine.slice".into(),
        };
        assert_eq!(
            m.folder("/machine.slice/libpod-1.scope"),
            Some(PathBuf::from("/sys/fs/cgroup/libpod-1.scope"))
        );
        assert_eq!(m.folder("/user.slice/x"), None);
    }

    #[test]
    fn reads_flat_keyed_files() {
        let stat = "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n";
        assert_eq!(field(stat, "usage_usec"), Some(1234));
        assert_eq!(field(stat, "user"), None);
        assert_eq!(
            field(
                "total_inactive_file 4096\ninactive_file 1\n",
                "inactive_file"
            ),
            Some(1)
        );
    }

    #[test]
    fn what_cannot_be_found_is_left_out() {
        let mut s = CgroupSampler::default();
        let me = Target {
            id: ID.into(),
            pid: std::process::id(),
        };
        // This test process is in no container's group.
        assert!(s.sample(&[me]).is_empty());
        let gone = Target {
            id: ID.into(),
            pid: u32::MAX,
        };
        assert!(s.sample(&[gone]).is_empty());
    }
}
