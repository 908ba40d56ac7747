#!/usr/bin/env bash
# The side-by-side benchmark of issue 6. In one run it starts dnotifier-node (from the build
# tree, port 0, a throw-away data directory and app) and nats-server (WebSocket listener on a
# free 127.0.0.1 port), drives both with the same dnotifier-loadgen workloads, stops both by
# PID and prints one table. It never asserts: it reports. See tests/bench/README.md.
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

usage() {
    cat <<EOF
usage: tests/bench/run.sh [--quick] [options]

  --quick              3 s of fan-out and 5,000 connections instead of 10 s and 19,000
  --build-dir DIR      build tree configured with -DDNOTIFIER_BENCH=ON ($build_dir)
  --workload NAME      fanout, connections or all (all)
  --duration SECONDS   fan-out measuring window (10; 3 with --quick)
  --subscribers N      fan-out subscribers (1000)
  --connections N      idle connections held at the end of the memory slope (19000; 5000 quick)
  --procs P            load generator processes for the 1,000..N stage (1; more when N needs)
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
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
    esac
    shift
done
case $workloads in fanout | connections | all) ;; *) die "--workload must be fanout, connections or all" ;; esac
[ -n "$duration" ] || duration=$([ $quick = 1 ] && echo 3 || echo 10)
[ -n "$connections" ] || connections=$([ $quick = 1 ] && echo 5000 || echo 19000)
for number in "$subscribers" "$connections" "$procs"; do
    [[ $number =~ ^[1-9][0-9]*$ ]] || die "not a positive whole number: $number"
done
[[ $duration =~ ^[0-9]+([.][0-9]+)?$ ]] || die "not a number of seconds: $duration"
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
# connection can take it between the check and nats-server's bind.
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 12000))
        if [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# --- Servers ----------------------------------------------------------------------------------

app_id=4242
app_key=bench-key
app_secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
cat >"$work/node.json" <<EOF
{
    "host": "127.0.0.1",
    "app": {"id": "$app_id", "key": "$app_key", "secret": "$app_secret",
            "max_connections": 1000000, "max_api_requests_per_second": 1000000}
}
EOF
"$node_bin" --config "$work/node.json" --data-dir "$work/node-data" --port 0 --peer-port 0 --admin-port 0 \
    >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
started_pids+=("$node_pid")
wait_for_line "$work/node.out" '^Listening on http://127\.0\.0\.1:[0-9]+' 20 "$node_pid" \
    || { cat "$work/node.err" >&2; die "dnotifier-node did not start"; }
node_port=$(sed -n 's|^Listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/node.out" | head -n 1)

nats_port=$(free_port) || die "found no free port for nats-server"
cat >"$work/nats.conf" <<EOF
host: 127.0.0.1
port: -1
websocket {
    listen: "127.0.0.1:$nats_port"
    no_tls: true
}
EOF
nats-server -c "$work/nats.conf" >"$work/nats.log" 2>&1 &
nats_pid=$!
started_pids+=("$nats_pid")
wait_for_line "$work/nats.log" 'Server is ready' 20 "$nats_pid" \
    || { cat "$work/nats.log" >&2; die "nats-server did not start"; }

# loadgen_args NAME: the target options for server NAME (dnotifier or nats).
loadgen_args() {
    if [ "$1" = dnotifier ]; then
        echo "--protocol pusher --port $node_port --app-id $app_id --app-key $app_key" \
            "--app-secret $app_secret"
    else
        echo "--protocol nats --port $nats_port"
    fi
}

server_pid() {
    if [ "$1" = dnotifier ]; then echo "$node_pid"; else echo "$nats_pid"; fi
}

echo "dnotifier-node pid $node_pid on 127.0.0.1:$node_port; nats-server pid $nats_pid on" \
    "ws://127.0.0.1:$nats_port; work in $work" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Fan-out ------------------------------------------------------------------------------------

run_fanout() {
    local name=$1
    echo "fan-out: $name, $subscribers subscribers, ${duration} s ..." >&2
    # shellcheck disable=SC2046
    "$loadgen" fanout $(loadgen_args "$name") --server-pid "$(server_pid "$name")" \
        --subscribers "$subscribers" --duration "$duration" \
        >"$work/fanout-$name.txt" 2>"$work/fanout-$name.err"
    local status=$?
    [ $status = 0 ] || echo "fan-out against $name failed: $(tail -n 1 "$work/fanout-$name.err")" >&2
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

# --- Run ------------------------------------------------------------------------------------------

# Connections first, on servers that have not yet allocated for the fan-out: memory a server
# keeps after the fan-out would be reused by new connections and flatten the slope.
for name in dnotifier nats; do
    case $workloads in all | connections) run_connections "$name" ;; esac
done
for name in dnotifier nats; do
    case $workloads in all | fanout) run_fanout "$name" ;; esac
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Table ----------------------------------------------------------------------------------------

format() {
    awk -v v="$1" -v f="$2" 'BEGIN { if (v == "") print "n/a"; else printf f "\n", v }'
}

ratio() {
    awk -v d="$1" -v n="$2" \
        'BEGIN { if (d == "" || n == "" || n + 0 == 0) print "n/a"; else printf "%.2fx\n", d / n }'
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
    printf '%-11s %-42s %11s %11s %7s  %s\n' "$1" "$2" "$(format "$3" "$5")" \
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
    cat <<EOF

Fan-out: 1 publisher, 1 channel, $subscribers subscribers in one load generator process,
100-byte payloads, at most 256 messages in flight per subscriber, ${duration} s measured after
1 s of warm-up. dnotifier: signed POST /apps/ID/events requests pipelined on one keep-alive
connection; nats: PUB in WebSocket frames on one connection.
EOF
    local name file skipped reordered rejected
    for name in dnotifier nats; do
        file=$work/fanout-$name.txt
        [ -f "$file" ] || continue
        skipped=$(value "$file" skipped) reordered=$(value "$file" reordered)
        rejected=$(value "$file" publish_rejected)
        if [ "${skipped:-0}${reordered:-0}${rejected:-0}" != 000 ]; then
            echo "fan-out $name: $skipped skipped, $reordered out of order," \
                "$rejected publishes rejected"
        fi
    done
}

echo
echo "DNotifier benchmark $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores" \
    "($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "dnotifier-node at $(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "from $build_dir; $(nats-server --version 2>&1 | head -n 1)"
echo "load average before: $load_before; after: $load_after"
echo "ratio = dnotifier / nats; the last column says which direction is better"
echo
printf '%-11s %-42s %11s %11s %7s  %s\n' workload metric dnotifier nats ratio better
[ "$workloads" = connections ] || fanout_rows
[ "$workloads" = fanout ] || connection_rows
[ "$workloads" = connections ] || fanout_notes
[ "$workloads" = fanout ] || connection_notes
