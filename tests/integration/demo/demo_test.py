#!/usr/bin/env python3
"""netmonsec --demo as a user runs it: banner, live stats with growing packet counts, flow
events from generated traffic, and a clean exit 0 on SIGTERM. Prints 'N passed, N failed'."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

NMS, CONFIG = sys.argv[1], sys.argv[2]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {detail}"))


def events(path):
    out = []
    try:
        with open(path) as fh:
            for line in fh:
                if line.endswith("\n"):
                    out.append(json.loads(line))
    except FileNotFoundError:
        pass
    return out


with tempfile.TemporaryDirectory() as tmp:
    eve = os.path.join(tmp, "eve.json")
    err_path = os.path.join(tmp, "stderr.txt")
    with open(err_path, "w") as err:
        proc = subprocess.Popen([NMS, "--demo", "-c", CONFIG, "--eve", eve, "--no-api"],
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.time() + 90  # closed TCP flows are reported after their 10 s linger
        pkts, flows = [], 0
        while time.time() < deadline and proc.poll() is None:
            evs = events(eve)
            pkts = [e["stats"]["decoder"]["pkts"] for e in evs if e["event_type"] == "stats"]
            flows = sum(1 for e in evs if e["event_type"] == "flow")
            if len(pkts) >= 2 and pkts[-1] > pkts[0] and flows > 0:
                break
            time.sleep(0.5)
        check("daemon still running in demo mode", proc.poll() is None, f"exit {proc.poll()}")
        check("stats events show packets increasing", len(pkts) >= 2 and pkts[-1] > pkts[0], str(pkts[-5:]))
        check("at least one flow event from generated traffic", flows > 0)
        if flows:
            f = next(e for e in events(eve) if e["event_type"] == "flow")
            inside = all(ip.startswith(("198.18.", "198.19.", "2001:2:", "0.0.0.0", "255.255.255.255", "224.0.0.",
                                        "ff02::")) for ip in (f["src_ip"], f["dest_ip"]))
            check("flows use the benchmarking address ranges", inside, json.dumps(f)[:300])
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
    check("SIGTERM -> exit 0", rc == 0, f"exit {rc}")
    stderr = open(err_path, encoding="utf-8", errors="replace").read()
    check("demo banner on stderr", "DEMO MODE" in stderr and "not a real network" in stderr, stderr[:500])

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
