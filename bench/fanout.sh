#!/usr/bin/env bash
# Live fan-out on loopback: one FFmpeg publisher, N players (bench/loadgen/
# fanout_players, one thread), for sluice serve, for nginx-rtmp when nginx
# with libnginx-mod-rtmp is installed, and for the kernel's floor (bench/
# loadgen/fanout_floor: the same bytes copied to N sockets, no protocol), in
# one run. Prints what the players received and each server's CPU and
# memory, side by side, and the ratios.
# Figures only: nothing is asserted (machines here are shared and noisy).
#
#   bench/fanout.sh [PLAYERS] [SECONDS]        (defaults 500 and 15)
#
# Needs: build/release/apps/sluice/sluice (tools/run.sh builds it) and
# build/bench/bench/fanout_players (the Benchmarks section of README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
players=${1:-500}
seconds=${2:-15}
sluice=build/release/apps/sluice/sluice
loadgen=build/bench/bench/fanout_players
floor=build/bench/bench/fanout_floor
for f in "$sluice" "$loadgen" "$floor"; do
    [ -x "$f" ] || { echo "fanout.sh: $f is missing; build it first (see README.md, Benchmarks)"; exit 1; }
done
work=$(mktemp -d /tmp/sluice-fanout-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=44100 -t 10 -c:v libx264 -preset veryfast -b:v 1500k \
    -g 50 -pix_fmt yuv420p -c:a aac -b:a 128k -f flv "$work/clip.flv"

cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
rss_kb() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/{print $2}' "/proc/$p/status"))); done; echo $t; }

# run NAME PORT PIDS...: publish, load, report
run() {
    local name=$1 port=$2; shift 2
    local pids=("$@")
    ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/clip.flv" -c copy -f flv \
        "rtmp://127.0.0.1:$port/live/bench" >"$work/$name-publish.log" 2>&1 &
    local publisher=$!
    sleep 2
    local t0; t0=$(cpu_ticks "${pids[@]}")
    "$loadgen" 127.0.0.1 "$port" live bench "$players" "$seconds" >"$work/$name-load.log" || true
    local t1; t1=$(cpu_ticks "${pids[@]}")
    local rss; rss=$(rss_kb "${pids[@]}")
    kill $publisher 2>/dev/null || true
    wait $publisher 2>/dev/null || true
    local hz; hz=$(getconf CLK_TCK)
    local summary; summary=$(grep summary "$work/$name-load.log")
    local mbits; mbits=$(grep -E '^t=' "$work/$name-load.log" | tail -n 5 |
        sed -E 's/.*media=([0-9.]+).*/\1/' | awk '{s+=$1} END {if (NR) printf "%.0f", s/NR; else print 0}')
    local cpu; cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.0f", 100*d/hz/s}')
    printf '%-22s %8s %10s %12s %10s %8s\n' "$name" "$players" \
        "$(sed -E 's/.*receiving=([0-9]+).*/\1/' <<<"$summary")" "$mbits" "$cpu" "$((rss / 1024))"
    echo "$name $mbits $cpu $((rss / 1024))" >>"$work/results"
}

printf '%-22s %8s %10s %12s %10s %8s\n' server players receiving "Mbit/s out" "CPU %" "RSS MB"
for workers in 1 "$(nproc)"; do
    "$sluice" serve --listen 127.0.0.1:0 --workers "$workers" --log-level info >"$work/sluice.log" 2>&1 &
    sluice_pid=$!
    for _ in $(seq 50); do grep -q "listening on" "$work/sluice.log" && break; sleep 0.1; done
    port=$(sed -nE 's/.*listening on rtmp:\/\/[^ ]*:([0-9]+).*/\1/p' "$work/sluice.log" | head -n 1)
    run "sluice ($workers worker$([ "$workers" = 1 ] || echo s))" "$port" "$sluice_pid"
    kill -TERM $sluice_pid; wait $sluice_pid || true
done

if [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] && command -v nginx >/dev/null; then
    nport=$((20000 + RANDOM % 20000))
    cat >"$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 8192; }
rtmp { server { listen 127.0.0.1:$nport; chunk_size 4096; application live { live on; } } }
CONF
    nginx -c "$work/nginx.conf" -p "$work" &
    sleep 0.5
    mapfile -t npids < <(pgrep -f "nginx -c $work/nginx.conf"; pgrep -P "$(pgrep -f "nginx -c $work/nginx.conf" | head -n1)")
    run "nginx-rtmp (1 worker)" "$nport" "${npids[@]}"
    nginx -c "$work/nginx.conf" -p "$work" -s quit 2>/dev/null || true
else
    echo "(nginx-rtmp not installed: apt-get install nginx-light libnginx-mod-rtmp for the side-by-side run)"
fi

# The floor: FFmpeg writes the same FLV bytes to a plain TCP socket, the
# floor program copies them to every player, the players only count bytes.
sport=$((20000 + RANDOM % 20000))
pport=$((sport + 1))
"$floor" "$sport" "$pport" &
floor_pid=$!
sleep 0.3
"$loadgen" 127.0.0.1 "$pport" - - "$players" "$((seconds + 3))" --raw >"$work/floor-load.log" &
load_pid=$!
sleep 1
ffmpeg -hide_banner -loglevel error -re -stream_loop -1 -i "$work/clip.flv" -c copy -f flv \
    "tcp://127.0.0.1:$sport" >"$work/floor-publish.log" 2>&1 &
floor_publisher=$!
sleep 2
t0=$(cpu_ticks "$floor_pid")
sleep "$seconds"
t1=$(cpu_ticks "$floor_pid")
rss=$(rss_kb "$floor_pid")
wait $load_pid || true
kill $floor_publisher 2>/dev/null || true
kill $floor_pid 2>/dev/null || true
mbits=$(grep -E '^t=' "$work/floor-load.log" | tail -n 5 | sed -E 's/.*media=([0-9.]+).*/\1/' |
    awk '{s+=$1} END {if (NR) printf "%.0f", s/NR; else print 0}')
cpu=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$seconds" 'BEGIN {printf "%.0f", 100*d/hz/s}')
receiving=$(sed -nE 's/.*receiving=([0-9]+).*/\1/p' "$work/floor-load.log" | tail -n 1)
printf '%-22s %8s %10s %12s %10s %8s\n' "kernel floor (no RTMP)" "$players" "$receiving" "$mbits" "$cpu" \
    "$((rss / 1024))"
echo "floor $mbits $cpu $((rss / 1024))" >>"$work/results"

# Ratios to the last row (the floor) and, when it ran, to nginx-rtmp.
awk '{name[NR]=$1; m[NR]=$(NF-2); c[NR]=$(NF-1); r[NR]=$NF}
    function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
    END {
        printf "CPU ratios to the kernel floor:";
        for (i = 1; i < NR; i++) printf " %s %s,", name[i] (i <= 2 ? "(" (i == 1 ? "1w" : "Nw") ")" : ""), ratio(c[i], c[NR]);
        printf "\n";
        if (NR == 4) printf "sluice (1 worker) / nginx-rtmp: throughput %s, CPU %s, RSS %s\n",
            ratio(m[1], m[3]), ratio(c[1], c[3]), ratio(r[1], r[3]);
    }' "$work/results"
