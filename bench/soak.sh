#!/usr/bin/env bash
# Soak test of `sluice serve` (issue 6 item 7; not part of CI): one publisher
# (`sluice publish --loop` of a generated clip) and hundreds of players that
# come and go (`sluice bench` rounds in several staggered groups) for a
# configurable time. Every few seconds it prints the server's RSS, open file
# descriptors and connected players; at the end, a verdict on growth:
#
#   RSS  the median of the last minute against the median of the first minute
#        after the warm-up. Allowed: +10 % or +8 MiB, whichever is larger -
#        allocator arenas and the GOP cache settle during the warm-up, and the
#        player count at a sample varies with the churn by a few hundred
#        connections, each of which holds some KiB of buffers; a leak of even
#        1 KiB per connection served grows without bound with the rounds and
#        crosses that in a 10-minute run. The slope (KiB/min, least squares
#        over all samples after the warm-up) is printed too.
#   fds  descriptors not explained by connections (open fds minus established
#        server-side connections, publisher included): the medians of both
#        windows must be equal (±2 for samples taken mid-accept/close); and
#        once every client has left, the open fds must return exactly to the
#        count before the load (taken after one probe connection, which makes
#        the workers' lazily created reactor descriptors).
#
# Usage: bench/soak.sh [--minutes M] [--players N] [--groups G] [--round S]
#                      [--interval S] [--warmup S] [--sluice PATH] [--keep]
# Exit code: 0 no growth, 1 growth (see the verdict lines), 2 setup failure.
# Needs ffmpeg and python3; Linux (/proc). All traffic stays on 127.0.0.1.
set -euo pipefail

minutes=10
players=300
groups=3
round=30
interval=5
warmup=60
keep=0
sluice=""
root="$(cd "$(dirname "$0")/.." && pwd)"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --players) players="$2"; shift 2 ;;
        --groups) groups="$2"; shift 2 ;;
        --round) round="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --sluice) sluice="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "soak.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ -z "$sluice" ]]; then
    for candidate in "$root/build/release/apps/sluice/sluice" "$root/build/apps/sluice/sluice"; do
        if [[ -x "$candidate" ]]; then sluice="$candidate"; break; fi
    done
fi
[[ -x "$sluice" ]] || { echo "soak.sh: no sluice binary (build it or pass --sluice PATH)" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "soak.sh: ffmpeg is needed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak.sh: python3 is needed" >&2; exit 2; }
duration=$(python3 -c "print(int(float('$minutes') * 60))")
if (( duration < warmup + 120 )); then
    echo "soak.sh: --minutes must leave two minutes after the ${warmup} s warm-up" >&2
    exit 2
fi
per_group=$(( (players + groups - 1) / groups ))

# Hundreds of sockets in this shell's children and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < players + 256 )); then
    echo "soak.sh: open-file limit $(ulimit -n) is too low for $players players" >&2
    exit 2
fi

work="$(mktemp -d /tmp/sluice-soak.XXXXXX)"
pids=()
cleanup() {
    # A group's running `sluice bench` is its child: stop it with the group.
    for pid in "${pids[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if (( keep )); then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

echo "soak: $sluice, $minutes min, $players players in $groups groups of $per_group," \
     "rounds of $round s, samples every $interval s, warm-up $warmup s"
echo "machine: $(nproc) cores, $(uname -sr); work directory $work"

# A 10 s clip: 640x360@25 H.264 (2 s GOP, no B-frames) at ~800 kb/s + AAC.
ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=640x360:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -t 10 -c:v libx264 -preset veryfast -bf 0 -g 50 -keyint_min 50 -sc_threshold 0 -b:v 800k \
    -pix_fmt yuv420p -c:a aac -b:a 96k -f flv "$work/clip.flv"

# Every player comes from 127.0.0.1: lift the per-IP limit (default 200);
# the other limits stay at their defaults.
cat >"$work/sluice.toml" <<EOF
[limits]
max_connections_per_ip = 0
EOF
"$sluice" serve --config "$work/sluice.toml" --listen 127.0.0.1:0 --http off --workers 2 --log-level info \
    >"$work/serve.log" 2>&1 &
server=$!
pids+=("$server")
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on rtmp:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -n1)
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { echo "soak.sh: the server did not start:"; cat "$work/serve.log"; exit 2; }
url="rtmp://127.0.0.1:$port/live/soak"

# Server-side established connections on our port (/proc/net/tcp, state 01).
connections() {
    local hex
    hex=$(printf '%04X' "$port")
    awk -v p=":$hex" 'NR > 1 && $4 == "01" && substr($2, length($2) - 4) == p { n++ } END { print n + 0 }' \
        /proc/net/tcp
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }

# One connection first: each worker makes its epoll/eventfd/timerfd on its
# first socket, and those 3 descriptors are not a leak.
sleep 0.5
timeout 10 "$sluice" probe "$url" >/dev/null 2>&1 || true
sleep 0.5
idle_fds=$(fds)
idle_rss=$(rss_kib)
echo "idle server: RSS $idle_rss KiB, $idle_fds fds"

"$sluice" publish --loop --quiet "$work/clip.flv" "$url" >"$work/publish.log" 2>&1 &
publisher=$!
pids+=("$publisher")

start=$(date +%s)
end=$(( start + duration ))
# Group g runs bench rounds back to back, starting round/groups * g seconds
# late, so that some players arrive and some leave all the time.
run_group() {
    local g="$1" n=0 rc
    sleep "$(python3 -c "print($round * $g / $groups)")"
    while (( $(date +%s) + round / 2 < end )); do
        n=$(( n + 1 ))
        rc=0
        "$sluice" bench "$url" --players "$per_group" --seconds "$round" --ramp "$(( per_group / 2 + 1 ))" \
            --json --quiet >"$work/bench-$g-$n.json" 2>"$work/bench-$g-$n.err" || rc=$?
        echo "$rc" >"$work/bench-$g-$n.rc"
    done
}
for g in $(seq 0 $(( groups - 1 ))); do
    run_group "$g" &
    pids+=("$!")
done

printf '%8s %10s %6s %8s %8s\n' "t(s)" "RSS(KiB)" "fds" "players" "CPU(s)"
: >"$work/samples.tsv"
ticks=$(getconf CLK_TCK)
while (( $(date +%s) < end )); do
    sleep "$interval"
    kill -0 "$server" 2>/dev/null || { echo "soak.sh: the server died"; tail -n 20 "$work/serve.log"; exit 1; }
    t=$(( $(date +%s) - start ))
    conns=$(connections)
    # The publisher is one of the connections.
    playing=$(( conns > 0 ? conns - 1 : 0 ))
    cpu=$(awk -v t="$ticks" '{ sub(/.*\) /, ""); printf "%.1f", ($12 + $13) / t }' "/proc/$server/stat")
    r=$(rss_kib)
    f=$(fds)
    printf '%8d %10d %6d %8d %8s\n' "$t" "$r" "$f" "$playing" "$cpu"
    printf '%d\t%d\t%d\t%d\n' "$t" "$r" "$f" "$conns" >>"$work/samples.tsv"
done

echo "stopping the load"
for pid in "${pids[@]:2}"; do wait "$pid" 2>/dev/null || true; done
kill -INT "$publisher" 2>/dev/null || true
wait "$publisher" 2>/dev/null || true
after_fds=$(fds)
for _ in $(seq 100); do
    (( after_fds == idle_fds )) && break
    sleep 0.1
    after_fds=$(fds)
done
after_rss=$(rss_kib)

rounds=$(ls "$work"/bench-*.rc 2>/dev/null | wc -l)
failed_rounds=$(cat "$work"/bench-*.rc 2>/dev/null | grep -cv '^0$' || true)
python3 - "$work" "$warmup" "$idle_fds" "$after_fds" "$idle_rss" "$after_rss" "$rounds" "$failed_rounds" <<'EOF'
import glob, json, statistics, sys

work, warmup, idle_fds, after_fds, idle_rss, after_rss, rounds, failed_rounds = sys.argv[1:]
warmup, idle_fds, after_fds = int(warmup), int(idle_fds), int(after_fds)
samples = [tuple(int(x) for x in line.split('\t')) for line in open(f"{work}/samples.tsv") if line.strip()]
end = samples[-1][0]
first = [s for s in samples if warmup <= s[0] < warmup + 60]
last = [s for s in samples if s[0] > end - 60]
after = [s for s in samples if s[0] >= warmup]
if not first or not last:
    print("verdict: not enough samples")
    sys.exit(2)

def med(rows, f):
    return statistics.median(f(r) for r in rows)

rss_first, rss_last = med(first, lambda s: s[1]), med(last, lambda s: s[1])
extra_first, extra_last = med(first, lambda s: s[2] - s[3]), med(last, lambda s: s[2] - s[3])
fds_first, fds_last = med(first, lambda s: s[2]), med(last, lambda s: s[2])
players_first, players_last = med(first, lambda s: s[3] - 1), med(last, lambda s: s[3] - 1)
n = len(after)
mt = sum(s[0] for s in after) / n
mr = sum(s[1] for s in after) / n
var = sum((s[0] - mt) ** 2 for s in after)
slope = sum((s[0] - mt) * (s[1] - mr) for s in after) / var * 60 if var else 0.0

connected = failed = stalled = 0
for path in glob.glob(f"{work}/bench-*.json"):
    try:
        counts = json.load(open(path))["players"]
    except (OSError, ValueError, KeyError, TypeError):
        continue
    connected += counts.get("connected", 0)
    failed += counts.get("failed", 0)
    stalled += counts.get("stalled", 0)

print()
print(f"bench rounds: {rounds} ({failed_rounds} with a non-zero exit); players connected {connected:.0f}, "
      f"failed {failed:.0f}, stalled {stalled:.0f}")
print(f"first minute after warm-up (t={warmup}..{warmup + 60} s): RSS {rss_first:.0f} KiB, fds {fds_first:.0f}, "
      f"players {players_first:.0f}, fds not explained by connections {extra_first:.0f}")
print(f"last minute (t={end - 60}..{end} s):              RSS {rss_last:.0f} KiB, fds {fds_last:.0f}, "
      f"players {players_last:.0f}, fds not explained by connections {extra_last:.0f}")
print(f"RSS slope after warm-up: {slope:+.0f} KiB/min; idle RSS {idle_rss} KiB before, {after_rss} KiB after")
print(f"idle fds: {idle_fds} before the load, {after_fds} after every client left")

growth = False
allowed = max(0.10 * rss_first, 8 * 1024)
if rss_last - rss_first > allowed:
    print(f"verdict RSS: GROWTH, +{rss_last - rss_first:.0f} KiB (allowed {allowed:.0f})")
    growth = True
else:
    print(f"verdict RSS: stable, {rss_last - rss_first:+.0f} KiB (allowed +{allowed:.0f})")
if abs(extra_last - extra_first) > 2 or after_fds != idle_fds:
    print(f"verdict fds: GROWTH, {extra_last - extra_first:+.0f} unexplained, "
          f"{after_fds - idle_fds:+d} after the load")
    growth = True
else:
    print(f"verdict fds: stable ({extra_last - extra_first:+.0f} unexplained, back to {after_fds} when idle)")
sys.exit(1 if growth else 0)
EOF
