#!/usr/bin/env python3
"""Agreement of netmonsec's application layer with tshark (and nDPI) on the shared corpus.

For every capture: replay it with `netmonsec -r`, then
  * app_proto: for each TCP/UDP flow tshark gives an application family to (app_canon), does
    our flow record's app_proto name the same family? Counted per protocol.
  * metadata: for each tshark metadata record (TLS SNI and JA3, DNS query names, HTTP hosts,
    SSH banners, ...), do our events on the same flow carry the same value exactly?

Only protocols listed as implemented in dpi_expectations.json are held to the targets
(>= 97% app_proto agreement, >= 99% exact metadata); every miss of an implemented protocol
must be listed there with its reason, or the test fails. Others are printed as not yet
covered. Prints 'N passed, N failed' per check.
"""
import argparse
import collections
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

L4 = {"TCP": "tcp", "UDP": "udp"}
# tshark family -> our app_proto names that mean the same thing.
SAME = {"netbios": {"nbns", "netbios", "nbss"}, "ftp_data": {"ftp-data"}, "smb": {"smb"}, "dhcpv6": {"dhcpv6"}}


def norm_ip(ip):
    return str(ipaddress.ip_address(ip))


def key_of(l4, a_ip, a_port, b_ip, b_port):
    return (l4, tuple(sorted(((norm_ip(a_ip), a_port or 0), (norm_ip(b_ip), b_port or 0)))))


def our_output(netmonsec, pcap, tmp):
    eve = os.path.join(tmp, os.path.basename(pcap) + ".json")
    r = subprocess.run([netmonsec, "-r", pcap, "--eve", eve, "-w", "2", "--no-api"], capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"netmonsec failed on {pcap}: {r.stderr}")
    apps = collections.defaultdict(set)
    events = collections.defaultdict(list)
    for line in open(eve):
        ev = json.loads(line)
        l4 = L4.get(ev.get("proto"))
        if l4 is None:
            continue
        k = key_of(l4, ev["src_ip"], ev.get("src_port"), ev["dest_ip"], ev.get("dest_port"))
        if ev["event_type"] == "flow":
            apps[k].add(ev.get("app_proto"))
        elif ev["event_type"] != "stats":
            events[k].append(ev)
    return apps, events


# How to read one kind of tshark metadata and our matching values: kind -> (field, extractor).
def our_values(kind, evs):
    out = set()
    for ev in evs:
        t = ev["event_type"]
        body = ev.get(t, {})
        if kind == "tls.sni" and t == "tls" and body.get("sni"):
            out.add(body["sni"])
        elif kind == "tls.ja3" and t == "tls" and body.get("ja3", {}).get("hash"):
            out.add(body["ja3"]["hash"])
        elif kind == "tls.ja3s" and t == "tls" and body.get("ja3s", {}).get("hash"):
            out.add(body["ja3s"]["hash"])
        elif kind == "quic.sni" and t == "quic" and body.get("sni"):
            out.add(body["sni"])
        elif kind == "dns.qnames" and t in ("dns", "mdns") and body.get("rrname") is not None:
            out.add(body["rrname"])
        elif kind == "http.host" and t == "http" and body.get("hostname"):
            out.add(body["hostname"])
        elif kind == "ssh.banner" and t == "ssh":
            for side in ("client", "server"):
                s = body.get(side)
                if s and s.get("proto_version") and s.get("software_version") is not None:
                    out.add(f"SSH-{s['proto_version']}-{s['software_version']}")
    return out


def expected_values(kind, rec):
    if kind == "tls.sni":
        return [rec["sni"]] if rec.get("sni") else []
    if kind == "tls.ja3":
        return [rec["ja3"]] if rec.get("ja3") else []
    if kind == "tls.ja3s":
        return [rec["ja3s"]] if rec.get("ja3s") else []
    if kind == "quic.sni":
        return [rec["sni"]] if rec.get("sni") else []
    if kind == "dns.qnames":
        return [q for q in rec.get("qnames", []) if q]
    if kind == "http.host":
        return [rec["host"]] if rec.get("host") else []
    if kind == "ssh.banner":
        return [rec["banner"]] if rec.get("banner") else []
    return []


META = {"tls.sni": "tls", "tls.ja3": "tls", "tls.ja3s": "tls", "quic.sni": "quic", "dns.qnames": "dns",
        "http.host": "http", "ssh.banner": "ssh"}
META_PROTO = {"tls.sni": "tls", "tls.ja3": "tls", "tls.ja3s": "tls", "quic.sni": "quic", "dns.qnames": "dns",
              "http.host": "http", "ssh.banner": "ssh"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netmonsec", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--expect", default=os.path.join(os.path.dirname(__file__), "dpi_expectations.json"))
    ap.add_argument("--list-misses", action="store_true", help="print every metadata miss, listed or not")
    args = ap.parse_args()
    spec = json.load(open(args.expect))
    implemented = set(spec["implemented"])
    explained = {(d["file"], d["flow"], d["check"]): d["reason"] for d in spec["differences"]}
    used = set()

    app_total, app_ok = collections.Counter(), collections.Counter()
    meta_total, meta_ok = collections.Counter(), collections.Counter()
    unexplained = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(os.path.join(args.corpus, "pcap"))):
            exp_path = os.path.join(args.corpus, "expected", name + ".json")
            if not os.path.exists(exp_path):
                continue
            exp = json.load(open(exp_path))
            apps, events = our_output(args.netmonsec, os.path.join(args.corpus, "pcap", name), tmp)
            keys = {}
            for f in exp["flows"]:
                if f["l4"] not in ("tcp", "udp"):
                    continue
                k = key_of(f["l4"], f["client"]["ip"], f["client"].get("port"), f["server"]["ip"],
                           f["server"].get("port"))
                keys[f["id"]] = k
                fam = f["tshark"].get("app_canon")
                if not fam or fam in ("icmp", "icmpv6"):
                    continue
                ours = apps.get(k, set())
                ok = fam in ours or bool(SAME.get(fam, set()) & ours)
                app_total[fam] += 1
                app_ok[fam] += ok
                flow_txt = f"{k[0]} {k[1][0][0]}:{k[1][0][1]} <-> {k[1][1][0]}:{k[1][1][1]}"
                if not ok and fam in implemented:
                    if (name, flow_txt, "app_proto") in explained:
                        used.add((name, flow_txt, "app_proto"))
                    else:
                        unexplained.append(f"{name}: {flow_txt}: app_proto tshark={fam} netmonsec={sorted(map(str, ours))}")
            for kind, section in META.items():
                for rec in exp["metadata"].get(section, []):
                    k = keys.get(rec.get("flow"))
                    if k is None:
                        continue
                    ours = our_values(kind, events.get(k, []))
                    for v in expected_values(kind, rec):
                        meta_total[kind] += 1
                        ok = v in ours
                        meta_ok[kind] += ok
                        flow_txt = f"{k[0]} {k[1][0][0]}:{k[1][0][1]} <-> {k[1][1][0]}:{k[1][1][1]}"
                        if not ok and args.list_misses:
                            print(f"miss: {name}: {flow_txt}: {kind} tshark={v!r} netmonsec={sorted(ours)}")
                        if not ok and META_PROTO[kind] in implemented:
                            tag = (name, flow_txt, f"{kind}={v}")
                            if tag in explained:
                                used.add(tag)
                            else:
                                unexplained.append(f"{name}: {flow_txt}: {kind} tshark={v!r} netmonsec={sorted(ours)}")

    print("app_proto agreement with tshark, per protocol (* = implemented, held to >= 97%):")
    impl_total = impl_ok = 0
    for fam in sorted(app_total, key=lambda f: -app_total[f]):
        mark = "*" if fam in implemented else " "
        print(f"  {mark} {fam:12} {app_ok[fam]:4}/{app_total[fam]:<4} {100.0 * app_ok[fam] / app_total[fam]:6.1f}%")
        if fam in implemented:
            impl_total += app_total[fam]
            impl_ok += app_ok[fam]
    print("metadata exact match (* = implemented, held to >= 99%):")
    m_total = m_ok = 0
    for kind in META:
        if meta_total[kind] == 0:
            continue
        mark = "*" if META_PROTO[kind] in implemented else " "
        print(f"  {mark} {kind:12} {meta_ok[kind]:4}/{meta_total[kind]:<4} {100.0 * meta_ok[kind] / meta_total[kind]:6.1f}%")
        if META_PROTO[kind] in implemented:
            m_total += meta_total[kind]
            m_ok += meta_ok[kind]
    checks = []
    if impl_total:
        rate = 100.0 * impl_ok / impl_total
        print(f"implemented protocols: app_proto {impl_ok}/{impl_total} ({rate:.2f}%)")
        checks.append(rate >= 97.0)
    if m_total:
        rate = 100.0 * m_ok / m_total
        print(f"implemented metadata: {m_ok}/{m_total} exact ({rate:.2f}%)")
        checks.append(rate >= 99.0)  # listed misses still count: the list explains, it does not excuse
    for s in sorted(set(explained) - used):
        print(f"note: listed difference no longer occurs (remove it): {s}")
    checks.append(not unexplained)
    if unexplained:
        print(f"{len(unexplained)} unexplained miss(es) of implemented protocols:")
        for u in unexplained:
            print("  " + u)
    failed = checks.count(False)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
