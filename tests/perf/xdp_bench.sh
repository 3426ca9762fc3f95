#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# The AF_XDP benchmark (issue 19): sipdnsd on XDP against Knot DNS on XDP, and both on kernel
# sockets beside NSD — same zone, same kxdpgun load, one server thread each — over a veth pair
# between two network namespaces this script creates (and removes on exit).
#
#   tests/perf/xdp_bench.sh                   3 rounds x 10 s per server and load (~6 min)
#   DUR=5 ROUNDS=1 tests/perf/xdp_bench.sh    one quick round
#   tests/perf/xdp_bench.sh --smoke           1 s runs, no quiet wait: checks the script works
#
# Environment: DUR (seconds per kxdpgun run, 10), ROUNDS (3), RATE (the fixed rate, 50000),
# OVERLOAD (kxdpgun -Q of the overload run, 1000000), SERVERS (a subset, comma-separated, of
# sipdnsd-xdp,knot-xdp,sipdnsd-sockets,knot-sockets,nsd), QUIET_LOAD (0.7: the 1-minute load
# average under which a run may start), QUIET_WAIT (120: the longest wait for it, seconds; the
# run starts anyway after that and the CSV keeps the load it started at), OUT (the CSV, default
# xdp-bench-YYYYmmdd-HHMMSS.csv in the current directory), KEEP=1 (keep the work directory with
# every log), SIPDNS_BUILD_DIR (default build/), SIPDNS_BENCH_NO_BUILD=1 (do not build sipdnsd).
#
# What each run measures (one CSV line, tests/perf/xdp_bench.py prints the medians and ratios):
# kxdpgun's sent and answered queries and answered QPS, the server's CPU time (utime+stime of
# every process of the server's tree, /proc/PID/stat) per answered query in µs, what else ran on
# the server's and the load's cores and the hypervisor's steal (/proc/stat), the server's
# veth receive drops. The server runs on core 0 (taskset), kxdpgun on core 1 (-F 1). The order
# of the servers rotates each round, so that drift hits them alike. Before measuring, kdig from
# the client namespace must get the same answer section for every query of the load from every
# server (the zone for Knot and NSD is `sipdnsd export` of tests/perf/xdp_bench_site.yaml).
#
# Caveat: on veth the receive work of a frame runs on its sender's core — the queries' on
# kxdpgun's, the answers' (kxdpgun's XDP program and AF_XDP copy) on the server's, in its system
# time — alike for all five servers.
#
# Needs root (namespaces, XDP), iproute2, kxdpgun and kdig (knot-dnsutils), knotd (knot), nsd,
# taskset (util-linux). Exit 77 when something is missing (ctest SKIP_RETURN_CODE). Only the
# processes started here are stopped, by PID; the XDP programs are detached after each run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${SIPDNS_BUILD_DIR:-$repo/build}
sipdnsd=$build/server/main/sipdnsd

DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-50000}
OVERLOAD=${OVERLOAD:-1000000}
SERVERS=${SERVERS:-sipdnsd-xdp,knot-xdp,sipdnsd-sockets,knot-sockets,nsd}
QUIET_LOAD=${QUIET_LOAD:-0.7}
QUIET_WAIT=${QUIET_WAIT:-120}
OUT=${OUT:-$PWD/xdp-bench-$(date +%Y%m%d-%H%M%S).csv}
smoke=0
for arg in "$@"; do
    case $arg in
        --smoke) smoke=1 ;;
        -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
        *) echo "xdp_bench.sh: unknown option: $arg" >&2; exit 2 ;;
    esac
done
if ((smoke)); then
    DUR=1 ROUNDS=1 QUIET_WAIT=0
fi

skip() { echo "xdp_bench.sh: skipped: $*" >&2; exit 77; }
log() { echo "[xdp_bench $(date +%H:%M:%S)] $*" >&2; }
[[ $(id -u) == 0 ]] || skip "needs root (network namespaces, XDP programs)"
for tool in ip kxdpgun kdig knotd nsd taskset; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh)"
done
(( $(nproc) >= 2 )) || skip "needs two cores (server on core 0, kxdpgun on core 1)"

if [[ "${SIPDNS_BENCH_NO_BUILD:-0}" != 1 ]]; then
    if [[ ! -f "$build/CMakeCache.txt" ]]; then
        SIPDNS_BUILD_DIR="$build" "$repo/scripts/build.sh" --daemon >&2
    fi
    cmake --build "$build" --target sipdnsd >&2
fi
[[ -x $sipdnsd ]] || { echo "xdp_bench.sh: no sipdnsd at $sipdnsd" >&2; exit 1; }

# Names of this run only: two benchmarks (or a test) at once never share a namespace.
srv_ns=sipdns-xb-srv-$$
cli_ns=sipdns-xb-cli-$$
srv_if=xbs$$          # IFNAMSIZ: at most 15 characters
cli_if=xbc$$
# 198.18.0.0/15 (RFC 2544 benchmarking), inside the two namespaces only.
srv_ip=198.18.0.1
cli_ip=198.18.0.2
work=$(mktemp -d /tmp/sipdns-xdp-bench.XXXXXX)
# sipdnsd keeps its serials here (systemd's variable), never in the host's /var/lib/sipdns.
export STATE_DIRECTORY=$work/state
server_pid=

stop_server() {
    if [[ -n $server_pid ]]; then
        local pids
        pids=$(tree_pids "$server_pid")
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        # What is left of its tree (NSD's children, or a server that ignored SIGTERM).
        for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
    detach_xdp
}
detach_xdp() {
    ip -n "$srv_ns" link set dev "$srv_if" xdp off 2>/dev/null || true
    ip -n "$cli_ns" link set dev "$cli_if" xdp off 2>/dev/null || true
}
cleanup() {
    stop_server
    ip netns del "$cli_ns" 2>/dev/null || true
    ip netns del "$srv_ns" 2>/dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- the namespace pair: one veth, one RX and one TX queue on each end ----
ip netns add "$srv_ns" || skip "cannot create a network namespace here"
ip netns add "$cli_ns"
ip -n "$srv_ns" link add "$srv_if" numtxqueues 1 numrxqueues 1 type veth \
    peer name "$cli_if" netns "$cli_ns" numtxqueues 1 numrxqueues 1 \
    || skip "cannot create a veth pair here"
ip -n "$srv_ns" addr add "$srv_ip/24" dev "$srv_if"
ip -n "$cli_ns" addr add "$cli_ip/24" dev "$cli_if"
for ns in "$srv_ns" "$cli_ns"; do ip -n "$ns" link set lo up; done
ip -n "$srv_ns" link set "$srv_if" up
ip -n "$cli_ns" link set "$cli_if" up
# Static neighbours: kxdpgun takes the remote MAC from the neighbour table, and no ARP
# exchange runs in the middle of a measurement.
ip -n "$cli_ns" neigh replace "$srv_ip" dev "$cli_if" nud permanent \
    lladdr "$(ip netns exec "$srv_ns" cat "/sys/class/net/$srv_if/address")"
ip -n "$srv_ns" neigh replace "$cli_ip" dev "$srv_if" nud permanent \
    lladdr "$(ip netns exec "$cli_ns" cat "/sys/class/net/$cli_if/address")"

# ---- the zone: the site file for sipdnsd, its export for Knot and NSD ----
site=$work/site.yaml
sed "s|@SERVER_IP@|$srv_ip|g" "$here/xdp_bench_site.yaml" >"$site"
"$sipdnsd" check "$site" >"$work/check.log" 2>&1 \
    || { cat "$work/check.log" >&2; echo "xdp_bench.sh: the site file does not check" >&2; exit 1; }
"$sipdnsd" export "$site" --format zone >"$work/example.test.zone"
cp "$here/xdp_bench_queries.txt" "$work/queries.txt"
mkdir -p "$work/knot-run" "$work/knot-db" "$work/nsd-run" "$work/logs"

# Knot: one UDP, one TCP, one background worker; no mod-rrl; with `xdp:` its UDP workers serve
# the interface's queue (Knot 3.2 Reference, "xdp section").
knot_conf() { # $1: on|off
    local xdp=""
    if [[ $1 == on ]]; then xdp=$'xdp:\n    listen: '"$srv_if"$'\n    udp: on\n    tcp: off\n'; fi
    cat <<EOF
server:
    rundir: "$work/knot-run"
    listen: $srv_ip@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
$xdp
log:
  - target: stderr
    any: info
database:
    storage: "$work/knot-db"
template:
  - id: default
    storage: "$work"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: example.test
    file: example.test.zone
EOF
}
knot_conf on >"$work/knot-xdp.conf"
knot_conf off >"$work/knot-sockets.conf"
# NSD: one server process, RRL off, IPv4 only.
cat >"$work/nsd.conf" <<EOF
server:
    ip-address: $srv_ip
    port: 53
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    zonelistfile: "$work/nsd-run/zone.list"
    xfrdfile: "$work/nsd-run/xfrd.state"
    xfrdir: "$work/nsd-run"
    pidfile: "$work/nsd-run/nsd.pid"
    zonefiles-write: 0
    verbosity: 1
    do-ip6: no
    hide-version: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: example.test
    zonefile: example.test.zone
EOF

server_argv() { # $1: server name -> its command line, one word a line
    case $1 in
        sipdnsd-xdp) printf '%s\n' "$sipdnsd" --config "$site" --threads 1 --log-level info \
                         --control "$work/control" --xdp "$srv_if" ;;
        sipdnsd-sockets) printf '%s\n' "$sipdnsd" --config "$site" --threads 1 \
                             --log-level info --control "$work/control" ;;
        knot-xdp) printf '%s\n' knotd -c "$work/knot-xdp.conf" ;;
        knot-sockets) printf '%s\n' knotd -c "$work/knot-sockets.conf" ;;
        nsd) printf '%s\n' nsd -d -c "$work/nsd.conf" ;;
        *) echo "xdp_bench.sh: unknown server $1" >&2; return 1 ;;
    esac
}

# `ip netns exec` and taskset exec the server: $! is the server's own PID.
start_server() { # $1: server name, $2: log file
    local argv
    mapfile -t argv < <(server_argv "$1")
    ip netns exec "$srv_ns" taskset -c 0 "${argv[@]}" >"$2" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
        if ip netns exec "$cli_ns" kdig @"$srv_ip" www.example.test A +short +retry=0 +time=1 \
               2>/dev/null | grep -qx 198.18.10.80; then
            return 0
        fi
        sleep 0.1
    done
    log "$1 does not answer; its log:"; tail -n 20 "$2" >&2
    return 1
}

tree_pids() { # $1 and every descendant
    local children c
    echo "$1"
    children=$(cat /proc/"$1"/task/*/children 2>/dev/null) || true
    for c in $children; do tree_pids "$c"; done
}
server_ticks() { # "utime stime" in clock ticks over the server's process tree
    local user=0 sys=0 p stat fields
    for p in $(tree_pids "$server_pid"); do
        stat=$(cat /proc/"$p"/stat 2>/dev/null) || continue
        read -r -a fields <<<"${stat##*) }"
        user=$((user + fields[11])) sys=$((sys + fields[12]))   # proc(5) fields 14 and 15
    done
    echo "$user $sys"
}
core_ticks() { # cpu0 and cpu1: busy (user+nice+system) softirq steal
    awk '/^cpu[01] /{printf "%d %d %d ", $2 + $3 + $4, $8, $9}' /proc/stat
}
rx_dropped() { ip netns exec "$srv_ns" cat "/sys/class/net/$srv_if/statistics/rx_dropped"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
    local t0=$SECONDS l
    while :; do
        l=$(load1)
        awk -v l="$l" -v m="$QUIET_LOAD" 'BEGIN { exit !(l < m) }' && return 0
        if ((SECONDS - t0 >= QUIET_WAIT)); then
            ((QUIET_WAIT == 0)) || log "load $l still >= $QUIET_LOAD after ${QUIET_WAIT}s: measuring anyway"
            return 0
        fi
        sleep 5
    done
}

# ---- sanity: every server gives the same answer section to every query of the load ----
IFS=, read -r -a servers <<<"$SERVERS"
answers() { # the answer section of every query in queries.txt, one block per query
    local name type
    while read -r name type; do
        echo "; $name $type"
        ip netns exec "$cli_ns" kdig @"$srv_ip" "$name" "$type" +noall +answer +norecurse \
            +retry=1 +time=2 | sort
    done <"$work/queries.txt"
}
first=
for s in "${servers[@]}"; do
    start_server "$s" "$work/logs/sanity-$s.log" || exit 1
    answers >"$work/answers-$s.txt"
    if [[ $s == sipdnsd-xdp ]]; then
        grep -h "XDP on $srv_if" "$work/logs/sanity-$s.log" >&2 || true
        grep -q "XDP on $srv_if: .* mode" "$work/logs/sanity-$s.log" \
            || { log "sipdnsd did not attach XDP:"; tail -n 20 "$work/logs/sanity-$s.log" >&2; exit 1; }
    fi
    stop_server
    if [[ -z $first ]]; then
        first=$s
        grep -q "IN" "$work/answers-$s.txt" || { log "$s gave no answers"; exit 1; }
    elif ! diff -u "$work/answers-$first.txt" "$work/answers-$s.txt" >&2; then
        log "$s answers differently from $first (above): not measuring"
        exit 1
    fi
done
log "every server gives the same answers ($(grep -c IN "$work/answers-$first.txt") records)"

# ---- the rounds ----
echo "round,server,offered,duration,load1,sent,answered,lost,qps,server_ticks,server_sys_ticks,cpu_us_per_answer,load_user_s,load_sys_s,c0_busy,c0_softirq,c0_steal,c1_busy,c1_softirq,c1_steal,rx_dropped" >"$OUT"
clk_tck=$(getconf CLK_TCK)

run_load() { # $1 round, $2 server, $3 offered rate
    local tag=r$1-$2-$3 l u0 s0 u1 s1 t0 t1 c0 c1 d0 d1 sent answered qps lost cpu load_user load_sys
    l=$(load1)
    read -r u0 s0 < <(server_ticks); c0=$(core_ticks); d0=$(rx_dropped)
    ip netns exec "$cli_ns" timeout $((DUR + 20)) /usr/bin/time -f "%U %S" -o "$work/logs/$tag.time" \
        taskset -c 1 kxdpgun -t "$DUR" -Q "$3" -F 1 -i "$work/queries.txt" "$srv_ip" >"$work/logs/$tag.out" 2>&1 \
        || log "kxdpgun exited with $? ($tag)"
    read -r u1 s1 < <(server_ticks); c1=$(core_ticks); d1=$(rx_dropped)
    t0=$((u0 + s0)) t1=$((u1 + s1))
    ip -n "$cli_ns" link set dev "$cli_if" xdp off 2>/dev/null || true
    # "total queries: 500010 (50001 pps)", "total replies: 500010 (50001 pps) (100%)"
    sent=$(awk '/total queries:/ { print $3 }' "$work/logs/$tag.out")
    answered=$(awk '/total replies:/ { print $3 }' "$work/logs/$tag.out")
    qps=$(awk '/total replies:/ { gsub(/\(/, "", $4); print $4 }' "$work/logs/$tag.out")
    if [[ -z $sent || -z $answered ]]; then
        log "no kxdpgun totals for $tag:"; tail -n 5 "$work/logs/$tag.out" >&2
        return 0
    fi
    lost=$((sent - answered))
    cpu=$(awk -v t=$((t1 - t0)) -v a="$answered" -v hz="$clk_tck" \
              'BEGIN { if (a > 0) printf "%.3f", t * 1e6 / hz / a; else print "" }')
    read -r load_user load_sys <"$work/logs/$tag.time" || true
    local cores
    cores=$(paste -d' ' <(echo "$c0") <(echo "$c1") \
                | awk '{ n = NF / 2; for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? "," : ""), $(i + n) - $i }')
    echo "$1,$2,$3,$DUR,$l,$sent,$answered,$lost,$qps,$((t1 - t0)),$((s1 - s0)),$cpu,$load_user,$load_sys,$cores,$((d1 - d0))" >>"$OUT"
    log "$tag: sent $sent answered $answered ($qps/s), ${cpu} µs CPU per answer, load $l"
}

count=${#servers[@]}
for round in $(seq "$ROUNDS"); do
    for k in $(seq 0 $((count - 1))); do
        s=${servers[$(((k + round - 1) % count))]}
        wait_quiet
        start_server "$s" "$work/logs/r$round-$s.server.log" || exit 1
        sleep 0.5     # NSD forks its server process after answering the first query
        run_load "$round" "$s" "$RATE"
        sleep 1
        run_load "$round" "$s" "$OVERLOAD"
        stop_server
        if ip -n "$srv_ns" link show dev "$srv_if" | grep -q prog/xdp; then
            log "an XDP program is still attached to $srv_if after $s stopped"
        fi
    done
done
log "results: $OUT"
/usr/bin/python3 "$here/xdp_bench.py" "$OUT"
