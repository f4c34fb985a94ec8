#!/usr/bin/env bash
# REST throughput on loopback while the engine works: netmonsec replays a capture in a loop
# (or runs --demo), and wrk hammers /api/v1/stats and /api/v1/flows?limit=100 with a Bearer
# token. Prints requests/s and p50/p99 latency per endpoint.
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
"$nms" "${src[@]}" -c "$tmp/bench.toml" --listen "127.0.0.1:$port" --data-dir "$tmp/data" 2> "$tmp/stderr" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-pass"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

for path in /api/v1/stats "/api/v1/flows?limit=100"; do
  echo "== GET $path  (wrk -t$threads -c$conns -d$duration, source: ${pcap:-demo})"
  wrk -t"$threads" -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors|requests in'
done
