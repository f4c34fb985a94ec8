#!/usr/bin/env python3
"""The store through the real daemon. Usage: store_test.py NETMONSEC CORPUS_DIR MODE
  restart   replay a capture twice into one --data-dir: flows accumulate, stats history is
            loaded back on the second start, the database passes integrity_check
  kill9     --demo under load, kill -9 at random moments 5 times: each time the database opens,
            passes integrity_check and keeps everything committed before
  diskfull  (root) data dir on a 2 MiB tmpfs the test mounts: the disk fills, rows are dropped
            and counted, the daemon keeps running; after remount,size=8m it writes again
Prints 'N passed, N failed'; exit 77 = skipped."""
import glob
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

NMS, CORPUS, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
results = []

# Short flow timeouts so generated flows end (and are stored) within seconds.
FAST_CONFIG = """
[flow.timeouts]
tcp_new_s = 1
tcp_established_s = 2
tcp_closed_s = 1
udp_s = 1
icmp_s = 1
other_s = 1
[storage]
flush_interval_ms = 200
logs_gzip = false
"""


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {detail}"), flush=True)


def db_query(path, sql):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def integrity(path):
    # Opening read-write first, as the daemon would: recovers the WAL left by a kill.
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def wait_until(pred, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def flows_in(path):
    try:
        return db_query(path, "SELECT count(*) FROM flows")[0][0]
    except sqlite3.Error:
        return -1


def finish(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def restart(tmp):
    pcap = os.path.join(CORPUS, "pcap", "ndpi__android.pcap")
    data = os.path.join(tmp, "data")
    db = os.path.join(data, "netmonsec.db")
    runs = []
    for _ in range(2):
        r = subprocess.run([NMS, "-r", pcap, "--data-dir", data, "--no-api", "-v"], capture_output=True,
                           text=True, timeout=120)
        runs.append(r)
        check("replay exits 0", r.returncode == 0, r.stderr[-800:])
    first = int(re.search(r"(\d+) flows, \d+ undecodable", runs[0].stderr).group(1))
    check("the replay stored its flows", first > 0 and "store: " + str(first) + " flows" in runs[0].stderr,
          runs[0].stderr[-800:])
    check("second run accumulates: flows doubled", flows_in(db) == 2 * first, f"{flows_in(db)} vs {first}")
    loaded = re.search(r"store: .*netmonsec.db, (\d+) history points loaded", runs[1].stderr)
    check("second start loads the stored stats history", loaded and int(loaded.group(1)) >= 1, runs[1].stderr[-800:])
    check("stats rows written by both runs", db_query(db, "SELECT count(*) FROM stats_1s")[0][0] >= 1)
    check("integrity_check ok", integrity(db) == "ok")
    day_files = glob.glob(os.path.join(data, "flows_*.ndjson"))
    lines = sum(1 for f in day_files for _ in open(f))
    check("daily ndjson log has every flow of both runs", lines == 2 * first, f"{lines} lines")
    # A replay without --data-dir does not touch the configured data directory.
    r = subprocess.run([NMS, "-r", pcap, "--no-api", "-v"], capture_output=True, text=True, timeout=120)
    check("replay without --data-dir runs without the store", r.returncode == 0 and "store: off" in r.stderr,
          r.stderr[-500:])
    # An unusable --data-dir is an error naming it (exit 2).
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    r = subprocess.run([NMS, "-r", pcap, "--no-api", "--data-dir", os.path.join(blocker, "sub")],
                       capture_output=True, text=True, timeout=60)
    check("unusable --data-dir -> exit 2 with the path", r.returncode == 2 and "sub" in r.stderr, r.stderr[-500:])


def kill9(tmp):
    cfg = os.path.join(tmp, "fast.toml")
    open(cfg, "w").write(FAST_CONFIG)
    data = os.path.join(tmp, "data")
    db = os.path.join(data, "netmonsec.db")
    rng = random.Random(int(os.environ.get("NMS_SEED", time.time())))
    before = 0
    for i in range(5):
        proc = subprocess.Popen([NMS, "--demo", "-c", cfg, "--data-dir", data, "--no-api"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Under load: wait until this run has committed something, then kill at a random moment.
        wait_until(lambda: flows_in(db) > before, 30)
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ok = integrity(db)
        check(f"kill -9 #{i + 1}: integrity_check ok", ok == "ok", ok)
        now = flows_in(db)
        check(f"kill -9 #{i + 1}: committed rows kept ({before} -> {now})", now > before)
        before = now
    # The next clean start continues on the same file.
    proc = subprocess.Popen([NMS, "--demo", "-c", cfg, "--data-dir", data, "--no-api"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check("a clean run after the kills stores more", wait_until(lambda: flows_in(db) > before, 30))
    check("SIGTERM -> exit 0", finish(proc) == 0)
    check("final integrity_check ok", integrity(db) == "ok")


def diskfull(tmp):
    if os.geteuid() != 0:
        print("SKIP diskfull: needs root to mount a tmpfs")
        sys.exit(77)
    cfg = os.path.join(tmp, "fast.toml")
    open(cfg, "w").write(FAST_CONFIG)
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]).returncode != 0:
        print("SKIP diskfull: cannot mount tmpfs")
        sys.exit(77)
    err_path = os.path.join(tmp, "stderr.txt")
    proc = None
    try:
        data = os.path.join(mnt, "data")
        db = os.path.join(data, "netmonsec.db")
        # Leave ~400 KiB free so the disk fills within seconds.
        with open(os.path.join(mnt, "filler"), "wb") as f:
            f.write(b"\0" * (2048 - 400) * 1024)
        with open(err_path, "w") as err:
            proc = subprocess.Popen([NMS, "--demo", "-c", cfg, "--data-dir", data, "--no-api", "-v"],
                                    stdout=subprocess.DEVNULL, stderr=err)

        def full():
            st = os.statvfs(mnt)
            return st.f_bavail * st.f_frsize < 64 * 1024

        check("the tmpfs fills up", wait_until(full, 90), "")
        stderr = lambda: open(err_path, encoding="utf-8", errors="replace").read()
        check("drops are reported (batch dropped)", wait_until(lambda: "dropped:" in stderr(), 60), stderr()[-800:])
        check("daemon still running on a full disk", proc.poll() is None, f"exit {proc.poll()}")
        stuck = flows_in(db)
        subprocess.run(["mount", "-o", "remount,size=8m", mnt], check=True)
        check("writes resume once space returns", wait_until(lambda: flows_in(db) > stuck + 10, 60),
              f"{stuck} -> {flows_in(db)}")
        rc = finish(proc)
        proc = None
        check("SIGTERM -> exit 0", rc == 0, f"exit {rc}")
        m = re.search(r"(\d+) rows dropped .*?, (\d+) log lines lost", stderr())
        check("exit summary counts what was lost", m and (int(m.group(1)) + int(m.group(2))) > 0, stderr()[-800:])
        check("integrity_check ok after the full disk", integrity(db) == "ok")
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        subprocess.run(["umount", mnt])


with tempfile.TemporaryDirectory() as tmp:
    {"restart": restart, "kill9": kill9, "diskfull": diskfull}[MODE](tmp)

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if results and all(results) else 1)
