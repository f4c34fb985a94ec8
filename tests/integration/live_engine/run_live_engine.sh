#!/usr/bin/env bash
# The whole daemon on a live interface: netmonsec captures one end of a veth pair with 2
# AF_PACKET fanout members and 2 workers, while tcpreplay sends a generated capture from the
# other end (two private namespaces, no addresses, no routes, IPv6 off). The same capture is
# also replayed offline with -r; the live EVE flow records must equal the offline ones
# (each flow reported once: no flow split across workers), every frame must be counted and
# nothing dropped; SIGINT must drain, flush and exit 0. Exit 77 = skipped (not root).
set -euo pipefail

NETMONSEC=${1:?usage: run_live_engine.sh PATH/TO/netmonsec}
HERE=$(cd "$(dirname "$0")" && pwd)
GEN="$HERE/../live_capture/gen_traffic.py"
FRAMES=${NMS_LIVE_FRAMES:-3000}
FLOWS=${NMS_LIVE_FLOWS:-300}
PPS=${NMS_LIVE_PPS:-5000}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces + AF_PACKET)"
for tool in ip tcpreplay python3; do command -v "$tool" >/dev/null || skip "$tool not installed"; done

TX_NS="nms-le-tx-$$"
RX_NS="nms-le-rx-$$"
TX_IF="nmset$$"
RX_IF="nmser$$"
WORK=$(mktemp -d /tmp/nms-live-engine.XXXXXX)
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

python3 "$GEN" "$WORK/traffic.pcap" "$FRAMES" "$FLOWS" 11 > "$WORK/sent.json"
echo "generated: $(cat "$WORK/sent.json")"

# Reference: the same frames replayed from the file.
"$NETMONSEC" -r "$WORK/traffic.pcap" -w 2 --eve "$WORK/offline.json" 2> "$WORK/offline.err"

cat > "$WORK/live.toml" <<TOML
[capture]
threads_per_interface = 2
[pipeline]
workers = 2
[stats]
interval_ms = 200
TOML
ip netns exec "$RX_NS" "$NETMONSEC" -c "$WORK/live.toml" -i "$RX_IF" --eve "$WORK/live.json" -v --no-api --data-dir "$WORK/data" \
    2> "$WORK/live.err" &
PID=$!
# Ready = the engine says capture is running (sockets open, fanout group formed).
for _ in $(seq 1 1000); do
    grep -q "capture running" "$WORK/live.err" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { echo "netmonsec exited early"; cat "$WORK/live.err"; exit 1; }
    sleep 0.01
done
grep -q "capture running" "$WORK/live.err" || { echo "netmonsec never became ready"; cat "$WORK/live.err"; exit 1; }

ip netns exec "$TX_NS" tcpreplay -q --pps "$PPS" -i "$TX_IF" "$WORK/traffic.pcap" > "$WORK/tcpreplay.log" 2>&1 \
    || { cat "$WORK/tcpreplay.log"; exit 1; }

# The 200 ms stats events tell when every frame has been counted (bounded wait).
python3 - "$WORK/live.json" "$FRAMES" <<'PY'
import json, sys, time
path, want = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 30
seen = 0
while time.time() < deadline:
    try:
        for line in open(path):
            ev = json.loads(line)
            if ev.get("event_type") == "stats":
                seen = max(seen, ev["stats"]["decoder"]["pkts"])
    except (FileNotFoundError, json.JSONDecodeError):
        pass
    if seen >= want:
        sys.exit(0)
    time.sleep(0.05)
print(f"live stats never reached {want} packets (last {seen})")
sys.exit(1)
PY

kill -INT "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
echo "netmonsec exit code $rc; $(tail -n 1 "$WORK/live.err")"
[ "$rc" -eq 0 ] || { cat "$WORK/live.err"; exit 1; }

python3 - "$WORK/sent.json" "$WORK/offline.json" "$WORK/live.json" <<'PY'
import collections, json, sys
sent = json.load(open(sys.argv[1]))

def load(path):
    flows, last_stats = collections.Counter(), None
    per_key = collections.defaultdict(list)
    for line in open(path):
        ev = json.loads(line)
        if ev["event_type"] == "stats":
            last_stats = ev["stats"]
        elif ev["event_type"] == "flow":
            key = (ev["proto"], ev["src_ip"], ev.get("src_port"), ev["dest_ip"], ev.get("dest_port"),
                   tuple(ev.get("vlan", [])))
            f = ev["flow"]
            per_key[key].append((f["pkts_toserver"], f["pkts_toclient"], f["bytes_toserver"], f["bytes_toclient"]))
    return per_key, last_stats

offline, _ = load(sys.argv[2])
live, stats = load(sys.argv[3])
checks = [
    ("every frame counted live", stats["decoder"]["pkts"] == sent["frames"]),
    ("no kernel drops", stats["capture"]["kernel_drops"] == 0),
    ("no ring drops", stats["capture"]["ring_full_drops"] == 0),
    ("both capture threads ran", len(stats["capture"]["sources"]) == 2
         and all(s["frames"] > 0 for s in stats["capture"]["sources"])),
    ("each flow reported once (never split across workers)", all(len(v) == 1 for v in live.values())),
    ("live flows == offline flows, with the same counts", live == offline),
    ("flow count as generated", len(live) == sent["flows"]),
]
for name, ok in checks:
    print(("PASS " if ok else "FAIL ") + name)
if not all(ok for _, ok in checks):
    print("offline-only:", sorted(set(offline) - set(live))[:5])
    print("live-only:", sorted(set(live) - set(offline))[:5])
    print("stats:", json.dumps(stats)[:800])
    sys.exit(1)
PY
