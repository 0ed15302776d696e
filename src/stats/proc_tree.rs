//! CPU and memory of process trees from /proc: what a tmux pane costs is its first process
//! and everything that descends from it. One pass over /proc reads every process's `stat`
//! (parent, CPU ticks, start time, resident pages) and nothing else; each tree is then
//! summed from that one picture, so 200 sessions cost one scan, not 200.
//!
//! CPU is the ticks a process used since the previous pass, over the time between them. A
//! process is known by its pid *and* its start time: a pid that ended and was given to
//! another process between two passes is a new process, and its ticks are never charged
//! against the old one's (nor to the session the old one belonged to).

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use super::Usage;

/// Why /proc could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the process list in {root}: {message}")]
pub struct ProcError {
    /// The /proc folder tried.
    pub root: String,
    /// What went wrong.
    pub message: String,
}

/// One process in a pass.
#[derive(Debug, Clone, Copy)]
struct Entry {
    parent: i32,
    /// Clock ticks after boot when it started: with the pid, who it is.
    start: u64,
    /// User and system CPU ticks so far.
    ticks: u64,
    /// Ticks used since the previous pass; None when the previous pass did not see this
    /// very process (a new one, or a pid given to another process meanwhile).
    used: Option<u64>,
    /// Resident memory, bytes.
    rss: u64,
}

/// Reads /proc pass after pass, keeping the last one to measure CPU against.
#[derive(Debug)]
pub struct ProcSampler {
    root: PathBuf,
    /// The previous pass: pid → (start time, ticks).
    prev: HashMap<i32, (u64, u64)>,
    prev_at: Option<Instant>,
    ticks_per_second: u64,
    page_size: u64,
}

/// One pass over /proc, with the CPU each process used since the pass before.
#[derive(Debug, Default)]
pub struct ProcSnapshot {
    procs: HashMap<i32, Entry>,
    /// (parent, child) for every process, sorted: a parent's children are one run of it.
    children: Vec<(i32, i32)>,
    /// Seconds since the previous pass; None on the first.
    elapsed: Option<f64>,
    ticks_per_second: u64,
}

impl Default for ProcSampler {
    fn default() -> Self {
        ProcSampler::new("/proc")
    }
}

/// The longest `/proc/PID/stat` line read: 52 numbers and a name of at most 64 bytes
/// take well under 1 KiB.
const STAT_MAX: usize = 4096;

impl ProcSampler {
    /// A sampler over the proc file system at `root` (`/proc`; another path in tests).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ProcSampler {
            root: root.into(),
            prev: HashMap::new(),
            prev_at: None,
            ticks_per_second: procfs::ticks_per_second().max(1),
            page_size: procfs::page_size(),
        }
    }

    /// Reads every process once. Processes that end while they are read are left out;
    /// a /proc that cannot be listed at all is an error.
    pub fn sample(&mut self) -> Result<ProcSnapshot, ProcError> {
        let now = Instant::now();
        let dir = std::fs::read_dir(&self.root).map_err(|e| ProcError {
            root: self.root.display().to_string(),
            message: e.to_string(),
        })?;
        let mut procs = HashMap::with_capacity(self.prev.len().max(64));
        let mut path = self.root.clone();
        let mut buf = [0u8; STAT_MAX];
        for entry in dir.filter_map(Result::ok) {
            let name = entry.file_name();
            if !name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
                continue;
            }
            // Only `stat`: one open and one read per process is the whole cost of a pass.
            path.push(&name);
            path.push("stat");
            let line = read_line(&path, &mut buf);
            path.pop();
            path.pop();
            // Gone between the listing and the read, or not ours to read: not counted.
            let Some((pid, mut e)) = line.and_then(|l| parse_stat(l, self.page_size)) else {
                continue;
            };
            e.used = self
                .prev
                .get(&pid)
                .filter(|(start, _)| *start == e.start)
                .map(|(_, ticks)| e.ticks.saturating_sub(*ticks));
            procs.insert(pid, e);
        }
        let mut children: Vec<(i32, i32)> = procs.iter().map(|(p, e)| (e.parent, *p)).collect();
        children.sort_unstable();
        let elapsed = self.prev_at.map(|t| now.duration_since(t).as_secs_f64());
        self.prev.clear();
        self.prev
            .extend(procs.iter().map(|(p, e)| (*p, (e.start, e.ticks))));
        self.prev_at = Some(now);
        Ok(ProcSnapshot {
            procs,
            children,
            elapsed,
            ticks_per_second: self.ticks_per_second,
        })
    }
}

/// The first line of the file at `path`, read into `buf`; None when it cannot be read.
fn read_line<'b>(path: &std::path::Path, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut file = File::open(path).ok()?;
    let mut n = 0;
    // The kernel hands the whole line to the first read; a second read, which would
    // only say "end", is spared once the newline is there.
    while n < buf.len() {
        let got = file.read(&mut buf[n..]).ok()?;
        n += got;
        if got == 0 || buf[..n].ends_with(b"\n") {
            break;
        }
    }
    (n > 0).then(|| &buf[..n])
}

/// pid and the fields a pass needs from a `/proc/PID/stat` line; None when the line is
/// not one. The name between the parentheses may hold spaces and parentheses itself, so
/// the fields are counted from the last `)`.
fn parse_stat(line: &[u8], page_size: u64) -> Option<(i32, Entry)> {
    fn num<T: std::str::FromStr>(field: Option<&[u8]>) -> Option<T> {
        std::str::from_utf8(field?).ok()?.parse().ok()
    }
    let open = line.iter().position(|b| *b == b'(')?;
    let close = line.iter().rposition(|b| *b == b')')?;
    let pid = num(Some(line[..open].trim_ascii()))?;
    // After the name, from 0: state, ppid (1), … utime (11), stime (12), … starttime (19),
    // vsize (20), rss in pages (21).
    let mut fields = line
        .get(close + 1..)?
        .split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty());
    let parent = num(fields.nth(1))?;
    let utime: u64 = num(fields.nth(9))?;
    let stime: u64 = num(fields.next())?;
    let start = num(fields.nth(6))?;
    let pages: u64 = num(fields.nth(1))?;
    Some((
        pid,
        Entry {
            parent,
            start,
            ticks: utime.saturating_add(stime),
            used: None,
            rss: pages.saturating_mul(page_size),
        },
    ))
}

impl ProcSnapshot {
    /// The summed use of the trees under `roots` (each process counted once); None when
    /// none of them is alive. CPU is None on the first pass.
    pub fn usage(&self, roots: &[u32]) -> Option<Usage> {
        let mut stack: Vec<i32> = roots
            .iter()
            .filter_map(|r| i32::try_from(*r).ok())
            .filter(|r| self.procs.contains_key(r))
            .collect();
        if stack.is_empty() {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let (mut rss, mut ticks) = (0u64, 0u64);
        while let Some(pid) = stack.pop() {
            // The parent links come from one pass, but a set still guards against a cycle.
            if !seen.insert(pid) {
                continue;
            }
            let Some(e) = self.procs.get(&pid) else {
                continue;
            };
            rss = rss.saturating_add(e.rss);
            ticks = ticks.saturating_add(e.used.unwrap_or(0));
            stack.extend(self.children_of(pid));
        }
        let cpu_percent = self.elapsed.filter(|s| *s > 0.0).map(|secs| {
            #[allow(clippy::cast_precision_loss)]
            let t = ticks as f64 / self.ticks_per_second as f64;
            t / secs * 100.0
        });
        Some(Usage {
            cpu_percent,
            memory_bytes: Some(rss),
        })
    }

    fn children_of(&self, pid: i32) -> impl Iterator<Item = i32> + '_ {
        let from = self.children.partition_point(|(p, _)| *p < pid);
        self.children[from..]
            .iter()
            .take_while(move |(p, _)| *p == pid)
            .map(|(_, c)| *c)
    }

    /// How many processes the pass saw.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// Whether the pass saw no process.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `ROOT/PID/stat` as the kernel does, with the fields the sampler reads.
    fn write_stat(root: &std::path::Path, pid: i32, ppid: i32, ticks: u64, start: u64, pages: u64) {
        let dir = root.join(pid.to_string());
        std::fs::create_dir_all(&dir).expect("proc dir");
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss …
        let line = format!(
            "{pid} (sh) S {ppid} {pid} {pid} 0 -1 4194560 0 0 0 0 {ticks} 0 0 0 20 0 1 0 {start} 1000000 {pages} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
        );
        std::fs::write(dir.join("stat"), line).expect("stat");
    }

    #[test]
    fn a_reused_pid_is_never_charged_to_the_old_tree() {
        let root = tempfile::tempdir().expect("temp dir");
        let r = root.path();
        // A pane (10) with a child (11), and an unrelated process (20).
        write_stat(r, 10, 1, 100, 500, 10);
        write_stat(r, 11, 10, 1000, 600, 20);
        write_stat(r, 20, 1, 0, 700, 5);
        let mut s = ProcSampler::new(r);
        let first = s.sample().expect("first pass");
        let u = first.usage(&[10]).expect("alive");
        assert_eq!(u.cpu_percent, None, "nothing to compare with yet");
        assert_eq!(u.memory_bytes, Some(30 * procfs::page_size()));
        // The child ends; its pid goes to a new, busy process under the pane. The pane
        // itself used 10 ticks.
        write_stat(r, 10, 1, 110, 500, 10);
        write_stat(r, 11, 10, 900_000, 9_999, 20);
        let second = s.sample().expect("second pass");
        let u = second.usage(&[10]).expect("alive");
        let cpu = u.cpu_percent.expect("a second pass measures CPU");
        let elapsed = second.elapsed.expect("elapsed");
        #[allow(clippy::cast_precision_loss)]
        let expected = 10.0 / procfs::ticks_per_second() as f64 / elapsed * 100.0;
        assert!((cpu - expected).abs() < 1e-6, "{cpu} vs {expected}");
        // A tree whose first process is gone has no figure.
        assert_eq!(second.usage(&[99]), None);
        assert_eq!(second.len(), 3);
    }

    #[test]
    fn a_stat_line_is_read_after_the_last_parenthesis_of_the_name() {
        // A name may hold spaces and parentheses (`prctl`, or a program named so).
        let line = b"4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 0 0 0 0 150 50 0 0 20 0 1 0 987654 1000000 12 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        let (pid, e) = parse_stat(line, 4096).expect("a stat line");
        assert_eq!(pid, 4242);
        assert_eq!(
            (e.parent, e.ticks, e.start, e.rss),
            (17, 200, 987_654, 12 * 4096)
        );
        // Cut short, as a read of a process that ends mid-way could be: no entry.
        assert!(parse_stat(b"4242 (sh) S 17 4242", 4096).is_none());
        assert!(parse_stat(b"", 4096).is_none());
    }

    #[test]
    fn an_unreadable_proc_is_an_error_and_a_vanished_process_is_left_out() {
        let mut s = ProcSampler::new("/nonexistent/proc");
        assert!(s.sample().is_err());
        let root = tempfile::tempdir().expect("temp dir");
        write_stat(root.path(), 10, 1, 0, 1, 1);
        // A process folder without its stat: it ended while the pass read it.
        std::fs::create_dir_all(root.path().join("11")).expect("dir");
        let mut s = ProcSampler::new(root.path());
        let snap = s.sample().expect("pass");
        assert_eq!(snap.len(), 1);
        assert!(snap.usage(&[11]).is_none());
    }
}
