#!/usr/bin/env bash
# The side-by-side benchmark: sluice serve against nginx-rtmp and against the
# kernel's floor, under the same `sluice bench` load, in one run.
#
# For each player count (default 10 100 500 1000) and each server (nginx with
# Debian's libnginx-mod-rtmp, `sluice serve --workers 1`, and the same over
# RTMPS with a self-signed certificate: publisher and players on rtmps://,
# the cost of TLS), a fresh server
# is started on a free loopback port, pinned to one core (taskset), and
# `sluice bench URL --players N --publish clip.flv --seconds S --json`, pinned
# to another core, publishes a generated 720p30 H.264 + AAC clip of about
# 4 Mbit/s (looped, paced by its timestamps) and plays it with N players. The
# server's CPU seconds (utime + stime from /proc/PID/stat, before and after the
# bench) are divided by the bytes the players received; peak RSS is the
# server's VmHWM. The floor row comes from bench/loadgen/fanout_floor: the same
# clip's messages written with one writev (a 12-byte header + the shared
# payload) per player to N loopback connections, no protocol; its sender's CPU
# seconds per GB sent. It prints a table per server and the ratios; it asserts
# nothing (figures, on a shared machine).
#
#   bench/compare.sh [--players "10 100 500 1000"] [--seconds 20]
#                    [--sluice PATH] [--floor PATH] [--server-cpu 0] [--load-cpu 1] [--keep]
#
# Needs: ffmpeg, python3, taskset (util-linux), nginx with
# /usr/lib/nginx/modules/ngx_rtmp_module.so (tools/install_deps.sh installs
# them), build/release/apps/sluice/sluice (tools/run.sh builds it) and
# build/bench/bench/fanout_floor (bench/README.md, "Benchmarks"). Both
# servers run with chunk size 4096 and logs at warn. --keep keeps the work
# directory (configs, logs, every bench JSON) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."

players_list="10 100 500 1000"
seconds=20
sluice=build/release/apps/sluice/sluice
floor=build/bench/bench/fanout_floor
server_cpu=0
load_cpu=1
keep=0
nginx_bin=/usr/sbin/nginx
rtmp_module=/usr/lib/nginx/modules/ngx_rtmp_module.so
command_line="bench/compare.sh$(printf ' %q' "$@")"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
        --players) players_list=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --sluice) sluice=$2; shift 2 ;;
        --floor) floor=$2; shift 2 ;;
        --server-cpu) server_cpu=$2; shift 2 ;;
        --load-cpu) load_cpu=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
    esac
done

need() { command -v "$1" >/dev/null || { echo "compare.sh: $1 is missing ($2)" >&2; exit 1; }; }
need ffmpeg "tools/install_deps.sh installs it"
need ffprobe "tools/install_deps.sh installs it"
need python3 "tools/install_deps.sh installs it"
need taskset "apt-get install util-linux"
need openssl "tools/install_deps.sh installs it"
if [ ! -x "$nginx_bin" ] || [ ! -f "$rtmp_module" ]; then
    echo "compare.sh: nginx-rtmp is missing; tools/install_deps.sh (nginx-light libnginx-mod-rtmp)" >&2
    exit 1
fi
[ -x "$sluice" ] || { echo "compare.sh: $sluice is missing; build it (tools/run.sh) or pass --sluice" >&2; exit 1; }
[ -x "$floor" ] || { echo "compare.sh: $floor is missing; build it (bench/README.md) or pass --floor" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
    echo "compare.sh: one CPU only: server and load share it (figures are not comparable to a 2-core run)" >&2
    server_cpu=0
    load_cpu=0
fi

# Every player is a socket in the bench and in the server: raise the soft limit to the hard one.
max_players=0
for n in $players_list; do [ "$n" -gt "$max_players" ] && max_players=$n; done
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard"
if [ "$hard" -lt $((max_players + 100)) ]; then
    echo "compare.sh: the open-file limit ($hard) is too low for $max_players players" >&2
    exit 1
fi

work=$(mktemp -d /tmp/sluice-compare-XXXXXX)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ "$keep" = 1 ]; then echo "compare.sh: work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The clip: 720p30 H.264 (x264 veryfast, 2 s GOP, no B-frames) + AAC 48 kHz, about
# 4 Mbit/s. testsrc2 alone compresses far below that; temporal noise keeps the
# encoder at its rate.
clip=$work/clip.flv
echo "compare.sh: making the clip..." >&2
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 6 -vf noise=alls=12:allf=t \
    -c:v libx264 -preset veryfast -tune zerolatency -b:v 3800k -maxrate 3800k -bufsize 3800k \
    -g 60 -keyint_min 60 -sc_threshold 0 -bf 0 -pix_fmt yuv420p -c:a aac -b:a 128k -f flv "$clip"
clip_kbps=$(ffprobe -v error -show_entries format=bit_rate -of default=nw=1:nk=1 "$clip" |
    awk '{printf "%.0f", $1 / 1000}')

# The RTMPS row's certificate (the bench does not check it: --insecure).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >"$work/openssl.log" 2>&1

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The server's CPU ticks (utime + stime of all its threads) and its peak RSS in kB.
# 0 when the process is gone (the row then says the server died).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# start_server KIND PLAYERS: starts nginx or sluice pinned to server_cpu on a free
# port; sets server_pid and port. A start that does not listen is retried on
# another port (someone may take the probed port in between).
start_server() {
    local kind=$1 players=$2
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if [ "$kind" = nginx ]; then
            local dir=$work/nginx-$players
            mkdir -p "$dir"
            # master_process off: the one process (the pid taskset starts) is the
            # worker, so its /proc figures are the server's. Ample connections.
            cat >"$dir/nginx.conf" <<CONF
load_module $rtmp_module;
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile $hard;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $((players * 2 + 64)); }
rtmp {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        chunk_size 4096;
        application live { live on; }
    }
}
CONF
            taskset -c "$server_cpu" "$nginx_bin" -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" \
                >"$dir/stdout.log" 2>&1 &
        else
            # Every player comes from 127.0.0.1: lift the per-IP limit above them.
            printf '[limits]\nmax_connections_per_ip = %d\n' $((players + 64)) >"$work/sluice-$players.toml"
            local listen=(--listen "127.0.0.1:$port")
            # RTMPS: the bench's port is the TLS one; plain RTMP listens on another.
            [ "$kind" = sluice-rtmps ] && listen=(--listen "127.0.0.1:$(free_port)" --tls-cert "$work/tls.crt"
                --tls-key "$work/tls.key" --tls-listen "127.0.0.1:$port")
            # RTMPT: the bench's port is the HTTP one. RTMPE shares the RTMP port.
            local http=(--http off)
            [ "$kind" = sluice-rtmpt ] && listen=(--listen "127.0.0.1:$(free_port)") && http=(--http "127.0.0.1:$port")
            taskset -c "$server_cpu" "$sluice" serve "${listen[@]}" "${http[@]}" --workers 1 --log-level warn \
                --config "$work/sluice-$players.toml" >"$work/$kind-$players.log" 2>&1 &
        fi
        server_pid=$!
        for _ in $(seq 100); do
            if accepts "$port"; then return 0; fi
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    done
    echo "compare.sh: $kind did not start listening (logs in $work; --keep keeps them)" >&2
    keep=1
    exit 1
}

stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

results=$work/results.jsonl
hz=$(getconf CLK_TCK)

for n in $players_list; do
    for kind in nginx sluice sluice-rtmps sluice-rtmpt sluice-rtmpe; do
        echo "compare.sh: $kind, $n players, $seconds s..." >&2
        start_server "$kind" "$n"
        out=$work/$kind-$n.json
        url="rtmp://127.0.0.1:$port/live/compare$n"
        case $kind in
            sluice-rtmps) url="rtmps://127.0.0.1:$port/live/compare$n" ;;
            sluice-rtmpt) url="rtmpt://127.0.0.1:$port/live/compare$n" ;;
            sluice-rtmpe) url="rtmpe://127.0.0.1:$port/live/compare$n" ;;
        esac
        t0=$(cpu_ticks "$server_pid")
        rc=0
        taskset -c "$load_cpu" "$sluice" bench "$url" --players "$n" --insecure \
            --publish "$clip" --seconds "$seconds" --json --quiet >"$out" 2>"$work/$kind-$n.bench.log" || rc=$?
        t1=$(cpu_ticks "$server_pid")
        rss=$(peak_rss_kb "$server_pid")
        alive=1
        kill -0 "$server_pid" 2>/dev/null || alive=0
        stop_server
        python3 - "$kind" "$n" "$rc" "$((t1 - t0))" "$hz" "$rss" "$out" "$alive" >>"$results" <<'PY'
import json, sys
kind, n, rc, ticks, hz, rss, path, alive = sys.argv[1:]
try:
    bench = json.load(open(path))
except Exception as e:  # the bench failed: keep the row, say so
    bench = {"error": "no JSON from sluice bench (exit %s): %s" % (rc, e)}
if alive != "1":
    bench["error"] = "the server died during the run; its figures are not valid"
print(json.dumps({"server": kind, "players": int(n), "rc": int(rc), "cpu_s": int(ticks) / int(hz),
                  "peak_rss_kb": int(rss), "bench": bench}))
PY
    done
    echo "compare.sh: floor, $n players, $seconds s..." >&2
    # The floor's sender is its "server" (pinned like one), its receiver thread the load.
    taskset -c "$server_cpu,$load_cpu" "$floor" --input "$clip" --players "$n" --seconds "$seconds" \
        --sender-cpu "$server_cpu" --receiver-cpu "$load_cpu" >"$work/floor-$n.json"
    python3 -c 'import json, sys; f = json.load(open(sys.argv[1])); print(json.dumps({"server": "floor", "players": f["players"], "floor": f}))' \
        "$work/floor-$n.json" >>"$results"
done

cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's/.*version: //')
sluice_version=$("$sluice" --version 2>/dev/null | head -n 1 || true)
python3 - "$results" "$command_line" "$cpu_model" "$(nproc)" "$(uname -r)" "$nginx_version" \
    "${sluice_version:-sluice}" "$clip_kbps" "$seconds" "$server_cpu" "$load_cpu" <<'PY'
import json, sys
path, command, cpu, ncpu, kernel, nginx, sluice, kbps, seconds, scpu, lcpu = sys.argv[1:]
rows = [json.loads(line) for line in open(path)]

def get(d, *paths):
    """The first of the dotted paths present in d (schemas differ in naming)."""
    for p in paths:
        v = d
        for k in p.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        if v is not None:
            return v
    return None

def fmt(v, spec="{:.1f}"):
    return "-" if v is None else spec.format(v)

def summary(r):
    """Figures of one server row: CPU s/GB, RSS, players, first frame, latency."""
    if r["server"] == "floor":
        f = r["floor"]
        return {"connected": f["players_connected"], "failed": f["players"] - f["players_connected"],
                "stalled": f["players_stalled"], "gb": f["bytes_sent"] / 1e9, "cpu_s": f["sender_cpu_s"],
                "cpu_per_gb": f["cpu_s_per_gb"] if f["bytes_sent"] else None,
                "rss_mb": f["peak_rss_kb"] / 1024, "first_frame": None, "lat_med": None, "lat_p99": None,
                "error": None}
    b = r["bench"]
    nbytes = get(b, "bytes", "bytes_received") or 0
    gb = nbytes / 1e9
    return {"connected": get(b, "players.connected", "players_connected"),
            "failed": get(b, "players.failed", "players_failed"),
            "stalled": get(b, "players.stalled", "players_stalled"),
            "gb": gb, "cpu_s": r["cpu_s"], "cpu_per_gb": r["cpu_s"] / gb if gb > 0 else None,
            "rss_mb": r["peak_rss_kb"] / 1024,
            "first_frame": get(b, "first_frame_ms.median"),
            "lat_med": get(b, "latency_ms.median"), "lat_p99": get(b, "latency_ms.p99"),
            "error": b.get("error")}

table = {}
for r in rows:
    table[(r["server"], r["players"])] = summary(r)
counts = sorted({r["players"] for r in rows})

print()
print("Side-by-side live fan-out, %s s per run, clip 720p30 H.264 + AAC at %s kbit/s (looped)" % (seconds, kbps))
print("Machine: %s, %s CPUs, Linux %s; server on CPU %s, load on CPU %s" % (cpu, ncpu, kernel, scpu, lcpu))
print("Servers: nginx %s + libnginx-mod-rtmp (1 process), %s serve --workers 1" % (nginx, sluice))
print("Command: %s" % command)
names = {"nginx": "nginx-rtmp", "sluice": "sluice serve", "sluice-rtmps": "sluice serve over RTMPS (TLS)",
         "sluice-rtmpt": "sluice serve over RTMPT (HTTP tunnel)", "sluice-rtmpe": "sluice serve over RTMPE (RC4)",
         "floor": "floor (writev only)"}
head = "%7s %9s %6s %7s %8s %8s %8s %9s %11s %11s %11s" % (
    "players", "connected", "failed", "stalled", "GB", "CPU s", "CPU s/GB", "peak RSS", "1st frame", "latency", "latency")
sub = "%7s %9s %6s %7s %8s %8s %8s %9s %11s %11s %11s" % ("", "", "", "", "", "", "", "MB", "median ms",
                                                          "median ms", "p99 ms")
for server in ("nginx", "sluice", "sluice-rtmps", "sluice-rtmpt", "sluice-rtmpe", "floor"):
    print()
    print(names[server])
    print(head)
    print(sub)
    for n in counts:
        s = table.get((server, n))
        if s is None:
            continue
        print("%7d %9s %6s %7s %8s %8s %8s %9s %11s %11s %11s" % (
            n, fmt(s["connected"], "{}"), fmt(s["failed"], "{}"), fmt(s["stalled"], "{}"), fmt(s["gb"], "{:.2f}"),
            fmt(s["cpu_s"], "{:.2f}"), fmt(s["cpu_per_gb"], "{:.3f}"), fmt(s["rss_mb"]),
            fmt(s["first_frame"]), fmt(s["lat_med"]), fmt(s["lat_p99"])))
        if s["error"]:
            print("        (%s)" % s["error"])

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.2f" % (a / b)

print()
print("Ratios")
print("%7s %15s %15s %15s %15s %15s %15s" % ("players", "CPU/GB sl/nginx", "CPU/GB sl/floor", "CPU/GB ng/floor",
                                           "RSS sl/nginx", "1st fr sl/ng", "lat p99 sl/ng"))
for n in counts:
    sl, ng, fl = table.get(("sluice", n), {}), table.get(("nginx", n), {}), table.get(("floor", n), {})
    print("%7d %15s %15s %15s %15s %15s %15s" % (
        n, ratio(sl.get("cpu_per_gb"), ng.get("cpu_per_gb")), ratio(sl.get("cpu_per_gb"), fl.get("cpu_per_gb")),
        ratio(ng.get("cpu_per_gb"), fl.get("cpu_per_gb")), ratio(sl.get("rss_mb"), ng.get("rss_mb")),
        ratio(sl.get("first_frame"), ng.get("first_frame")), ratio(sl.get("lat_p99"), ng.get("lat_p99"))))

print()
print("The RTMP family against plain RTMP (same server, same load): CPU s per GB delivered, ratio to RTMP")
print("%7s %15s %15s %15s" % ("players", "RTMPS/RTMP", "RTMPT/RTMP", "RTMPE/RTMP"))
for n in counts:
    base = table.get(("sluice", n), {}).get("cpu_per_gb")
    print("%7d %15s %15s %15s" % (n, *(ratio(table.get((v, n), {}).get("cpu_per_gb"), base)
                                        for v in ("sluice-rtmps", "sluice-rtmpt", "sluice-rtmpe"))))
PY
