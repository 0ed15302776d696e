#!/bin/sh
# Fake, colored service logs for the screenshot world (used by make.sh).
#   gen-log.sh api|worker|bot|web|queue
# POSIX sh + printf + sleep only, so it also runs inside the busybox test image.
kind="${1:-api}"
E=$(printf '\033')
DIM="$E[2m"
RST="$E[0m"
GRN="$E[32m"
YEL="$E[33m"
RED="$E[1;31m"
CYA="$E[36m"
MAG="$E[35m"
BLU="$E[34m"
GRY="$E[38;5;244m"   # 256-color
ORG="$E[38;2;255;166;87m" # truecolor
BOLD="$E[1m"

n=0
case $(date +%N) in *N*) has_ns=0 ;; *) has_ns=1 ;; esac

now() {
    # milliseconds where date has %N (GNU), whole seconds otherwise (busybox)
    if [ "$has_ns" = 1 ]; then date -u +%H:%M:%S.%3N; else date -u +%H:%M:%S; fi | tr -d '\n'
}

pick() {
    # pick <n> words...: the (n mod count)-th of the remaining arguments
    i=$1
    shift
    i=$(( i % $# + 1 ))
    eval "printf '%s' \"\${$i}\""
}

api_line() {
    m=$(pick $n GET GET POST GET PUT GET DELETE GET GET POST)
    p=$(pick $(( n * 7 )) /api/v1/users/42 /api/v1/orders /api/v1/orders/9913 /healthz /api/v1/cart /api/v1/search?q=lamp /api/v1/users/7/avatar /api/v1/invoices/2024-11 /metrics)
    lat=$(( (n * 37) % 180 + 3 ))
    rid=$(printf '%04x' $(( (n * 2654435761) % 65536 )))
    case $(( n % 11 )) in
    4)
        printf '%s %sWARN %s %shttp%s  %s %s%s%s -> %s429%s %s%dms%s %sslow client, rate limited%s %sreq=%s%s\n' \
            "$DIM$(now)$RST" "$YEL" "$RST" "$BLU" "$RST" "$m" "$CYA" "$p" "$RST" "$YEL" "$RST" "$MAG" "$lat" "$RST" "$YEL" "$RST" "$GRY" "$rid" "$RST"
        ;;
    9)
        printf '%s %sERROR%s %sdb%s    query failed: %sconnection reset by peer%s (pool 7/16) %sreq=%s%s\n' \
            "$DIM$(now)$RST" "$RED" "$RST" "$BLU" "$RST" "$RED" "$RST" "$GRY" "$rid" "$RST"
        ;;
    6)
        printf '%s %sINFO %s %scache%s hit ratio %s%d%%%s, %d keys, evicted %s%d%s\n' \
            "$DIM$(now)$RST" "$GRN" "$RST" "$BLU" "$RST" "$BOLD" $(( 80 + n % 17 )) "$RST" $(( 12000 + n * 3 )) "$ORG" $(( n % 40 )) "$RST"
        ;;
    *)
        printf '%s %sINFO %s %shttp%s  %s %s%s%s -> %s200%s %s%dms%s %sreq=%s%s\n' \
            "$DIM$(now)$RST" "$GRN" "$RST" "$BLU" "$RST" "$m" "$CYA" "$p" "$RST" "$GRN" "$RST" "$MAG" "$lat" "$RST" "$GRY" "$rid" "$RST"
        ;;
    esac
}

worker_line() {
    job=$(( 4810 + n / 10 ))
    pct=$(( (n % 10 + 1) * 10 ))
    full=$(( pct / 10 ))
    bar=""
    i=0
    while [ $i -lt 10 ]; do
        if [ $i -lt $full ]; then bar="$bar#"; else bar="$bar."; fi
        i=$((i + 1))
    done
    name=$(pick $(( n / 10 )) resize-images send-digest reindex-search export-csv thumbnails)
    if [ $pct -eq 100 ]; then
        printf '%s %sjob #%d%s %-15s [%s%s%s] %3d%% %sdone%s in %d.%ds\n' \
            "$DIM$(now)$RST" "$BOLD" "$job" "$RST" "$name" "$GRN" "$bar" "$RST" "$pct" "$GRN" "$RST" $(( 2 + n % 7 )) $(( n % 10 ))
    else
        printf '%s %sjob #%d%s %-15s [%s%s%s] %3d%%\n' \
            "$DIM$(now)$RST" "$BOLD" "$job" "$RST" "$name" "$CYA" "$bar" "$RST" "$pct"
    fi
}

bot_line() {
    who=$(pick $n alice bob carol dave erin)
    case $(( n % 5 )) in
    0) printf '%s %s<%s>%s !deploy api %sstaging%s\n' "$DIM$(now)$RST" "$MAG" "$who" "$RST" "$YEL" "$RST" ;;
    1) printf '%s %sbot%s   deploy #%d queued\n' "$DIM$(now)$RST" "$CYA" "$RST" $(( 300 + n )) ;;
    2) printf '%s %s<%s>%s !status\n' "$DIM$(now)$RST" "$MAG" "$who" "$RST" ;;
    3) printf '%s %sbot%s   api %sup%s 3d4h, worker %sup%s, db %sdegraded%s\n' "$DIM$(now)$RST" "$CYA" "$RST" "$GRN" "$RST" "$GRN" "$RST" "$YEL" "$RST" ;;
    *) printf '%s %sbot%s   heartbeat ok\n' "$DIM$(now)$RST" "$CYA" "$RST" ;;
    esac
}

web_line() {
    ip=$(pick $n 10.0.3.17 10.0.3.22 192.168.1.40 10.0.3.9)
    p=$(pick $(( n * 3 )) / /static/app.js /static/app.css /favicon.ico /login /products/lamp /missing.png)
    code=200
    col=$GRN
    case $p in /missing.png) code=404 col=$YEL ;; /login) code=302 col=$CYA ;; esac
    printf '%s %s - - "%sGET %s HTTP/1.1%s" %s%d%s %d\n' \
        "$DIM$(now)$RST" "$ip" "$BOLD" "$p" "$RST" "$col" "$code" "$RST" $(( 512 + n * 97 % 20000 ))
}

queue_line() {
    topic=$(pick $n orders.created orders.paid emails.send orders.created search.index)
    lag=$(( (n * 7) % 23 ))
    if [ $(( n % 9 )) = 5 ]; then
        printf '%s %sredeliver%s msg %s%04x%s from %s (attempt 2/5)\n' \
            "$DIM$(now)$RST" "$YEL" "$RST" "$GRY" $(( n * 40503 % 65536 )) "$RST" "$topic"
    else
        printf '%s %sack%s       msg %s%04x%s from %-15s lag %s%d%s\n' \
            "$DIM$(now)$RST" "$GRN" "$RST" "$GRY" $(( n * 40503 % 65536 )) "$RST" "$topic" "$MAG" "$lag" "$RST"
    fi
}

case "$kind" in
api) delay=0.3 ;;
queue) delay=0.8 ;;
worker) delay=0.5 ;;
bot) delay=1.5 ;;
web) delay=0.6 ;;
*) echo "gen-log.sh: unknown kind $kind" >&2; exit 2 ;;
esac

[ "$kind" = api ] && printf '%s %sINFO %s %smain%s  %sacme-api 1.4.2%s listening on %s0.0.0.0:8080%s\n' \
    "$DIM$(now)$RST" "$GRN" "$RST" "$BLU" "$RST" "$BOLD" "$RST" "$CYA" "$RST"
[ "$kind" = web ] && printf '%s nginx/1.25 ready, %s4%s worker processes\n' "$DIM$(now)$RST" "$BOLD" "$RST"

while :; do
    "${kind}_line"
    n=$((n + 1))
    sleep "$delay"
done
