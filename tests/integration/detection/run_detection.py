#!/usr/bin/env python3
"""Replays each detection-lab capture through `netmonsec -r` and judges the alerts.

Reads manifest.jsonl written by run_detection_lab.sh (one scenario per line: pcap, expected
kind, expected attacker and/or victim, a BPF check that the capture holds what the tool was
supposed to send). For every scenario:
  1. lab check: tcpdump counts the frames matching the scenario's BPF filter; too few = the tool
     did not do its job (verdict LAB, never blamed on a detector);
  2. netmonsec -r PCAP --eve EVE --no-api -c CONFIG [-c is the repo's shipped config];
  3. attack: PASS when an alert of the expected kind names the expected attacker (src_ip, or
     the attacker's MAC for ARP kinds) and/or victim (dest_ip); otherwise MISS.
     benign: PASS when no alert is above severity info; otherwise FP.
Prints a table and writes it as JSON (--out). Exit 1 if any scenario is not PASS.

Runs without root on kept captures: NMS_LAB_KEEP=DIR run_detection_lab.sh ...; then
  run_detection.py --netmonsec build/release/netmonsec --config config/netmonsec.toml --pcaps DIR
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def bpf_count(pcap, bpf, enough):
    """Frames of the capture that match a BPF filter, counting stops at `enough` (tcpdump: 20x
    faster than tshark here; stopping early keeps flood captures cheap)."""
    out = subprocess.run(["tcpdump", "-q", "-n", "-c", str(enough), "-r", pcap, bpf],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"tcpdump -r {pcap} '{bpf}' failed: {out.stderr.strip()}")
    return sum(1 for line in out.stdout.splitlines() if line.strip())


def capture_summary(pcap):
    """Frames, seconds and mean frame rate of a capture (capinfos), for the report."""
    out = subprocess.run(["capinfos", "-T", "-m", "-r", "-c", "-u", "-d", pcap],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or not out.stdout.strip():
        return {}
    fields = out.stdout.strip().split(",")
    try:
        frames, nbytes, seconds = int(fields[1]), int(fields[2]), float(fields[3] or 0)
    except (IndexError, ValueError):
        return {}
    return {"frames": frames, "seconds": round(seconds, 2), "bytes": nbytes,
            "pps": round(frames / seconds) if seconds > 0 else frames}


def severity_of(ev):
    a = ev.get("alert", {})
    name = a.get("severity_name")
    if isinstance(name, str):
        return name
    sev = a.get("severity")
    if isinstance(sev, str):
        return sev
    if isinstance(sev, int):  # Suricata numbering: 1 = high, 2 = medium, 3 = low/info
        return {1: "high", 2: "medium"}.get(sev, "low")
    return "unknown"


def severity_rank(name):
    # An unknown severity name ranks above everything: a benign run must not hide behind it.
    return SEVERITIES.index(name) if name in SEVERITIES else len(SEVERITIES)


def find_mac(ev):
    a = ev.get("alert", {})
    for holder in (a, ev, a.get("source", {}) if isinstance(a.get("source"), dict) else {}):
        for key in ("src_mac", "mac", "source_mac"):
            if isinstance(holder.get(key), str) and holder[key]:
                return holder[key].lower()
    return ""


def replay(netmonsec, config, pcap, work, name):
    eve = os.path.join(work, f"{name}.eve.json")
    log = os.path.join(work, f"{name}.log")
    cmd = [netmonsec, "-c", config, "-r", pcap, "--eve", eve, "--no-api"]
    with open(log, "w") as err:
        rc = subprocess.run(cmd, stdout=err, stderr=err, timeout=600).returncode
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}: {open(log).read()[-800:]}")
    alerts = {}
    with open(eve) as f:
        for line in f:
            ev = json.loads(line)
            if ev.get("event_type") != "alert":
                continue
            a = ev.get("alert", {})
            key = (a.get("kind", "?"), ev.get("src_ip", ""), ev.get("dest_ip", ""))
            sev = severity_of(ev)
            prev = alerts.get(key)
            # One row per episode (opened/updated/ended): keep the highest severity seen.
            if prev is None or severity_rank(sev) > severity_rank(prev["severity"]):
                alerts[key] = {"kind": key[0], "src": key[1], "dest": key[2], "severity": sev, "mac": find_mac(ev),
                               "text": a.get("explanation", {}).get("text", "") if isinstance(a.get("explanation"), dict) else ""}
    return list(alerts.values())


def judge(sc, alerts):
    if sc["kind"] == "-":
        loud = [a for a in alerts if a["severity"] != "info"]
        return ("FP" if loud else "PASS"), loud
    hits = []
    for a in alerts:
        if a["kind"] != sc["kind"]:
            continue
        if sc["src"] != "-" and a["src"] != sc["src"] and not (sc["kind"].startswith("arp_") and a["mac"] == sc["attacker_mac"]):
            continue
        if sc["src"] == "-" and sc["victim"] != "-" and a["dest"] != sc["victim"]:
            continue
        hits.append(a)
    return ("PASS" if hits else "MISS"), hits


def fmt_alerts(alerts):
    """"kind(src,...)" per kind; info alerts (new_device) only as a count."""
    if not alerts:
        return "-"
    by = collections.OrderedDict()
    info = 0
    for a in sorted(alerts, key=lambda a: (a["kind"], a["src"])):
        if a["severity"] == "info":
            info += 1
            continue
        by.setdefault(a["kind"], []).append(a["src"] or (f"victim {a['dest']}" if a["dest"] else a["mac"] or "?"))
    parts = []
    for kind, srcs in by.items():
        shown = sorted(set(srcs))
        parts.append(f"{kind}({','.join(shown[:3])}{',+' + str(len(shown) - 3) if len(shown) > 3 else ''})")
    if info:
        parts.append(f"+{info} info")
    return " ".join(parts)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netmonsec", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--pcaps", required=True, help="directory with manifest.jsonl and the captures")
    p.add_argument("--out", help="write the table as JSON here")
    p.add_argument("--work", help="EVE files go here (default: a temp dir)")
    p.add_argument("--only", default="", help="substring of scenario names to run")
    args = p.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="nms-detect-replay.")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(args.pcaps, "manifest.jsonl")) as f:
        scenarios = [json.loads(line) for line in f if line.strip()]
    scenarios = [s for s in scenarios if args.only in s["name"]]
    if not scenarios:
        print("no scenarios in the manifest")
        return 1

    rows = []
    for sc in scenarios:
        pcap = os.path.join(args.pcaps, sc["pcap"])
        row = {"scenario": sc["name"], "benign": sc["kind"] == "-", "expected_kind": sc["kind"],
               "expected_src": sc["src"], "expected_victim": sc["victim"],
               "capture": capture_summary(pcap), "captured": sc.get("captured"),
               "kernel_dropped": sc.get("dropped"), "lab_seconds": sc.get("seconds")}
        matched = bpf_count(pcap, sc["check"], sc["check_min"])
        row["check"] = {"filter": sc["check"], "min": sc["check_min"], "matched": matched}
        if matched < sc["check_min"]:
            row.update(verdict="LAB", alerts=[], evidence=[])
        else:
            try:
                alerts = replay(args.netmonsec, args.config, pcap, work, sc["name"])
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
                print(f"  {sc['name']}: replay failed: {e}")
                row.update(verdict="ERROR", alerts=[], evidence=[], error=str(e))
            else:
                verdict, evidence = judge(sc, alerts)
                row.update(verdict=verdict, alerts=alerts, evidence=evidence)
        rows.append(row)
        print(f"  {sc['name']}: {row['verdict']}", flush=True)

    head = ("scenario", "expected kind", "expected attacker", "detected kinds (src)", "verdict")
    table = []
    for r in rows:
        who = r["expected_src"] if r["expected_src"] != "-" else (
            f"victim {r['expected_victim']}" if r["expected_victim"] != "-" else "-")
        table.append((r["scenario"], "(benign)" if r["benign"] else r["expected_kind"],
                      "-" if r["benign"] else who, fmt_alerts(r["alerts"]), r["verdict"]))
    widths = [max(len(head[i]), *(len(t[i]) for t in table)) for i in range(len(head))]
    line = " | ".join(h.ljust(w) for h, w in zip(head, widths))
    print(line)
    print("-" * len(line))
    for t in table:
        print(" | ".join(c.ljust(w) for c, w in zip(t, widths)))

    attacks = [r for r in rows if not r["benign"]]
    benign = [r for r in rows if r["benign"]]
    summary = {"attacks_detected": sum(r["verdict"] == "PASS" for r in attacks), "attacks": len(attacks),
               "benign_clean": sum(r["verdict"] == "PASS" for r in benign), "benign": len(benign),
               "lab_failures": sum(r["verdict"] == "LAB" for r in rows),
               "replay_errors": sum(r["verdict"] == "ERROR" for r in rows)}
    print(f"attacks detected {summary['attacks_detected']}/{summary['attacks']}, "
          f"benign without alerts above info {summary['benign_clean']}/{summary['benign']}, "
          f"lab failures {summary['lab_failures']}, replay errors {summary['replay_errors']}")
    for r in rows:
        if r["verdict"] != "PASS":
            c = r["capture"]
            print(f"  {r['scenario']} {r['verdict']}: capture {c.get('frames')} frames, {c.get('bytes')} bytes in "
                  f"{c.get('seconds')} s ({c.get('pps')} frames/s); check '{r['check']['filter']}' matched "
                  f"{r['check']['matched']} (needs {r['check']['min']})")
            for a in (x for x in r["alerts"] if x["severity"] != "info"):
                print(f"      alert {a['kind']} {a['severity']} {a['src']} -> {a['dest']}: {a['text']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "scenarios": rows}, f, indent=2)
    return 0 if all(r["verdict"] == "PASS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
