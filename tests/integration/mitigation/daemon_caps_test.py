#!/usr/bin/env python3
"""The daemon with live mitigation, in a network namespace this test creates (root only;
exit 77 otherwise): started as root with [process] user = "nobody", it must create its nft
table at start, then run with cap_net_admin as its only capability (every thread) and a
non-root uid, and delete the table on SIGINT (exit 0). With dry_run = true it must keep no
capability and never create a table. Usage: daemon_caps_test.py NETMONSEC"""
import os
import signal
import subprocess
import sys
import tempfile
import time

NMS = sys.argv[1]
NS = f"nms-caps-{os.getpid()}"
TABLE = "nmscapstest"
CAP_NET_ADMIN = 1 << 12
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:800]}"), flush=True)


def nsx(*args):
    return subprocess.run(["ip", "netns", "exec", NS, *args], capture_output=True, text=True, timeout=30)


def tables():
    return nsx("nft", "list", "tables").stdout


def run_daemon(tmp, dry_run):
    cfg = os.path.join(tmp, f"caps-{dry_run}.toml")
    with open(cfg, "w") as fh:
        fh.write(f'[process]\nuser = "nobody"\n[mitigation]\nenabled = true\ndry_run = {str(dry_run).lower()}\n'
                 f'table = "{TABLE}"\n')
    err_path = os.path.join(tmp, f"caps-{dry_run}.err")
    err = open(err_path, "w")
    p = subprocess.Popen(["ip", "netns", "exec", NS, NMS, "-c", cfg, "-i", "nmscap0", "--no-api", "-v",
                          "--data-dir", os.path.join(tmp, f"data-{dry_run}")], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(err_path) as fh:
            if "capture running" in fh.read():
                break
        if p.poll() is not None:
            break
        time.sleep(0.05)
    return p, err_path


def thread_caps(pid):
    caps = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as fh:
            st = dict(line.rstrip("\n").split(":\t", 1) for line in fh if ":\t" in line)
        caps[tid] = (int(st["CapEff"], 16), int(st["CapPrm"], 16), int(st["CapInh"], 16), int(st["CapAmb"], 16),
                     [int(u) for u in st["Uid"].split()])
    return caps


def daemon_pid(wrapper):
    """`ip netns exec` execs the daemon, so the wrapper's pid is the daemon's."""
    return wrapper.pid


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    if subprocess.run(["ip", "netns", "add", NS], capture_output=True).returncode != 0:
        print("SKIP: cannot create network namespaces here")
        return 77
    try:
        nsx("ip", "link", "add", "nmscap0", "type", "veth", "peer", "name", "nmscap1")
        nsx("ip", "link", "set", "nmscap0", "up")
        nsx("ip", "link", "set", "nmscap1", "up")
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            p, err = run_daemon(tmp, dry_run=False)
            try:
                alive = p.poll() is None
                check("live mitigation: daemon runs", alive, open(err).read()[-1500:])
                if alive:
                    check("table created at start", TABLE in tables(), tables())
                    caps = thread_caps(daemon_pid(p))
                    check("every thread: effective = permitted = cap_net_admin only",
                          all(c[0] == CAP_NET_ADMIN and c[1] == CAP_NET_ADMIN for c in caps.values()), caps)
                    check("no inheritable or ambient capability", all(c[2] == 0 and c[3] == 0 for c in caps.values()), caps)
                    check("not running as root", all(all(u != 0 for u in c[4]) for c in caps.values()), caps)
                    p.send_signal(signal.SIGINT)
                    rc = p.wait(timeout=30)
                    check("SIGINT: exit 0", rc == 0, open(err).read()[-1500:])
                    check("table deleted on clean shutdown", TABLE not in tables(), tables())
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            p, err = run_daemon(tmp, dry_run=True)
            try:
                alive = p.poll() is None
                check("dry run: daemon runs", alive, open(err).read()[-1500:])
                if alive:
                    caps = thread_caps(daemon_pid(p))
                    check("dry run: no capability at all", all(c[0] == 0 and c[1] == 0 for c in caps.values()), caps)
                    check("dry run: no table", TABLE not in tables(), tables())
                    p.send_signal(signal.SIGINT)
                    check("dry run: exit 0", p.wait(timeout=30) == 0)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    finally:
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


sys.exit(main())
