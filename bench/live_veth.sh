#!/usr/bin/env bash
# live_veth.sh: live capture on a veth pair between two private network namespaces.
# Sends a generated capture with tcpreplay from one namespace and captures it in the other
# with, in the same run:
#   null      bench/tpacket_null_reader (bare TPACKET_V3 ring walk: the ceiling)
#   netmonsec the daemon (-i veth -w W, EVE stats to a file)
#   tcpdump   tcpdump -w /dev/null (libpcap's TPACKET_V3 path, for reference)
# then repeats null and netmonsec at a few fixed rates to find the highest drop-free rate.
# Prints one JSON object (and writes it to --out when given).
#
#   sudo bench/live_veth.sh [--build DIR] [--packets N] [--flows N] [--workers W]
#                           [--rates "100000 200000 400000 0"] [--sweep-seconds S] [--out FILE]
#                           [--netmonsec-args "-c FILE ..."] [--readers "null netmonsec tcpdump"]
#
# Rate 0 = tcpreplay --topspeed. Needs root, iproute2, tcpreplay, tcpdump, python3.
# Network safety: the frames (198.18.0.0/15, RFC 2544 benchmarking range) only ever exist on a
# veth pair whose both ends live in namespaces this script creates; no routes, removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build="$root/build/release"
packets=2000000
flows=10000
workers=1
rates="100000 200000 400000 0"
sweep_seconds=3
out=""
netmonsec_args=""
readers="null netmonsec tcpdump"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build) build=$(cd "$2" && pwd); shift 2 ;;
        --packets) packets=$2; shift 2 ;;
        --flows) flows=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --rates) rates=$2; shift 2 ;;
        --sweep-seconds) sweep_seconds=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --netmonsec-args) netmonsec_args=$2; shift 2 ;;
        --readers) readers=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "live_veth.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || { echo "live_veth.sh: needs root (network namespaces)" >&2; exit 2; }
for tool in ip tcpreplay tcpdump python3; do
    command -v "$tool" >/dev/null || { echo "live_veth.sh: $tool not found (apt-get install $tool)" >&2; exit 2; }
done
null_reader="$build/bench/tpacket_null_reader"
daemon="$build/netmonsec"
for b in "$null_reader" "$daemon"; do
    [[ -x "$b" ]] || { echo "live_veth.sh: $b missing: build it (bench/run or cmake --build)" >&2; exit 2; }
done

tx_ns="nms-bench-tx-$$"
rx_ns="nms-bench-rx-$$"
tx_if="nbtx$$"
rx_if="nbrx$$"
work=$(mktemp -d /tmp/nms-bench-live.XXXXXX)
reader_pid=""

cleanup() {
    if [[ -n "$reader_pid" ]] && kill -0 "$reader_pid" 2>/dev/null; then
        kill -TERM "$reader_pid" 2>/dev/null || true
        wait "$reader_pid" 2>/dev/null || true
    fi
    ip netns del "$tx_ns" 2>/dev/null || true
    ip netns del "$rx_ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# --- namespaces and veth -------------------------------------------------------------------
ip netns add "$tx_ns"
ip netns add "$rx_ns"
for ns in "$tx_ns" "$rx_ns"; do
    # No IPv6 autoconfiguration chatter (router/neighbour solicitations) in the counts.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add "$tx_if" netns "$tx_ns" type veth peer name "$rx_if" netns "$rx_ns"
ip -n "$tx_ns" addr add 198.18.255.1/30 dev "$tx_if"
ip -n "$rx_ns" addr add 198.18.255.2/30 dev "$rx_if"
ip -n "$tx_ns" link set "$tx_if" up
ip -n "$rx_ns" link set "$rx_if" up
# Stay silent on the wire ourselves: no ARP from either end.
ip -n "$tx_ns" link set "$tx_if" arp off
ip -n "$rx_ns" link set "$rx_if" arp off

pcap="$work/live.pcap"
python3 "$here/gen_pcap.py" -o "$pcap" --flows "$flows" --packets "$packets" --size 64 --proto mix 2>/dev/null
clk_tck=$(getconf CLK_TCK)

# CPU seconds (user + system, all threads) of a live process.
cpu_of() { awk -v t="$clk_tck" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

# wait_until CMD...: retries CMD every 50 ms for at most 10 s.
wait_until() {
    local i
    for ((i = 0; i < 200; ++i)); do
        if "$@"; then return 0; fi
        sleep 0.05
    done
    return 1
}

has_packet_socket() { [[ $(wc -l < "/proc/$1/net/packet") -gt 1 ]]; }
eve_has_stats() { grep -q '"event_type":"stats"' "$1" 2>/dev/null; }
tcpdump_listening() { grep -q "listening on" "$1" 2>/dev/null; }

# send RATE LIMIT: replays the pcap (at most LIMIT packets) from the tx namespace; prints
# "sent seconds". Rate 0 = --topspeed.
send() {
    local rate=$1 limit=$2 speed log="$work/tcpreplay.log"
    if [[ "$rate" == 0 ]]; then speed=(--topspeed); else speed=(--pps "$rate"); fi
    timeout 300 ip netns exec "$tx_ns" tcpreplay -q "${speed[@]}" --limit "$limit" -i "$tx_if" "$pcap" \
        > "$log" 2>&1 || { cat "$log" >&2; return 1; }
    python3 - "$log" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"Actual: (\d+) packets .* sent in ([\d.]+) seconds", text)
failed = re.search(r"Failed packets:\s+(\d+)", text)
sent = int(m.group(1)) - (int(failed.group(1)) if failed else 0)
print(sent, m.group(2))
EOF
}

# run_reader KIND RATE LIMIT: starts the reader in the rx namespace, waits until it is ready,
# sends, lets the last blocks retire, stops it with SIGINT, prints one JSON object.
run_reader() {
    local kind=$1 rate=$2 limit=$3 ready="$work/ready" eve="$work/eve.json" rlog="$work/reader.out"
    local elog="$work/reader.err"
    rm -f "$ready" "$eve" "$rlog" "$elog"
    case "$kind" in
        null)
            ip netns exec "$rx_ns" "$null_reader" -i "$rx_if" --ready-file "$ready" > "$rlog" 2> "$elog" &
            reader_pid=$!
            wait_until test -e "$ready" ;;
        netmonsec)
            (cd "$work" && exec ip netns exec "$rx_ns" "$daemon" -i "$rx_if" -w "$workers" --no-api --data-dir "$work/data" \
                --eve "$eve" $netmonsec_args > "$rlog" 2> "$elog") &
            reader_pid=$!
            # Ready = its packet socket exists and the stats thread has ticked once.
            wait_until has_packet_socket "$reader_pid" && wait_until eve_has_stats "$eve" ;;
        tcpdump)
            ip netns exec "$rx_ns" tcpdump -n -s 2048 -i "$rx_if" -w /dev/null > "$rlog" 2> "$elog" &
            reader_pid=$!
            wait_until tcpdump_listening "$elog" ;;
    esac || { echo "live_veth.sh: $kind did not become ready" >&2; cat "$elog" >&2; return 1; }
    local cpu0 cpu1 sent_secs
    cpu0=$(cpu_of "$reader_pid")
    sent_secs=$(send "$rate" "$limit")
    sleep 0.3  # bounded settle: partly filled blocks retire after 10 ms; rings drain
    cpu1=$(cpu_of "$reader_pid")
    kill -INT "$reader_pid"
    wait "$reader_pid" || true
    reader_pid=""
    python3 - "$kind" "$rate" "$sent_secs" "$cpu0" "$cpu1" "$rlog" "$elog" "$eve" <<'EOF'
import json, re, sys
kind, rate, sent_secs, cpu0, cpu1, rlog, elog, eve = sys.argv[1:]
sent, secs = sent_secs.split()
sent, secs = int(sent), float(secs)
r = {"reader": kind, "rate_pps": int(rate) or "topspeed", "sent": sent,
     "send_seconds": secs, "sent_pps": round(sent / secs) if secs else None}
if kind == "null":
    d = json.load(open(rlog))
    r.update(captured=d["frames"], kernel_drops=d["kernel_drops"], other_drops=0)
elif kind == "netmonsec":
    last = None
    for line in open(eve):
        if '"event_type":"stats"' in line:
            last = json.loads(line)
    st = last["stats"]
    r.update(captured=st["decoder"]["pkts"], kernel_drops=st["capture"]["kernel_drops"],
             other_drops=st["capture"]["ring_full_drops"], invalid=st["decoder"]["invalid"])
    m = re.search(r"netmonsec: (\d+) packets.* (\d+) dropped", open(elog).read())
    if m:
        r["summary_packets"], r["summary_dropped"] = int(m.group(1)), int(m.group(2))
else:
    text = open(elog).read()
    cap = re.search(r"(\d+) packets? captured", text)
    drop = re.search(r"(\d+) packets? dropped by kernel", text)
    r.update(captured=int(cap.group(1)), kernel_drops=int(drop.group(1)), other_drops=0)
cpu = float(cpu1) - float(cpu0)
r["cpu_seconds"] = round(cpu, 3)
r["cpu_s_per_mpkt"] = round(cpu / (r["captured"] / 1e6), 3) if r["captured"] else None
r["lost"] = max(0, sent - r["captured"])
r["drop_free"] = r["lost"] == 0 and r["kernel_drops"] == 0 and r["other_drops"] == 0
print(json.dumps(r))
EOF
}

results="$work/results.ndjson"
: > "$results"
echo "live_veth.sh: topspeed, $packets packets, $flows flows, 64-byte frames" >&2
for kind in $readers; do
    run_reader "$kind" 0 "$packets" | tee -a "$results" >&2
done
sweep="$work/sweep.ndjson"
: > "$sweep"
for rate in $rates; do
    limit=$packets
    if [[ "$rate" != 0 ]]; then limit=$((rate * sweep_seconds)); fi
    for kind in $readers; do
        [[ "$kind" == tcpdump ]] && continue
        run_reader "$kind" "$rate" "$limit" | tee -a "$sweep" >&2
    done
done

python3 - "$results" "$sweep" "$packets" "$flows" "$workers" "$(uname -r)" "$(nproc)" "${out:-}" "$netmonsec_args" <<'EOF'
import json, sys
results, sweep, packets, flows, workers, kernel, cpus, out, nargs = sys.argv[1:]
top = [json.loads(l) for l in open(results) if l.strip()]
sw = [json.loads(l) for l in open(sweep) if l.strip()]
best = {}
for r in sw:
    if r["drop_free"]:
        rate = r["sent_pps"] or 0
        best[r["reader"]] = max(best.get(r["reader"], 0), rate)
doc = {"bench": "live_veth", "kernel": kernel, "cpus": int(cpus), "packets": int(packets),
       "flows": int(flows), "frame_size": 64, "netmonsec_workers": int(workers), "netmonsec_args": nargs, "sender": "tcpreplay",
       "topspeed": top, "sweep": sw, "max_drop_free_pps": best}
text = json.dumps(doc, indent=1)
print(text)
if out:
    open(out, "w").write(text + "\n")
EOF
