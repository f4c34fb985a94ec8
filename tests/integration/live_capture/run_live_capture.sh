#!/usr/bin/env bash
# Live AF_PACKET fanout test: two namespaces joined by a veth pair (no addresses, no routes,
# IPv6 off, so nothing but the replayed frames crosses it). live_capture_probe runs 2 fanout
# members in the receiving namespace; tcpreplay sends a generated pcap from the other.
# Also: the probe opens the receiving end while it is still down (warns, then works).
# Asserts: every frame seen exactly once, no flow split across members, both members busy,
# no kernel drops, outer VLAN tags reported through vlan_valid. Exit 77 = skipped.
set -euo pipefail

PROBE=${1:?usage: run_live_capture.sh PATH/TO/live_capture_probe}
HERE=$(cd "$(dirname "$0")" && pwd)
FRAMES=${NMS_LIVE_FRAMES:-2000}
FLOWS=${NMS_LIVE_FLOWS:-200}
PPS=${NMS_LIVE_PPS:-5000}   # 0 = tcpreplay --topspeed (may overflow the veth backlog: not our drops)
MEMBERS=2

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces + AF_PACKET)"
for tool in ip tcpreplay python3; do command -v "$tool" >/dev/null || skip "$tool not installed"; done

TX_NS="nms-lc-tx-$$"
RX_NS="nms-lc-rx-$$"
TX_IF="nmslt$$"
RX_IF="nmslr$$"
WORK=$(mktemp -d /tmp/nms-live-capture.XXXXXX)
PROBE_PID=""

cleanup() {
    if [ -n "$PROBE_PID" ] && kill -0 "$PROBE_PID" 2>/dev/null; then kill "$PROBE_PID" 2>/dev/null || true; fi
    ip netns del "$TX_NS" 2>/dev/null || true   # deleting a namespace removes its veth end too
    ip netns del "$RX_NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$TX_NS" 2>/dev/null || skip "cannot create network namespaces here"
ip netns add "$RX_NS"
for ns in "$TX_NS" "$RX_NS"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$TX_IF" netns "$TX_NS" type veth peer name "$RX_IF" netns "$RX_NS" \
    || skip "veth not supported"
ip -n "$TX_NS" link set "$TX_IF" up
# RX_IF stays down until the probe is ready: opening a down interface must warn, not fail.

python3 "$HERE/gen_traffic.py" "$WORK/traffic.pcap" "$FRAMES" "$FLOWS" 7 > "$WORK/sent.json"
echo "generated: $(cat "$WORK/sent.json")"

ip netns exec "$RX_NS" "$PROBE" --iface "$RX_IF" --members "$MEMBERS" --expect "$FRAMES" \
    --timeout-ms 30000 --linger-ms 500 --ready-file "$WORK/ready" > "$WORK/result.json" 2> "$WORK/probe.err" &
PROBE_PID=$!

# Wait for the probe's ready file (the fanout group has formed), not a fixed sleep.
for _ in $(seq 1 1000); do
    [ -f "$WORK/ready" ] && break
    kill -0 "$PROBE_PID" 2>/dev/null || { echo "probe exited early"; cat "$WORK/result.json"; exit 1; }
    sleep 0.01
done
[ -f "$WORK/ready" ] || { echo "probe never became ready"; exit 1; }
echo "probe: $(cat "$WORK/ready")"
grep -q "interface $RX_IF is down; capturing anyway" "$WORK/probe.err" \
    || { echo "FAIL no warning for the down interface"; cat "$WORK/probe.err"; exit 1; }
ip -n "$RX_NS" link set "$RX_IF" up
for _ in $(seq 1 500); do
    ip -n "$RX_NS" link show "$RX_IF" | grep -q "state UP" && break
    sleep 0.01
done
ip -n "$RX_NS" link show "$RX_IF" | grep -q "state UP" || { echo "veth never came up"; exit 1; }

# Paced so the veth backlog (netdev_max_backlog) never overflows before AF_PACKET sees it.
if [ "$PPS" = 0 ]; then RATE=(--topspeed); else RATE=(--pps "$PPS"); fi
ip netns exec "$TX_NS" tcpreplay -q "${RATE[@]}" -i "$TX_IF" "$WORK/traffic.pcap" > "$WORK/tcpreplay.log" 2>&1 \
    || { cat "$WORK/tcpreplay.log"; exit 1; }

wait "$PROBE_PID"
PROBE_PID=""
echo "result: $(cat "$WORK/result.json")"

python3 - "$WORK/sent.json" "$WORK/result.json" <<'PY'
import json, sys
sent = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
checks = [
    ("all frames seen exactly once", got["total"] == sent["frames"]),
    ("every flow seen", got["flows"] == sent["flows"]),
    ("no flow split across members", got["flows_split_across_members"] == 0),
    ("every member got frames", len(got["per_member"]) == 2 and all(n > 0 for n in got["per_member"])),
    ("no kernel drops", got["kernel_drops"] == 0),
    ("no stray frames", got["other_frames"] == 0),
    ("stripped VLAN tags reported", got["vlan_frames"] == sent["vlan_frames"] and got["vlan_ids"] == sent["vlan_ids"]),
    ("wirelen == caplen (tag excluded from both)", got["wirelen_mismatch"] == 0),
    ("finished before the timeout", not got["timed_out"]),
]
failed = [name for name, ok in checks if not ok]
for name, ok in checks:
    print(("PASS " if ok else "FAIL ") + name)
sys.exit(1 if failed else 0)
PY
