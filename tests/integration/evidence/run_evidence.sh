#!/usr/bin/env bash
# Evidence PCAP from a real capture: evidence_probe plays a corpus pcap through the rings,
# collectors (3 workers) and writer, with an alert for one host in the middle. tshark must
# open the written file, and it must hold exactly that host's packets of the window
# [at - before, at + after] (same timestamps and original lengths as tshark finds in the
# source with a display filter), cut to the evidence snaplen, link type unchanged.
set -euo pipefail
PROBE=${1:?usage: run_evidence.sh PATH/TO/evidence_probe CORPUS_DIR}
CORPUS=${2:?usage: run_evidence.sh PATH/TO/evidence_probe CORPUS_DIR}
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
WORK=$(mktemp -d /tmp/nms-evidence.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

check() {  # FILE HOST AT_NS BEFORE AFTER SNAPLEN [RING_KIB]
    local file=$1 host=$2 at=$3 before=$4 after=$5 snap=$6 ring=${7:-8192}
    local out="$WORK/out-$RANDOM"
    "$PROBE" "$file" "$host" "$at" "$before" "$after" 3 "$out" "$ring" "$snap" > "$WORK/probe.json"
    echo "probe: $(cat "$WORK/probe.json")"
    python3 - "$file" "$out" "$WORK/probe.json" "$host" "$at" "$before" "$after" "$snap" <<'PY'
import json, subprocess, sys
src, out, probe, host, at, before, after, snap = sys.argv[1:]
at, before, after, snap = int(at), int(before), int(after), int(snap)
res = json.load(open(probe))
pcap = f"{out}/{res['file']}"
fam = "ipv6" if ":" in host else "ip"
lo, hi = (at - before * 10**9), (at + after * 10**9)

def frames(path, flt=None):
    cmd = ["tshark", "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"]
    if flt:
        cmd += ["-Y", flt]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    rows = []
    for line in r.stdout.splitlines():
        t, ln, cap = line.split("\t")
        sec, _, frac = t.partition(".")
        ns = int(sec) * 10**9 + int((frac + "000000000")[:9])
        rows.append((ns // 1000, int(ln), int(cap)))  # the evidence pcap has microseconds
    return rows

# Window bounds on the source's exact times, then compare at microsecond resolution.
want = [r for r in frames(src, f"{fam}.addr == {host} || arp.src.proto_ipv4 == {host} || arp.dst.proto_ipv4 == {host}")
        if lo // 1000 <= r[0] <= hi // 1000]
host_all = frames(src, f"{fam}.addr == {host}")
got = frames(pcap)
others = frames(pcap, f"!({fam}.addr == {host}) && !(arp.src.proto_ipv4 == {host} || arp.dst.proto_ipv4 == {host})")
link_src = subprocess.run(["capinfos", "-E", "-T", src], capture_output=True, text=True).stdout.split("\n")[-2].split("\t")[-1]
link_out = subprocess.run(["capinfos", "-E", "-T", pcap], capture_output=True, text=True).stdout.split("\n")[-2].split("\t")[-1]
checks = [
    ("tshark opens the file and finds packets", len(got) > 0),
    (f"the window cuts the host's traffic ({len(want)} of {len(host_all)})", 0 < len(want) < len(host_all)),
    (f"exactly the host's packets of the window ({len(want)})", sorted((t, l) for t, l, _ in got) == sorted((t, l) for t, l, _ in want)),
    ("no packet of another host", not others),
    ("time order", [t for t, _, _ in got] == sorted(t for t, _, _ in got)),
    (f"cut to snaplen {snap}, original length kept", all(c == min(l, snap) for _, l, c in got)),
    ("link type unchanged", link_src == link_out),
    ("probe count matches", res["packets"] == len(got)),
    ("complete", res["complete"]),
]
for name, ok in checks:
    print(("PASS " if ok else "FAIL ") + name)
if not all(ok for _, ok in checks):
    print("want", want[:5], "got", got[:5])
    sys.exit(1)
PY
}

# 216.239.38.120 (176 packets, 10:47:47-10:47:52 UTC): alert at 10:47:49, 3 s before, 2 s
# after, so the window cuts the host's traffic on both sides.
check "$CORPUS/pcap/ndpi__android.pcap" 216.239.38.120 1582454869000000000 3 2 256
# The local host (every peer, spread over the 3 workers), a small snaplen, 2 s before, 1 s after.
check "$CORPUS/pcap/ndpi__android.pcap" 192.168.2.16 1582454870000000000 2 1 96
echo "evidence: all checks passed"
