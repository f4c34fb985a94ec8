#!/usr/bin/env python3
"""WebSocket topics and the evidence download on a replay with a port scan and a host sweep.

A generated capture (netmonsec-gen) is replayed at recorded speed with a 6 s gap after its first
frame, so clients subscribe before devices are discovered and alerts open. Clients subscribe to
one topic each, plus one to all four; every frame must be well-formed JSON of its documented
shape and a single-topic client gets only its topic. Then an alert's evidence file is replaced by
a multi-MB capture and GET /api/v1/alerts/{id}/pcap must stream it byte for byte (capinfos reads it).
Usage: replay_ws_test.py NETMONSEC NETMONSEC_GEN. Prints 'N passed, N failed'."""
import hashlib
import json
import os
import selectors
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nms_client import Daemon, make_hash, ws_connect, ws_frame, ws_parse  # noqa: E402

NMS, GEN = sys.argv[1], sys.argv[2]
TOPICS = ["stats", "alerts", "devices", "flows"]
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {str(detail)[:600]}"), flush=True)


def delay_after_first(src, dst, gap_s):
    """Copies a classic pcap, moving every record after the first `gap_s` seconds later."""
    with open(src, "rb") as fh:
        data = fh.read()
    out, pos, n = [data[:24]], 24, 0
    while pos + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, pos)
        if n:
            sec += gap_s
        out.append(struct.pack("<IIII", sec, usec, incl, orig) + data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
        n += 1
    with open(dst, "wb") as fh:
        fh.write(b"".join(out))


def shape_errors(msg):
    """What is wrong with one frame (empty list = matches the documented shape)."""
    t, d = msg.get("type"), msg.get("data")
    if t not in TOPICS or not isinstance(d, dict):
        return [f"bad envelope {list(msg)}"]
    errs = []
    if t == "stats":
        if not {"seq", "totals", "rates", "captures"} <= set(d):
            errs.append(f"stats keys {sorted(d)[:20]}")
    elif t == "flows":
        items = d.get("items")
        if not isinstance(items, list) or len(items) > 25 or "total" not in d:
            errs.append("flows: items (<= 25) and total")
        elif [f["interval_bytes"] for f in items] != sorted((f["interval_bytes"] for f in items), reverse=True):
            errs.append("flows not busiest-this-tick first")
        elif any(not {"flow_id", "src_ip", "dest_ip", "proto", "interval_bytes"} <= set(f) for f in items):
            errs.append("flow object fields")
    elif t == "alerts":
        items = d.get("items")
        if not isinstance(d.get("timestamp"), str) or not isinstance(items, list) or not items:
            errs.append("alerts: timestamp and a non-empty items list")
        else:
            for it in items:
                a = it.get("alert", {})
                if it.get("phase") not in ("opened", "updated", "ended") or not {"id", "kind", "severity"} <= set(a):
                    errs.append(f"alert item {it}")
    elif t == "devices":
        items = d.get("items")
        if not isinstance(d.get("timestamp"), str) or not isinstance(items, list) or not items:
            errs.append("devices: timestamp and a non-empty items list")
        else:
            for it in items:
                if not isinstance(it.get("discovered"), bool) or not isinstance(it.get("changes"), list) \
                        or "id" not in it.get("device", {}):
                    errs.append(f"device item {it}")
    return errs


with tempfile.TemporaryDirectory() as tmp:
    raw, pcap = os.path.join(tmp, "gen.pcap"), os.path.join(tmp, "scan.pcap")
    subprocess.run([GEN, "-w", raw, "--flows", "200", "--packets", "20000", "--rate", "2000", "--seed", "7",
                    "--anomaly", "portscan:400", "--anomaly", "hostsweep:150", "-q"], check=True, timeout=60)
    delay_after_first(raw, pcap, 6)
    admin_hash = make_hash(NMS, "admin pw 789")
    cfg = f"""
[stats]
interval_ms = 1000
[evidence]
before_s = 2
after_s = 2
[api]
users = [{{name = "admin", role = "admin", password_hash = "{admin_hash}"}}]
"""
    d = Daemon(NMS, tmp, cfg, name="replay", source=("-r", pcap, "--replay-speed", "1", "--loop", "0"))
    try:
        d.wait_ready()
        _, _, login = d.login("admin", "admin pw 789")
        tok = login["token"]
        auth = {"Authorization": "Bearer " + tok}

        sel = selectors.DefaultSelector()
        clients = []
        for topics in [["stats"], ["alerts"], ["devices"], ["flows"], TOPICS]:
            s, status, rest = ws_connect(d.port, auth)
            check(f"WebSocket upgrade for {topics}", status == 101, status)
            s.sendall(ws_frame(json.dumps({"subscribe": topics})))
            s.setblocking(False)
            c = {"sock": s, "buf": rest, "topics": topics, "got": {t: [] for t in TOPICS}, "bad": []}
            clients.append(c)
            sel.register(s, selectors.EVENT_READ, c)
        everything = clients[-1]

        def done():
            g = everything["got"]
            return len(g["stats"]) >= 3 and len(g["flows"]) >= 3 and g["alerts"] and g["devices"] and \
                all(c["got"][c["topics"][0]] for c in clients[:4])

        deadline = time.time() + 40  # 6 s gap + the 10 s pass, at recorded speed, and slack
        while time.time() < deadline and not done():
            for key, _ in sel.select(timeout=0.2):
                c = key.data
                try:
                    chunk = c["sock"].recv(1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(c["sock"])
                    continue
                c["buf"] += chunk
                while (fr := ws_parse(c["buf"])) is not None:
                    op, payload = fr
                    if op != 1:
                        continue
                    try:
                        msg = json.loads(payload)
                    except ValueError as e:
                        c["bad"].append(f"not JSON: {e}")
                        continue
                    c["bad"] += shape_errors(msg)
                    if msg.get("type") in TOPICS:
                        c["got"][msg["type"]].append(msg["data"])
        g = everything["got"]
        check("all-topics client: >= 3 stats and flows frames", len(g["stats"]) >= 3 and len(g["flows"]) >= 3,
              {t: len(v) for t, v in g.items()})
        check("flows frames list the replay's flows", any(f["items"] for f in g["flows"]), g["flows"][-1:])
        opened = [it["alert"] for fr in g["alerts"] for it in fr["items"] if it["phase"] == "opened"]
        check("alerts topic: the scan's alerts arrive as 'opened'",
              any(a["kind"].startswith(("port_scan", "host_sweep")) for a in opened), [a["kind"] for a in opened])
        ids = [a["id"] for a in opened]
        check("an alert opens once (no repeats of 'opened')", len(ids) == len(set(ids)), ids)
        discovered = [it["device"] for fr in g["devices"] for it in fr["items"] if it["discovered"]]
        # Some devices are L2-only (a MAC that sent ARP or nothing routable): addresses on most.
        check("devices topic: discovered devices, with ids, most with addresses",
              discovered and all(x.get("id") for x in discovered)
              and sum(bool(x.get("ips")) for x in discovered) * 2 > len(discovered), discovered[:2])
        for c in clients:
            check(f"frames for {c['topics']} are well-formed", not c["bad"], c["bad"][:3])
        for c in clients[:4]:
            t = c["topics"][0]
            others = {k: len(v) for k, v in c["got"].items() if k != t and v}
            check(f"client of '{t}' got '{t}' frames and nothing else", c["got"][t] and not others,
                  {k: len(v) for k, v in c["got"].items()})
        for c in clients:
            c["sock"].close()

        # ---- evidence download: streamed, byte for byte ---------------------------------------
        with_pcap = []
        deadline = time.time() + 30
        while time.time() < deadline and not with_pcap:
            status, _, body = d.request("GET", "/api/v1/alerts?limit=100", headers=auth)
            with_pcap = [a for a in json.loads(body).get("items", []) if a.get("has_pcap")] if status == 200 else []
            time.sleep(0.5)
        check("an open alert shows its evidence capture (has_pcap)", with_pcap, body[:300])
        if with_pcap:
            aid = with_pcap[0]["id"]
            ev_dir = os.path.join(d.data_dir, "evidence")
            names = [n for n in os.listdir(ev_dir) if n.endswith(".pcap")]
            status, _, small = d.request("GET", f"/api/v1/alerts/{aid}/pcap", headers=auth)
            name = next((n for n in names if open(os.path.join(ev_dir, n), "rb").read() == small), None)
            check("the evidence file as written is served", status == 200 and name, f"{status} {len(small)} {names}")
            if name:
                # Replace it by the whole multi-MB replay capture (atomically) and download it.
                shutil.copyfile(raw, os.path.join(ev_dir, name + ".tmp"))
                os.replace(os.path.join(ev_dir, name + ".tmp"), os.path.join(ev_dir, name))
                status, hdrs, big = d.request("GET", f"/api/v1/alerts/{aid}/pcap", headers=auth, timeout=60)
                want = open(raw, "rb").read()
                check(f"a {len(want) >> 20} MiB evidence file downloads whole (Content-Length, same bytes)",
                      status == 200 and int(hdrs.get("Content-Length", -1)) == len(want)
                      and hashlib.sha256(big).digest() == hashlib.sha256(want).digest(), f"{status} {len(big)}")
                out = os.path.join(tmp, "download.pcap")
                with open(out, "wb") as fh:
                    fh.write(big)
                if shutil.which("capinfos"):
                    ci = subprocess.run(["capinfos", "-c", "-M", out], capture_output=True, text=True, timeout=60)
                    check("capinfos reads the download: 20000 packets", ci.returncode == 0
                          and "20000" in ci.stdout, ci.stdout + ci.stderr)
                status, hdrs, body = d.request("HEAD", f"/api/v1/alerts/{aid}/pcap", headers=auth)
                check("HEAD: length without the body", status == 200 and body == b""
                      and int(hdrs.get("Content-Length", -1)) == len(want), hdrs)
                status, _, _ = d.request("GET", "/api/v1/health")
                check("daemon fine after the downloads", d.proc.poll() is None and status in (200, 503))
    finally:
        rc = d.stop()
    check("SIGTERM -> exit 0", rc == 0, d.stderr()[-800:])

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
