#!/usr/bin/env bash
# REST throughput on loopback while the engine works: netmonsec replays a capture in a loop
# (or runs --demo), and wrk hammers /api/v1/stats and /api/v1/flows?limit=100 with a Bearer
# token. Prints JSON (bench/ convention): requests/s and p50/p99 latency per endpoint, and the
# replay's packet rate while wrk runs next to the same rate with the API idle (wrk saturates
# the API thread and takes a core of this 2-core machine: that is the worst case, not the
# representative load; bench/api_load.py measures a dashboard-like load).
# Usage: bench/api_wrk.sh [BUILD_DIR] [PCAP]   (defaults: build/release, --demo traffic)
set -euo pipefail
build=${1:-build/release}
pcap=${2:-}
nms=$build/netmonsec
command -v wrk >/dev/null || { echo "api_wrk.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
[ -x "$nms" ] || { echo "api_wrk.sh: $nms not built" >&2; exit 2; }
duration=${DURATION:-10s} threads=${THREADS:-2} conns=${CONNS:-32}

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
hash=$(printf 'bench-pass\n' | "$nms" passwd)
cat > "$tmp/bench.toml" <<TOML
[api]
users = [{name = "bench", role = "viewer", password_hash = "$hash"}]
TOML
if [ -n "$pcap" ]; then
  src=(-r "$pcap" --loop 0 --replay-speed "${REPLAY_SPEED:-1}")
else
  src=(--demo)
fi
# No store by default: an offline replay waits for SQLite rather than drop records, so with a
# store the figure would be the store's speed, not the pipeline's (STORE=1 turns it on).
store=()
[ "${STORE:-0}" = 1 ] && store=(--data-dir "$tmp/data")
"$nms" "${src[@]}" -c "$tmp/bench.toml" --listen "127.0.0.1:$port" "${store[@]}" 2> "$tmp/stderr" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-pass"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# "packets uptime_s" of the current snapshot. The rate over a window is taken between two
# snapshots with their own clock: snapshots come once a second, so the wall clock of the
# request would be up to a second off (10% of a 10 s window).
packets() {
  curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/stats" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["totals"]["packets"], d["uptime_s"])'
}
rate() { python3 -c "import sys; p0,t0,p1,t1=map(float,sys.argv[1:]); print(round((p1-p0)/(t1-t0)))" $1 $2; }
secs=${duration%s}
s0=$(packets); sleep "$secs"; s1=$(packets)
idle_pps=$(rate "$s0" "$s1")
results=()
for path in /api/v1/stats "/api/v1/flows?limit=100"; do
  s0=$(packets)
  wrk -t"$threads" -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port$path" > "$tmp/wrk.txt"
  s1=$(packets)
  results+=("$(python3 - "$tmp/wrk.txt" "$path" "$(rate "$s0" "$s1")" <<'PY'
import json, re, sys
text, path, pps = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.search(r"[a-z]+$", v).group()
    return n * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]
lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(json.dumps({"path": path, "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
                  "p50_ms": round(ms(lat["50"]), 3), "p99_ms": round(ms(lat["99"]), 3),
                  "requests": int(re.search(r"(\d+) requests in", text).group(1)),
                  "non_2xx": int(non2xx.group(1)) if non2xx else 0, "pipeline_pps_during": pps}))
PY
)")
done
STORE=${STORE:-0} python3 - "$idle_pps" "${pcap:-demo}" "$threads" "$conns" "$duration" "${results[@]}" <<'PY'
import json, os, sys
idle, source, threads, conns, duration, *rows = sys.argv[1:]
rows = [json.loads(r) for r in rows]
for r in rows:
    r["pipeline_change_pct"] = round(100 * (r["pipeline_pps_during"] / int(idle) - 1), 2) if int(idle) else None
print(json.dumps({"benchmark": "api_wrk", "source": source, "store": os.environ.get("STORE", "0") == "1", "wrk": {"threads": int(threads), "connections": int(conns),
                  "duration": duration}, "pipeline_pps_api_idle": int(idle), "endpoints": rows}, indent=1))
PY
