#!/usr/bin/env python3
"""alert-diff: compare the alerts of two EVE outputs (backtesting).

Replay the same capture twice with two detection configs, then:

    tools/alert-diff.py A.eve.json B.eve.json [--json]

Alerts are compared by episode identity (kind, source, victim): an episode is one alert id;
its last event (opened / updated / ended) is what it came to. Several episodes with the same
identity in one file are folded (count, earliest first_seen, latest last_seen, peak value).
Prints the identities only in B (added), only in A (removed), and in both with a different
severity, episode count, peak value (more than 1 %) or first_seen (more than 1 s) (changed).
Exit 0 whatever the differences; 2 when a file cannot be read.
"""
import argparse
import json
import sys
from datetime import datetime

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def parse_ts(text):
    """EVE timestamp ("2013-03-07T21:42:06.869344+0000") -> seconds since the epoch, or None."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        return None


def load(path):
    """{(kind, src, victim): episode summary} of every alert in an EVE file."""
    last_event = {}  # alert id -> its newest event
    bad_lines = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or '"alert"' not in line:
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                bad_lines += 1
                continue
            if ev.get("event_type") != "alert" or not isinstance(ev.get("alert"), dict):
                continue
            al = ev["alert"]
            key_id = al.get("id")
            if key_id is None:  # not a netmonsec episode (plain Suricata alert): one per line
                key_id = ("line", len(last_event))
            last_event[key_id] = ev
    episodes = {}
    for ev in last_event.values():
        al = ev["alert"]
        ident = (al.get("kind") or al.get("signature", "?"),
                 ev.get("src_ip") or ev.get("src_mac") or "",
                 ev.get("dest_ip") or "")
        value = (al.get("explanation") or {}).get("value")
        sev = al.get("severity_name") or str(al.get("severity", ""))
        e = episodes.setdefault(ident, {"episodes": 0, "severity": sev, "first_seen": None, "last_seen": None,
                                        "value": None, "text": "", "threshold": None})
        e["episodes"] += 1
        if SEVERITY_ORDER.get(sev, -1) > SEVERITY_ORDER.get(e["severity"], -1):
            e["severity"] = sev
        first = al.get("first_seen") or ev.get("timestamp")
        last = al.get("last_seen") or ev.get("timestamp")
        if e["first_seen"] is None or (parse_ts(first) or 0) < (parse_ts(e["first_seen"]) or 0):
            e["first_seen"] = first
        if e["last_seen"] is None or (parse_ts(last) or 0) > (parse_ts(e["last_seen"]) or 0):
            e["last_seen"] = last
        if isinstance(value, (int, float)) and (e["value"] is None or value > e["value"]):
            e["value"] = value
            e["text"] = (al.get("explanation") or {}).get("text", "")
            e["threshold"] = (al.get("explanation") or {}).get("threshold")
    return episodes, bad_lines


def differences(a, b):
    """Field -> [A, B] for the fields that differ enough to matter."""
    out = {}
    if a["severity"] != b["severity"]:
        out["severity"] = [a["severity"], b["severity"]]
    if a["episodes"] != b["episodes"]:
        out["episodes"] = [a["episodes"], b["episodes"]]
    va, vb = a["value"], b["value"]
    if va is not None and vb is not None and abs(va - vb) > 0.01 * max(abs(va), abs(vb), 1e-9):
        out["value"] = [va, vb]
    ta, tb = parse_ts(a["first_seen"]), parse_ts(b["first_seen"])
    if ta is not None and tb is not None and abs(ta - tb) > 1.0:
        out["first_seen"] = [a["first_seen"], b["first_seen"]]
    return out


def ident_dict(ident):
    return {"kind": ident[0], "src": ident[1], "victim": ident[2]}


def fmt_ident(ident):
    kind, src, victim = ident
    return "%-21s %s -> %s" % (kind, src or "*", victim or "*")


def main(argv):
    ap = argparse.ArgumentParser(description="Compare the alerts of two EVE outputs by (kind, source, victim).")
    ap.add_argument("a", help="EVE file of the first run (baseline)")
    ap.add_argument("b", help="EVE file of the second run (candidate config)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args(argv)
    try:
        ea, bad_a = load(args.a)
        eb, bad_b = load(args.b)
    except OSError as e:
        print("alert-diff: %s" % e, file=sys.stderr)
        return 2

    added = sorted(set(eb) - set(ea))
    removed = sorted(set(ea) - set(eb))
    changed = []
    unchanged = 0
    for ident in sorted(set(ea) & set(eb)):
        d = differences(ea[ident], eb[ident])
        if d:
            changed.append((ident, d))
        else:
            unchanged += 1

    if args.json:
        print(json.dumps({
            "a": {"file": args.a, "identities": len(ea), "bad_lines": bad_a},
            "b": {"file": args.b, "identities": len(eb), "bad_lines": bad_b},
            "added": [dict(ident_dict(i), **eb[i]) for i in added],
            "removed": [dict(ident_dict(i), **ea[i]) for i in removed],
            "changed": [dict(ident_dict(i), changes=d) for i, d in changed],
            "unchanged": unchanged,
        }, indent=1, sort_keys=True))
        return 0

    print("A: %s  (%d alert identities)" % (args.a, len(ea)))
    print("B: %s  (%d alert identities)" % (args.b, len(eb)))
    for label, idents, side in (("ADDED", added, eb), ("REMOVED", removed, ea)):
        for i in idents:
            e = side[i]
            print("%-8s %s  [%s, %d episode(s)] %s" % (label, fmt_ident(i), e["severity"], e["episodes"], e["text"]))
    for i, d in changed:
        parts = ["%s %s -> %s" % (k, v[0], v[1]) for k, v in sorted(d.items())]
        print("%-8s %s  %s" % ("CHANGED", fmt_ident(i), "; ".join(parts)))
    print("added %d, removed %d, changed %d, unchanged %d" % (len(added), len(removed), len(changed), unchanged))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
