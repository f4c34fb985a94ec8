#!/usr/bin/env python3
"""The store through the real daemon. Usage: store_test.py NETMONSEC CORPUS_DIR MODE [NETMONSEC_GEN]
  restart   replay a capture twice into one --data-dir: flows accumulate, stats history is
            loaded back on the second start, the database passes integrity_check
  kill9     --demo under load, kill -9 at random moments 5 times: each time the database opens,
            passes integrity_check and keeps everything committed before
  continuity  replay a capture into a --data-dir, then start again on the same directory: the
            devices come back (API with --demo, and through a replay of an empty capture with
            the same counters), an alert stored earlier is served and acknowledged via the API,
            /api/v1/stats/history shows the points of the run before the restart
  episodes  (generated captures) a port scan replayed, then continued in a second replay on
            the same --data-dir: the same alert id is updated, no duplicate row; a third replay
            long after the timeout ends it and opens a new episode
  baselines (generated captures) a restarted engine is warm: a traffic spike early in a replay
            alerts with the traffic_spike baselines learned by an earlier run, not on a fresh dir
  diskfull  (root) data dir on a 2 MiB tmpfs the test mounts: the disk fills, rows are dropped
            and counted, the daemon keeps running; after remount,size=8m it writes again
Prints 'N passed, N failed'; exit 77 = skipped."""
import datetime
import glob
import json
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
GEN = sys.argv[4] if len(sys.argv) > 4 else ""
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


def devices_in(db):
    return {k: (b_out, b_in) for k, b_out, b_in in db_query(db, "SELECT key, bytes_out, bytes_in FROM devices")}


def continuity(tmp):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
    from nms_client import Daemon, make_hash  # noqa: E402
    pcap = os.path.join(CORPUS, "pcap", "ndpi__android.pcap")
    data = os.path.join(tmp, "main-data")  # the Daemon helper's --data-dir for name="main"
    db = os.path.join(data, "netmonsec.db")
    r = subprocess.run([NMS, "-r", pcap, "--data-dir", data, "--no-api", "-v"], capture_output=True, text=True,
                       timeout=120)
    check("replay exits 0", r.returncode == 0, r.stderr[-800:])
    first = devices_in(db)
    check("the replay stored its devices", len(first) >= 2, first)
    check("with addresses", db_query(db, "SELECT count(*) FROM device_addresses")[0][0] >= len(first))

    # An alert as a previous run's alert manager stored it (its listener path is unit-tested):
    # an episode still open a moment ago, so the restart continues it (it ends 120 s later).
    now_ns = time.time_ns()
    con = sqlite3.connect(db, timeout=10)
    con.execute("INSERT INTO alerts(id, kind, severity, src, victim, first_ns, last_ns, explanation, evidence, "
                "updated_s) VALUES(77, 'syn_flood', 'high', '10.0.0.66', '10.0.0.10', ?, ?, "
                "'{\"text\":\"5000 SYN/s\"}', '[{\"key\":\"dst_port\",\"value\":80}]', 1)",
                (now_ns - 10**9, now_ns))
    con.commit()
    con.close()

    # Restart on the same directory with the API (generated traffic, so the engine keeps running).
    admin_hash = make_hash(NMS, "continuity admin")
    cfg = f'[api]\nusers = [{{name = "admin", role = "admin", password_hash = "{admin_hash}"}}]\n'
    open_before = db_query(db, "SELECT count(*) FROM alerts WHERE ended = 0")[0][0]  # the replay's + 77
    stored_seconds = [ts for (ts,) in db_query(db, "SELECT ts FROM stats_1s")]  # the replay's history
    d = Daemon(NMS, tmp, cfg, extra_args=["-v"], name="main")
    try:
        d.wait_ready()
        check("the restart loads the devices back", f"store: {len(first)} device(s) loaded back" in d.stderr(),
              d.stderr()[-800:])
        check("the restart loads every open alert episode back",
              f"store: {open_before} open alert episode(s) loaded back" in d.stderr(), d.stderr()[-800:])
        _, _, login = d.login("admin", "continuity admin")
        auth = {"Authorization": "Bearer " + login["token"]}
        status, _, body = d.request("GET", "/api/v1/devices?limit=1000", headers=auth)
        listed = {x["id"]: x for x in json.loads(body)["items"]} if status == 200 else {}
        missing = [k for k in first if k not in listed]
        check("GET /devices lists every device of the first run", status == 200 and not missing, missing[:5])
        same = all(listed[k]["bytes_out"] >= first[k][0] for k in first if k in listed)
        check("their counters continue from the stored totals", same)
        key = next(iter(first))
        ident = key.split(":", 1)[1]
        status, _, _ = d.request("GET", "/api/v1/devices/" + ident, headers=auth)
        check(f"GET /devices/{ident} -> 200", status == 200, status)
        status, _, body = d.request("GET", "/api/v1/alerts/77", headers=auth)
        check("the stored alert is served", status == 200 and json.loads(body)["explanation"]["text"] == "5000 SYN/s",
              body[:300])
        status, _, _ = d.request("POST", "/api/v1/alerts/77/acknowledge", headers=auth)
        check("acknowledge -> 200", status == 200, status)
        status, _, _ = d.request("POST", "/api/v1/alerts/78/acknowledge", headers=auth)
        check("acknowledge of an unknown alert -> 404", status == 404, status)
        check("the acknowledgement is stored", wait_until(
            lambda: db_query(db, "SELECT state, acknowledged_by FROM alerts WHERE id = 77")[0] ==
            ("acknowledged", "admin"), 10))
        def store_stats():
            status, _, body = d.request("GET", "/api/v1/stats", headers=auth)
            return json.loads(body).get("store", {}) if status == 200 else {}
        # The snapshot is taken once a tick: the first committed batch shows up within a few.
        wait_until(lambda: store_stats().get("rows_written", 0) > 0, 10, 0.2)
        st = store_stats()
        check("stats show a healthy store", st.get("enabled") and st.get("healthy") and st.get("rows_written", 0) > 0, st)
        # The stats history of the replay before this start is served across the restart.
        status, _, body = d.request("GET", "/api/v1/stats/history?window=3600", headers=auth)
        points = json.loads(body).get("points", []) if status == 200 else []
        # A point is labelled with the end of its 1 s bucket, which may fall after this start:
        # match the buckets against the seconds the replay stored instead of against the clock.
        older = [p for p in points if any(eve_epoch(p["timestamp"]) - 1 <= ts < eve_epoch(p["timestamp"])
                                          for ts in stored_seconds)]
        check("GET /stats/history shows the points stored before the restart", older, (status, points[:3]))
        status, _, body = d.request("GET", "/metrics")
        check("/metrics has the store series", b"netmonsec_store_backlog" in body and
              b'netmonsec_store_dropped_total{reason="flows_queue"}' in body and b"netmonsec_devices " in body)
    finally:
        rc = d.stop()
    check("SIGTERM -> exit 0", rc == 0, d.stderr()[-800:])

    # And once more on nothing: a replay of an empty capture keeps the devices as they were.
    before = devices_in(db)
    empty = os.path.join(tmp, "empty.pcap")
    with open(empty, "wb") as f:
        f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
    r = subprocess.run([NMS, "-r", empty, "--data-dir", data, "--no-api", "-v"], capture_output=True, text=True,
                       timeout=60)
    check("empty replay exits 0", r.returncode == 0, r.stderr[-800:])
    check("it loads the devices back", f"store: {len(before)} device(s) loaded back" in r.stderr, r.stderr[-800:])
    after = devices_in(db)
    check("no device lost or double counted over a restart", after == before,
          {k: (before.get(k), after.get(k)) for k in set(before) ^ set(after) or list(before)[:3]})
    check("integrity_check ok", integrity(db) == "ok")


def eve_epoch(ts):
    """'2026-01-01T00:00:01.000000+0000' -> seconds since the epoch."""
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def generate(path, *args):
    subprocess.run([GEN, "-q", "-w", path, *args], check=True, timeout=120)


def replay(pcap, data, *extra):
    r = subprocess.run([NMS, "-r", pcap, "--data-dir", data, "--no-api", "-v", *extra], capture_output=True,
                       text=True, timeout=120)
    check(f"replay of {os.path.basename(pcap)} exits 0", r.returncode == 0, r.stderr[-800:])
    return r.stderr


def episodes(tmp):
    t0 = 1704067200
    scan = ["--packets", "20000", "--rate", "1000", "--flows", "50", "--anomaly", "portscan:500"]
    a, b, c = (os.path.join(tmp, n) for n in ("a.pcap", "b.pcap", "c.pcap"))
    generate(a, *scan, "--start", str(t0))
    generate(b, *scan, "--start", str(t0 + 40))      # the scan goes on 20 s after a.pcap ends
    generate(c, *scan, "--start", str(t0 + 3000))    # long after the episode timeout (120 s)
    data = os.path.join(tmp, "data")
    db = os.path.join(data, "netmonsec.db")
    rows = lambda: db_query(db, "SELECT id, src, first_ns, last_ns, updates, ended FROM alerts "
                                "WHERE kind = 'port_scan_vertical' ORDER BY id")
    replay(a, data)
    first = rows()
    check("the scan is one stored episode, kept open at shutdown", len(first) == 1 and first[0][5] == 0, first)
    err = replay(b, data)
    check("the restart loads the open episode back", "1 open alert episode(s) loaded back" in err, err[-800:])
    second = rows()
    check("the continuing scan updates the same alert (no duplicate row)", len(second) == 1 and first and
          second[0][0] == first[0][0] and second[0][1] == first[0][1], (first, second))
    if len(second) == 1 and first:
        check("its counters continue: same first_seen, later last_seen, more updates",
              second[0][2] == first[0][2] and second[0][3] > first[0][3] + 30 * 10**9 and second[0][4] > first[0][4],
              (first, second))
    replay(c, data)
    third = rows()
    check("after the timeout the old episode ends and a new one opens",
          len(third) == 2 and third[0][0] == first[0][0] and third[0][5] == 1 and third[1][0] > first[0][0] and
          third[1][2] >= (t0 + 3000) * 10**9, third)
    check("integrity_check ok", integrity(db) == "ok")


def baselines(tmp):
    cfg = os.path.join(tmp, "spike.toml")
    # Short warm-up so a 200 s capture warms the baseline; a low floor for the generated rates.
    open(cfg, "w").write("[detect.traffic_spike]\nwarmup_s = 120\nmin_global_mbps = 1.0\n")
    warm, spike = os.path.join(tmp, "warm.pcap"), os.path.join(tmp, "spike.pcap")
    generate(warm, "--packets", "100000", "--rate", "500", "--flows", "50", "--start", "1704067200")  # ~3 Mbit/s
    generate(spike, "--packets", "200000", "--rate", "10000", "--flows", "200", "--seed", "2",
             "--start", "1704067500")  # ~55 Mbit/s for 20 s: far above, but shorter than the warm-up
    data, fresh = os.path.join(tmp, "data"), os.path.join(tmp, "fresh")
    spikes = lambda d: db_query(os.path.join(d, "netmonsec.db"),
                                "SELECT id, explanation FROM alerts WHERE kind = 'traffic_spike'")
    replay(warm, data, "-c", cfg)
    saved = db_query(os.path.join(data, "netmonsec.db"), "SELECT length(state) FROM detector_state "
                                                         "WHERE kind = 'traffic_spike'")
    check("the baselines are stored at shutdown", saved and saved[0][0] > 100, saved)
    err = replay(spike, data, "-c", cfg)
    check("the restart loads them back", "traffic_spike detector state loaded back" in err, err[-800:])
    warm_alerts = spikes(data)
    check("warm after the restart: the spike alerts at once", len(warm_alerts) >= 1, warm_alerts)
    replay(spike, fresh, "-c", cfg)
    check("the same spike on a fresh data dir is still in warm-up: no alert", spikes(fresh) == [], spikes(fresh))


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
    {"restart": restart, "kill9": kill9, "diskfull": diskfull, "continuity": continuity, "episodes": episodes,
     "baselines": baselines}[MODE](tmp)

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if results and all(results) else 1)
