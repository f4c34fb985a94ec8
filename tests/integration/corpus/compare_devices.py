#!/usr/bin/env python3
"""Device OS guesses vs p0f over the whole corpus.

Replays every capture through netmonsec, reads the last "device" EVE event per IP and
compares with p0f's `os` per host (expected/*.json, section p0f.hosts) wherever p0f gives
one. Two figures:
  - tcp:   one of our TCP-signature evidences (tcp_syn / tcp_synack, matched against p0f.fp)
           names an OS p0f named for that host -- checks our p0f implementation;
  - final: the device's chosen OS (all evidence combined) is one p0f named -- informational,
           since a DHCP or User-Agent hint may rightly outrank a TCP signature.
Every tcp miss must be listed in device_expectations.json with its reason; the test fails
on an unlisted miss or when tcp agreement falls below the floor there.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile


def run(netmonsec, pcap, eve):
    r = subprocess.run([netmonsec, "-r", pcap, "--eve", eve, "-w", "2", "--no-api"], capture_output=True,
                       text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"{pcap}: netmonsec exited {r.returncode}: {r.stderr[-500:]}")


def devices_by_ip(eve):
    by_ip = {}
    count = 0
    with open(eve, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") != "device":
                continue
            d = ev["device"]
            if d.get("event") == "discovered":
                count += 1
            for ip in d.get("ips", []):
                by_ip[ip] = d  # events come in order: the last one is the final state
    return by_ip, count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netmonsec", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--expectations", default=os.path.join(os.path.dirname(__file__), "device_expectations.json"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    with open(args.expectations, encoding="utf-8") as f:
        exp = json.load(f)
    known = {(m["file"], m["host"]): m["reason"] for m in exp.get("misses", [])}

    total = tcp_ok = final_ok = 0
    misses = []
    device_counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for ej in sorted(glob.glob(os.path.join(args.corpus, "expected", "*.json"))):
            with open(ej, encoding="utf-8") as f:
                e = json.load(f)
            name = os.path.basename(ej)[:-5]
            pcap = os.path.join(args.corpus, "pcap", name)
            eve = os.path.join(tmp, name + ".eve.json")
            run(args.netmonsec, pcap, eve)
            by_ip, count = devices_by_ip(eve)
            device_counts[name] = count
            for host, h in sorted(((e.get("p0f") or {}).get("hosts") or {}).items()):
                if "os" not in h:
                    continue
                total += 1
                theirs = set(h["os"])
                d = by_ip.get(host)
                ours_tcp = {ev["os"] for ev in (d or {}).get("os_evidence", [])
                            if ev["signal"] in ("tcp_syn", "tcp_synack", "tcp_syn_site")}
                if ours_tcp & theirs:
                    tcp_ok += 1
                else:
                    misses.append((name, host, sorted(theirs), sorted(ours_tcp)))
                if d and d.get("os") in theirs:
                    final_ok += 1
                elif args.verbose:
                    print(f"  final differs: {name} {host}: ours {d.get('os') if d else None!r}, p0f {sorted(theirs)}")

    pct = lambda a, b: 100.0 * a / b if b else 100.0
    print(f"p0f hosts with an OS: {total}")
    print(f"tcp signature agreement: {tcp_ok}/{total} = {pct(tcp_ok, total):.1f}%")
    print(f"final OS agreement:      {final_ok}/{total} = {pct(final_ok, total):.1f}%")
    print("devices discovered (top captures): " +
          ", ".join(f"{k}={v}" for k, v in sorted(device_counts.items(), key=lambda x: -x[1])[:5]))
    unlisted = []
    for name, host, theirs, ours in misses:
        reason = known.get((name, host))
        print(f"  miss {name} {host}: p0f {theirs}, ours {ours}" + (f" -- {reason}" if reason else " -- UNLISTED"))
        if not reason:
            unlisted.append((name, host))
    ok = not unlisted and pct(tcp_ok, total) >= exp.get("min_tcp_agreement_pct", 0)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
