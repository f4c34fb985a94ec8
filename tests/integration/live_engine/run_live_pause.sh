#!/usr/bin/env bash
# POST /api/v1/capture/stop on a live AF_PACKET capture: the socket stays open, nobody reads
# its (tiny) ring, so the kernel drops what does not fit while paused. After capture/start the
# daemon reads the frames the ring kept, and every sent frame is accounted for exactly:
# frames + drops.paused == sent, with no drop charged to "kernel" (running) or the rings.
# veth pair in two throwaway namespaces (no addresses, no routes, IPv6 off); the API listens
# on the receive namespace's own loopback. Exit 77 = skipped (not root, tools missing).
set -euo pipefail

NETMONSEC=${1:?usage: run_live_pause.sh PATH/TO/netmonsec}
HERE=$(cd "$(dirname "$0")" && pwd)
GEN="$HERE/../live_capture/gen_traffic.py"
FRAMES=6000

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces + AF_PACKET)"
for tool in ip tcpreplay python3 curl; do command -v "$tool" >/dev/null || skip "$tool not installed"; done

TX_NS="nms-lp-tx-$$"
RX_NS="nms-lp-rx-$$"
TX_IF="nmspt$$"
RX_IF="nmspr$$"
WORK=$(mktemp -d /tmp/nms-live-pause.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    ip netns del "$TX_NS" 2>/dev/null || true
    ip netns del "$RX_NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$TX_NS" 2>/dev/null || skip "cannot create network namespaces here"
ip netns add "$RX_NS"
for ns in "$TX_NS" "$RX_NS"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$TX_IF" netns "$TX_NS" type veth peer name "$RX_IF" netns "$RX_NS" || skip "veth not supported"
ip -n "$TX_NS" link set "$TX_IF" up
ip -n "$RX_NS" link set "$RX_IF" up
ip -n "$RX_NS" link set lo up

python3 "$GEN" "$WORK/traffic.pcap" "$FRAMES" 100 5 > "$WORK/sent.json"
HASH=$(printf 'pause-test\n' | "$NETMONSEC" passwd)
cat > "$WORK/live.toml" <<TOML
[capture]
block_size = 65536
block_count = 4
[stats]
interval_ms = 200
[api]
users = [{name = "admin", role = "admin", password_hash = "$HASH"}]
TOML
PORT=18099
ip netns exec "$RX_NS" "$NETMONSEC" -c "$WORK/live.toml" -i "$RX_IF" -v --listen "127.0.0.1:$PORT" \
    --data-dir "$WORK/data" 2> "$WORK/live.err" &
PID=$!
api() { ip netns exec "$RX_NS" curl -s --max-time 10 "$@"; }
for _ in $(seq 1 300); do
    api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health" 2>/dev/null | grep -q 200 && break
    kill -0 "$PID" 2>/dev/null || { echo "netmonsec exited early"; cat "$WORK/live.err"; exit 1; }
    sleep 0.1
done
TOKEN=$(api -H 'Content-Type: application/json' -d '{"username":"admin","password":"pause-test"}' \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH=(-H "Authorization: Bearer $TOKEN")
stats() { api "${AUTH[@]}" "http://127.0.0.1:$PORT/api/v1/stats"; }
# wait_for PY_EXPR: until the expression over the stats JSON `s` is true (bounded).
wait_for() {
    for _ in $(seq 1 100); do
        stats | python3 -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" && return 0
        sleep 0.1
    done
    echo "FAIL timed out waiting for: $1"; stats; exit 1
}

code=$(api -o /dev/null -w '%{http_code}' -X POST "${AUTH[@]}" "http://127.0.0.1:$PORT/api/v1/capture/stop")
[ "$code" = 202 ] || { echo "FAIL capture/stop -> $code"; exit 1; }
wait_for 's["captures"][0]["state"] == "paused"'
echo "PASS capture/stop -> 202, capture paused"

ip netns exec "$TX_NS" tcpreplay -q --pps 20000 -i "$TX_IF" "$WORK/traffic.pcap" > "$WORK/tcpreplay.log" 2>&1 \
    || { cat "$WORK/tcpreplay.log"; exit 1; }
wait_for 's["drops"]["paused"] > 0'  # the paused thread refreshes the kernel counters twice a second
stats > "$WORK/paused.json"
code=$(api -o /dev/null -w '%{http_code}' -X POST "${AUTH[@]}" "http://127.0.0.1:$PORT/api/v1/capture/start")
[ "$code" = 202 ] || { echo "FAIL capture/start -> $code"; exit 1; }
wait_for 's["captures"][0]["state"] == "running"'
# Every frame is either read (what the ring kept) or a paused drop.
SENT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"])' "$WORK/sent.json")
wait_for "s['captures'][0]['frames'] + s['drops']['paused'] >= $SENT"
stats > "$WORK/final.json"
api "${AUTH[@]}" "http://127.0.0.1:$PORT/metrics" > "$WORK/metrics.txt"
python3 - "$WORK/paused.json" "$WORK/final.json" "$WORK/metrics.txt" "$SENT" <<'PY'
import json, sys
paused, final, metrics, sent = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read(), int(sys.argv[4])
c = final["captures"][0]
checks = [
    ("nothing was read while paused", paused["captures"][0]["frames"] == 0),
    (f"the kernel dropped what the ring could not hold ({final['drops']['paused']} of {sent})",
     0 < final["drops"]["paused"] < sent),
    (f"frames {c['frames']} + paused drops {c['paused_drops']} == sent {sent}", c["frames"] + c["paused_drops"] == sent),
    ("no drop charged to running capture or the rings", final["drops"]["kernel"] == 0 and final["drops"]["ring_full"] == 0),
    ("/metrics: drops_total{reason=paused}", f'netmonsec_drops_total{{reason="paused"}} {final["drops"]["paused"]}' in metrics),
]
bad = 0
for name, ok in checks:
    print(("PASS " if ok else "FAIL ") + name)
    bad += not ok
sys.exit(1 if bad else 0)
PY
kill -INT "$PID"
wait "$PID" && echo "PASS SIGINT -> exit 0" || { echo "FAIL exit status"; tail -5 "$WORK/live.err"; exit 1; }
PID=""
