#!/usr/bin/env bash
# Side by side with rclone: our mirror against `rclone copy` on the same files.
#
# What it measures. N documents of 200 bytes in F folders (one level deep),
# served with no latency, copied into a fresh directory R times by each of:
#   (a) ours:   mirror_rss N F DEST --jobs J      (the simulator, in a child
#               process, serves the room; the mirror hashes each document,
#               checks its SHA-1, renames it into place and records it
#               in its journal, which flushes the files in groups);
#   (b) rclone: rclone copy --transfers J --checkers J :http: DEST
#               --http-url http://127.0.0.1:PORT/  (nginx serves the same
#               tree with autoindex on; rclone lists it, HEADs each file for
#               its size and time, GETs it and writes it in place: no hash,
#               no flush, no rename);
#   (c) auto:   mirror_rss N F DEST --jobs auto    (ours, default jobs; skip
#               it with AUTO=0).
# Each round runs the variants one after the other, the order rotating from
# round to round (paired), and prints each one's wall time and CPU time
# (user + system); then the medians and the ratios ours/rclone (of the
# medians, and the median of the rounds' ratios).
#   - Ours: the wall and CPU that mirror_rss prints, the client's alone: the
#     mirror call only (not the process's start, the simulator's start, the
#     login), and the CPU of the client process only; the simulator's CPU,
#     a child process, is excluded — as nginx's is for rclone.
#   - rclone: /usr/bin/time -f '%e %U %S' of the whole rclone process (its
#     start, its listing and its copies).
# Each copy is checked: ours printed N fetched, and both trees hold exactly N
# files with the bytes of the seed (diff -r, the mirror's state directory
# .intralinks-sync left out), outside the timed part.
#
# Before every run the previous run's output is deleted, then `sync` and
# `sleep $SETTLE` (40 s by default): on this machine's ext4 without a journal,
# creating inodes right after a mass deletion is much slower for about 35 s,
# which must not fall on one side only.
#
# How to run it (as root, from anywhere; 2 cores and a quiet machine):
#   intralinks-sync/examples/rclone_side_by_side.sh [N] [F] [R]
# or with the environment: N=20000 F=100 R=5 JOBS=8 AUTO=1 SETTLE=40.
# Defaults: N=20000 F=100 R=5 JOBS=8 AUTO=1 SETTLE=40. A small check run:
#   N=2000 F=20 R=2 intralinks-sync/examples/rclone_side_by_side.sh
# Files go to a `mktemp -d` directory (set TMPDIR to choose the disk),
# removed at exit. Everything listens on 127.0.0.1 only.
#
# What it installs: the Debian packages rclone, nginx and time, with
# `apt-get install -y --no-install-recommends` when a command is missing
# (the image's policy-rc.d keeps the nginx service from starting; nginx runs
# here from a private configuration in the temporary directory, with
# `nginx -c CONF -p PREFIX`, and is stopped at exit). It builds
# `cargo build --release -p intralinks-sync --example mirror_rss` once.
set -euo pipefail

N=${1:-${N:-20000}}
F=${2:-${F:-100}}
R=${3:-${R:-5}}
JOBS=${JOBS:-8}
AUTO=${AUTO:-1}
SETTLE=${SETTLE:-40}
for v in N F R JOBS SETTLE; do
    if ! [[ ${!v} =~ ^[0-9]{1,7}$ ]] || { [[ $v != SETTLE ]] && ((10#${!v} < 1)); }; then
        echo "$v=${!v} is not a whole number (from 1, or 0 for SETTLE): give e.g. N=2000 F=20 R=2 JOBS=8 SETTLE=40" >&2
        exit 2
    fi
done
if [[ $AUTO != 0 && $AUTO != 1 ]]; then
    echo "AUTO=$AUTO: give AUTO=1 (run ours with --jobs auto too) or AUTO=0" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# --- Debian packages --------------------------------------------------------
missing=()
command -v rclone >/dev/null || missing+=(rclone)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
    echo "installing from Debian: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
        { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- build --------------------------------------------------------------------
(cd "$ROOT" && cargo build --release -p intralinks-sync --example mirror_rss >&2)
MIRROR=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/mirror_rss
[[ -x $MIRROR ]] || { echo "no $MIRROR after the build: is CARGO_TARGET_DIR set elsewhere?" >&2; exit 1; }

# --- temporary directory, nginx, cleanup ---------------------------------------
TMP=$(mktemp -d)
NGINX_PID=
SLEEP_PID=
cleanup() {
    if [[ -n $SLEEP_PID ]]; then
        kill -TERM "$SLEEP_PID" 2>/dev/null || true
    fi
    if [[ -n $NGINX_PID ]]; then
        kill -TERM "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The pause runs in the background and is waited for, so that an interrupt
# cleans up at once.
settle() {
    sync
    sleep "$SETTLE" &
    SLEEP_PID=$!
    wait "$SLEEP_PID"
    SLEEP_PID=
}

# The seed: the room, mirrored once by ours, without its state directory.
SEED=$TMP/seed
echo "seeding $N documents in $F folders into the served tree" >&2
"$MIRROR" "$N" "$F" "$SEED" --jobs "$JOBS" >"$TMP/seed.log"
rm -rf "$SEED/.intralinks-sync"
seeded=$(find "$SEED" -type f | wc -l)
if ((seeded != N)); then
    echo "the seed holds $seeded files, not $N" >&2
    exit 1
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_nginx() {
    local prefix=$TMP/nginx port attempt
    mkdir -p "$prefix/temp"
    for attempt in $(seq 1 20); do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" && continue
        {
            # Root starts nginx; its workers then run as this user (not
            # nobody, who cannot read a mktemp -d directory).
            if ((EUID == 0)); then echo "user $(id -un) $(id -gn);"; fi
            cat <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $SEED;
        autoindex on;
        location ~ /\. { return 404; }
    }
}
EOF
        } >"$prefix/nginx.conf"
        "$NGINX" -e "$prefix/error.log" -c "$prefix/nginx.conf" -p "$prefix" >>"$prefix/error.log" 2>&1 &
        NGINX_PID=$!
        for _ in $(seq 1 50); do
            if port_in_use "$port"; then
                PORT=$port
                return 0
            fi
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=
    done
    echo "nginx did not start on a free port; its log:" >&2
    cat "$prefix/error.log" >&2
    return 1
}
start_nginx
URL=http://127.0.0.1:$PORT/
echo "nginx (pid $NGINX_PID) serves the seed at $URL" >&2

# rclone: a configuration file of its own, empty, in the temporary directory.
export RCLONE_CONFIG=$TMP/rclone.conf RCLONE_CACHE_DIR=$TMP/rclone-cache
: >"$RCLONE_CONFIG"

# Counts the files of a copy (the mirror's state directory left out) and
# compares them with the seed; fails when they differ.
check_copy() {
    local what=$1 dest=$2 count
    count=$(find "$dest" -path "$dest/.intralinks-sync" -prune -o -type f -print | wc -l)
    if ((count != N)); then
        echo "$what copied $count files, not $N" >&2
        return 1
    fi
    if ! diff -rq --exclude=.intralinks-sync "$SEED" "$dest" >"$TMP/diff.log" 2>&1; then
        echo "$what's copy differs from the seed:" >&2
        head -5 "$TMP/diff.log" >&2
        return 1
    fi
}

# Runs ours with --jobs $2 into a fresh directory; sets WALL and CPU.
run_ours() {
    local what=$1 jobs=$2 dest=$TMP/out-$1 log=$TMP/$1.log fetched
    "$MIRROR" "$N" "$F" "$dest" --jobs "$jobs" >"$log"
    # mirror of N documents in F folders, J jobs: W s (K fetched, 0 up to date)
    # client CPU C s (user U s, system S s): P µs per document
    WALL=$(sed -n 's/^mirror of .* jobs: \([0-9.]*\) s (.*/\1/p' "$log")
    fetched=$(sed -n 's/^mirror of .* s (\([0-9]*\) fetched.*/\1/p' "$log")
    CPU=$(sed -n 's/^client CPU \([0-9.]*\) s .*/\1/p' "$log")
    if [[ -z $WALL || -z $CPU || $fetched != "$N" ]]; then
        echo "$what: fetched ${fetched:-?} of $N, or output not understood:" >&2
        cat "$log" >&2
        return 1
    fi
    check_copy "$what" "$dest"
}

# Runs rclone into a fresh directory; sets WALL and CPU.
run_rclone() {
    local dest=$TMP/out-rclone times
    /usr/bin/time -f '%e %U %S' -o "$TMP/rclone.time" \
        rclone copy --transfers "$JOBS" --checkers "$JOBS" :http: "$dest" --http-url "$URL" \
        2>"$TMP/rclone.log" || { echo "rclone failed:" >&2; cat "$TMP/rclone.log" >&2; return 1; }
    times=$(tail -n 1 "$TMP/rclone.time")
    read -r WALL user system <<<"$times"
    CPU=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')
    check_copy rclone "$dest"
}

variants=(ours rclone)
((AUTO)) && variants+=(auto)
declare -A wall cpu
declare -a ORDERS
printf 'rclone: %s\n' "$(rclone version | head -n 1)"
printf '%s documents of 200 bytes in %s folders, 0 ms, %s jobs (ours --jobs %s; rclone --transfers %s --checkers %s), %s rounds, %s s settle before each run\n' \
    "$N" "$F" "$JOBS" "$JOBS" "$JOBS" "$JOBS" "$R" "$SETTLE"
printf 'ours:   %s %s %s DEST --jobs %s\n' "$MIRROR" "$N" "$F" "$JOBS"
printf 'rclone: rclone copy --transfers %s --checkers %s :http: DEST --http-url %s\n' "$JOBS" "$JOBS" "$URL"
((AUTO)) && printf 'auto:   %s %s %s DEST --jobs auto\n' "$MIRROR" "$N" "$F"

for ((round = 1; round <= R; round++)); do
    # Rotate the order: ours first, then rclone first, then auto first…
    order=()
    for ((i = 0; i < ${#variants[@]}; i++)); do
        order+=("${variants[(i + round - 1) % ${#variants[@]}]}")
    done
    for v in "${order[@]}"; do
        rm -rf "$TMP"/out-*
        settle
        case $v in
            ours) run_ours ours "$JOBS" ;;
            auto) run_ours auto auto ;;
            rclone) run_rclone ;;
        esac
        wall[$v,$round]=$WALL
        cpu[$v,$round]=$CPU
        printf 'round %d %-6s wall %6.2f s  CPU %6.2f s\n' "$round" "$v" "$WALL" "$CPU"
    done
    ORDERS[round]="${order[*]}"
done
rm -rf "$TMP"/out-*

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
column_of() { # column_of wall|cpu VARIANT
    local -n m=$1
    local r
    for ((r = 1; r <= R; r++)); do echo "${m[$2,$r]}"; done
}

echo
header=$(printf '%-6s' round)
for v in "${variants[@]}"; do header+=$(printf ' %11s %11s' "$v wall" "$v CPU"); done
header+=$(printf ' %9s %9s  %s' "wall o/r" "CPU o/r" order)
echo "$header"
for ((round = 1; round <= R; round++)); do
    line=$(printf '%-6s' "$round")
    for v in "${variants[@]}"; do line+=$(printf ' %11.2f %11.2f' "${wall[$v,$round]}" "${cpu[$v,$round]}"); done
    line+=$(printf ' %9s %9s  %s' "$(ratio "${wall[ours,$round]}" "${wall[rclone,$round]}")" \
        "$(ratio "${cpu[ours,$round]}" "${cpu[rclone,$round]}")" "${ORDERS[round]}")
    echo "$line"
done
line=$(printf '%-6s' median)
declare -A med
for v in "${variants[@]}"; do
    med[wall,$v]=$(column_of wall "$v" | median)
    med[cpu,$v]=$(column_of cpu "$v" | median)
    line+=$(printf ' %11s %11s' "${med[wall,$v]}" "${med[cpu,$v]}")
done
paired_wall=$(for ((round = 1; round <= R; round++)); do ratio "${wall[ours,$round]}" "${wall[rclone,$round]}"; echo; done | median)
paired_cpu=$(for ((round = 1; round <= R; round++)); do ratio "${cpu[ours,$round]}" "${cpu[rclone,$round]}"; echo; done | median)
line+=$(printf ' %9s %9s' "$paired_wall" "$paired_cpu")
echo "$line"
echo
printf 'ours/rclone (--jobs %s), medians: wall %s s / %s s = %s, CPU %s s / %s s = %s; median of the rounds'"'"' ratios: wall %s, CPU %s\n' \
    "$JOBS" "${med[wall,ours]}" "${med[wall,rclone]}" "$(ratio "${med[wall,ours]}" "${med[wall,rclone]}")" \
    "${med[cpu,ours]}" "${med[cpu,rclone]}" "$(ratio "${med[cpu,ours]}" "${med[cpu,rclone]}")" "$paired_wall" "$paired_cpu"
if ((AUTO)); then
    printf 'auto/rclone, medians: wall %s, CPU %s\n' \
        "$(ratio "${med[wall,auto]}" "${med[wall,rclone]}")" "$(ratio "${med[cpu,auto]}" "${med[cpu,rclone]}")"
fi
echo "ours: the mirror call's wall and the client process's CPU (the simulator, a child process, excluded); rclone: the whole process (/usr/bin/time), nginx excluded; every copy checked: $N files, the seed's bytes"
