#!/usr/bin/env bash
# The muxdeck world benchmark: one command, not part of `cargo test`.
#
#   benches/world/run.sh            # from anywhere; writes benches/world/RESULTS.md
#
# What it does (about 5-8 minutes on 2 cores, plus the release build):
#   1. `cargo build --release` and builds the criterion benches;
#   2. builds a private world: 200 tmux sessions on 3 sockets of a private TMUX_TMPDIR,
#      30 podman containers (`sleep` in the busybox test image) in a PRIVATE podman store
#      (CONTAINERS_STORAGE_CONF, so nothing else on the machine is listed or touched),
#      and a config with 5 defined sessions;
#   3. measure.py: `muxdeck list --json` vs the slowest single backend call, the Python
#      reference (kstlib), the TUI (first frame, full list, idle CPU, memory, log flood,
#      key latency; the flood with a filter on; a merged log of ten floods) in a separate
#      private tmux server, growth to 1000 sessions;
#   4. `cargo bench --bench normalize|merge -- --quick`;
#   5. prints the table (metric | measured | target | verdict) and the machine, and
#      writes it to benches/world/RESULTS.md (override: MUXDECK_BENCH_OUT=path).
# For work on the benchmark itself: MUXDECK_BENCH_PHASES=list,kstlib,tui,idle,idlestats,
# flood,floodfilter,floodmerged,growth,criterion (a subset runs only those; the default is
# all; idlestats: idle with the CPU/MEM columns on; floodfilter: the flood's key presses
# with a filter on; floodmerged: `L` over ten tmux panes writing flat out) and
# MUXDECK_BENCH_SKIP_BUILD=1
# (use the binaries already in target/release); MUXDECK_BENCH_ARGS adds options of
# `measure.py measure` (e.g. "--keys 150 --idle 30").
# Everything it creates is removed on exit, also on failure or Ctrl-C. The kstlib venv is
# cached in ${MUXDECK_BENCH_CACHE:-~/.cache/muxdeck-bench} (delete it to reinstall).
#
# Needs: tmux, podman (+ runc), busybox-static (for the test image), python3 with venv,
# util-linux (unshare, flock), cargo; root for the kstlib run (a private mount namespace).
# Podman runs with tests/fixtures/containers.conf (or $CONTAINERS_CONF) plus a private
# store; docker, if installed, is queried by muxdeck as usual.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out_md="${MUXDECK_BENCH_OUT:-$here/RESULTS.md}"
cache="${MUXDECK_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/muxdeck-bench}"
base_conf="${CONTAINERS_CONF:-$repo/tests/fixtures/containers.conf}"
image="localhost/muxdeck-test/busybox:latest"
sockets=(bench-a bench-b bench-c)
n_tmux=200
n_containers=30
n_defined=5
start_s=$SECONDS
phases="${MUXDECK_BENCH_PHASES:-list,kstlib,tui,idle,idlestats,flood,floodfilter,floodmerged,growth,criterion}"
has_phase() { [[ ",$phases," == *",$1,"* ]]; }

say() { printf '\n==== %s ====\n' "$*"; }
die() {
    echo "run.sh: error: $*" >&2
    exit 1
}

for tool in tmux podman python3 cargo unshare flock; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ -r "$base_conf" ] || die "podman settings $base_conf not found (set CONTAINERS_CONF)"
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
# Nothing of the caller's tmux may leak into the measured calls.
unset TMUX TMUX_PANE

# ---------------------------------------------------------------------------------------
# cleanup: every server, container and folder made below, whatever happens

work=""
private_store=""
made_tmux_dir=""
bg_pids=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    for p in "${bg_pids[@]}"; do
        kill "$p" 2>/dev/null
    done
    if [ -n "$work" ] && [ -d "$work" ]; then
        echo "run.sh: cleaning up $work" >&2
        # Every tmux server of the world, of the growth test, and the UI server.
        while IFS= read -r s; do
            tmux -S "$s" kill-server 2>/dev/null
        done < <(find "$work/world" "$work/grow" "$work/ui.sock" -type s 2>/dev/null)
        # The private podman store holds only this run's containers.
        if [ -n "$private_store" ]; then
            podman ps -aq 2>/dev/null | xargs -r podman rm -f -t 0 >/dev/null 2>&1
            podman ps -aq 2>/dev/null | xargs -r podman rm -f >/dev/null 2>&1
            podman rmi -af >/dev/null 2>&1
        fi
        # Whatever podman left mounted in the store, innermost first.
        awk -v w="$work" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
            while IFS= read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf "$work"
    fi
    if [ -n "$made_tmux_dir" ]; then
        rmdir "$made_tmux_dir" 2>/dev/null
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
say "build (cargo build --release, criterion benches)"
cd "$repo"
build() {
    # Others may be editing src/: a broken tree is retried a few times.
    local i
    for i in 1 2 3 4 5 6; do
        if "$@"; then return 0; fi
        echo "run.sh: '$*' failed (try $i), retrying in 20 s" >&2
        sleep 20
    done
    return 1
}
if [ "${MUXDECK_BENCH_SKIP_BUILD:-}" != 1 ]; then
    bench_exes=()
build_benches() {
    local list
    list="$(cargo bench --no-run --quiet --message-format=json --bench normalize --bench merge |
        python3 -c 'import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["target"]["name"] + "=" + m["executable"])')" || return 1
    mapfile -t bench_exes <<<"$list"
}
build cargo build --release --quiet || die "cargo build --release failed"
    if has_phase criterion; then
        # The bench executables of this very build, so the end of the run does not rebuild
        # (and measure) whatever src/ has become meanwhile.
        build build_benches || die "building the benches failed"
    fi
fi
[ -x "$repo/target/release/muxdeck" ] || die "target/release/muxdeck is missing"
muxdeck="$repo/target/release/muxdeck"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$repo" status --porcelain -- src Cargo.toml 2>/dev/null)" ]; then
    commit="$commit+dirty"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/muxdeck-bench.XXXXXX")"
mkdir -p "$work/out" "$work/world" "$work/kst"

# ---------------------------------------------------------------------------------------
# the kstlib venv, in the background while the world is built

kst_log="$work/out/kstlib-install.log"
kst_venv="$cache/kstlib-venv"
(
    if has_phase kstlib && [ ! -x "$kst_venv/bin/kstlib" ]; then
        mkdir -p "$cache"
        rm -rf "$kst_venv"
        python3 -m venv "$kst_venv" &&
            PIP_DISABLE_PIP_VERSION_CHECK=1 "$kst_venv/bin/pip" install --quiet kstlib
    fi
) >"$kst_log" 2>&1 &
bg_pids+=($!)
kst_pid=$!

# ---------------------------------------------------------------------------------------
say "world: private podman store, $n_containers containers"
# A private store: the run lists and removes only its own containers, and leaves the
# machine's images and containers alone. Same settings as the project's containers.conf.
export CONTAINERS_STORAGE_CONF="$work/storage.conf"
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/podman/graph"
runroot = "$work/podman/run"
EOF
sed "s|^\[engine\]|[engine]\ntmp_dir = \"$work/podman/libpod\"|" "$base_conf" >"$work/containers.conf"
grep -q '^\[engine\]' "$work/containers.conf" ||
    printf '\n[engine]\ntmp_dir = "%s"\n' "$work/podman/libpod" >>"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
private_store=1
MUXDECK_IMAGE_LOCK="$work/image.lock" MUXDECK_TEST_IMAGE="$image" \
    bash "$repo/tests/fixtures/build-test-image.sh"
t=$SECONDS
seq -f 'bench-c%02g' 0 $((n_containers - 1)) |
    xargs -P 6 -I{} podman run -d --name {} --network none --label io.muxdeck.bench=1 \
        "$image" sleep 100000 >/dev/null
running=$(podman ps -q | wc -l)
[ "$running" -eq "$n_containers" ] || die "$running of $n_containers containers run"
echo "$n_containers containers in $((SECONDS - t)) s"

# ---------------------------------------------------------------------------------------
say "world: $n_tmux tmux sessions on ${#sockets[@]} sockets, config with $n_defined defined sessions"
export TMUX_TMPDIR="$work/world"
for k in "${!sockets[@]}"; do
    args=()
    for ((i = k; i < n_tmux; i += ${#sockets[@]})); do
        [ ${#args[@]} -gt 0 ] && args+=(";")
        args+=(new-session -d -s "$(printf 's%03d' "$i")" -x 80 -y 24 "sleep 100000")
    done
    tmux -f /dev/null -L "${sockets[$k]}" "${args[@]}"
done
listed=0
for s in "${sockets[@]}"; do
    listed=$((listed + $(tmux -L "$s" list-sessions | wc -l)))
done
[ "$listed" -eq "$n_tmux" ] || die "$listed of $n_tmux tmux sessions run"

# Defined (not running) sessions; names sort after the running ones, so the TUI's first
# row is a running, quiet tmux session.
config="$work/config.yml"
cat >"$config" <<EOF
sessions:
  zdef-1: { backend: tmux, command: "sleep 100000", socket: ${sockets[0]} }
  zdef-2: { backend: tmux, command: "sleep 100000", socket: ${sockets[1]} }
  zdef-3: { backend: tmux, command: "sleep 100000" }
  zdef-4: { backend: container, image: "$image", command: "sleep 100000", runtime: podman }
  zdef-5: { backend: container, image: "$image", command: "sleep 100000" }
EOF
"$muxdeck" --config "$config" config check
# The same five for kstlib (it reads ./kstlib.conf.yml).
cat >"$work/kst/kstlib.conf.yml" <<EOF
ops:
  sessions:
    zdef-1: { backend: tmux, command: "sleep 100000" }
    zdef-2: { backend: tmux, command: "sleep 100000" }
    zdef-3: { backend: tmux, command: "sleep 100000" }
    zdef-4: { backend: container, image: "$image", command: "sleep 100000" }
    zdef-5: { backend: container, image: "$image", command: "sleep 100000" }
EOF

# kstlib looks for sockets in /tmp/tmux-UID only; measure.py bind-mounts the world there
# inside a private mount namespace, which needs the folder to exist.
kst_skip=""
wait "$kst_pid" || true
if ! has_phase kstlib; then
    kst_skip="not run (MUXDECK_BENCH_PHASES)"
elif [ ! -x "$kst_venv/bin/kstlib" ]; then
    kst_skip="pip install kstlib failed: $(tail -n 2 "$kst_log" | tr '\n' ' ')"
elif [ "$(id -u)" -ne 0 ]; then
    kst_skip="needs root (a private mount namespace shows kstlib the world in /tmp/tmux-UID)"
elif ! unshare -m true 2>/dev/null; then
    kst_skip="unshare -m is not permitted here"
else
    tdir="/tmp/tmux-$(id -u)"
    if [ ! -d "$tdir" ]; then
        mkdir -m 700 "$tdir"
        made_tmux_dir="$tdir"
    fi
fi

world="$n_tmux tmux sessions (\`sleep\`) on sockets ${sockets[*]} of a private TMUX_TMPDIR; $n_containers podman containers (\`sleep\`, $image) in a private store; $n_defined config sessions in the defined state"

# ---------------------------------------------------------------------------------------
say "measure"
set +e
python3 "$here/measure.py" measure \
    --repo "$repo" --work "$work" --results "$work/results.json" \
    --muxdeck "$muxdeck" --config "$config" --sockets "$(
        IFS=,
        echo "${sockets[*]}"
    )" \
    --image "$image" --tmux-sessions "$n_tmux" --containers "$n_containers" --defined "$n_defined" \
    --kstlib "$kst_venv/bin/kstlib" --kstlib-dir "$work/kst" --kstlib-skip "$kst_skip" \
    --phases "$phases" ${MUXDECK_BENCH_ARGS:-} &
bg_pids+=($!)
wait $!
measure_rc=$?
set -e

# ---------------------------------------------------------------------------------------
say "criterion micro-benchmarks (--quick)"
set +e
for b in normalize merge; do
    has_phase criterion || break
    exe=""
    for e in "${bench_exes[@]}"; do
        [ "${e%%=*}" = "$b" ] && exe="${e#*=}"
    done
    if [ -n "$exe" ] && [ -x "$exe" ]; then
        "$exe" --bench --quick >"$work/out/bench-$b.log" 2>&1
    else
        cargo bench --quiet --bench "$b" -- --quick >"$work/out/bench-$b.log" 2>&1
    fi
    echo "rc=$?" >>"$work/out/bench-$b.log"
    grep -E 'time:|thrpt:|^[a-z_]+/' "$work/out/bench-$b.log"
done
set -e

say "report"
python3 "$here/measure.py" report --results "$work/results.json" \
    --normalize-log "$work/out/bench-normalize.log" --merge-log "$work/out/bench-merge.log" \
    --out "$out_md" --commit "$commit" --elapsed "$((SECONDS - start_s))" --world "$world"
[ "$measure_rc" -eq 0 ]
