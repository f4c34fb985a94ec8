#!/usr/bin/env python3
"""Least privilege: netmonsec started as root with [process] user = "nobody" runs with a
non-root uid/gid, no capabilities in any set and no_new_privs (from /proc/PID/status), and its
API still answers. Needs root (skipped otherwise). Usage: privileges_test.py NETMONSEC."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nms_client import Daemon  # noqa: E402

NMS = sys.argv[1]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:800]}"), flush=True)


if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)

with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)  # nobody must reach the config file
    d = Daemon(NMS, tmp, '[process]\nuser = "nobody"\n')
    try:
        d.wait_ready()
        with open(f"/proc/{d.proc.pid}/status") as fh:
            status = dict(line.rstrip("\n").split(":\t", 1) for line in fh if ":\t" in line)
        uids = [int(x) for x in status["Uid"].split()]
        gids = [int(x) for x in status["Gid"].split()]
        check("real, effective, saved and fs uid are not root", all(u != 0 for u in uids), status["Uid"])
        check("gids are not root", all(g != 0 for g in gids), status["Gid"])
        check("supplementary groups hold no root group", "0" not in status.get("Groups", "").split(), status.get("Groups"))
        for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            check(f"{cap} is empty", int(status[cap], 16) == 0, status[cap])
        check("no_new_privs is set", status.get("NoNewPrivs") == "1", status.get("NoNewPrivs"))
        # Every thread, not just the main one (capabilities are per thread).
        bad = []
        for tid in os.listdir(f"/proc/{d.proc.pid}/task"):
            with open(f"/proc/{d.proc.pid}/task/{tid}/status") as fh:
                for line in fh:
                    if line.startswith(("CapEff", "CapPrm")) and int(line.split()[1], 16) != 0:
                        bad.append((tid, line.strip()))
        check("no thread keeps a capability", not bad, bad)
        st, _, _ = d.request("GET", "/api/v1/health")
        check("API answers after the drop", st == 200, st)
    finally:
        rc = d.stop()
    check("exit 0", rc == 0, d.stderr()[-500:])

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
