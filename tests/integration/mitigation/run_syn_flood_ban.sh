#!/usr/bin/env bash
# End to end (issue #5, "Must show"): netmonsec captures live in a victim namespace with
# mitigation on and NOT a dry run; hping3 SYN-floods it from an attacker namespace. The
# syn_flood alert must name the attacker, its address must land in the nft set banned_v4 of
# the daemon's table (inside the victim namespace only), the ban must expire by itself, and an
# allowlisted host flooding the same way must never be banned. SIGINT deletes the table.
# Floods are bounded (count and rate). Exit 77 = skipped (not root, tools missing, or a build
# without the syn_flood detector).
set -euo pipefail

NETMONSEC=${1:?usage: run_syn_flood_ban.sh PATH/TO/netmonsec}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
BAN_S=15   # long enough to outlast the flood and the checks below, short enough to wait for
COUNT=${NMS_FLOOD_COUNT:-20000}    # SYNs per flood
INTERVAL=${NMS_FLOOD_INTERVAL:-u200}  # hping3 -i: 5000 per second -> 4 s per flood

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, AF_PACKET, nftables)"
for tool in ip nft hping3 python3; do command -v "$tool" >/dev/null || skip "$tool not installed"; done
grep -q '^\[detect\.syn_flood\]' "$SRC/config/netmonsec.toml" || skip "this build has no syn_flood detector yet"

V_NS="nms-e2e-v-$$"; A_NS="nms-e2e-a-$$"; B_NS="nms-e2e-b-$$"
TABLE=nmse2e
WORK=$(mktemp -d /tmp/nms-syn-flood-ban.XXXXXX)
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
    for n in "$V_NS" "$A_NS" "$B_NS"; do ip netns del "$n" 2>/dev/null || true; done  # rulesets go with them
    rm -rf "$WORK"
}
trap cleanup EXIT

for n in "$V_NS" "$A_NS" "$B_NS"; do
    ip netns add "$n" 2>/dev/null || skip "cannot create network namespaces here"
    ip -n "$n" link set lo up
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add nmsev1 netns "$V_NS" type veth peer name nmsea1 netns "$A_NS" || skip "veth not supported"
ip link add nmsev2 netns "$V_NS" type veth peer name nmseb2 netns "$B_NS"
ip -n "$V_NS" addr add 10.78.1.1/24 dev nmsev1; ip -n "$V_NS" link set nmsev1 up
ip -n "$A_NS" addr add 10.78.1.2/24 dev nmsea1; ip -n "$A_NS" link set nmsea1 up
ip -n "$V_NS" addr add 10.78.2.1/24 dev nmsev2; ip -n "$V_NS" link set nmsev2 up
ip -n "$B_NS" addr add 10.78.2.2/24 dev nmseb2; ip -n "$B_NS" link set nmseb2 up

cat > "$WORK/e2e.toml" <<TOML
[evidence]
before_s = 5
after_s = 2
[mitigation]
enabled = true
dry_run = false
ban_seconds = $BAN_S
allowlist = ["10.78.2.2/32"]
table = "$TABLE"
TOML
ip netns exec "$V_NS" "$NETMONSEC" -c "$WORK/e2e.toml" -i nmsev1 -i nmsev2 --eve "$WORK/eve.json" -v --no-api \
    --data-dir "$WORK/data" 2> "$WORK/daemon.err" &
PID=$!
for _ in $(seq 1 1000); do
    grep -q "capture running" "$WORK/daemon.err" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { echo "netmonsec exited early"; cat "$WORK/daemon.err"; exit 1; }
    sleep 0.01
done
grep -q "capture running" "$WORK/daemon.err" || { echo "netmonsec never became ready"; cat "$WORK/daemon.err"; exit 1; }
ip netns exec "$V_NS" nft list table inet "$TABLE" > /dev/null || { echo "FAIL table not created"; exit 1; }

in_set() { ip netns exec "$V_NS" nft list set inet "$TABLE" banned_v4 2>/dev/null | grep -q "$1"; }

# 1. The attacker floods; its alert and ban must follow.
# The set is watched while the flood runs: on a loaded machine hping3 may take longer than
# BAN_S, and the ban would have expired by the time the flood ends.
ip netns exec "$A_NS" timeout 30 hping3 -q -S -p 80 -i "$INTERVAL" -c "$COUNT" 10.78.1.1 > "$WORK/hping-a.log" 2>&1 &
HP=$!
banned_a=0
while kill -0 "$HP" 2>/dev/null; do in_set 10.78.1.2 && banned_a=1 && break; sleep 0.2; done
wait "$HP" || true
python3 "$HERE/wait_eve.py" "$WORK/eve.json" 20 \
    'e["event_type"] == "alert" and e["alert"]["kind"] == "syn_flood" and e["src_ip"] == "10.78.1.2"' \
    'e["event_type"] == "ban" and e["ban"]["action"] == "ban" and e["ban"]["ip"] == "10.78.1.2" and not e["ban"]["dry_run"]' \
    || { echo "FAIL no syn_flood alert + live ban for the attacker"; tail -20 "$WORK/daemon.err"; exit 1; }
echo "PASS syn_flood alert names 10.78.1.2 and a live ban event follows"
in_set 10.78.1.2 && banned_a=1
[ "$banned_a" = 1 ] && echo "PASS attacker 10.78.1.2 is in banned_v4" || { echo "FAIL attacker not in the set"; exit 1; }

# 1b. Evidence: the attacker's alert wrote a pcap of its packets (after_s after the alert).
python3 - "$WORK/eve.json" "$WORK/data/evidence" <<'PY' || { echo "FAIL evidence pcap"; exit 1; }
import json, os, subprocess, sys, time
eve, ev_dir = sys.argv[1:]
alert_id = None
for line in open(eve):
    e = json.loads(line)
    if e.get("event_type") == "alert" and e["alert"]["kind"] == "syn_flood" and e["src_ip"] == "10.78.1.2":
        alert_id = e["alert"].get("id", e["alert"].get("alert_id"))
        break
path = os.path.join(ev_dir, f"alert-{alert_id}.pcap")
deadline = time.time() + 30
while time.time() < deadline and not os.path.exists(path):
    time.sleep(0.2)
if not os.path.exists(path):
    print(f"no {path}: {os.listdir(ev_dir) if os.path.isdir(ev_dir) else 'no evidence dir'}")
    sys.exit(1)
rows = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "arp.src.proto_ipv4",
                       "-e", "arp.dst.proto_ipv4", "-e", "tcp.flags.syn"],
                      capture_output=True, text=True, check=True).stdout.split("\n")
rows = [r.split("\t") for r in rows if r]
foreign = [r for r in rows if "10.78.1.2" not in r[:4]]
syns = sum(r[0] == "10.78.1.2" and r[4] in ("1", "True") for r in rows)
ok = rows and not foreign and syns > 100
if not ok:
    print("foreign:", foreign[:5], "syns:", syns, "first rows:", rows[:3])
print(("PASS" if ok else "FAIL") + f" evidence {os.path.basename(path)}: {len(rows)} packets, all from/to 10.78.1.2, {syns} SYNs of the flood")
sys.exit(0 if ok else 1)
PY

# 2. The allowlisted host floods the same way: never in the set.
ip netns exec "$B_NS" timeout 30 hping3 -q -S -p 80 -i "$INTERVAL" -c "$COUNT" 10.78.2.1 > "$WORK/hping-b.log" 2>&1 &
HP=$!
banned_b=0
while kill -0 "$HP" 2>/dev/null; do in_set 10.78.2.2 && banned_b=1; sleep 0.2; done
wait "$HP" || true
python3 "$HERE/wait_eve.py" "$WORK/eve.json" 10 \
    'e["event_type"] == "alert" and e["alert"]["kind"] == "syn_flood" and e["src_ip"] == "10.78.2.2"' \
    'e["event_type"] == "ban" and e["ban"]["action"] == "skip" and e["ban"]["ip"] == "10.78.2.2" and e["ban"]["reason"] == "allowlisted"' \
    || { echo "FAIL no alert + allowlisted skip for 10.78.2.2"; exit 1; }
in_set 10.78.2.2 && banned_b=1
[ "$banned_b" = 0 ] && echo "PASS allowlisted 10.78.2.2 alerted but never banned" || { echo "FAIL allowlisted host was banned"; exit 1; }

# 3. The ban expires by itself.
python3 "$HERE/wait_eve.py" "$WORK/eve.json" $((BAN_S + 10)) \
    'e["event_type"] == "ban" and e["ban"]["action"] == "expire" and e["ban"]["ip"] == "10.78.1.2"' \
    || { echo "FAIL no expire event"; exit 1; }
in_set 10.78.1.2 && { echo "FAIL still in the set after expiry"; exit 1; }
echo "PASS ban expired (event + element gone)"

# 4. A clean stop deletes the table.
kill -INT "$PID"
wait "$PID" && rc=0 || rc=$?
PID=""
[ "$rc" = 0 ] || { echo "FAIL exit code $rc"; tail -20 "$WORK/daemon.err"; exit 1; }
ip netns exec "$V_NS" nft list tables | grep -q "$TABLE" && { echo "FAIL table left behind"; exit 1; }
echo "PASS clean stop removed table inet $TABLE"
