#!/usr/bin/env python3
"""Replays every capture of the shared corpus through netmonsec and compares its EVE flow
records with what tshark reported (corpus/expected/<file>.json).

Flows are matched by (l4, unordered endpoint pair); per-direction packets and bytes are
compared by endpoint (who sent them), so client/server orientation does not matter. Both
sides are aggregated per key first: tshark ignores VLAN ids and tunnel ids in its
conversations, and may list one key twice (port reuse); we may split one key across VLANs.

Every difference must be listed in known_differences.json with its reason, otherwise the
test fails. A listed difference that no longer occurs is reported so the list stays honest.
Exit 0 = all flows matched or explained; prints the exact-match rate.
"""
import argparse
import collections
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

L4_BY_PROTO = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "IPv6-ICMP": "icmpv6"}


def norm_ip(ip):
    return str(ipaddress.ip_address(ip))


def endpoint(ip, port, l4):
    return (norm_ip(ip), port if l4 in ("tcp", "udp") else 0)


def expected_flows(doc):
    """(l4, frozenset(endpoints)) -> {endpoint: [pkts, bytes]} from tshark's flows."""
    out = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for f in doc["flows"]:
        l4 = f["l4"]
        if l4 not in ("tcp", "udp", "icmp", "icmpv6"):
            continue
        c = endpoint(f["client"]["ip"], f["client"].get("port") or 0, l4)
        s = endpoint(f["server"]["ip"], f["server"].get("port") or 0, l4)
        key = (l4, tuple(sorted((c, s))))
        out[key][c][0] += f["packets"]["c2s"]
        out[key][c][1] += f["bytes"]["c2s"]
        out[key][s][0] += f["packets"]["s2c"]
        out[key][s][1] += f["bytes"]["s2c"]
    return out


def our_flows(eve_path):
    out = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    with open(eve_path) as fh:
        for line in fh:
            ev = json.loads(line)
            if ev.get("event_type") != "flow":
                continue
            l4 = L4_BY_PROTO.get(ev["proto"])
            if l4 is None:
                continue
            c = endpoint(ev["src_ip"], ev.get("src_port", 0), l4)
            s = endpoint(ev["dest_ip"], ev.get("dest_port", 0), l4)
            key = (l4, tuple(sorted((c, s))))
            fl = ev["flow"]
            out[key][c][0] += fl["pkts_toserver"]
            out[key][c][1] += fl["bytes_toserver"]
            out[key][s][0] += fl["pkts_toclient"]
            out[key][s][1] += fl["bytes_toclient"]
    return out


def key_text(key):
    l4, eps = key
    a, b = eps
    return f"{l4} {a[0]}:{a[1]} <-> {b[0]}:{b[1]}"


def counts_text(d):
    return ", ".join(f"{ip}:{port} sent {p} pkts/{b} B" for (ip, port), (p, b) in sorted(d.items()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netmonsec", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--known", default=os.path.join(os.path.dirname(__file__), "known_differences.json"))
    ap.add_argument("--workers", default="2")
    ap.add_argument("--only", help="one capture file name")
    args = ap.parse_args()

    with open(args.known) as fh:
        known = {(k["file"], k["flow"]): k["reason"] for k in json.load(fh)["differences"]}
    used_known = set()
    pcaps = sorted(os.listdir(os.path.join(args.corpus, "pcap")))
    if args.only:
        pcaps = [args.only]

    totals = collections.Counter()
    unexplained = []
    print(f"{'capture':60} {'exp':>4} {'exact':>5} {'known':>5} {'new':>4}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in pcaps:
            exp_path = os.path.join(args.corpus, "expected", name + ".json")
            if not os.path.exists(exp_path):
                continue
            with open(exp_path) as fh:
                exp = expected_flows(json.load(fh))
            eve = os.path.join(tmp, name + ".eve.json")
            run = subprocess.run([args.netmonsec, "-r", os.path.join(args.corpus, "pcap", name), "--eve", eve,
                                  "-w", args.workers, "--no-api"], capture_output=True, text=True, timeout=120)
            if run.returncode != 0:
                unexplained.append(f"{name}: netmonsec exited {run.returncode}: {run.stderr.strip()}")
                continue
            ours = our_flows(eve)
            row = collections.Counter()
            for key in sorted(set(exp) | set(ours), key=key_text):
                kt = key_text(key)
                e, o = exp.get(key), ours.get(key)
                tcpudp = key[0] in ("tcp", "udp")
                if e is not None:
                    row["expected"] += 1
                    totals["expected_tcpudp" if tcpudp else "expected_other"] += 1
                if e is not None and o is not None and dict(e) == dict(o):
                    row["exact"] += 1
                    totals["exact_tcpudp" if tcpudp else "exact_other"] += 1
                    continue
                if e is None:
                    diff = f"only in netmonsec: {counts_text(o)}"
                elif o is None:
                    diff = f"missing in netmonsec (tshark: {counts_text(e)})"
                else:
                    diff = f"tshark: {counts_text(e)} | netmonsec: {counts_text(o)}"
                if (name, kt) in known:
                    used_known.add((name, kt))
                    row["known"] += 1
                    totals["known"] += 1
                else:
                    row["new"] += 1
                    unexplained.append(f"{name}: {kt}: {diff}")
            print(f"{name:60} {row['expected']:4} {row['exact']:5} {row['known']:5} {row['new']:4}")

    stale = [k for k in known if k not in used_known and (not args.only or k[0] == args.only)]
    exp_n = totals["expected_tcpudp"]
    rate = 100.0 * totals["exact_tcpudp"] / exp_n if exp_n else 0.0
    print(f"\nTCP/UDP flows: {totals['exact_tcpudp']}/{exp_n} exact ({rate:.2f}%); "
          f"ICMP flows: {totals['exact_other']}/{totals['expected_other']} exact; "
          f"{totals['known']} known differences explained in {os.path.basename(args.known)}")
    for s in stale:
        print(f"note: listed difference no longer occurs (remove it): {s[0]}: {s[1]}")
    if unexplained:
        print(f"\n{len(unexplained)} unexplained difference(s):")
        for u in unexplained:
            print("  " + u)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
