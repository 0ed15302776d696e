#!/usr/bin/env python3
"""Measurement driver of the muxdeck world benchmark (benches/world/run.sh).

run.sh builds the world (private TMUX_TMPDIR, private podman store, config) and calls
`measure.py measure ...`; that runs the timed phases and writes results.json. After the
criterion benches, run.sh calls `measure.py report ...`, which prints the final table and
writes RESULTS.md. Python standard library only; Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import re
import shutil
import signal
import tempfile
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

CLK = os.sysconf("SC_CLK_TCK")
# A tmux pane writing numbered green lines flat out: coreutils' seq is as fast as `yes`, and
# the numbers tell the lag and any lines lost.
FLOOD_CMD = "exec seq -f \"$(printf '\\033[32mflood\\033[0m line %%.0f')\" 1 999999999999"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
FALLBACK_PANE_FORMAT = (
    "#{session_created}\t#{session_attached}\t#{session_windows}\t#{window_active}\t"
    "#{pane_active}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t#{session_name}"
)

# ---------------------------------------------------------------------------------------
# results


class Results:
    """Rows of the final table plus free-form detail lines, saved after every change so a
    failure late in the run keeps what was measured."""

    def __init__(self, path: Path):
        self.path = path
        self.data = {"rows": [], "details": [], "errors": []}
        if path.exists():
            self.data = json.loads(path.read_text())

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def row(self, section, metric, measured, target="", verdict="INFO") -> None:
        self.data["rows"].append(
            {"section": section, "metric": metric, "measured": measured,
             "target": target, "verdict": verdict}
        )
        print(f"  {metric}: {measured}  [{target or '-'}] {verdict}", flush=True)
        self.save()

    def detail(self, text: str) -> None:
        self.data["details"].append(text)
        print("  " + text.replace("\n", "\n  "), flush=True)
        self.save()

    def error(self, phase: str, text: str) -> None:
        self.data["errors"].append(f"{phase}: {text}")
        self.row(phase, f"{phase} (phase failed)", text[:200], "", "ERROR")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def mib(kb: float) -> str:
    return f"{kb / 1024:.1f} MiB"


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(xs, p):
    """Percentile with linear interpolation (p in 0..100)."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---------------------------------------------------------------------------------------
# processes and /proc


def status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(key.encode() + b":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        pass
    return 0


def proc_stat(pid: int):
    """(ppid, utime, stime, cutime, cstime) in ticks, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    r = s.rfind(b")")
    fl = s[r + 2:].split()
    return int(fl[1]), int(fl[11]), int(fl[12]), int(fl[13]), int(fl[14])


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            parts = [p.decode(errors="replace") for p in f.read().split(b"\0") if p]
    except (FileNotFoundError, ProcessLookupError):
        return "?"
    if parts:
        parts[0] = os.path.basename(parts[0])
    return " ".join(parts)


def children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(x) for x in f.read().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def descendants(pid: int) -> list[int]:
    out, todo = [], children(pid)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return out


def machine_busy():
    """Aggregate (busy, total) jiffies of all CPUs."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


def machine_busy_since(b0) -> float:
    b1 = machine_busy()
    dt = b1[1] - b0[1]
    return (b1[0] - b0[0]) / dt * 100 if dt else 0.0


def run_timed(argv, *, env=None, cwd=None, out_path=None, poll_hwm=False, timeout=60):
    """Runs argv to its end. Wall time (perf_counter around spawn..reap), the rusage of the
    whole tree (wait4: max RSS of the process *or any of its reaped children*, CPU), and,
    with poll_hwm, the process's own VmHWM polled every ~0.3 ms (a lower bound of its peak
    RSS: what it allocates in its last fraction of a millisecond is not seen)."""
    out = open(out_path, "wb") if out_path else subprocess.DEVNULL
    err_path = (str(out_path) + ".err") if out_path else None
    err = open(err_path, "wb") if err_path else subprocess.DEVNULL
    hwm = 0
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    deadline = t0 + timeout
    try:
        if poll_hwm:
            while True:
                pid, st, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                hwm = max(hwm, status_kb(p.pid, "VmHWM"))
                if time.perf_counter() > deadline:
                    os.kill(p.pid, signal.SIGKILL)
                time.sleep(0.0003)
        else:
            pid, st, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
    finally:
        if out_path:
            out.close()
            err.close()
    p.returncode = os.waitstatus_to_exitcode(st)
    return {
        "wall": t1 - t0,
        "rc": p.returncode,
        "tree_maxrss_kb": ru.ru_maxrss,
        "cpu": ru.ru_utime + ru.ru_stime,
        "hwm_kb": hwm,
    }


def sh(argv, env=None, check=True, timeout=120) -> str:
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])}: rc {r.returncode}: {r.stderr.strip()[:300]}")
    return r.stdout


# ---------------------------------------------------------------------------------------
# tmux control-mode client to the UI server


class Ctl:
    """A control-mode client of the UI tmux server: runs commands (send-keys, capture-pane)
    without spawning a process each time, and, while recording, timestamps the UI pane's
    output (what muxdeck writes to its terminal)."""

    def __init__(self, sock: str, target: str):
        self.p = subprocess.Popen(
            ["tmux", "-S", sock, "-C", "attach-session", "-t", target, "-f", "ignore-size,no-output"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.replies: queue.Queue = queue.Queue()
        self.recording: list | None = None
        self.last = b""
        self.problem = ""
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.cmd("display-message -p ready")

    def _read(self) -> None:
        block, flag = None, b"1"
        try:
            for line in self.p.stdout:
                self.last = line[:120]
                if block is not None:
                    if line.startswith(b"%end ") or line.startswith(b"%error "):
                        if flag == b"1":
                            self.replies.put((line.startswith(b"%end "), block))
                        block = None
                    else:
                        block.append(line.rstrip(b"\n").decode("utf-8", errors="replace"))
                    continue
                if line.startswith(b"%begin "):
                    parts = line.split()
                    flag = parts[3] if len(parts) > 3 else b"1"
                    block = []
                elif line.startswith(b"%output "):
                    rec = self.recording
                    if rec is not None:
                        data = line.split(b" ", 2)[2] if line.count(b" ") >= 2 else b""
                        rec.append((time.perf_counter(), len(data) - 1 - 3 * data.count(b"\\")))
                elif line.startswith(b"%exit"):
                    self.problem = line.decode(errors="replace").strip()
        except Exception as e:  # noqa: BLE001
            self.problem = f"reader failed: {type(e).__name__}: {e}"
        self.replies.put(None)

    def cmd(self, command: str, timeout: float = 30) -> list[str]:
        self.p.stdin.write(command.encode() + b"\n")
        self.p.stdin.flush()
        try:
            r = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the UI tmux server did not answer `{command}` in {timeout}s (reader "
                               f"{'alive' if self.t.is_alive() else 'dead'} {self.problem}; last line "
                               f"{self.last!r})") from None
        if r is None:
            raise RuntimeError(f"UI tmux control client ended: {self.problem}")
        ok, lines = r
        if not ok:
            raise RuntimeError(f"tmux: {command}: {' '.join(lines)}")
        return lines

    def screen(self) -> str:
        return "\n".join(self.cmd("capture-pane -p -t ui"))

    def output(self, on: bool) -> None:
        self.cmd("refresh-client -f " + ("'!no-output'" if on else "no-output"))

    def close(self) -> None:
        try:
            self.p.stdin.close()
            self.p.wait(timeout=5)
        except Exception:  # noqa: BLE001 - best effort
            self.p.kill()


# ---------------------------------------------------------------------------------------
# the benchmark


class Bench:
    def __init__(self, a):
        self.a = a
        self.res = Results(Path(a.results))
        self.work = Path(a.work)
        self.mux = a.muxdeck
        self.cfg = a.config
        self.sockets = a.sockets.split(",")
        self.expected = a.tmux_sessions + a.containers + a.defined
        self.env = dict(os.environ)
        self.pane_format = self._pane_format()
        self.slowest = None  # (name, seconds)
        self.percall_cpu = {}
        self.ui_sock = str(self.work / "ui.sock")
        self.ctl: Ctl | None = None

    def _pane_format(self) -> str:
        src = Path(self.a.repo) / "src/backend/tmux.rs"
        try:
            m = re.search(r'const PANE_FORMAT: &str\s*=\s*"([^"]*)"', src.read_text())
            if m:
                return m.group(1).replace("\\t", "\t")
        except OSError:
            pass
        return FALLBACK_PANE_FORMAT

    def out(self, name: str) -> Path:
        return self.work / "out" / name

    # -- phase 2 --------------------------------------------------------------------------

    def backend_calls(self):
        calls = []
        for s in self.sockets + ["default"]:
            calls.append((f"tmux -L {s} list-panes -a", ["tmux", "-L", s, "list-panes", "-a", "-F", self.pane_format]))
        calls.append(("podman ps -a --format json", ["podman", "ps", "-a", "--pod", "--no-trunc", "--format", "json"]))
        if shutil.which("docker"):
            calls.append(("docker ps -a --format json", ["docker", "ps", "-a", "--no-trunc", "--format", "json"]))
        return calls

    def phase_cli(self) -> None:
        print("\n== 2. muxdeck list --json vs the slowest single backend call", flush=True)
        calls = self.backend_calls()
        mux = [self.mux, "--config", self.cfg, "list", "--json"]
        walls = {n: [] for n, _ in calls}
        cpus = {n: [] for n, _ in calls}
        mux_wall, mux_cpu, mux_hwm, mux_tree = [], [], [], []
        # Warm-up (page cache, podman's first-run work), not counted.
        for _, argv in calls:
            run_timed(argv)
        r = run_timed(mux, out_path=self.out("list.json"))
        doc = json.loads(self.out("list.json").read_text())
        n = len(doc["sessions"])
        states = {}
        for s in doc["sessions"]:
            states[s["state"]] = states.get(s["state"], 0) + 1
        self.res.detail(f"muxdeck list --json lists {n} sessions (expected {self.expected}): {states}; "
                        f"backends: {json.dumps(doc.get('backends'))}")
        if n != self.expected:
            self.res.error("list", f"listed {n} sessions, expected {self.expected}")
        for _ in range(self.a.rounds):
            for name, argv in calls:
                r = run_timed(argv)
                walls[name].append(r["wall"])
                cpus[name].append(r["cpu"])
            r = run_timed(mux)
            mux_wall.append(r["wall"])
            mux_cpu.append(r["cpu"])
            mux_tree.append(r["tree_maxrss_kb"])
        for _ in range(max(3, self.a.rounds // 2)):
            mux_hwm.append(run_timed(mux, poll_hwm=True)["hwm_kb"])
        lines = [f"{'call (alone, median of %d)' % self.a.rounds:<44} {'wall':>9} {'cpu':>9}"]
        for name, _ in calls:
            lines.append(f"{name:<44} {ms(median(walls[name])):>9} {ms(median(cpus[name])):>9}")
            self.percall_cpu[name] = median(cpus[name])
        lines.append(f"{'muxdeck list --json':<44} {ms(median(mux_wall)):>9} {ms(median(mux_cpu)):>9}  "
                     f"(all runs: {', '.join(f'{x*1000:.0f}' for x in mux_wall)} ms)")
        self.res.detail("\n".join(lines))
        slow_name = max(walls, key=lambda k: median(walls[k]))
        self.slowest = (slow_name, median(walls[slow_name]))
        ratio = median(mux_wall) / self.slowest[1]
        self.res.row("list", "slowest single backend call, alone (median)", f"{ms(self.slowest[1])} ({slow_name})")
        self.res.row("list", "`muxdeck list --json` wall (median)", ms(median(mux_wall)))
        self.res.row("list", "`list --json` / slowest single call", f"{ratio:.2f}x", "<= 1.5x", verdict(ratio <= 1.5))
        self.res.row("list", "`list --json` peak RSS of muxdeck (VmHWM, polled)", mib(median(mux_hwm)))
        self.res.row("list", "`list --json` max RSS of its process tree (wait4)", mib(median(mux_tree)),
                     "", "INFO")
        self.mux_list_median = median(mux_wall)

    # -- phase 3 --------------------------------------------------------------------------

    def phase_kstlib(self) -> None:
        print("\n== 3. Python reference: kstlib ops list --json", flush=True)
        if self.a.kstlib_skip:
            self.res.row("kstlib", "kstlib ops list --json", "SKIPPED: " + self.a.kstlib_skip, ">= 10x slower", "SKIPPED")
            return
        kst_dir = self.a.kstlib_dir
        uid = os.getuid()
        sock_dir = self.work / "world" / f"tmux-{uid}"
        # kstlib finds its sockets in /tmp/tmux-UID only (it ignores TMUX_TMPDIR): show it the
        # world there, in a private mount namespace, so nothing outside sees the bind mount.
        wrap = ["unshare", "-m", "sh", "-c",
                'src=$1; dst=$2; shift 2; mount --make-rprivate / 2>/dev/null; '
                'mount --bind "$src" "$dst" && exec "$@"',
                "sh", str(sock_dir), f"/tmp/tmux-{uid}"]
        env = dict(self.env, HOME=kst_dir, NO_COLOR="1", COLUMNS="200", TERM="dumb")
        kst = wrap + [self.a.kstlib, "ops", "list", "--json"]
        mux = wrap + [self.mux, "--config", self.cfg, "list", "--json"]
        r = run_timed(kst, env=env, cwd=kst_dir, out_path=self.out("kstlib.json"), timeout=120)
        text = self.out("kstlib.json").read_text(errors="replace")
        err = Path(str(self.out("kstlib.json")) + ".err").read_text(errors="replace")
        try:
            start = text.index("[")
            items = json.loads(text[start:])
        except (ValueError, json.JSONDecodeError) as e:
            reason = f"rc {r['rc']}, output is not JSON ({e}); stderr: {err.strip()[-200:]}"
            self.res.row("kstlib", "kstlib ops list --json", "SKIPPED: " + reason, ">= 10x slower", "SKIPPED")
            return
        kinds = {}
        for it in items:
            k = f"{it.get('backend')}/{it.get('state')}"
            kinds[k] = kinds.get(k, 0) + 1
        self.res.detail(f"kstlib (rc {r['rc']}) lists {len(items)} sessions (muxdeck: {self.expected}): {kinds}")
        if len(items) < self.expected * 0.9:
            reason = f"lists only {len(items)} of {self.expected} sessions on this world; stderr: {err.strip()[-200:]}"
            self.res.row("kstlib", "kstlib ops list --json", "SKIPPED: " + reason, ">= 10x slower", "SKIPPED")
            return
        kw, mw = [], []
        for _ in range(self.a.kstlib_rounds):
            kw.append(run_timed(kst, env=env, cwd=kst_dir, timeout=120)["wall"])
            mw.append(run_timed(mux, env=env, cwd=kst_dir)["wall"])
        speed = median(kw) / median(mw)
        self.res.detail(f"kstlib runs: {', '.join(f'{x*1000:.0f}' for x in kw)} ms; muxdeck under the same "
                        f"wrapper: {', '.join(f'{x*1000:.0f}' for x in mw)} ms")
        self.res.row("kstlib", "kstlib ops list --json wall (median)", ms(median(kw)))
        self.res.row("kstlib", "muxdeck list --json, same wrapper (median)", ms(median(mw)))
        self.res.row("kstlib", "muxdeck speed-up over kstlib", f"{speed:.1f}x", ">= 10x", verdict(speed >= 10))

    # -- the UI ---------------------------------------------------------------------------

    def start_ui(self) -> None:
        loop = self.work / "ui-loop.sh"
        keep = ["PATH", "TMUX_TMPDIR", "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "HOME", "LANG", "LC_ALL",
                "MALLOC_ARENA_MAX", "RUST_LOG"]
        exports = "".join(f"export {k}='{os.environ[k]}'\n" for k in keep if k in os.environ)
        loop.write_text(
            "#!/bin/sh\n" + exports +
            "unset NO_COLOR\n"
            "while read -r _; do printf '\\033[H\\033[2J'; "
            f"'{self.mux}' --config '{self.cfg}' 2>>'{self.work}/out/tui.err'; done\n"
        )
        sh(["tmux", "-f", "/dev/null", "-S", self.ui_sock, "new-session", "-d", "-x", "120", "-y", "40",
            "-s", "ui", "sh", str(loop)])
        sh(["tmux", "-S", self.ui_sock, "set-option", "-g", "status", "off"])
        self.ctl = Ctl(self.ui_sock, "ui")
        self.ui_shell = int(self.ctl.cmd("display-message -p -t ui '#{pane_pid}'")[0])
        self.ui_server = int(self.ctl.cmd("display-message -p '#{pid}'")[0])

    def mux_pid(self):
        kids = children(self.ui_shell)
        for k in kids:
            if "muxdeck" in cmdline(k):
                return k
        return None

    def launch(self, expected: int, timeout: float = 30.0):
        """Starts muxdeck in the UI pane; returns (first frame s, full list s, poll s)."""
        if self.mux_pid():
            raise RuntimeError("muxdeck is already running in the UI pane")
        ctl = self.ctl
        t0 = time.perf_counter()
        ctl.cmd("send-keys -t ui Enter")
        first = full = None
        polls = []
        self.arrivals = {}
        while time.perf_counter() - t0 < timeout:
            a = time.perf_counter()
            scr = ctl.screen()
            b = time.perf_counter()
            polls.append(b - a)
            if first is None and scr.strip():
                first = b - t0
            # The status bar says "<source>: loading…" until the source's first report.
            for src in ("tmux", "podman", "docker"):
                if src not in self.arrivals and f"{src}: " in scr and f"{src}: loading" not in scr:
                    self.arrivals[src] = b - t0
            # A tight loop would take most of a core from what it measures (2 cores here).
            time.sleep(0.002 if first is None else 0.005)
            # " sessions N ", or " sessions I/N " when the rows do not all fit.
            m = re.search(r" sessions (?:\d+/)?(\d+) ", scr)
            if m and int(m.group(1)) >= expected:
                full = b - t0
                break
        if full is None:
            raise RuntimeError(f"the list never showed {expected} sessions; screen:\n{scr}")
        return first, full, median(polls)

    def quit_ui(self) -> None:
        pid = self.mux_pid()
        self.ctl.cmd("send-keys -t ui Escape")
        self.ctl.cmd("send-keys -t ui q")
        t = time.time()
        while pid and Path(f"/proc/{pid}").exists() and time.time() - t < 5:
            st = proc_stat(pid)
            if st is None:
                break
            time.sleep(0.02)
        if pid and proc_stat(pid) is not None and Path(f"/proc/{pid}").exists():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except FileNotFoundError:
                zombie = True
            if not zombie:
                os.kill(pid, signal.SIGTERM)
                time.sleep(0.5)

    def wait_screen(self, pattern: str, timeout: float = 20.0) -> str:
        t = time.time()
        scr = ""
        while time.time() - t < timeout:
            scr = self.ctl.screen()
            if re.search(pattern, scr):
                return scr
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for /{pattern}/ on screen:\n{scr}")

    # -- phase 4 --------------------------------------------------------------------------

    def phase_tui_start(self) -> None:
        print("\n== 4. TUI: first frame and full list (120x40)", flush=True)
        firsts, fulls, polls = [], [], []
        arrivals = {}
        for _ in range(self.a.ui_rounds):
            f, full, poll = self.launch(self.expected)
            for k, v in self.arrivals.items():
                arrivals.setdefault(k, []).append(v)
            firsts.append(f)
            fulls.append(full)
            polls.append(poll)
            time.sleep(0.3)
            self.quit_ui()
            time.sleep(0.3)
        poll = median(polls)
        self.res.detail(f"TUI launches: first frame {', '.join(f'{x*1000:.0f}' for x in firsts)} ms; "
                        f"full list {', '.join(f'{x*1000:.0f}' for x in fulls)} ms; the screen is read every "
                        f"2 ms until the first frame, then every 5 ms (one read takes {poll*1000:.2f} ms); t0 = the Enter that starts muxdeck "
                        f"from an idle shell loop; first report on screen (median): " +
                        ", ".join(f"{k} {ms(median(v))}" for k, v in sorted(arrivals.items(), key=lambda kv: median(kv[1]))))
        self.res.row("tui", "TUI first frame (median)", f"{ms(median(firsts))} (polled every 2 ms)",
                     "<= 50 ms", verdict(median(firsts) <= 0.050))
        ratio = median(fulls) / self.slowest[1] if self.slowest else float("nan")
        self.res.row("tui", f"TUI full list ({self.expected} rows, median)", ms(median(fulls)))
        self.res.row("tui", "TUI full list / slowest single call", f"{ratio:.2f}x", "<= 1.5x", verdict(ratio <= 1.5))

    # -- phase 5 and 7 --------------------------------------------------------------------

    def world_server_pids(self):
        pids = {}
        env = dict(self.env)
        for s in self.sockets:
            out = sh(["tmux", "-L", s, "display-message", "-p", "#{pid}"], env=env, check=False).strip()
            if out.isdigit():
                pids[s] = int(out)
        return pids

    def world_health(self) -> str:
        out = []
        for s in self.sockets:
            r = subprocess.run(["tmux", "-L", s, "list-sessions", "-F", "#{session_name}"],
                               capture_output=True, text=True, timeout=30)
            out.append(f"-L {s}: rc {r.returncode}, {len(r.stdout.split())} sessions"
                       + (f", stderr {r.stderr.strip()!r}" if r.stderr.strip() else ""))
        return "; ".join(out)

    def tree_ticks(self, root: int):
        """Σ utime+stime+cutime+cstime of root and its live descendants, per process."""
        per = {}
        st = proc_stat(root)
        if st:
            per[root] = (cmdline(root), st[1] + st[2], st[3] + st[4])
        for d in descendants(root):
            st = proc_stat(d)
            if st:
                per[d] = (cmdline(d), st[1] + st[2], st[3] + st[4])
        return per

    def stats_columns(self, on: bool) -> None:
        """Shows (on) or hides the CPU / MEM columns with `c`, and waits for the header to
        say so. At 120 columns they show by default."""
        header = r"\bCPU\b.*\bMEM\b"
        if bool(re.search(header, self.ctl.screen())) != on:
            self.ctl.cmd("send-keys -t ui c")
        t = time.time()
        while time.time() - t < 10:
            if bool(re.search(header, self.ctl.screen())) == on:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the CPU / MEM columns did not {'show' if on else 'hide'}")

    def phase_idle(self) -> None:
        """Idle with the CPU / MEM columns hidden (`c`): nothing is measured in the
        background, as before the columns existed. Run --idle-runs times in a row."""
        runs = []
        for k in range(self.a.idle_runs):
            runs.append(self.idle_window(stats=False, run=k + 1))
        worst = max(runs)
        self.res.row("idle", "idle CPU, stats off: muxdeck + descendants + world tmux servers",
                     f"{', '.join(f'{r:.2f}' for r in runs)}% of a core ({len(runs)} run(s) in a row; "
                     f"breakdown in the details)", "<= 0.8% each", verdict(worst <= 0.8))

    def phase_idle_stats(self) -> None:
        """Idle with the CPU / MEM columns shown: every 2 s one `podman stats` (and docker's,
        when it runs) and one pass over /proc for the 200 tmux sessions."""
        total = self.idle_window(stats=True, run=1)
        self.res.row("idle", "idle CPU, stats on (CPU/MEM columns), container engine included",
                     f"{total:.2f}% of a core (breakdown in the details)", "<= 2%", verdict(total <= 2.0))

    def idle_window(self, stats: bool, run: int) -> float:
        label = "stats on" if stats else "stats off"
        print(f"\n== 5. idle cost ({label}, run {run}): TUI open on the world, a quiet log followed, "
              f"{self.a.idle}s", flush=True)
        if not self.mux_pid():
            self.launch(self.expected)
        first_row = f"tmux@{self.sockets[0]}:s000"
        self.wait_screen(r"logs · " + re.escape(first_row) + r" · following")
        self.stats_columns(stats)
        time.sleep(3)  # the first follow (history) and the watchers' first rounds settle
        mux = self.mux_pid()
        kids = [cmdline(p) for p in descendants(mux)]
        self.res.detail(f"[idle, {label}, run {run}] muxdeck pid {mux}; its children at rest: {kids}")
        world = self.world_server_pids()
        w0 = {s: sum(proc_stat(p)[1:3]) for s, p in world.items()}
        ui0 = sum(proc_stat(self.ui_server)[1:3])
        s0 = self.tree_ticks(mux)
        m0 = machine_busy()
        seen, pending = {}, {}
        own = cmdline(mux)
        t0 = time.time()
        end = t0 + self.a.idle
        while time.time() < end:
            now = time.time()
            for d in children(mux):
                if d not in s0 and d not in seen:
                    pending.setdefault(d, now)
            for d, since in list(pending.items()):
                c = cmdline(d)
                # Between fork and exec a child still shows muxdeck's command line.
                if c not in ("", "?", own):
                    seen[d] = c
                    del pending[d]
                elif now - since > 1 or c == "?":
                    del pending[d]
            time.sleep(0.01)
        s1 = self.tree_ticks(mux)
        machine = machine_busy_since(m0) * (os.cpu_count() or 1)
        wall = time.time() - t0
        w1 = {s: sum(proc_stat(p)[1:3]) for s, p in world.items()}
        ui1 = sum(proc_stat(self.ui_server)[1:3])
        hwm = status_kb(mux, "VmHWM")
        rss = status_kb(mux, "VmRSS")

        def core(ticks):
            return ticks / CLK / wall * 100

        self_d = s1[mux][1] - s0[mux][1]
        reaped_d = s1[mux][2] - s0[mux][2]
        desc_lines, desc_d = [], 0
        for pid, (cmd, own, reaped) in s1.items():
            if pid == mux:
                continue
            before = s0.get(pid, (cmd, 0, 0))
            d = (own + reaped) - (before[1] + before[2])
            desc_d += d
            desc_lines.append(f"    live descendant {pid} `{cmd[:70]}`: {core(d):.2f}%")
        gone_before = sum(own + reaped for pid, (cmd, own, reaped) in s0.items() if pid != mux and pid not in s1)
        total_mux = self_d + reaped_d + desc_d - gone_before
        world_d = sum(w1[s] - w0[s] for s in world)
        total = total_mux + world_d
        kinds = {}
        for cmd in seen.values():
            k = " ".join(cmd.split()[:1] + [w for w in cmd.split()[1:] if not w.startswith("-") and "#{" not in w][:2])
            kinds[k] = kinds.get(k, 0) + 1
        est = []
        dm = [run_timed(["tmux", "-L", self.sockets[0], "display-message", "-p", "-t", "=s000:",
                         "#{pane_id} #{history_size}"])["cpu"] for _ in range(5)]
        est.append(f"~{wall / 2:.0f} x `tmux display-message` (a quiet followed pane is polled every 2 s) x "
                   f"{median(dm) * 1000:.1f} ms = {median(dm) / 2 * 100:.2f}%")
        tmux_rounds = wall / 15
        tmux_calls = [n for n in self.percall_cpu if n.startswith("tmux")]
        tmux_cpu = sum(self.percall_cpu[n] for n in tmux_calls)
        est.append(f"{tmux_rounds:.0f} tmux rounds (every 15 s when /proc shows no change) x {len(tmux_calls)} "
                   f"list-panes calls x measured CPU = {tmux_rounds * tmux_cpu:.2f} s "
                   f"({tmux_rounds * tmux_cpu / wall * 100:.2f}%)")
        for name, every in (("docker ps -a --format json", 60.0), ("podman ps -a --format json", 120.0)):
            if name in self.percall_cpu:
                n = wall / every
                est.append(f"~{n:.0f} x `{name}` (every {every:.0f}s at most while idle) x "
                           f"{self.percall_cpu[name]*1000:.0f} ms = {n * self.percall_cpu[name] / wall * 100:.2f}%")
        if stats:
            ps = [run_timed(["podman", "stats", "--no-stream", "--format", "json"])["cpu"] for _ in range(3)]
            est.append(f"~{wall / 10:.0f} x `podman stats --no-stream` (every 10 s; tmux from /proc every 2 s) x "
                       f"{median(ps) * 1000:.0f} ms = {median(ps) / 10 * 100:.2f}%")
        lines = [
            f"idle window ({label}, run {run}) {wall:.1f}s, CPU as % of one core (ticks of {1000 // CLK} ms):",
            f"  muxdeck itself (all threads):            {core(self_d):.2f}%",
            f"  children it spawned and reaped:          {core(reaped_d - gone_before):.2f}%",
            *desc_lines,
            f"  = muxdeck + all descendants:             {core(total_mux):.2f}%",
        ]
        for s in world:
            lines.append(f"  world tmux server -L {s} (pid {world[s]}): {core(w1[s] - w0[s]):.2f}%")
        lines.append(f"  = total charged to muxdeck:              {core(total):.2f}%")
        lines.append(f"  (not charged: the UI terminal's tmux server drawing muxdeck: {core(ui1 - ui0):.2f}%)")
        lines.append(f"  (the whole machine meanwhile: {machine:.0f}% of one core, i.e. "
                     f"{machine - core(total):.0f}% by other processes)")
        lines.append(f"  short-lived children seen (sampled every 10 ms, a lower bound): {kinds}")
        lines.append("  estimate of the reaped children from the measured per-call CPU:")
        lines.extend("    " + e for e in est)
        self.res.detail("\n".join(lines))
        if not stats and run == 1:
            self.res.row("memory", "TUI idle on the world: peak RSS (VmHWM)", f"{mib(hwm)} (now {mib(rss)})",
                         "<= 20 MiB", verdict(hwm <= 20 * 1024))
        return core(total)

    # -- phase 6 --------------------------------------------------------------------------

    def phase_flood(self) -> None:
        print("\n== 6. log flood", flush=True)
        if not self.mux_pid():
            self.launch(self.expected)
        mux = self.mux_pid()
        sock = self.sockets[0]
        tmux_flood, ctr_flood, tmux_now, ctr_now = self.start_floods()
        self.wait_screen(rf" sessions (?:\d+/)?{self.expected + 2} ")
        part = ["before"]
        rss = {}
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                rss[part[0]] = max(rss.get(part[0], 0), status_kb(mux, "VmRSS"))
                time.sleep(0.05)

        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        windows = []
        lat, misses = [], 0
        try:
            tmux_id, ctr_id = self.show_floods(sock)
            # A: the tmux flood alone (the container's producer stopped), B: the container alone.
            part[0] = "tmux"
            os.kill(ctr_flood, signal.SIGSTOP)
            windows.append(("tmux", self.flood_window(mux, tmux_now)))
            os.kill(ctr_flood, signal.SIGCONT)
            part[0] = "container"
            self.ctl.cmd("send-keys -t ui j")
            self.wait_screen(re.escape(f"logs · {ctr_id} "))
            os.killpg(tmux_flood, signal.SIGSTOP)
            windows.append(("container", self.flood_window(mux, ctr_now)))
            os.killpg(tmux_flood, signal.SIGCONT)
            # Keys with both floods running: k -> the tmux flood, j -> the container flood;
            # every press switches the followed stream.
            part[0] = "keys"
            lat, misses = self.switch_latency(tmux_id, ctr_id)
            part[0] = "after"
            time.sleep(1)
            hwm = status_kb(mux, "VmHWM")
        except Exception:
            self.res.detail("world tmux servers when the flood phase failed: " + self.world_health())
            raise
        finally:
            stop.set()
            th.join()
            for fn in (lambda: os.killpg(tmux_flood, signal.SIGCONT), lambda: os.kill(ctr_flood, signal.SIGCONT)):
                try:
                    fn()
                except OSError:
                    pass
        self.res.detail("world tmux servers after the flood: " + self.world_health())
        for name, w in windows:
            self.res.detail(
                f"{name} flood followed for {w['secs']:.0f}s: producer ~{w['src']:,.0f} lines/s, shown on screen "
                f"~{w['shown']:,.0f} lines/s, lag behind the producer median {w['lag']:,.0f} lines "
                f"(~{w['lag_s'] * 1000:,.0f} ms); muxdeck CPU {w['cpu']:.0f}% of a core, RSS max {mib(w['rss'])}; "
                f"screen output {w['bytes'] / 1024:,.0f} KiB/s in ~{w['fps']:.0f} bursts/s; 'lines skipped' "
                f"marker {'seen' if w['skipped'] else 'not seen'}, numbering gaps between adjacent lines seen "
                f"{w['gaps']} times in {w['samples']} screens; log {'ENDED: ' + w['ended'] if w['ended'] else 'live'}")
        self.res.detail("muxdeck RSS max per part of the flood phase: " +
                        ", ".join(f"{k} {mib(v)}" for k, v in rss.items()) + f"; VmHWM {mib(hwm)}")
        self.res.detail(f"key presses (j/k switching between the two floods, both running): n={len(lat)}, "
                        f"misses={misses}, p50 {ms(pct(lat, 50))}, p90 {ms(pct(lat, 90))}, p99 {ms(pct(lat, 99))}, "
                        f"max {ms(max(lat) if lat else float('nan'))}")
        peak = max(max(rss.values(), default=0), hwm)
        self.res.row("flood", "flood: muxdeck peak RSS (VmHWM)",
                     f"{mib(peak)} (steady: " + ", ".join(f"{n} {mib(w['rss'])}" for n, w in windows) + ")",
                     "<= 40 MiB", verdict(peak <= 40 * 1024))
        p99 = pct(lat, 99)
        self.res.row("flood", f"flood: key -> screen change p99 ({len(lat)} presses)",
                     f"{ms(p99)} (p50 {ms(pct(lat, 50))})", "<= 50 ms", verdict(p99 <= 0.050 and misses == 0))
        self.res.row("flood", "flood: frames/s (est. from output bursts)",
                     " / ".join(f"{w['fps']:.0f} ({n})" for n, w in windows), "<= 60 (cap)")
        self.res.row("flood", "flood: lag of the log view behind the producer",
                     " / ".join((f"stream ENDED: {w['ended'][:200]}" if w["ended"] else
                                 f"{w['lag_s'] * 1000:,.0f} ms") + f" ({n})" for n, w in windows))
        self.res.row("flood", "flood: 'lines skipped' marker / numbering gaps",
                     " / ".join(f"{'seen' if w['skipped'] else 'not seen'}, {w['gaps']} gaps ({n})"
                                for n, w in windows))
        self.quit_ui()
        self.stop_floods()

    # -- phase 6b: the flood with a filter on --------------------------------------------

    def rss_sampler(self, mux: int):
        """Samples muxdeck's RSS every 50 ms until the returned stop() is called, which
        gives the largest seen (kB)."""
        top = [0]
        done = threading.Event()

        def run():
            while not done.is_set():
                top[0] = max(top[0], status_kb(mux, "VmRSS"))
                time.sleep(0.05)

        th = threading.Thread(target=run, daemon=True)
        th.start()

        def stop() -> int:
            done.set()
            th.join()
            return top[0]

        return stop

    def phase_flood_filter(self) -> None:
        """As the flood phase's key presses, with a filter on in the log pane: every line of
        both floods goes through the filter as it arrives, and each switch rescans the new
        log's history (up to 2 MB of text a frame)."""
        print("\n== 6b. log flood with a filter on", flush=True)
        if not self.mux_pid():
            self.launch(self.expected)
        mux = self.mux_pid()
        sock = self.sockets[0]
        pattern = "[37]$"
        try:
            self.start_floods()
            self.wait_screen(rf" sessions (?:\d+/)?{self.expected + 2} ")
            stop = self.rss_sampler(mux)
            try:
                tmux_id, ctr_id = self.show_floods(sock)
                # The filter is typed in the log pane; Tab back to the list, where j / k switch.
                for k in ("Tab", "&", f"-l '{pattern}'", "Enter", "Tab"):
                    self.ctl.cmd(f"send-keys -t ui {k}")
                scr = self.wait_screen(re.escape(f"filter: {pattern} ") + r"\d+ of \d+ lines")
                time.sleep(1.0)
                c0 = sum(proc_stat(mux)[1:3])
                t0 = time.perf_counter()
                lat, misses = self.switch_latency(tmux_id, ctr_id)
                cpu = (sum(proc_stat(mux)[1:3]) - c0) / CLK / (time.perf_counter() - t0) * 100
                # The last switch emptied the pane: read it once it holds lines again.
                scr = self.wait_screen(re.escape(f"filter: {pattern} ") + r"[1-9]\d* of \d+ lines")
            finally:
                peak = stop()
        finally:
            self.quit_ui()
            self.stop_floods()
        kept = re.search(r"filter: \S+ (\d+) of (\d+) lines", scr)
        rows = [r for r in scr.splitlines() if re.search(r"flood line \d+", r)]
        wrong = [r for r in rows if not re.search(r"flood line \d*[37]\b", r)]
        self.res.detail(f"flood with the filter `{pattern}` on (j/k switching between the two floods, both "
                        f"running): n={len(lat)}, misses={misses}, p50 {ms(pct(lat, 50))}, p90 {ms(pct(lat, 90))}, "
                        f"p99 {ms(pct(lat, 99))}, max {ms(max(lat) if lat else float('nan'))}; muxdeck CPU "
                        f"{cpu:.0f}% of a core; last title: {kept.group(0) if kept else '?'}; rows on screen "
                        f"{len(rows)}, {len(wrong)} not matching the filter")
        p99 = pct(lat, 99)
        self.res.row("floodfilter", f"flood, filter on: key -> screen change p99 ({len(lat)} presses)",
                     f"{ms(p99)} (p50 {ms(pct(lat, 50))})", "<= 50 ms",
                     verdict(p99 <= 0.050 and misses == 0 and not wrong))
        self.res.row("floodfilter", "flood, filter on: muxdeck peak RSS", mib(peak), "<= 40 MiB",
                     verdict(peak <= 40 * 1024))

    # -- phase 6c: a merged log of ten floods -----------------------------------------------

    def phase_flood_merged(self) -> None:
        """Ten tmux panes writing flat out, merged with `L` (the list's filter shows exactly
        them); `t` toggles the timestamps, whose mark in the title is the frame a key made.
        Every twenty presses the floods pause and the settled screen is checked: a line of a
        session whose number does not follow that session's previous line must have that
        session's `lines skipped` mark between."""
        print("\n== 6c. merged log of ten floods", flush=True)
        n = 10
        sock = self.sockets[0]
        names = [f"flood-m{i}" for i in range(n)]
        if not self.mux_pid():
            self.launch(self.expected)
        mux = self.mux_pid()
        # `t` puts the time before the name on every other screen.
        row_re = re.compile(r"^│?(?:\d\d:\d\d:\d\d\.\d{3} )?(flood-m\d+)\s*\| (?:flood line (\d+)|(.*lines skipped.*))")
        lat, misses = [], 0
        check = {"screens": 0, "rows": 0, "marks": 0, "unmarked": 0, "unprefixed": 0, "unsettled": 0}
        examples = []

        # A pane's program does not stop on SIGSTOP on this kernel (a tmux pane is a session
        # leader on its own terminal; `kill -STOP` leaves it running), so the floods pause
        # themselves: each writes chunks of 10 000 numbered lines and, between chunks,
        # waits while the pause file exists. At most one chunk per pane is left to drain.
        pause = os.path.join(tempfile.mkdtemp(prefix="muxdeck-merged-"), "pause")
        chunked = ("f=\"$(printf '\\033[32mflood\\033[0m line %%.0f')\"; i=1; while :; do "
                   f"if [ -e {pause} ]; then sleep 0.1; else seq -f \"$f\" $i $((i+9999)); "
                   "i=$((i+10000)); fi; done")

        def settled():
            """The screen once the floods are paused and muxdeck has drawn what it had: a
            screen read while rows are being redrawn mixes two frames, cell by cell."""
            open(pause, "w").close()
            try:
                # The log pane's rows only: the list's CPU and AGE columns change meanwhile.
                prev, t = None, time.time()
                while time.time() - t < 60:
                    time.sleep(0.3)
                    rows = [l for l in self.ctl.screen().splitlines() if " | " in l]
                    if rows == prev:
                        return "\n".join(rows)
                    prev = rows
                check["unsettled"] += 1
                return None
            finally:
                os.unlink(pause)

        def judge(scr):
            """Each session's lines on the screen follow on, or a mark of its own sits between."""
            if scr is None:
                return
            check["screens"] += 1
            last = {}
            for line in scr.splitlines():
                if "lines skipped" in line:
                    m = row_re.match(line)
                    if m and m.group(3):
                        check["marks"] += 1
                        last.pop(m.group(1), None)
                    else:
                        check["unprefixed"] += 1
                    continue
                m = row_re.match(line)
                if not m or not m.group(2):
                    continue
                check["rows"] += 1
                name, num = m.group(1), int(m.group(2))
                if name in last and num != last[name] + 1:
                    check["unmarked"] += 1
                    if len(examples) < 3:
                        examples.append(f"{name}: {last[name]} then {num} in\n" + "\n".join(
                            l for l in scr.splitlines() if "|" in l))
                last[name] = num
        try:
            for name in names:
                sh(["tmux", "-L", sock, "new-session", "-d", "-s", name, "-x", "200", "-y", "50", chunked])
            self.wait_screen(rf" sessions (?:\d+/)?{self.expected + n} ")
            stop = self.rss_sampler(mux)
            try:
                for k in ("/", "-l flood-m", "Enter"):
                    self.ctl.cmd(f"send-keys -t ui {k}")
                self.wait_screen(rf" sessions (?:\d+/)?{n} ")
                self.ctl.cmd("send-keys -t ui L")
                self.wait_screen(rf"logs · merged: {n} sessions")
                time.sleep(2.0)
                c0 = sum(proc_stat(mux)[1:3])
                t0 = time.perf_counter()
                timed = False
                for i in range(self.a.keys):
                    time.sleep(random.uniform(0.1, 0.25))
                    timed = not timed
                    k0 = time.perf_counter()
                    self.ctl.cmd("send-keys -t ui t")
                    got = None
                    while time.perf_counter() - k0 < 3:
                        scr = self.ctl.screen()
                        title = next((l for l in scr.splitlines() if "logs · merged" in l), "")
                        if ("· time" in title) == timed:
                            got = time.perf_counter() - k0
                            break
                        time.sleep(0.002)
                    if got is None:
                        misses += 1
                    else:
                        lat.append(got)
                    if (i + 1) % 20 == 0:
                        judge(settled())
                wall = time.perf_counter() - t0
                cpu = (sum(proc_stat(mux)[1:3]) - c0) / CLK / wall * 100
                still = "merged: 10 sessions" in self.ctl.screen()
            finally:
                peak = stop()
                hwm = status_kb(mux, "VmHWM")
        finally:
            self.quit_ui()
            for name in names:
                sh(["tmux", "-L", sock, "kill-session", "-t", f"={name}"], check=False)
        p99 = pct(lat, 99)
        self.res.detail(f"merged log of {n} tmux floods (`t` toggling timestamps, its mark in the title read "
                        f"back): n={len(lat)}, misses={misses}, p50 {ms(pct(lat, 50))}, p90 {ms(pct(lat, 90))}, "
                        f"p99 {ms(p99)}, max {ms(max(lat) if lat else float('nan'))}; muxdeck CPU {cpu:.0f}% of a "
                        f"core over {wall:.0f}s, RSS max {mib(peak)}, VmHWM {mib(hwm)}; every 20 presses the floods "
                        f"paused and the settled screen judged: {check['screens']} screens ({check['unsettled']} "
                        f"never settled), {check['rows']} numbered rows, {check['marks']} 'lines skipped' marks "
                        f"after their session's name, {check['unprefixed']} without one, {check['unmarked']} jumps "
                        f"in a session's numbering with no mark of its own; merged log "
                        f"{'still open' if still else 'CLOSED'}" +
                        "".join("\nunmarked jump, " + e for e in examples))
        self.res.row("floodmerged", f"merged log of {n} floods: key -> frame p99 ({len(lat)} presses)",
                     f"{ms(p99)} (p50 {ms(pct(lat, 50))})", "<= 50 ms", verdict(p99 <= 0.050 and misses == 0))
        self.res.row("floodmerged", f"merged log of {n} floods: muxdeck peak RSS (VmHWM)",
                     mib(max(peak, hwm)), "<= 64 MiB", verdict(max(peak, hwm) <= 64 * 1024))
        self.res.row("floodmerged", f"merged log of {n} floods: drops marked with their session",
                     f"{check['marks']} marks, {check['unprefixed']} unnamed, {check['unmarked']} unmarked jumps "
                     f"in {check['screens']} settled screens ({check['rows']} rows)",
                     "all marked", verdict(check["unprefixed"] == 0 and check["unmarked"] == 0 and still
                                           and check["screens"] > 0))

    def show_floods(self, sock):
        """Filters the list down to the two floods of `start_floods` and waits until the
        tmux one's log is followed; returns the two sessions' ids."""
        for k in ("/", "-l flood", "Enter"):
            self.ctl.cmd(f"send-keys -t ui {k}")
        tmux_id = f"tmux@{sock}:flood-tmux"
        self.wait_screen(r" sessions (?:\d+/)?2 ")
        self.wait_screen(re.escape(f"logs · {tmux_id} "))
        return tmux_id, "podman:bench-flood-ctr"

    def start_floods(self):
        """Starts a tmux pane and a container writing flat out; returns their producer pids
        and functions that read how far each has written."""
        sock = self.sockets[0]
        # Numbered lines, so the screen really changes and the lag can be read off it. The
        # tmux pane gets coreutils' seq (as fast as `yes`); busybox has no seq -f, so the
        # container runs a shell loop (podman's log path is the bottleneck either way).
        sh(["tmux", "-L", sock, "new-session", "-d", "-s", "flood-tmux", "-x", "200", "-y", "50", FLOOD_CMD])
        loop = 'i=0; while :; do i=$((i+1)); printf "\\033[32mflood\\033[0m line %d\\n" $i; done'
        sh(["podman", "run", "-d", "--name", "bench-flood-ctr", "--network", "none",
            "--label", "io.muxdeck.bench=1", self.a.image, "sh", "-c", loop])
        tmux_flood = int(sh(["tmux", "-L", sock, "display-message", "-p", "-t", "=flood-tmux:", "#{pane_pid}"]).strip())
        ctr_flood = int(sh(["podman", "inspect", "--format", "{{.State.Pid}}", "bench-flood-ctr"]).strip())
        ctr_log = sh(["podman", "inspect", "--format", "{{.HostConfig.LogConfig.Path}}", "bench-flood-ctr"]).strip()

        def tmux_now():
            out = sh(["tmux", "-L", sock, "capture-pane", "-p", "-t", "=flood-tmux:"], check=False)
            nums = re.findall(r"flood line (\d+)", out)
            # The last row may be half written.
            return int(nums[-2]) if len(nums) >= 2 else None

        def ctr_now():
            try:
                with open(ctr_log, "rb") as f:
                    f.seek(max(0, os.path.getsize(ctr_log) - 400))
                    nums = re.findall(rb"flood\S* line (\d+)", f.read())
            except OSError:
                return None
            return int(nums[-2]) if len(nums) >= 2 else None

        return tmux_flood, ctr_flood, tmux_now, ctr_now

    def stop_floods(self) -> None:
        sh(["tmux", "-L", self.sockets[0], "kill-session", "-t", "=flood-tmux"], check=False)
        sh(["podman", "rm", "-f", "-t", "0", "bench-flood-ctr"], check=False)

    def switch_latency(self, tmux_id: str, ctr_id: str):
        """Key presses with both floods running: k -> the tmux flood, j -> the container
        flood; every press switches the followed stream. The time from each press until
        the screen shows the other log's title; (latencies, misses)."""
        lat, misses = [], 0
        for i in range(self.a.keys):
            key, want = ("k", tmux_id) if i % 2 == 0 else ("j", ctr_id)
            time.sleep(random.uniform(0.1, 0.25))
            t0 = time.perf_counter()
            self.ctl.cmd(f"send-keys -t ui {key}")
            got = None
            while time.perf_counter() - t0 < 3:
                if f"logs · {want} " in self.ctl.screen():
                    got = time.perf_counter() - t0
                    break
                time.sleep(0.002)
            if got is None:
                misses += 1
                self.wait_screen(re.escape(f"logs · {want} "), 10)
            else:
                lat.append(got)
        return lat, misses

    def flood_window(self, mux: int, producer) -> dict:
        """Follows a flood for a few seconds: muxdeck's CPU and RSS, the UI output (bytes and
        bursts ~ frames), and, from the numbers on screen vs the producer's, how far behind
        the view is and whether lines went missing."""
        secs = self.a.flood_window
        time.sleep(1.0)  # the stream is set up
        c0 = sum(proc_stat(mux)[1:3])
        rec: list = []
        self.ctl.recording = rec
        self.ctl.output(True)
        t0 = time.perf_counter()
        skipped, ended, gaps, samples = False, "", 0, 0
        shown, src, lags = [], [], []
        rss = 0
        while time.perf_counter() - t0 < secs:
            scr = self.ctl.screen()
            now = time.perf_counter()
            p = producer()
            samples += 1
            rss = max(rss, status_kb(mux, "VmRSS"))
            skipped = skipped or "skipped" in scr
            m = re.search(r"log (ended|stream failed): ([^\n│]*)", scr)
            if m and not ended:
                ended = m.group(2).strip()
                # The tool's own message, if it printed one into the log.
                err = re.findall(r"(Error: [^\n│]*)", scr)
                if err:
                    ended += " -- " + err[-1].strip()[:160]
            nums = [int(x) for x in re.findall(r"flood line (\d+)", scr)]
            gaps += sum(1 for a, b in zip(nums, nums[1:]) if b != a + 1)
            if nums:
                shown.append((now, nums[-1]))
            if p is not None:
                src.append((now, p))
                if nums:
                    lags.append(p - nums[-1])
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        self.ctl.output(False)
        self.ctl.recording = None
        c1 = sum(proc_stat(mux)[1:3])
        bursts, last = 0, None
        for t, _ in rec:
            if last is None or t - last > 0.004:
                bursts += 1
            last = t

        def rate(pts):
            if len(pts) >= 2 and pts[-1][0] > pts[0][0]:
                return (pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0])
            return float("nan")

        src_rate = rate(src)
        lag = median(lags)
        return {
            "secs": wall,
            "cpu": (c1 - c0) / CLK / wall * 100,
            "rss": rss,
            "bytes": sum(b for _, b in rec) / wall,
            "fps": bursts / wall,
            "skipped": skipped,
            "ended": ended,
            "gaps": gaps,
            "samples": samples,
            "src": src_rate,
            "shown": rate(shown),
            "lag": lag,
            "lag_s": lag / src_rate if src_rate and src_rate == src_rate and src_rate > 0 else float("nan"),
        }

    # -- phase 8 --------------------------------------------------------------------------

    def phase_growth(self) -> None:
        print("\n== 8. growth: muxdeck list --json --backend tmux at 10/100/1000 sessions (one socket)", flush=True)
        gdir = self.work / "grow"
        gdir.mkdir(exist_ok=True)
        env = dict(self.env, TMUX_TMPDIR=str(gdir))
        empty = self.work / "empty.yml"
        empty.write_text("")
        mux = [self.mux, "--config", str(empty), "list", "--json", "--backend", "tmux"]
        single = ["tmux", "-L", "grow", "list-panes", "-a", "-F", self.pane_format]
        have = 0
        table = []
        for n in (10, 100, 1000):
            while have < n:
                batch = min(50, n - have)
                argv = ["tmux", "-f", "/dev/null", "-L", "grow"]
                for i in range(have, have + batch):
                    if i > have:
                        argv.append(";")
                    argv += ["new-session", "-d", "-s", f"g{i:04d}", "-x", "80", "-y", "24", "sleep 100000"]
                sh(argv, env=env)
                have += batch
            run_timed(mux, env=env, out_path=self.out(f"grow{n}.json"))
            got = len(json.loads(self.out(f"grow{n}.json").read_text())["sessions"])
            walls = [run_timed(mux, env=env)["wall"] for _ in range(self.a.rounds)]
            hwms = [run_timed(mux, env=env, poll_hwm=True)["hwm_kb"] for _ in range(3)]
            singles = [run_timed(single, env=env)["wall"] for _ in range(self.a.rounds)]
            table.append((n, got, median(walls), median(hwms), median(singles)))
            target = "<= 100 ms" if n == 1000 else ""
            v = verdict(median(walls) <= 0.100) if n == 1000 else "INFO"
            self.res.row("growth", f"list --json, {n} tmux sessions: wall (median) / RSS",
                         f"{ms(median(walls))} / {mib(median(hwms))}", target, v)
            if got != n:
                self.res.error("growth", f"listed {got} of {n} sessions")
        self.res.detail("growth (one socket; muxdeck also asks the absent default server):\n" + "\n".join(
            f"  {n:>5} sessions: muxdeck {ms(w):>9}, RSS {mib(h):>9}; tmux list-panes alone {ms(s):>9}"
            f" (listed {g})" for n, g, w, h, s in table))
        sh(["tmux", "-L", "grow", "kill-server"], env=env, check=False)

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> int:
        (self.work / "out").mkdir(exist_ok=True)
        want = set(self.a.phases.split(","))
        # What the rest of the machine does while the world sits idle: timings taken on a
        # busy machine (someone's build, a test suite) are noisy, and the table says so.
        b0 = machine_busy()
        time.sleep(3)
        bg = machine_busy_since(b0)
        self.res.row("machine", "background load before measuring (world idle, 3 s)",
                     f"{bg:.0f}% of {os.cpu_count()} cores" +
                     (" -- NOISY: other processes are busy, timings vary; rerun on a quiet machine"
                      if bg > 15 else ""), "quiet", "INFO")
        phases = [("list", self.phase_cli), ("kstlib", self.phase_kstlib)]
        ui_phases = [("tui", self.phase_tui_start), ("idle", self.phase_idle),
                     ("idlestats", self.phase_idle_stats), ("flood", self.phase_flood),
                     ("floodfilter", self.phase_flood_filter), ("floodmerged", self.phase_flood_merged)]
        failed = False
        for name, fn in phases:
            if name in want:
                failed |= self.guard(name, fn)
        try:
            if want & {n for n, _ in ui_phases}:
                self.start_ui()
            # The idle phase leaves muxdeck open on the world; the flood phase goes on with it.
            for name, fn in ui_phases:
                if name in want:
                    failed |= self.guard(name, fn)
            if self.ctl and self.mux_pid():
                self.quit_ui()
        except Exception as e:  # noqa: BLE001
            self.res.error("ui", f"{type(e).__name__}: {e}")
            failed = True
        finally:
            if self.ctl:
                self.ctl.close()
            subprocess.run(["tmux", "-S", self.ui_sock, "kill-server"], capture_output=True)
        if "growth" in want:
            failed |= self.guard("growth", self.phase_growth)
        return 1 if failed else 0

    def guard(self, name, fn) -> bool:
        t = time.time()
        b0 = machine_busy()
        try:
            fn()
            busy = machine_busy_since(b0)
            load = Path("/proc/loadavg").read_text().split()[:3]
            self.res.detail(f"[{name}: {time.time() - t:.0f}s; the whole machine's "
                            f"{os.cpu_count()} cores were {busy:.0f}% busy meanwhile, measured processes included; "
                            f"load average {' '.join(load)}]")
            return False
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001 - reported in the table, the run goes on
            self.res.error(name, f"{type(e).__name__}: {e}")
            self.res.detail(f"[{name} failed]\n" + traceback.format_exc(limit=4))
            if name in ("tui", "idle", "idlestats", "flood", "floodfilter", "floodmerged") and self.ctl:
                try:
                    if self.mux_pid():
                        self.quit_ui()
                except Exception:  # noqa: BLE001
                    pass
            return True


# ---------------------------------------------------------------------------------------
# report


def criterion_rows(res: Results, log: Path, bench: str) -> None:
    if not log.exists():
        res.row("criterion", f"cargo bench --bench {bench}", "SKIPPED: not run", "", "SKIPPED")
        return
    text = log.read_text(errors="replace")
    rc = re.search(r"^rc=(\d+)", text, re.M)
    found = False
    name = None
    for line in text.splitlines():
        m = re.match(r"^(\S[^\s].*?)\s+time:\s+\[", line)
        if m:
            name = m.group(1).strip()
        elif re.match(r"^\S", line) and "time:" not in line and "thrpt:" not in line:
            # A long benchmark name is printed alone on its line, then "time:" below.
            if re.match(r"^[\w./+-]+$", line.strip()):
                name = line.strip()
        m = re.search(r"thrpt:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m and name:
            val, unit = float(m.group(1)), m.group(2)
            found = True
            if unit.endswith("B/s"):
                mult = {"B/s": 1e-6, "KiB/s": 1024 / 1e6, "MiB/s": 1024**2 / 1e6, "GiB/s": 1024**3 / 1e6}[unit]
                mbs = val * mult
                # `/vte_only` is the reference the fast paths must beat, not a target.
                gated = bench == "normalize" and not name.endswith("/vte_only")
                target = ">= 200 MB/s" if gated else ""
                v = verdict(mbs >= 200) if gated else "INFO"
                res.row("criterion", f"{name} throughput", f"{mbs:,.0f} MB/s", target, v)
            else:
                res.row("criterion", f"{name} throughput", f"{val:g} {unit}")
    if not found:
        tail = " ".join(text.strip().splitlines()[-3:])[:200]
        res.row("criterion", f"cargo bench --bench {bench}",
                f"no throughput found (rc {rc.group(1) if rc else '?'}): {tail}", "", "ERROR")


def machine() -> list[str]:
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
        except Exception:  # noqa: BLE001
            return "not installed"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    osname = "?"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return [
        f"nproc {os.cpu_count()}; CPU {cpu}; RAM {mem:.1f} GiB; kernel {platform.release()}; {osname}",
        f"{first(['tmux', '-V'])}; {first(['podman', '--version'])}; {first(['docker', '--version'])}; "
        f"{first(['rustc', '--version'])}; Python {platform.python_version()}",
    ]


def report(a) -> int:
    res = Results(Path(a.results))
    criterion_rows(res, Path(a.normalize_log), "normalize")
    criterion_rows(res, Path(a.merge_log), "merge")
    rows = res.data["rows"]
    w1 = max(len(r["metric"]) for r in rows)
    w2 = min(60, max(len(str(r["measured"])) for r in rows))
    w3 = max(len(r["target"] or "-") for r in rows)
    out = []
    out.append(f"| {'metric':<{w1}} | {'measured':<{w2}} | {'target':<{w3}} | verdict |")
    out.append(f"|{'-' * (w1 + 2)}|{'-' * (w2 + 2)}|{'-' * (w3 + 2)}|---------|")
    for r in rows:
        out.append(f"| {r['metric']:<{w1}} | {str(r['measured']):<{w2}} | {r['target'] or '-':<{w3}} | {r['verdict']:<7} |")
    mach = machine()
    head = [
        "# muxdeck world benchmark — results",
        "",
        f"Command: `benches/world/run.sh` · {time.strftime('%Y-%m-%d %H:%M:%S %Z')} · muxdeck {a.commit} · "
        f"total {a.elapsed}s",
        "",
        f"World: {a.world}",
        "",
        "## Machine",
        "",
        *[f"- {m}" for m in mach],
        "",
        "## Results",
        "",
        *out,
        "",
        "## Details",
        "",
        "```",
        *res.data["details"],
        "```",
        "",
    ]
    text = "\n".join(head)
    print("\n" + text)
    if a.out:
        Path(a.out).write_text(text)
        print(f"written to {a.out}")
    fails = [r for r in rows if r["verdict"] in ("FAIL", "ERROR")]
    print(f"{len([r for r in rows if r['verdict'] == 'PASS'])} targets met, "
          f"{len([r for r in rows if r['verdict'] == 'FAIL'])} missed, "
          f"{len([r for r in rows if r['verdict'] == 'ERROR'])} errors")
    return 0 if not [r for r in fails if r["verdict"] == "ERROR"] else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--repo", required=True)
    m.add_argument("--work", required=True)
    m.add_argument("--results", required=True)
    m.add_argument("--muxdeck", required=True)
    m.add_argument("--config", required=True)
    m.add_argument("--sockets", required=True)
    m.add_argument("--image", required=True)
    m.add_argument("--tmux-sessions", type=int, required=True)
    m.add_argument("--containers", type=int, required=True)
    m.add_argument("--defined", type=int, required=True)
    m.add_argument("--kstlib", default="")
    m.add_argument("--kstlib-dir", default="")
    m.add_argument("--kstlib-skip", default="")
    m.add_argument("--rounds", type=int, default=9)
    m.add_argument("--kstlib-rounds", type=int, default=5)
    m.add_argument("--ui-rounds", type=int, default=5)
    m.add_argument("--idle", type=float, default=60)
    m.add_argument("--idle-runs", type=int, default=3)
    m.add_argument("--flood-window", type=float, default=6)
    m.add_argument("--keys", type=int, default=50)
    m.add_argument("--phases", default="list,kstlib,tui,idle,idlestats,flood,floodfilter,floodmerged,growth")
    r = sub.add_parser("report")
    r.add_argument("--results", required=True)
    r.add_argument("--normalize-log", required=True)
    r.add_argument("--merge-log", required=True)
    r.add_argument("--out", default="")
    r.add_argument("--commit", default="?")
    r.add_argument("--elapsed", default="?")
    r.add_argument("--world", default="")
    a = p.parse_args()
    if a.cmd == "measure":
        return Bench(a).run()
    return report(a)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
