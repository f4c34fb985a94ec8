#!/usr/bin/env python3
"""Backtesting end to end: one generated capture with a port scan and a host sweep, replayed
through the real daemon twice -- the shipped config, and one that raises the vertical scan
threshold out of reach and makes host sweeps "high" -- then tools/alert-diff.py must report
the scan as removed, the sweep as changed, and nothing added (table and --json)."""
import json
import os
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=90, **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s\n%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def replay(netmonsec, config, pcap, eve):
    run([netmonsec, "-c", config, "-r", pcap, "--eve", eve, "--no-api"])
    kinds = []
    with open(eve) as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") == "alert":
                kinds.append((ev["alert"]["kind"], ev["alert"]["phase"]))
    return kinds


def main():
    netmonsec, gen, shipped_toml, alert_diff = sys.argv[1:5]
    with tempfile.TemporaryDirectory(prefix="nms-alert-diff-") as tmp:
        pcap = os.path.join(tmp, "scan.pcap")
        run([gen, "-w", pcap, "--flows", "200", "--packets", "60000", "--rate", "10000", "--seed", "7",
             "--anomaly", "portscan:400", "--anomaly", "hostsweep:150", "-q"])
        with open(shipped_toml) as f:
            toml = f.read()
        base = os.path.join(tmp, "a.toml")
        cand = os.path.join(tmp, "b.toml")
        with open(base, "w") as f:
            f.write(toml.replace('data_dir = "/var/lib/netmonsec"', 'data_dir = "%s"' % tmp))
        vertical = toml.index("[detect.port_scan_vertical]")
        sweep = toml.index("[detect.host_sweep]")
        changed = (toml[:vertical] + toml[vertical:sweep].replace("min_ports = 100\n", "min_ports = 65536\n", 1) +
                   toml[sweep:].replace('severity = ""', 'severity = "high"', 1))
        assert changed != toml, "the config edit did not apply"
        with open(cand, "w") as f:
            f.write(changed.replace('data_dir = "/var/lib/netmonsec"', 'data_dir = "%s"' % tmp))

        a_eve, b_eve = os.path.join(tmp, "a.eve.json"), os.path.join(tmp, "b.eve.json")
        a = replay(netmonsec, base, pcap, a_eve)
        b = replay(netmonsec, cand, pcap, b_eve)
        print("A alerts:", a)
        print("B alerts:", b)
        if ("port_scan_vertical", "opened") not in a or ("host_sweep", "opened") not in a:
            sys.exit("FAIL: the shipped config should alert on the scan and the sweep")
        if any(k == "port_scan_vertical" for k, _ in b):
            sys.exit("FAIL: min_ports = 65536 should silence the vertical scan")

        table = run([sys.executable, alert_diff, a_eve, b_eve])
        print(table)
        lines = table.splitlines()
        if not any(l.startswith("REMOVED") and "port_scan_vertical" in l for l in lines):
            sys.exit("FAIL: the table does not list the vertical scan as removed")
        if not any(l.startswith("CHANGED") and "host_sweep" in l and "severity medium -> high" in l for l in lines):
            sys.exit("FAIL: the table does not list the host sweep's severity change")

        d = json.loads(run([sys.executable, alert_diff, a_eve, b_eve, "--json"]))
        removed = [(r["kind"], r["src"], r["victim"]) for r in d["removed"]]
        if len(removed) != 1 or removed[0][0] != "port_scan_vertical" or not removed[0][1] or not removed[0][2]:
            sys.exit("FAIL: --json removed = %r" % removed)
        if d["added"]:
            sys.exit("FAIL: --json added = %r" % d["added"])
        ch = [c for c in d["changed"] if c["kind"] == "host_sweep"]
        if len(ch) != 1 or ch[0]["changes"].get("severity") != ["medium", "high"]:
            sys.exit("FAIL: --json changed = %r" % d["changed"])
        # The same file against itself: no differences.
        same = json.loads(run([sys.executable, alert_diff, a_eve, a_eve, "--json"]))
        if same["added"] or same["removed"] or same["changed"] or same["unchanged"] != same["a"]["identities"]:
            sys.exit("FAIL: a file against itself: %r" % same)
    print("PASS")


if __name__ == "__main__":
    main()
