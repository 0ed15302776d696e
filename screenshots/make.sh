#!/usr/bin/env bash
# Re-make the muxdeck screenshots in this folder:
#   main.png     the session list (tmux on two sockets, podman and docker containers in
#                several states, a config-defined session) and the live colored log of `api`
#   help.png     the help overlay (`?`)
#   confirm.png  the stop confirmation (`x` on `worker`; answered `n` afterwards)
#   search.png   a search in the log of `api` (`/`): matches highlighted, `search: … K/N`
#   merged.png   the merged live log (`L`) of four marked sessions, tmux and containers
#   details.png  the CPU/MEM columns and the details pane (`i`) of the container `shot-web`
#
# Usage: screenshots/make.sh                 (from anywhere; runs cargo build --release first)
#        screenshots/make.sh --cleanup DIR [PID]   (remove a world kept with KEEP=1)
# Environment:
#   MUXDECK_BIN   use this binary instead of building target/release/muxdeck
#   NO_BUILD=1    do not run `cargo build --release` (use the existing binary)
#   COLS, ROWS    terminal size (default 120x32)
#   SCALE         PNG pixel scale (default 2, crisp on hi-dpi)
#   KEEP=1        leave the world running after the shots (for poking at it; prints how
#                 to clean up)
#
# Everything lives in one private temp dir:
#   - the "world" tmux servers (default socket and -L work) run on their own TMUX_TMPDIR,
#     so the machine's tmux servers are never touched and never shown;
#   - muxdeck itself runs in a "viewer" tmux on a socket outside that folder;
#   - containers live in two private podman setups (own storage, tmp_dir, file locks):
#     one is what muxdeck's podman sees, the other serves the Docker API (podman system
#     service) for muxdeck's docker backend via DOCKER_HOST. The machine's podman state
#     (/var/lib/containers, /run/libpod) is never touched and parallel tests never see
#     these containers (all named shot-*).
# A trap removes all of it on exit, also on failure or Ctrl-C.
#
# Needs: tmux, podman + runc + busybox-static (for the test image), the docker CLI,
# python3 with rich (pip install rich) and rsvg-convert (apt-get install librsvg2-bin):
# rich draws the captured ANSI screen as SVG (ansi2svg.py), rsvg-convert makes the PNG.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cols="${COLS:-120}"
rows="${ROWS:-32}"
scale="${SCALE:-2}"
image="localhost/muxdeck-test/busybox:latest"

log() { printf 'make.sh: %s\n' "$*" >&2; }
die() {
    printf 'make.sh: error: %s\n' "$*" >&2
    exit 1
}

# teardown WORK [SERVICE_PID]: remove everything make.sh made under WORK
teardown() {
    local work="$1" spid="${2:-}" s m side i
    case "$work" in
    */muxdeck-shots.*) ;;
    *) die "teardown: $work is not a muxdeck-shots folder" ;;
    esac
    tmux -f /dev/null -S "$work/viewer.sock" kill-server 2>/dev/null || true
    for s in "$work"/world/tmux-*/*; do
        [ -S "$s" ] && { tmux -S "$s" kill-server 2>/dev/null || true; }
    done
    for side in podman docker; do
        [ -e "$work/$side/graph" ] || continue
        CONTAINERS_CONF="$work/$side/containers.conf" CONTAINERS_STORAGE_CONF="$work/$side/storage.conf" \
            podman rm -f -t 0 --all >/dev/null 2>&1 || true
    done
    # the Docker API service, only if that pid still is ours (podman serving WORK's socket)
    if [ -n "$spid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$spid/cmdline" | grep -qF "$work/docker.sock"; then
        kill "$spid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$spid" 2>/dev/null || break
            sleep 0.1
        done
        wait "$spid" 2>/dev/null || true
    fi
    for side in podman docker; do
        [ -e "$work/$side/graph" ] || continue
        CONTAINERS_CONF="$work/$side/containers.conf" CONTAINERS_STORAGE_CONF="$work/$side/storage.conf" \
            podman rmi -af >/dev/null 2>&1 || true
    done
    # anything still mounted below WORK, deepest first
    awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    rm -rf "$work" 2>/dev/null || {
        sleep 1
        rm -rf "$work" || log "could not remove $work"
    }
}

if [ "${1:-}" = "--cleanup" ]; then
    [ -d "${2:-}" ] || die "usage: $0 --cleanup DIR [PID]"
    teardown "$(cd "$2" && pwd)" "${3:-}"
    exit 0
fi

for tool in tmux podman docker python3 rsvg-convert; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (rsvg-convert: apt-get install librsvg2-bin)"
done
python3 -c 'import rich' 2>/dev/null || die "python3 has no rich (pip install rich)"

if [ -n "${MUXDECK_BIN:-}" ]; then
    bin="$MUXDECK_BIN"
else
    if [ -z "${NO_BUILD:-}" ]; then
        log "cargo build --release"
        (cd "$repo" && cargo build --release --quiet) || die "cargo build failed (retry, or NO_BUILD=1)"
    fi
    bin="$repo/target/release/muxdeck"
fi
[ -x "$bin" ] || die "no muxdeck binary at $bin"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

# --- private places ---------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/muxdeck-shots.XXXXXX")"
world="$work/world"        # TMUX_TMPDIR of the world muxdeck scans
viewer="$work/viewer.sock" # the tmux server muxdeck itself runs in (not scanned)
mkdir -p "$world"
export TMUX_TMPDIR="$world"
unset TMUX TMUX_PANE DOCKER_HOST DOCKER_CONTEXT
service_pid=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "${KEEP:-}" ] && [ "$rc" = 0 ]; then
        log "KEEP=1: the world is left running in $work"
        log "  look:     tmux -S $viewer attach"
        log "  clean up: $0 --cleanup $work $service_pid"
        exit 0
    fi
    teardown "$work" "$service_pid"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# privpod DIR: a private podman setup in DIR (containers.conf + storage.conf). Its own
# tmp_dir (alive file, exit files, events) and file locks keep it apart from the machine's
# podman, so removing it needs no `podman system reset` (which deletes the tmp_dir).
privpod() {
    local dir="$1"
    mkdir -p "$dir"
    sed "/^\[engine\]/a tmp_dir = \"$dir/tmp\"\nlock_type = \"file\"" \
        "$repo/tests/fixtures/containers.conf" >"$dir/containers.conf"
    grep -q '^tmp_dir' "$dir/containers.conf" || die "could not set tmp_dir in $dir/containers.conf"
    printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' \
        "$dir" "$dir" >"$dir/storage.conf"
}
privpod "$work/podman"
privpod "$work/docker"
# p: the podman muxdeck sees; dp: the podman behind the Docker API; d: docker CLI on it
p() { CONTAINERS_CONF="$work/podman/containers.conf" CONTAINERS_STORAGE_CONF="$work/podman/storage.conf" podman "$@"; }
dp() { CONTAINERS_CONF="$work/docker/containers.conf" CONTAINERS_STORAGE_CONF="$work/docker/storage.conf" podman "$@"; }
docker_host="unix://$work/docker.sock"
d() { DOCKER_HOST="$docker_host" docker "$@"; }
wtmux() { tmux -f /dev/null "$@"; }              # the world, default socket
vtmux() { tmux -f /dev/null -S "$viewer" "$@"; } # the viewer

# --- the world: tmux ---------------------------------------------------------------
gen="$work/gen-log.sh"
cp "$here/gen-log.sh" "$gen"
chmod 755 "$gen"
log "starting tmux sessions in $world"
wtmux new-session -d -s api -x 200 -y 50 "sh $gen api"
wtmux new-session -d -s worker -x 200 -y 50 "sh $gen worker"
wtmux -L work new-session -d -s bot -x 200 -y 50 "sh $gen bot"

# --- the world: containers ---------------------------------------------------------
log "building the test image in both private podman storages"
for side in podman docker; do
    CONTAINERS_CONF="$work/$side/containers.conf" CONTAINERS_STORAGE_CONF="$work/$side/storage.conf" \
        MUXDECK_IMAGE_LOCK="$work/image.lock" "$repo/tests/fixtures/build-test-image.sh"
done

# realistic image names for the list (all the same busybox image)
for tag in web:1.25 backup:2.3 cache:7.2; do p tag "$image" "localhost/acme/$tag"; done
for tag in queue:0.9 migrate:1.4; do dp tag "$image" "localhost/acme/$tag"; done

log "creating shot-* podman containers"
p run -d --network none --name shot-web -v "$gen:/gen-log.sh:ro" localhost/acme/web:1.25 \
    sh /gen-log.sh web >/dev/null
p run --network none --name shot-backup localhost/acme/backup:2.3 sh -c '
    e=$(printf "\033")
    echo "backup 2.3: snapshot of /data to s3://acme-backups/nightly"
    echo "${e}[33mwarn${e}[0m: retrying upload (1/3)"
    echo "${e}[33mwarn${e}[0m: retrying upload (2/3)"
    echo "${e}[1;31merror${e}[0m: upload failed: connection refused" >&2
    exit 1' >/dev/null 2>&1 || true
p create --network none --name shot-cache localhost/acme/cache:7.2 sleep 3600 >/dev/null

log "starting a private Docker API (podman system service) and shot-* docker containers"
# not through dp(): $! must be podman itself, not a subshell, for the kill in teardown
CONTAINERS_CONF="$work/docker/containers.conf" CONTAINERS_STORAGE_CONF="$work/docker/storage.conf" \
    podman system service --time=0 "$docker_host" >"$work/docker-service.log" 2>&1 &
service_pid=$!
for ((i = 0; i < 100; i++)); do
    d version >/dev/null 2>&1 && break
    kill -0 "$service_pid" 2>/dev/null || die "podman system service died: $(cat "$work/docker-service.log")"
    sleep 0.1
done
d version >/dev/null 2>&1 || die "the Docker API at $docker_host does not answer"
d run -d --network none --name shot-queue -v "$gen:/gen-log.sh:ro" localhost/acme/queue:0.9 \
    sh /gen-log.sh queue >/dev/null
d run --network none --name shot-migrate localhost/acme/migrate:1.4 sh -c '
    e=$(printf "\033")
    echo "migrate: 3 pending"
    echo "  ${e}[32m+${e}[0m 0041_add_invoice_due_date"
    echo "  ${e}[32m+${e}[0m 0042_orders_status_index"
    echo "  ${e}[32m+${e}[0m 0043_drop_legacy_carts"
    echo "migrate: ${e}[1mdone${e}[0m"' >/dev/null

# --- config: `docs` is defined but not started; `api` is defined and running ------------
config="$work/muxdeck.yml"
cat >"$config" <<EOF
defaults:
  stop_timeout: 3
sessions:
  docs:
    backend: tmux
    command: "mdbook serve docs"
    working_dir: $work
    socket: work
  api:
    backend: tmux
    command: "sh $gen api"
EOF

# --- the viewer: muxdeck in a private tmux at a fixed size -----------------------------
log "starting muxdeck in a ${cols}x${rows} viewer tmux"
vtmux new-session -d -s view -x "$cols" -y "$rows" \
    "env TERM=tmux-256color COLORTERM=truecolor TMUX_TMPDIR='$world' \
     CONTAINERS_CONF='$work/podman/containers.conf' \
     CONTAINERS_STORAGE_CONF='$work/podman/storage.conf' DOCKER_HOST='$docker_host' \
     '$bin' --config '$config'; echo muxdeck exited with \$?; sleep 3600"
vtmux set-option -t view status off >/dev/null
vtmux resize-window -t view -x "$cols" -y "$rows" 2>/dev/null || true

plain() { vtmux capture-pane -p -t view; }
colored() { vtmux capture-pane -p -e -N -t view; }
keys() { vtmux send-keys -t view "$@"; }

# wait_for TEXT [SECONDS]: until the plain screen contains TEXT
wait_for() {
    local text="$1" secs="${2:-20}" i
    for ((i = 0; i < secs * 10; i++)); do
        if plain | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
    done
    log "the screen never showed '$text'; it shows:"
    plain >&2
    return 1
}

# wait_gone TEXT [SECONDS]: until the plain screen no longer contains TEXT
wait_gone() {
    local text="$1" secs="${2:-10}" i
    for ((i = 0; i < secs * 10; i++)); do
        if ! plain | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
    done
    log "the screen still shows '$text':"
    plain >&2
    return 1
}

# select_row NAME: select the list row whose NAME column is NAME: its index below the
# header row, then `g` (first row) and that many `j`; checked by the log pane title.
select_row() {
    local name="$1" n
    n="$(plain | awk -v name="$name" '
        { line = $0; sub(/^[^A-Za-z0-9]*/, "", line); split(line, f, " ") }
        f[1] == "NAME" && !head { head = NR; next }
        head && f[1] == name { print NR - head - 1; exit }')"
    [ -n "$n" ] || die "no list row named $name"
    keys g
    for ((; n > 0; n--)); do
        keys j
    done
    wait_for ":$name" 5 || die "selecting $name did not show its log"
}

shot() {
    local name="$1" title="$2"
    colored >"$work/$name.ans"
    python3 "$here/ansi2svg.py" "$work/$name.ans" "$work/$name.svg" --cols "$cols" --title "$title"
    rsvg-convert --zoom "$scale" -o "$here/$name.png" "$work/$name.svg"
    log "wrote screenshots/$name.png"
}

# everything listed: the last podman and docker rows, the defined session
wait_for "shot-web"
wait_for "shot-queue"
wait_for "defined"
select_row api
sleep 4 # a screenful of fresh api lines
wait_for "ERROR" 15
shot main "muxdeck — ${cols}x${rows}"

keys '?'
wait_for "muxdeck keys" 10
sleep 0.3
shot help "muxdeck — keys (?)"
keys Escape
wait_gone "muxdeck keys"

select_row worker
keys x
wait_for "confirm" 10
sleep 0.3
shot confirm "muxdeck — stop? (x)"
keys n
wait_gone "confirm"
sleep 0.5
wtmux has-session -t worker 2>/dev/null || die "worker is gone although the stop was answered n"

# a search in the log of api: Tab focuses the log pane, `/` types, Enter keeps it
select_row api
sleep 2
keys Tab
keys /
vtmux send-keys -t view -l "error|warn"
keys Enter
wait_for "search: error|warn" 10
sleep 0.5
shot search "muxdeck — search the log (/ n N)"
keys Escape
wait_gone "search: " 5
keys Tab

# the merged live log of four marked sessions: two tmux, a podman and a docker container
for row in api worker shot-web shot-queue; do
    select_row "$row"
    keys Space
done
wait_for "4 marked" 5
keys L
wait_for "merged: 4 sessions" 10
sleep 4 # lines from each
shot merged "muxdeck — merged live log of the marked sessions (space, L)"
keys L
wait_gone "merged: " 5
for row in api worker shot-web shot-queue; do
    select_row "$row"
    keys Space
done
wait_gone "marked" 5

# CPU/MEM columns (on when the list is wide enough) and the details pane of shot-web
select_row shot-web
keys i
wait_for "image" 10
sleep 5 # two stats rounds: CPU needs two samples, the sparkline a few
shot details "muxdeck — CPU/MEM columns and details (c, i)"
keys i

[ -n "${KEEP:-}" ] || keys q # with KEEP=1 muxdeck stays up in the viewer
log "done"
