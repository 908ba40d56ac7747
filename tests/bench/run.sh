#!/usr/bin/env bash
# The side-by-side benchmark of issue 6. In one run it starts dnotifier-node (from the build
# tree, port 0, a throw-away data directory and app) and nats-server (WebSocket listener on a
# free 127.0.0.1 port), drives both with the same dnotifier-loadgen workloads, stops both by
# PID and prints one table. For the two-node latency case it starts a second node peered with
# the first and a second nats-server routed to the first, and stops them after it. It never
# asserts: it reports. See tests/bench/README.md.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${DNOTIFIER_BUILD_DIR:-$repo_root/build}
quick=0
workloads=all
duration=
subscribers=1000
connections=
procs=1
keep=0
rate=
channels=
channels_rate=
http_connections=4
stall_seconds=

usage() {
    cat <<EOF
usage: tests/bench/run.sh [--quick] [options]

  --quick              3 s windows, 5,000 connections and 200 channels instead of 10 s, 19,000
                       and 1,000
  --build-dir DIR      build tree configured with -DDNOTIFIER_BENCH=ON ($build_dir)
  --workload NAME      fanout (plain, then with 1 stalled subscriber), connections, latency,
                       channels, http or all (all)
  --duration SECONDS   every measuring window: fan-out, latency, channels, http (10; 3 quick)
  --subscribers N      fan-out subscribers, and the latency case 1 to N (1000)
  --connections N      idle connections held at the end of the memory slope (19000; 5000 quick)
  --procs P            load generator processes for the 1,000..N stage (1; more when N needs)
  --rate R             publications/s of the latency case 1 to N for both servers (default:
                       half of each server's fan-out publishes/s; 1000 without fan-out)
  --channels N         channels of the many-channels workload, 10 subscribers each (1000; 200)
  --channels-rate R    publications/s over all those channels (10 per channel and second)
  --http-connections N pipelined connections of the HTTP publish workload (4)
  --stall-seconds S    the stalled fan-out publishes on past its window until the server lets
                       the stalled subscriber go or S seconds after the stall (30; 3 quick)
  --keep               keep the work directory (logs, raw RESULT lines) and print its path
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --build-dir) build_dir=${2:?}; shift ;;
    --workload) workloads=${2:?}; shift ;;
    --duration) duration=${2:?}; shift ;;
    --subscribers) subscribers=${2:?}; shift ;;
    --connections) connections=${2:?}; shift ;;
    --procs) procs=${2:?}; shift ;;
    --rate) rate=${2:?}; shift ;;
    --channels) channels=${2:?}; shift ;;
    --channels-rate) channels_rate=${2:?}; shift ;;
    --http-connections) http_connections=${2:?}; shift ;;
    --stall-seconds) stall_seconds=${2:?}; shift ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
    esac
    shift
done
case $workloads in
fanout | connections | latency | channels | http | all) ;;
*) die "--workload must be fanout, connections, latency, channels, http or all" ;;
esac
[ -n "$duration" ] || duration=$([ $quick = 1 ] && echo 3 || echo 10)
[ -n "$connections" ] || connections=$([ $quick = 1 ] && echo 5000 || echo 19000)
[ -n "$channels" ] || channels=$([ $quick = 1 ] && echo 200 || echo 1000)
[ -n "$channels_rate" ] || channels_rate=$((channels * 10))
[ -n "$stall_seconds" ] || stall_seconds=$([ $quick = 1 ] && echo 3 || echo 30)
for number in "$subscribers" "$connections" "$procs" "$channels" "$http_connections"; do
    [[ $number =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $number"
done
for number in $duration $rate $channels_rate $stall_seconds; do
    if ! [[ $number =~ ^[0-9]+([.][0-9]+)?$ ]] || ! awk -v n="$number" 'BEGIN { exit !(n > 0) }'
    then
        die "not a positive number: $number"
    fi
done
[ "$connections" -gt 1000 ] || die "--connections must be above 1000 (the slope starts there)"

node_bin=$build_dir/node/dnotifier-node
loadgen=$build_dir/tests/bench/dnotifier-loadgen
[ -x "$node_bin" ] || die "no $node_bin: build the node first"
[ -x "$loadgen" ] || die "no $loadgen: configure with -DDNOTIFIER_BENCH=ON and build dnotifier-loadgen"
command -v nats-server >/dev/null || die "nats-server is not installed (apt-get install nats-server)"

# One process holds at most ~19,990 sockets here (20,000 open files, not raisable).
per_process_max=18000
min_procs=$(((connections - 1000 + per_process_max - 1) / per_process_max))
[ "$procs" -ge "$min_procs" ] || procs=$min_procs

work=$(mktemp -d "${TMPDIR:-/tmp}/dnotifier-bench.XXXXXX")
started_pids=()

stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -KILL "$pid" 2>/dev/null; then
        echo "run.sh: PID $pid did not stop within 5 s of SIGTERM; killed" >&2
    fi
    wait "$pid" 2>/dev/null
    # Forget it, so that cleanup never signals a later process that got the same PID.
    local kept=() other
    for other in "${started_pids[@]}"; do
        [ "$other" = "$pid" ] || kept+=("$other")
    done
    started_pids=("${kept[@]}")
}

cleanup() {
    local pid
    for pid in "${started_pids[@]+"${started_pids[@]}"}"; do
        stop_pid "$pid"
    done
    if [ $keep = 1 ]; then
        echo "work directory kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $3 seconds for a line matching $2 in file $1 while process $4 lives.
wait_for_line() {
    local file=$1 pattern=$2 seconds=$3 pid=$4
    local deadline=$((SECONDS + seconds))
    while [ $SECONDS -lt $deadline ]; do
        grep -qE "$pattern" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { grep -qE "$pattern" "$file" 2>/dev/null; return; }
        sleep 0.1
    done
    return 1
}

# value FILE NAME: the last "RESULT NAME=value" of a loadgen output.
value() {
    sed -n "s/^RESULT $2=//p" "$1" 2>/dev/null | tail -n 1
}

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# utime + stime of process $1 in clock ticks (fields 14 and 15; neither server's name has spaces).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}

# ListenOverflows of the whole machine: SYNs dropped because a listener's accept queue was full.
listen_overflows() {
    awk '/^TcpExt:/ {
            if (!seen) { for (i = 2; i <= NF; i++) name[i] = $i; seen = 1; next }
            for (i = 2; i <= NF; i++) if (name[i] == "ListenOverflows") print $i
        }' /proc/net/netstat 2>/dev/null
}

# A port outside the ephemeral range (32768-60999) that nothing uses, so that no outgoing
# connection can take it between the check and nats-server's bind. Sets port; never one it gave
# before in this run, which a nats-server started since may not have bound yet.
picked_ports=" "
free_port() {
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 12000))
        case $picked_ports in *" $port "*) continue ;; esac
        if [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
            picked_ports="$picked_ports$port "
            return 0
        fi
    done
    return 1
}

# runs NAME: whether workload NAME is part of this run.
runs() {
    [ "$workloads" = all ] || [ "$workloads" = "$1" ]
}

# --- Servers ----------------------------------------------------------------------------------

app_id=4242
app_key=bench-key
app_secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
# Every node knows the secret from the start, so the second node of the two-node latency case
# can join the first (docs/cluster.md: cluster_secret and seeds); alone, a node is a cluster of
# one and the secret changes nothing.
cluster_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

# node_config NAME SEEDS: the config of node NAME; SEEDS is a JSON array of peer addresses.
node_config() {
    cat <<EOF
{
    "host": "127.0.0.1",
    "max_connections_per_address": 0,
    "node_name": "$1",
    "cluster_secret": "$cluster_secret",
    "seeds": $2,
    "app": {"id": "$app_id", "key": "$app_key", "secret": "$app_secret",
            "max_connections": 1000000, "max_api_requests_per_second": 1000000}
}
EOF
}

# start_node NAME SEEDS: starts a node with its own config and data directory; sets started_pid
# and started_port (its client port, from its "Listening on" line); false when it did not start.
start_node() {
    node_config "$1" "$2" >"$work/$1.json"
    "$node_bin" --config "$work/$1.json" --data-dir "$work/$1-data" --port 0 --peer-port 0 \
        --admin-port 0 >"$work/$1.out" 2>"$work/$1.err" &
    started_pid=$!
    started_pids+=("$started_pid")
    if ! wait_for_line "$work/$1.out" '^Listening on http://127\.0\.0\.1:[0-9]+' 20 "$started_pid"
    then
        cat "$work/$1.err" >&2
        echo "run.sh: dnotifier-node $1 did not start" >&2
        stop_pid "$started_pid"
        return 1
    fi
    started_port=$(sed -n 's|^Listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/$1.out" \
        | head -n 1)
}

start_node node '[]' || die "dnotifier-node did not start"
node_pid=$started_pid
node_port=$started_port
node_peer_port=$(sed -n 's|^Peer links on 127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/node.out" \
    | head -n 1)

# nats_config WS_PORT ROUTE_PORT [SEED_ROUTE_PORT]: a nats-server on 127.0.0.1 with a WebSocket
# listener and a cluster listener, routed to the seed when one is given: the counterpart of two
# peered nodes.
nats_config() {
    cat <<EOF
host: 127.0.0.1
port: -1
websocket {
    listen: "127.0.0.1:$1"
    no_tls: true
}
cluster {
    name: bench
    listen: "127.0.0.1:$2"
EOF
    [ -z "${3:-}" ] || echo "    routes: [\"nats-route://127.0.0.1:$3\"]"
    echo "}"
}

# start_nats NAME WS_PORT ROUTE_PORT [SEED_ROUTE_PORT]: sets started_pid; false when it did not
# start.
start_nats() {
    nats_config "$2" "$3" "${4:-}" >"$work/$1.conf"
    nats-server -c "$work/$1.conf" >"$work/$1.log" 2>&1 &
    started_pid=$!
    started_pids+=("$started_pid")
    wait_for_line "$work/$1.log" 'Server is ready' 20 "$started_pid" && return 0
    cat "$work/$1.log" >&2
    echo "run.sh: nats-server $1 did not start" >&2
    stop_pid "$started_pid"
    return 1
}

free_port || die "found no free port for nats-server"
nats_port=$port
free_port || die "found no free port for nats-server"
nats_route_port=$port
start_nats nats "$nats_port" "$nats_route_port" || die "nats-server did not start"
nats_pid=$started_pid

# loadgen_args NAME [PORT]: the target options for server NAME (dnotifier or nats), at its
# client port or at PORT.
loadgen_args() {
    if [ "$1" = dnotifier ]; then
        echo "--protocol pusher --port ${2:-$node_port} --app-id $app_id --app-key $app_key" \
            "--app-secret $app_secret"
    else
        echo "--protocol nats --port ${2:-$nats_port}"
    fi
}

server_pid() {
    if [ "$1" = dnotifier ]; then echo "$node_pid"; else echo "$nats_pid"; fi
}

echo "dnotifier-node pid $node_pid on 127.0.0.1:$node_port; nats-server pid $nats_pid on" \
    "ws://127.0.0.1:$nats_port; work in $work" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Fan-out ------------------------------------------------------------------------------------

# run_fanout NAME [stall]: the fan-out against server NAME (fanout-NAME.txt); with stall, the
# same with one subscriber that stops reading after the warm-up (fanout-stalled-NAME.txt).
run_fanout() {
    local name=$1 file=fanout-$1 stall=() what=
    if [ "${2:-}" = stall ]; then
        file=fanout-stalled-$name
        stall=(--stall --stall-seconds "$stall_seconds")
        what=", 1 stalled"
    fi
    echo "fan-out: $name, $subscribers subscribers$what, ${duration} s ..." >&2
    # shellcheck disable=SC2046
    "$loadgen" fanout $(loadgen_args "$name") --server-pid "$(server_pid "$name")" \
        --subscribers "$subscribers" --duration "$duration" ${stall[@]+"${stall[@]}"} \
        >"$work/$file.txt" 2>"$work/$file.err"
    local status=$?
    [ $status = 0 ] || echo "fan-out$what against $name failed: $(tail -n 1 "$work/$file.err")" >&2
    sleep 1
}

# --- Connections --------------------------------------------------------------------------------

# start_holder NAME OUT COUNT FIRST: a loadgen that opens COUNT subscribed connections and holds.
start_holder() {
    # shellcheck disable=SC2046
    "$loadgen" connections $(loadgen_args "$1") --connections "$3" --first-index "$4" --hold \
        --timeout 300 >"$2" 2>"$2.err" &
    holder_pid=$!
    started_pids+=("$holder_pid")
}

# Reads VmRSS after the server has had a moment to settle.
settled_rss() {
    sleep 2
    rss_kb "$1"
}

run_connections() {
    local name=$1 pid
    pid=$(server_pid "$name")
    echo "connections: $name, 1,000 then $connections ..." >&2
    local a=$work/conn-$name-a.txt holders=() outs=() overflows_before
    overflows_before=$(listen_overflows)
    start_holder "$name" "$a" 1000 0
    holders+=("$holder_pid")
    if ! wait_for_line "$a" '^READY' 300 "$holder_pid"; then
        echo "connections against $name: the first 1,000 did not stand" >&2
    fi
    local rss_a count_a
    rss_a=$(settled_rss "$pid")
    count_a=$(value "$a" subscribed)

    local remaining=$((connections - 1000)) first=1000 i share out cpu_before
    cpu_before=$(cpu_ticks "$pid")
    for ((i = 0; i < procs; i++)); do
        share=$(((remaining + procs - i - 1) / (procs - i)))
        remaining=$((remaining - share))
        out=$work/conn-$name-b$i.txt
        start_holder "$name" "$out" "$share" "$first"
        holders+=("$holder_pid")
        outs+=("$out")
        first=$((first + share))
    done
    local j=1
    for out in "${outs[@]}"; do
        wait_for_line "$out" '^READY' 300 "${holders[$j]}" \
            || echo "connections against $name: a loadgen process did not finish" >&2
        j=$((j + 1))
    done
    local rss_b count_b=0 n cpu_after
    cpu_after=$(cpu_ticks "$pid")
    rss_b=$(settled_rss "$pid")
    for out in "${outs[@]}"; do
        n=$(value "$out" subscribed)
        count_b=$((count_b + ${n:-0}))
    done
    local holder
    for holder in "${holders[@]}"; do
        stop_pid "$holder"
    done
    {
        echo "rss_a_kb=${rss_a:-}"
        echo "rss_b_kb=${rss_b:-}"
        echo "count_a=${count_a:-0}"
        echo "count_b=$((${count_a:-0} + count_b))"
        echo "overflows=$(awk -v a="$overflows_before" -v b="$(listen_overflows)" \
            'BEGIN { if (a != "" && b != "") print b - a }')"
        echo "server_cpu_seconds_b=$(awk -v a="$cpu_before" -v b="$cpu_after" -v hz="$(getconf CLK_TCK)" \
            'BEGIN { if (a != "" && b != "") printf "%.3f", (b - a) / hz }')"
    } >"$work/conn-$name.txt"
    sleep 2
}

# stage_b NAME WHAT: over the processes of stage B and the span from the first connect of any
# of them to the last upgrade of any: upgrades per second (WHAT=rate), or the CPU the load
# generators (WHAT=loadgen) or the server (WHAT=server) used in cores.
stage_b() {
    local name=$1 what=$2
    cat "$work"/conn-"$name"-b*.txt 2>/dev/null | awk -F= -v what="$what" \
        -v server="$(conn_value "$name" server_cpu_seconds_b)" '
        /^RESULT upgraded=/ { n += $2 }
        /^RESULT loadgen_cpu_seconds=/ { cpu += $2 }
        /^RESULT first_connect_ns=/ { if (first == "" || $2 < first) first = $2 }
        /^RESULT last_upgrade_ns=/ { if ($2 > last) last = $2 }
        END {
            if (n == 0 || last <= first) exit
            span = (last - first) / 1e9
            if (what == "rate") printf "%.0f", n / span
            else if (what == "loadgen") printf "%.3f", cpu / span
            else if (server != "") printf "%.3f", server / span
        }'
}

conn_value() {
    sed -n "s/^$2=//p" "$work/conn-$1.txt" 2>/dev/null
}

slope_kb() {
    local rss_a rss_b count_a count_b
    rss_a=$(conn_value "$1" rss_a_kb)
    rss_b=$(conn_value "$1" rss_b_kb)
    count_a=$(conn_value "$1" count_a)
    count_b=$(conn_value "$1" count_b)
    awk -v a="$rss_a" -v b="$rss_b" -v ca="$count_a" -v cb="$count_b" \
        'BEGIN { if (a != "" && b != "" && cb > ca) printf "%.2f", (b - a) / (cb - ca) }'
}

failures_of() {
    cat "$work"/conn-"$1"-*.txt 2>/dev/null | awk -F= '
        /^RESULT failed=/ { n += $2 } /^RESULT dropped_while_holding=/ { d += $2 }
        END { printf "%d failed, %d dropped", n, d }'
}

# --- Latency ------------------------------------------------------------------------------------

# latency_rate NAME: publications/s of the latency case 1 to N: --rate, or half of what the
# fan-out of NAME achieved in this run, or 1,000 without either.
latency_rate() {
    if [ -n "$rate" ]; then
        echo "$rate"
        return
    fi
    awk -v r="$(value "$work/fanout-$1.txt" publish_per_s)" \
        'BEGIN { if (r != "" && r > 0) printf "%.0f", r / 2; else print 1000 }'
}

# run_latency NAME CASE SUBSCRIBERS RATE TARGET_ARGS...: one latency case (one, many or
# cluster) against server NAME.
run_latency() {
    local name=$1 case=$2 count=$3 per_second=$4
    shift 4
    echo "latency: $name, $case, 1 to $count at $per_second/s, ${duration} s ..." >&2
    "$loadgen" latency "$@" --subscribers "$count" --rate "$per_second" --duration "$duration" \
        >"$work/latency-$case-$name.txt" 2>"$work/latency-$case-$name.err"
    local status=$? err=$work/latency-$case-$name.err
    [ $status = 0 ] || echo "latency $case against $name failed: $(tail -n 1 "$err")" >&2
    sleep 1
}

run_latency_single() {
    local name=$1 pid
    pid=$(server_pid "$name")
    # shellcheck disable=SC2046
    run_latency "$name" one 1 1000 $(loadgen_args "$name") --server-pid "$pid"
    # shellcheck disable=SC2046
    run_latency "$name" many "$subscribers" "$(latency_rate "$name")" $(loadgen_args "$name") \
        --server-pid "$pid"
}

# members_alive PORT: dnotifier_cluster_members_alive of the node on PORT (/metrics).
members_alive() {
    curl -s --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null \
        | awk '$1 ~ /^dnotifier_cluster_members_alive/ { print $2; exit }'
}

# The second dnotifier-node, seeded with the first; returns once both count two live members.
# Sets node_b_pid and node_b_port.
start_node_b() {
    start_node node-b "[\"127.0.0.1:$node_peer_port\"]" || return 1
    node_b_pid=$started_pid
    node_b_port=$started_port
    local deadline=$((SECONDS + 20))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(members_alive "$node_port")" = 2 ] && [ "$(members_alive "$node_b_port")" = 2 ] \
            && return 0
        sleep 0.2
    done
    echo "latency across nodes: the two nodes did not see each other within 20 s" >&2
    return 1
}

# The second nats-server, routed to the first; returns once the route is up. Sets nats_b_pid
# and nats_b_port.
start_nats_b() {
    free_port || return 1
    nats_b_port=$port
    free_port || return 1
    start_nats nats-b "$nats_b_port" "$port" "$nats_route_port" || return 1
    nats_b_pid=$started_pid
    wait_for_line "$work/nats-b.log" 'Route connection created' 20 "$nats_b_pid" && return 0
    echo "latency across nodes: nats-b did not route to nats within 20 s" >&2
    return 1
}

# Publisher on the first server, subscriber on the second; the second is stopped afterwards.
run_latency_cluster() {
    local name=$1
    # shellcheck disable=SC2046
    if [ "$name" = dnotifier ]; then
        node_b_pid=
        start_node_b \
            && run_latency dnotifier cluster 1 1000 $(loadgen_args dnotifier "$node_b_port") \
                --publish-port "$node_port" --server-pid "$node_b_pid"
        [ -z "$node_b_pid" ] || stop_pid "$node_b_pid"
    else
        nats_b_pid=
        start_nats_b \
            && run_latency nats cluster 1 1000 $(loadgen_args nats "$nats_b_port") \
                --publish-port "$nats_port" --server-pid "$nats_b_pid"
        [ -z "$nats_b_pid" ] || stop_pid "$nats_b_pid"
    fi
}

# --- Many channels and HTTP publish ---------------------------------------------------------------

run_channels() {
    local name=$1
    echo "channels: $name, $channels channels x 10 subscribers, $channels_rate/s," \
        "${duration} s ..." >&2
    # shellcheck disable=SC2046
    "$loadgen" channels $(loadgen_args "$name") --server-pid "$(server_pid "$name")" \
        --channels "$channels" --subscribers 10 --rate "$channels_rate" --duration "$duration" \
        >"$work/channels-$name.txt" 2>"$work/channels-$name.err"
    local status=$? err=$work/channels-$name.err
    [ $status = 0 ] || echo "channels against $name failed: $(tail -n 1 "$err")" >&2
    sleep 1
}

run_http() {
    local name=$1
    echo "http publish: $name, $http_connections connections, ${duration} s ..." >&2
    # shellcheck disable=SC2046
    "$loadgen" http $(loadgen_args "$name") --server-pid "$(server_pid "$name")" \
        --publishers "$http_connections" --duration "$duration" \
        >"$work/http-$name.txt" 2>"$work/http-$name.err"
    local status=$? err=$work/http-$name.err
    [ $status = 0 ] || echo "http publish against $name failed: $(tail -n 1 "$err")" >&2
    sleep 1
}

# --- Run ------------------------------------------------------------------------------------------

# Connections first, on servers that have not yet allocated for the fan-out: memory a server
# keeps after the fan-out would be reused by new connections and flatten the slope. Fan-out
# before latency, whose case 1 to N runs at half the fan-out's rate; the two-node case last, as
# it starts and stops a second server of each kind.
for name in dnotifier nats; do
    ! runs connections || run_connections "$name"
done
# The stalled fan-out right after the plain one, on the same server process: its figures are
# compared per subscriber with the plain one's.
for name in dnotifier nats; do
    ! runs fanout || { run_fanout "$name" && run_fanout "$name" stall; }
done
for name in dnotifier nats; do
    ! runs latency || run_latency_single "$name"
done
for name in dnotifier nats; do
    ! runs channels || run_channels "$name"
done
for name in dnotifier nats; do
    ! runs http || run_http "$name"
done
for name in dnotifier nats; do
    ! runs latency || run_latency_cluster "$name"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Table ----------------------------------------------------------------------------------------

# A number in FORMAT; a word (such as "no") as it is.
format() {
    awk -v v="$1" -v f="$2" 'BEGIN {
        if (v == "") print "n/a"; else if (v !~ /^[-+.0-9eE]+$/) print v; else printf f "\n", v
    }'
}

ratio() {
    awk -v d="$1" -v n="$2" 'BEGIN {
        if (d !~ /^[-+.0-9eE]+$/ || n !~ /^[-+.0-9eE]+$/ || n + 0 == 0) print "n/a"
        else printf "%.2fx\n", d / n
    }'
}

# 19000 -> 19,000
grouped() {
    echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

percent() {
    awk -v r="$1" 'BEGIN { if (r != "") print r * 100 }'
}

megabytes() {
    awk -v k="$1" 'BEGIN { if (k != "") print k / 1024 }'
}

# row WORKLOAD METRIC DNOTIFIER NATS FORMAT BETTER
row() {
    printf '%-11s %-48s %11s %11s %7s  %s\n' "$1" "$2" "$(format "$3" "$5")" \
        "$(format "$4" "$5")" "$(ratio "$3" "$4")" "$6"
}

fanout_rows() {
    local fd=$work/fanout-dnotifier.txt fn=$work/fanout-nats.txt
    row fan-out "deliveries/s" "$(value "$fd" deliveries_per_s)" \
        "$(value "$fn" deliveries_per_s)" '%.0f' higher
    row fan-out "publishes/s achieved" "$(value "$fd" publish_per_s)" \
        "$(value "$fn" publish_per_s)" '%.0f' higher
    row fan-out "delivered of expected after drain (%)" \
        "$(percent "$(value "$fd" delivered_ratio)")" "$(percent "$(value "$fn" delivered_ratio)")" \
        '%.2f' "higher (100: none lost)"
    row fan-out "server CPU (cores)" "$(value "$fd" server_cpu)" "$(value "$fn" server_cpu)" \
        '%.2f' context
    row fan-out "load generator CPU (cores)" "$(value "$fd" loadgen_cpu)" \
        "$(value "$fn" loadgen_cpu)" '%.2f' context
    row fan-out "deliveries per read() of the load generator" \
        "$(value "$fd" deliveries_per_read)" "$(value "$fn" deliveries_per_read)" '%.1f' \
        "context (server batching)"
    row fan-out "1 subscriber stalled: deliveries/s to the others" \
        "$(value "$work/fanout-stalled-dnotifier.txt" deliveries_per_s)" \
        "$(value "$work/fanout-stalled-nats.txt" deliveries_per_s)" '%.0f' higher
    row fan-out "1 stalled: as % of plain fan-out per subscriber" \
        "$(stalled_share dnotifier)" "$(stalled_share nats)" '%.1f' higher
    row fan-out "1 stalled: server closed it after (s)" "$(stall_let_go dnotifier)" \
        "$(stall_let_go nats)" '%.1f' \
        "context (no: not within $(awk -v d="$duration" -v s="$stall_seconds" \
            'BEGIN { print (s > d ? s : d) }') s)"
}

# stalled_share NAME: deliveries/s per subscriber that reads in the stalled fan-out, as a
# percentage of the plain fan-out's per subscriber.
stalled_share() {
    local plain=$work/fanout-$1.txt stalled=$work/fanout-stalled-$1.txt
    awk -v s="$(value "$stalled" deliveries_per_s)" -v sn="$(value "$stalled" subscribers)" \
        -v p="$(value "$plain" deliveries_per_s)" -v pn="$(value "$plain" subscribers)" \
        'BEGIN { if (s != "" && p > 0 && sn > 0 && pn > 0) printf "%.2f", s / sn / (p / pn) * 100 }'
}

# stall_let_go NAME: seconds from the stall to the server letting the stalled subscriber go
# (its end of the connection closed or shut down), "no" when it did not.
stall_let_go() {
    local file=$work/fanout-stalled-$1.txt
    case $(value "$file" stall_server_let_go) in
    1) value "$file" stall_server_let_go_after_s ;;
    0) echo no ;;
    esac
}

# slow_consumer_log NAME: "SECONDS MESSAGE" of the first line the server logged about a slow
# consumer at or after the stall, SECONDS counted from the stall; nothing when it logged none.
slow_consumer_log() {
    local at line stamp ms
    at=$(value "$work/fanout-stalled-$1.txt" stall_at_unix_ms)
    [ -n "$at" ] || return 0
    if [ "$1" = dnotifier ]; then
        grep -h 'slow consumer' "$work/node.err" 2>/dev/null
    else
        grep -h 'Slow Consumer' "$work/nats.log" 2>/dev/null
    fi | while IFS= read -r line; do
        # dnotifier: JSON, "time":"2026-12-05T02:17:56.802Z"; nats: [PID] 2026/12/05 02:18:37.765
        if [ "$1" = dnotifier ]; then
            stamp=$(sed -n 's/.*"time":"\([^"]*\)".*/\1/p' <<<"$line")
            line=$(sed -n 's/.*"message":"\([^"]*\)".*/\1/p' <<<"$line")
        else
            stamp=$(awk '{ gsub("/", "-", $2); print $2, $3 }' <<<"$line")
            line=$(grep -o 'Slow Consumer.*' <<<"$line")
        fi
        ms=$(date -d "$stamp" +%s%3N 2>/dev/null) || continue
        if [ "$ms" -ge "$at" ]; then
            echo "$(awk -v d=$((ms - at)) 'BEGIN { printf "%.1f", d / 1000 }') $line"
            break
        fi
    done
}

connection_rows() {
    local n
    n=$(grouped "$connections")
    row connections "memory per idle connection (KB, slope)" "$(slope_kb dnotifier)" \
        "$(slope_kb nats)" '%.2f' lower
    row connections "upgrades/s, 0 to 1,000" "$(value "$work/conn-dnotifier-a.txt" upgrades_per_s)" \
        "$(value "$work/conn-nats-a.txt" upgrades_per_s)" '%.0f' higher
    row connections "upgrades/s, 1,000 to $n" "$(stage_b dnotifier rate)" "$(stage_b nats rate)" \
        '%.0f' higher
    row connections "server CPU, 1,000 to $n (cores)" "$(stage_b dnotifier server)" \
        "$(stage_b nats server)" '%.2f' context
    row connections "load generator CPU, 1,000 to $n (cores)" "$(stage_b dnotifier loadgen)" \
        "$(stage_b nats loadgen)" '%.2f' context
    row connections "SYNs dropped, accept queue full (machine)" "$(conn_value dnotifier overflows)" \
        "$(conn_value nats overflows)" '%.0f' lower
    row connections "connections held at the end" "$(conn_value dnotifier count_b)" \
        "$(conn_value nats count_b)" '%.0f' higher
    row connections "server VmRSS at the end (MB)" "$(megabytes "$(conn_value dnotifier rss_b_kb)")" \
        "$(megabytes "$(conn_value nats rss_b_kb)")" '%.1f' lower
}

connection_notes() {
    local n
    n=$(grouped "$connections")
    cat <<EOF

Memory per idle connection is a slope, not a division: (server VmRSS holding $n
connections - VmRSS holding 1,000) / (connections added), each read 2 s after its stage stood.
User-space memory only; the kernel's ~4.5 KB per socket is not in VmRSS. Every connection is
upgraded and subscribed to its own channel (idle-<i>) and then idle. The first 1,000 come from
one load generator process, the rest from $procs more (several processes: one holds at most
~19,990 sockets here), all at once; their upgrades/s is the sum over the span from the first
connect of any to the last upgrade of any. Each process keeps 256 handshakes in flight, and a
handshake counts when the 101 answer checks out; its subscribe follows on the same slot.
Connections come from source addresses 127.0.0.1-16 (with one, the kernel's search for a free
local port made connect() the limit past ~10,000) and are closed with the closing handshake.
dnotifier: $(failures_of dnotifier); nats: $(failures_of nats).
EOF
}

fanout_notes() {
    local others
    others=$(grouped $((subscribers - 1)))
    cat <<EOF

Fan-out: 1 publisher, 1 channel, $subscribers subscribers in one load generator process,
100-byte payloads, at most 256 messages in flight per subscriber, ${duration} s measured after
1 s of warm-up. dnotifier: signed POST /apps/ID/events requests pipelined on one keep-alive
connection; nats: PUB in WebSocket frames on one connection.
1 stalled: the same right after, on the same server, but one subscriber stops reading as the
window opens and keeps its connection open; the figures are those of the other $others
subscribers, compared per subscriber with the plain fan-out. Past the window the publisher goes
on, outside the figures, until the server lets the stalled one go (the server's end of the
connection, seen in the kernel's socket table, is closed or shut down) or $stall_seconds s after
the stall; then the stalled one reads again.
EOF
    local name file skipped reordered rejected
    for name in dnotifier nats; do
        for file in "$work/fanout-$name.txt" "$work/fanout-stalled-$name.txt"; do
            [ -f "$file" ] || continue
            skipped=$(value "$file" skipped) reordered=$(value "$file" reordered)
            rejected=$(value "$file" publish_rejected)
            if [ "${skipped:-0}${reordered:-0}${rejected:-0}" != 000 ]; then
                echo "fan-out$(stalled_label "$file") $name: $skipped skipped," \
                    "$reordered out of order, $rejected publishes rejected"
            fi
            awk -v r="$(value "$file" delivered_ratio)" \
                -v what="fan-out$(stalled_label "$file") $name" 'BEGIN {
                    if (r != "" && r < 1)
                        printf "%s: %.3f %% of the deliveries lost\n", what, (1 - r) * 100
                }'
        done
        stall_note "$name" | fold -s -w 96 | sed 's/ *$//'
    done
}

stalled_label() {
    case $1 in *stalled*) echo ", 1 stalled" ;; esac
}

# stall_note NAME: what became of the stalled subscriber of server NAME.
stall_note() {
    local file=$work/fanout-stalled-$1.txt logged
    [ -f "$file" ] || return 0
    logged=$(slow_consumer_log "$1")
    awk -v name="$1" -v go="$(value "$file" stall_server_let_go)" \
        -v after="$(value "$file" stall_server_let_go_after_s)" \
        -v how="$(value "$file" stall_server_let_go_how)" \
        -v logged="$logged" -v resumed="$(value "$file" stall_resumed_after_s)" \
        -v client="$(value "$file" stall_client_kernel_bytes)" \
        -v server="$(value "$file" stall_server_kernel_bytes)" \
        -v bytes="$(value "$file" stall_bytes_after_resume)" \
        -v sent="$(value "$file" stall_bytes_sent_after_resume)" \
        -v got="$(value "$file" stall_delivered_after_resume)" \
        -v missed="$(value "$file" stall_missed)" -v end="$(value "$file" stall_end)" \
        -v span="$(value "$file" past_window_seconds)" \
        -v past="$(value "$file" past_window_deliveries_per_s)" \
        -v others="$(value "$file" subscribers)" \
        -v plain="$(value "$work/fanout-$1.txt" deliveries_per_s)" \
        -v plain_n="$(value "$work/fanout-$1.txt" subscribers)" \
        -v failed="$(value "$file" stall_diag_error)$(value "$file" stall_error)" 'BEGIN {
            printf "fan-out, 1 stalled, %s: ", name
            if (go == 1) printf "let go %.1f s after the stall (its end: %s)", after, how
            else if (go == 0) printf "not let go"
            else printf "no result"
            if (logged != "") {
                seconds = logged
                sub(/ .*/, "", seconds)
                printf "; the server logged \"%s\" %s s after the stall",
                    substr(logged, length(seconds) + 2), seconds
            }
            printf "."
            if (past != "") {
                printf " From the window'"'"'s end to the last publication (%.1f s): %.0f" \
                    " deliveries/s to the others", span, past
                if (plain > 0 && others > 0 && plain_n > 0)
                    printf " (%.1f %% of the plain fan-out per subscriber)",
                        past / others / (plain / plain_n) * 100
                printf "."
            }
            if (resumed != "") {
                printf " Read again %.1f s after the stall: %.2f MB waited in the kernel" \
                    " (%.2f MB in its receive queue, %.2f MB in the server'"'"'s send queue);" \
                    " it read %.2f MB, %d messages, then ", resumed, (client + server) / 1e6,
                    client / 1e6, server / 1e6, bytes / 1e6, got
                if (end == "open") printf "it stayed open"
                else printf "the connection ended: %s", end
                if (sent > 0 && end ~ /reset/)
                    printf " (it had sent %d bytes, the answer to a ping that waited in the" \
                        " buffers; a socket its server has closed answers data with a reset)", sent
                if (missed > 0) printf "; %d publications never reached it", missed
                printf "."
            }
            print ""
            if (failed != "") printf "fan-out, 1 stalled, %s: %s\n", name, failed
        }'
}

# latency_label CASE: how the table names a latency case.
latency_label() {
    case $1 in
    one) echo "1 to 1, 1,000/s" ;;
    many)
        if [ -n "$rate" ]; then
            echo "1 to $(grouped "$subscribers") at $(grouped "$rate")/s"
        else
            echo "1 to $(grouped "$subscribers"), half fan-out rate"
        fi
        ;;
    cluster) echo "2 nodes, 1 to 1, 1,000/s" ;;
    esac
}

latency_rows() {
    local case label fd fn q
    for case in one many cluster; do
        label=$(latency_label "$case")
        fd=$work/latency-$case-dnotifier.txt fn=$work/latency-$case-nats.txt
        if [ $case = many ]; then
            row latency "1 to $(grouped "$subscribers"): publishes/s" \
                "$(value "$fd" publish_per_s)" "$(value "$fn" publish_per_s)" '%.0f' \
                "context ($([ -n "$rate" ] && echo "--rate" || echo "half of fan-out"))"
        fi
        for q in p50 p99 p999; do
            row latency "$label: $q (us)" "$(value "$fd" "latency_${q}_us")" \
                "$(value "$fn" "latency_${q}_us")" '%.1f' lower
        done
    done
}

# paced_anomalies FILE WHAT: lines about a latency or channels run whose publications were lost,
# whose rate was not reached, or whose load generator fell more than 5 ms behind its schedule.
paced_anomalies() {
    [ -f "$1" ] || return 0
    awk -v r="$(value "$1" delivered_ratio)" -v l="$(value "$1" publish_late_max_us)" \
        -v t="$(value "$1" rate_target)" -v a="$(value "$1" publish_per_s)" \
        -v sk="$(value "$1" skipped)" -v ro="$(value "$1" reordered)" \
        -v rj="$(value "$1" publish_rejected)" -v m="$(value "$1" machine_busy_cores)" \
        -v s="$(value "$1" server_cpu)" -v g="$(value "$1" loadgen_cpu)" -v what="$2" 'BEGIN {
            if (r != "" && r < 1)
                printf "%s: %.3f %% of the measured publications lost\n", what, (1 - r) * 100
            if (t != "" && a < t * 0.99)
                printf "%s: %.0f/s published of %.0f/s asked\n", what, a, t
            if (l > 5000)
                printf "%s: the load generator was up to %.1f ms late publishing (machine busy" \
                    " %.2f cores, this server %.2f, load generator %.2f)\n", what, l / 1000, m, s, g
            if (sk + ro + rj > 0)
                printf "%s: %d skipped, %d out of order, %d rejected\n", what, sk, ro, rj
        }'
}

latency_notes() {
    cat <<EOF

Latency: publish-to-deliver, from the CLOCK_MONOTONIC time the publisher wrote into the payload
as it queued the publication (its send() follows in the same loop turn) to the subscriber's
loop reading it; both in one load generator process. Publications paced by a timer, 1 s of
warm-up, then ${duration} s whose publications are all measured; percentiles from a log-linear
histogram (exact below 2 us, within 0.1 % above). 1 to $(grouped "$subscribers"): each server at
half the publishes/s of its own fan-out in this run (or --rate). 2 nodes: publisher on the
first, subscriber on a second dnotifier-node peered with it (cluster secret, seeds) / a second
nats-server joined to the first by a cluster route.
EOF
    local case name
    for case in one many cluster; do
        for name in dnotifier nats; do
            paced_anomalies "$work/latency-$case-$name.txt" \
                "latency $(latency_label "$case") $name"
        done
    done
}

channels_rows() {
    local fd=$work/channels-dnotifier.txt fn=$work/channels-nats.txt
    row channels "deliveries/s" "$(value "$fd" deliveries_per_s)" \
        "$(value "$fn" deliveries_per_s)" '%.0f' higher
    row channels "delivered of expected after drain (%)" \
        "$(percent "$(value "$fd" delivered_ratio)")" \
        "$(percent "$(value "$fn" delivered_ratio)")" '%.2f' "higher (100: none lost)"
    row channels "latency p50 (us)" "$(value "$fd" latency_p50_us)" \
        "$(value "$fn" latency_p50_us)" '%.1f' lower
    row channels "latency p99 (us)" "$(value "$fd" latency_p99_us)" \
        "$(value "$fn" latency_p99_us)" '%.1f' lower
    row channels "server CPU (cores)" "$(value "$fd" server_cpu)" "$(value "$fn" server_cpu)" \
        '%.2f' context
    row channels "load generator CPU (cores)" "$(value "$fd" loadgen_cpu)" \
        "$(value "$fn" loadgen_cpu)" '%.2f' context
}

channels_notes() {
    local count rate_text held per_channel
    count=$(grouped "$channels") rate_text=$(grouped "$channels_rate")
    held=$(grouped $((channels * 10)))
    per_channel=$(awk -v r="$channels_rate" -v c="$channels" 'BEGIN { printf "%g", r / c }')
    cat <<EOF

Channels: $count channels with 10 subscribers each ($held connections in one load generator
process), $rate_text publications/s in all ($per_channel per channel and second), paced by a
timer and sent to the channels in turn, 100-byte payloads, ${duration} s measured after 1 s of
warm-up, then a drain until 3 s pass without a delivery. dnotifier: signed POST /apps/ID/events
pipelined on one keep-alive connection; nats: PUB on one WebSocket connection. Latency as above;
when it grows through the window, the server fell behind.
EOF
    local name
    for name in dnotifier nats; do
        paced_anomalies "$work/channels-$name.txt" "channels $name"
    done
}

http_rows() {
    local fd=$work/http-dnotifier.txt fn=$work/http-nats.txt
    row http "requests/s (nats: PUB/s answered +OK)" "$(value "$fd" requests_per_s)" \
        "$(value "$fn" requests_per_s)" '%.0f' "context only (nats has no HTTP API)"
    row http "errors" "$(value "$fd" errors)" "$(value "$fn" errors)" '%.0f' lower
    row http "server CPU (cores)" "$(value "$fd" server_cpu)" "$(value "$fn" server_cpu)" \
        '%.2f' context
    row http "load generator CPU (cores)" "$(value "$fd" loadgen_cpu)" \
        "$(value "$fn" loadgen_cpu)" '%.2f' context
}

http_notes() {
    local n=$http_connections
    cat <<EOF

HTTP publish: signed POST /apps/ID/events requests (one 100-byte event each, auth_version
1.0) on $n keep-alive connections, each kept at 64 unanswered requests (pipelined), to a
channel with 1 subscriber; ${duration} s measured after 1 s of warm-up. Errors: non-2xx answers,
requests never answered, connections lost. nats has no HTTP API: its column is PUB operations
with the same payload on $n WebSocket connections in verbose mode, each answered with +OK,
64 unanswered per connection; the ratio compares two protocols and is context only.
EOF
    local name file
    for name in dnotifier nats; do
        file=$work/http-$name.txt
        [ -f "$file" ] || continue
        awk -v r="$(value "$file" delivered_ratio)" -v e="$(value "$file" error_answers)" \
            -v s="$(value "$file" publish_last_reject_status)" \
            -v f="$(value "$file" first_failure)" -v what="http $name" 'BEGIN {
                if (r != "" && r < 1)
                    printf "%s: the subscriber got %.2f %% of the publications\n", what, r * 100
                if (e > 0) printf "%s: %d error answers (last status %s)\n", what, e, s
                if (f != "") printf "%s: first failure: %s\n", what, f
            }'
    done
}

echo
echo "DNotifier benchmark $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores" \
    "($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
changes=
git -C "$repo_root" diff --quiet HEAD -- node common 2>/dev/null \
    || changes="with uncommitted changes to node/ or common/"
echo "dnotifier-node at $(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$changes from $build_dir; $(nats-server --version 2>&1 | head -n 1)"
echo "load average before: $load_before; after: $load_after"
echo "ratio = dnotifier / nats; the last column says which direction is better"
echo
printf '%-11s %-48s %11s %11s %7s  %s\n' workload metric dnotifier nats ratio better
! runs fanout || fanout_rows
! runs connections || connection_rows
! runs latency || latency_rows
! runs channels || channels_rows
! runs http || http_rows
! runs fanout || fanout_notes
! runs connections || connection_notes
! runs latency || latency_notes
! runs channels || channels_notes
! runs http || http_notes
