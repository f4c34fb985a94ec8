#!/usr/bin/env python3
"""The API of a running `netmonsec --demo`, end to end: first-start admin bootstrap, every
endpoint, 401/403 paths, CSRF, logout, lockout, path traversal, malformed HTTP, the WebSocket
with 110 clients plus one that never reads, and `promtool check metrics`.
Usage: api_test.py NETMONSEC SOURCE_DIR. Prints 'N passed, N failed'."""
import json
import os
import selectors
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nms_client import Daemon, make_hash, ws_connect, ws_frame, ws_parse  # noqa: E402

NMS, SRC = sys.argv[1], sys.argv[2]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:600]}"), flush=True)


def jget(d, path, token):
    status, headers, body = d.request("GET", path, headers={"Authorization": "Bearer " + token})
    return status, headers, (json.loads(body) if headers.get("Content-Type", "").startswith("application/json") else body)


with tempfile.TemporaryDirectory() as tmp:
    # ---- first start: no users anywhere -> admin with a random password, shown once ----------
    boot = Daemon(NMS, tmp, "[stats]\ninterval_ms = 1000\n", name="boot")
    try:
        boot.wait_ready()
        err = boot.stderr()
        line = next((l for l in err.splitlines() if "with password:" in l), "")
        password = line.rsplit(" ", 1)[-1] if line else ""
        check("first start prints a generated admin password once", len(password) >= 16, err[-500:])
        users_file = os.path.join(boot.data_dir, "api_users.toml")
        mode = stat.S_IMODE(os.stat(users_file).st_mode) if os.path.exists(users_file) else None
        check("only the hash is stored, mode 0600", mode == 0o600 and password not in open(users_file).read(),
              f"mode {mode}")
        status, _, body = boot.login("admin", password)
        check("generated admin password logs in", status == 200 and body.get("role") == "admin", body)
    finally:
        boot.stop()
    boot2 = Daemon(NMS, tmp, "[stats]\ninterval_ms = 1000\n", name="boot")  # same data dir
    try:
        boot2.wait_ready()
        check("second start does not generate another password", "with password:" not in boot2.stderr())
    finally:
        boot2.stop()

    # ---- main daemon ------------------------------------------------------------------------
    admin_hash, viewer_hash = make_hash(NMS, "admin secret 1"), make_hash(NMS, "viewer secret 2")
    check("netmonsec passwd prints a yescrypt hash", admin_hash.startswith("$y$"), admin_hash)
    cfg = f"""
[stats]
interval_ms = 1000
[api]
dashboard_dir = "{SRC}/tests/data/dashboard"
login_max_failures = 3
lockout_s = 4
ws_write_timeout_s = 3
users = [{{name = "admin", role = "admin", password_hash = "{admin_hash}"}},
         {{name = "viewer", role = "viewer", password_hash = "{viewer_hash}"}}]
"""
    d = Daemon(NMS, tmp, cfg, name="main")
    try:
        d.wait_ready()
        status, _, body = d.request("GET", "/api/v1/health")
        h = json.loads(body)
        check("health: 200, ready, no auth needed", status == 200 and h["ready"] and h["live"], h)

        gets = ["/api/v1/stats", "/api/v1/stats/history?window=60&step=5", "/api/v1/flows?limit=100&sort=bytes",
                "/api/v1/top-talkers?limit=5", "/api/v1/latency", "/api/v1/interfaces", "/api/v1/openapi.json",
                "/api/v1/auth/session", "/api/v1/devices?limit=50", "/api/v1/flows/history?limit=10",
                "/api/v1/alerts?limit=10", "/api/v1/bans", "/api/v1/topology", "/api/v1/report"]
        unauth = [d.request("GET", p)[0] for p in gets] + [d.request("POST", "/api/v1/config/reload")[0]] + \
            [d.request("POST", "/api/v1/alerts/1/acknowledge")[0], d.request("DELETE", "/api/v1/bans/10.0.0.1")[0],
             d.request("GET", "/api/v1/alerts/1/pcap")[0], d.request("POST", "/api/v1/capture/start")[0]]
        check("every endpoint but health and login needs a session (401)", set(unauth) == {401}, unauth)

        status, headers, login = d.login("admin", "admin secret 1")
        check("admin login", status == 200 and len(login.get("token", "")) == 64, login)
        cookie = headers.get("Set-Cookie", "")
        check("session cookie is HttpOnly and SameSite=Strict", "HttpOnly" in cookie and "SameSite=Strict" in cookie,
              cookie)
        tok, csrf = login["token"], login["csrf_token"]
        for p in gets:
            status, hdrs, body = jget(d, p, tok)
            check(f"GET {p} -> 200 JSON", status == 200 and isinstance(body, dict), f"{status} {str(body)[:200]}")
        _, _, s = jget(d, "/api/v1/stats", tok)
        check("stats shows demo traffic", s["totals"]["packets"] > 0 and s["rates"]["pps"] >= 0, s.get("totals"))
        _, _, f = jget(d, "/api/v1/flows?limit=3&sort=packets", tok)
        check("flows are paged", len(f["items"]) <= 3 and f["total"] >= len(f["items"]) and f["limit"] == 3, f)
        _, _, hist = jget(d, "/api/v1/stats/history?window=60&step=1", tok)
        check("history has points", len(hist["points"]) >= 1, hist)
        check("bad list parameter -> 400", jget(d, "/api/v1/flows?limit=100000", tok)[0] == 400)

        # ---- history: devices, stored flows, alerts, bans, topology, report ---------------------
        devs = []
        deadline = time.time() + 20
        while time.time() < deadline and not devs:  # demo devices appear within a few ticks
            devs = jget(d, "/api/v1/devices?limit=1000", tok)[2].get("items", [])
            time.sleep(0.5)
        check("GET /devices lists the demo's devices", len(devs) > 0 and all("id" in x for x in devs), devs[:2])
        if devs:
            ident = devs[0]["mac"] if devs[0].get("mac") else devs[0]["ips"][0]
            status, _, one = jget(d, "/api/v1/devices/" + ident, tok)
            check("GET /devices/{mac} -> 200 with history", status == 200 and "history" in one, f"{status} {one}")
            status, _, fl = jget(d, f"/api/v1/devices/{ident}/flows?limit=5", tok)
            check("GET /devices/{mac}/flows -> 200", status == 200 and "items" in fl, f"{status} {fl}")
        check("GET /devices/unknown MAC -> 404", jget(d, "/api/v1/devices/02:ff:ff:ff:ff:ff", tok)[0] == 404)
        check("GET /devices/garbage -> 400", jget(d, "/api/v1/devices/garbage", tok)[0] == 400)
        stored = []
        deadline = time.time() + 30
        while time.time() < deadline and not stored:  # ended demo flows reach the store
            stored = jget(d, "/api/v1/flows/history?limit=20", tok)[2].get("items", [])
            time.sleep(0.5)
        check("GET /flows/history returns stored flows", len(stored) > 0, stored[:1])
        if stored:
            ip = stored[0]["src_ip"]
            _, _, by_ip = jget(d, "/api/v1/flows/history?ip=" + ip, tok)
            check("flows/history?ip= filters", all(ip in (f["src_ip"], f["dest_ip"]) for f in by_ip["items"]), by_ip)
        check("flows/history?ip=bad -> 400", jget(d, "/api/v1/flows/history?ip=1.2.3", tok)[0] == 400)
        check("alerts?kind=bad -> 400", jget(d, "/api/v1/alerts?kind=nope", tok)[0] == 400)
        check("GET /alerts/123456 -> 404", jget(d, "/api/v1/alerts/123456", tok)[0] == 404)
        check("GET /alerts/abc -> 400", jget(d, "/api/v1/alerts/abc", tok)[0] == 400)
        check("GET /alerts/123456/pcap -> 404", jget(d, "/api/v1/alerts/123456/pcap", tok)[0] == 404)
        status, _, _ = d.request("POST", "/api/v1/alerts/123456/acknowledge", headers={"Authorization": "Bearer " + tok})
        check("acknowledge unknown alert -> 404", status == 404, status)
        _, _, topo = jget(d, "/api/v1/topology?limit=50", tok)
        ids = {n["id"] for n in topo["nodes"]}
        check("topology: nodes and links that reference them", len(topo["nodes"]) > 0 and
              all(l["source"] in ids and l["target"] in ids for l in topo["links"]), topo)
        _, _, rep = jget(d, "/api/v1/report", tok)
        check("report has its sections", {"alerts", "recommendations", "top_talkers", "latency", "devices", "drops"}
              <= set(rep), list(rep))
        # The snapshot is taken once a tick: committed rows show up in it within a tick or two.
        deadline = time.time() + 10
        while time.time() < deadline and jget(d, "/api/v1/stats", tok)[2]["store"]["rows_written"] == 0:
            time.sleep(0.2)
        _, _, st = jget(d, "/api/v1/stats", tok)
        check("stats carry the store's health", st["store"]["enabled"] and st["store"]["rows_written"] > 0, st["store"])
        # capture/stop pauses the generator too (capture_control_test.py covers it on a replay).
        status, _, body = d.request("POST", "/api/v1/capture/stop", headers={"Authorization": "Bearer " + tok})
        check("capture/stop -> 202", status == 202, f"{status} {body}")
        deadline = time.time() + 10
        while time.time() < deadline and jget(d, "/api/v1/stats", tok)[2]["captures"][0]["state"] != "paused":
            time.sleep(0.2)
        check("stats show the demo capture paused", jget(d, "/api/v1/stats", tok)[2]["captures"][0]["state"] == "paused")
        status, _, body = d.request("POST", "/api/v1/capture/start", headers={"Authorization": "Bearer " + tok})
        check("capture/start -> 202", status == 202, f"{status} {body}")
        status, _, _ = d.request("DELETE", "/api/v1/bans/10.0.0.66", headers={"Authorization": "Bearer " + tok})
        check("DELETE /bans/{ip} without mitigation -> 503", status == 503, status)
        status, _, _ = d.request("DELETE", "/api/v1/bans/nope", headers={"Authorization": "Bearer " + tok})
        check("DELETE /bans/garbage -> 400", status == 400, status)

        status, _, vlogin = d.login("viewer", "viewer secret 2")
        vtok = vlogin["token"]
        status, _, _ = d.request("POST", "/api/v1/config/reload", headers={"Authorization": "Bearer " + vtok})
        check("viewer cannot reload (403)", status == 403, status)
        vh = {"Authorization": "Bearer " + vtok}
        viewer_codes = [d.request("POST", "/api/v1/alerts/1/acknowledge", headers=vh)[0],
                        d.request("DELETE", "/api/v1/bans/10.0.0.1", headers=vh)[0],
                        d.request("POST", "/api/v1/capture/stop", headers=vh)[0],
                        d.request("POST", "/api/v1/alerts/suppressions", "{}", {**vh, "Content-Type": "application/json"})[0]]
        check("viewer cannot acknowledge, revoke, control capture or suppress (403)", set(viewer_codes) == {403},
              viewer_codes)
        status, _, _ = d.request("POST", "/api/v1/config/reload", headers={"Authorization": "Bearer " + tok})
        check("admin reload via Bearer -> 202", status == 202, status)
        time.sleep(0.5)
        check("daemon alive after reload", d.proc.poll() is None and "configuration reloaded" in d.stderr()
              or d.proc.poll() is None, d.stderr()[-300:])
        ck = {"Cookie": "nms_session=" + tok, "Host": f"127.0.0.1:{d.port}"}
        status, _, _ = d.request("POST", "/api/v1/config/reload", headers=ck)
        check("cookie session without CSRF token -> 403", status == 403, status)
        status, _, _ = d.request("POST", "/api/v1/config/reload",
                                 headers={**ck, "X-CSRF-Token": csrf, "Origin": "http://evil.example"})
        check("cookie session from a foreign Origin -> 403", status == 403, status)
        status, _, _ = d.request("POST", "/api/v1/config/reload",
                                 headers={**ck, "X-CSRF-Token": csrf, "Origin": f"http://127.0.0.1:{d.port}"})
        check("cookie session with CSRF token -> 202", status == 202, status)
        status, _, _ = d.request("DELETE", "/api/v1/bans/10.0.0.1", headers=ck)
        check("cookie DELETE without CSRF token -> 403", status == 403, status)

        # ---- dashboard and traversal --------------------------------------------------------
        status, hdrs, body = d.request("GET", "/")
        check("dashboard index served", status == 200 and b"netmonsec test dashboard" in body
              and hdrs.get("Content-Type", "").startswith("text/html"), status)
        status, hdrs, body = d.request("GET", "/assets/app.js", headers={"Accept-Encoding": "gzip"})
        check("precompressed asset with Content-Encoding: gzip", status == 200 and hdrs.get("Content-Encoding") == "gzip"
              and body[:2] == b"\x1f\x8b", hdrs)
        status, _, body = d.request("GET", "/some/client/route")
        check("SPA fallback to index.html", status == 200 and b"netmonsec test dashboard" in body, status)
        for raw_path in [b"/../../../../etc/passwd", b"/assets/../../README.md", b"/%2e%2e/%2e%2e/etc/passwd",
                         b"/.hidden", b"/leak.txt"]:
            out = d.raw(b"GET " + raw_path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            first = out.split(b"\r\n", 1)[0]
            check(f"traversal {raw_path.decode()} refused", (b" 400 " in first or b" 404 " in first)
                  and b"root:" not in out, first)

        # ---- malformed HTTP -----------------------------------------------------------------
        big = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
        check("oversized headers -> 431", b" 431 " in d.raw(big).split(b"\r\n", 1)[0])
        body = b"x" * 70000
        out = d.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 70000\r\n\r\n" + body)
        check("body over 64 KiB -> 413", b" 413 " in out.split(b"\r\n", 1)[0], out[:100])
        out = d.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")
        check("bad chunking -> 400", b" 400 " in out.split(b"\r\n", 1)[0], out[:100])
        out = d.raw(b"BLAH\x00\x01 / HTTP/9\r\n\r\n")
        check("garbage request line -> 400", b" 400 " in out.split(b"\r\n", 1)[0], out[:100])
        status, _, _ = d.request("POST", "/api/v1/auth/login", "{not json", {"Content-Type": "application/json"})
        check("invalid JSON -> 400", status == 400, status)
        out = d.raw(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\n\r\n", until_close=True)
        check("pipelined requests answered in order", out.count(b"HTTP/1.1 200") == 2, out[:200])
        check("daemon survived malformed input", d.proc.poll() is None)

        # ---- WebSocket ----------------------------------------------------------------------
        s, status, _ = ws_connect(d.port)
        s.close()
        check("WebSocket without a session -> 401", status == 401, status)
        s, status, _ = ws_connect(d.port, {"Authorization": "Bearer " + tok, "Origin": "http://evil.example"})
        s.close()
        check("WebSocket from a foreign Origin -> 403", status == 403, status)

        # One client subscribes and then never reads, with a tiny receive buffer.
        slow, status, _ = ws_connect(d.port, {"Authorization": "Bearer " + tok}, rcvbuf=4096)
        slow.sendall(ws_frame('{"subscribe":["stats"]}'))
        n_clients = 110
        sel = selectors.DefaultSelector()
        clients = []
        for i in range(n_clients):
            hdr = {"Authorization": "Bearer " + tok} if i % 2 else {"Cookie": "nms_session=" + tok}
            c, status, rest = ws_connect(d.port, hdr)
            if status != 101:
                check("WebSocket upgrade", False, status)
                break
            c.sendall(ws_frame('{"subscribe":["stats"]}'))
            c.setblocking(False)
            st = {"sock": c, "buf": rest, "frames": 0, "seqs": set()}
            clients.append(st)
            sel.register(c, selectors.EVENT_READ, st)
        t_end = time.time() + 4.5
        while time.time() < t_end:
            for key, _ in sel.select(timeout=0.2):
                st = key.data
                try:
                    chunk = st["sock"].recv(262144)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(st["sock"])
                    continue
                st["buf"] += chunk
                while (fr := ws_parse(st["buf"])) is not None:
                    op, payload = fr
                    if op == 1:
                        msg = json.loads(payload)
                        if msg.get("type") == "stats":
                            st["frames"] += 1
                            st["seqs"].add(msg["data"]["seq"])
        got = sorted(st["frames"] for st in clients)
        check(f"{n_clients} WebSocket clients each got >= 3 stats frames in 4.5 s", len(clients) == n_clients
              and got[0] >= 3, got[:10])
        check("frames carry increasing snapshot seqs", all(len(st["seqs"]) >= 3 for st in clients))
        status, _, body = d.request("GET", "/metrics")
        check("metrics count the WebSocket clients", f"netmonsec_websocket_clients {n_clients + 1}".encode() in body,
              [l for l in body.split(b"\n") if b"websocket" in l])
        # The slow client: the server must close it (write timeout 3 s) rather than buffer.
        closed = False
        slow.settimeout(1)
        deadline = time.time() + 60
        while time.time() < deadline and not closed:
            status, _, body = d.request("GET", "/metrics")
            closed = f"netmonsec_websocket_clients {n_clients}\n".encode() in body
            time.sleep(1)
        check("a client that never reads is disconnected (bounded memory)", closed,
              [l for l in body.split(b"\n") if b"websocket_clients " in l])
        bad, status, _ = ws_connect(d.port, {"Authorization": "Bearer " + tok})
        bad.sendall(ws_frame('{"subscribe":["nope"]}'))
        bad.settimeout(5)
        data = b""
        try:
            while True:
                chunk = bad.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        check("unknown WebSocket command closes with a policy error", b"\x88" in data[:2] or data == b"", data[:40])
        for c in clients:
            c["sock"].close()
        slow.close()
        bad.close()

        # ---- metrics text -------------------------------------------------------------------
        status, hdrs, body = d.request("GET", "/metrics")
        check("/metrics is Prometheus text 0.0.4", status == 200 and "version=0.0.4" in hdrs.get("Content-Type", ""))
        if shutil.which("promtool"):
            pt = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, timeout=30)
            check("promtool check metrics", pt.returncode == 0, pt.stdout + pt.stderr)

        # ---- logout, lockout ----------------------------------------------------------------
        status, _, _ = d.request("POST", "/api/v1/auth/logout", headers={"Authorization": "Bearer " + vtok})
        check("logout -> 200", status == 200)
        check("logged-out token -> 401", jget(d, "/api/v1/stats", vtok)[0] == 401)
        codes = [d.login("admin", "wrong")[0] for _ in range(3)] + [d.login("admin", "admin secret 1")[0]]
        check("3 failures lock the address out (401, 401, 401, 429)", codes == [401, 401, 401, 429], codes)
        time.sleep(4.5)
        check("lockout ends after lockout_s", d.login("admin", "admin secret 1")[0] == 200)
        err = d.stderr()
        check("no password or token in the log", tok not in err and "admin secret 1" not in err and
              csrf not in err)
    finally:
        rc = d.stop()
    check("SIGTERM -> exit 0", rc == 0, d.stderr()[-800:])

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
