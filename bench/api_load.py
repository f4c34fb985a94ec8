#!/usr/bin/env python3
"""Pipeline throughput with and without API load (prints JSON, asserts nothing).

The daemon replays one generated capture at full speed (-r FILE --loop N --replay-speed 0,
API on, no store) and reports packets / seconds when the replay ends. Modes, interleaved
(idle, load, wrk, then the next repetition in a rotated order) so drift of the shared machine
spreads over all of them:
  idle  the API listens, nobody uses it;
  load  a representative dashboard load: WS_CLIENTS WebSocket clients subscribed to stats and
        flows (all reading), plus REST_RPS requests/s over /stats, /flows?limit=100,
        /devices?limit=50, /alerts?limit=50, /top-talkers (a few open dashboards);
  wrk   wrk saturating GET /api/v1/stats (-t1 -c16) for the whole replay.
The load clients and wrk run on the same 2-core machine, so they take CPU from the pipeline
besides what the API thread costs; the API ("nms-api") and stats ("nms-stats": it renders the
WebSocket frames) threads' own CPU seconds are reported separately from /proc.
Usage: bench/api_load.py NETMONSEC NETMONSEC_GEN [--reps 4] [--packets 600000] [--loop 2]
                         [--ws-clients 100] [--rest-rps 20] [--modes idle,load,wrk]
"""
import argparse
import json
import os
import resource
import re
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration", "api"))
from nms_client import free_port, make_hash, ws_connect, ws_frame, ws_parse  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
SUMMARY = re.compile(r"netmonsec: (\d+) packets, \d+ bytes, \d+ flows, \d+ undecodable, (\d+) dropped in ([\d.]+) s")


def thread_cpu(pid):
    """{thread name: CPU seconds} of a live process."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                st = fh.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = st[st.index("(") + 1:st.rindex(")")]
        f = st[st.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + (int(f[11]) + int(f[12])) / TICKS
    return out


def wait_health(port, proc, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/v1/health")
            c.getresponse().read()
            c.close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def login(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": "bench", "password": "bench-pass"}),
              {"Content-Type": "application/json"})
    tok = json.loads(c.getresponse().read())["token"]
    c.close()
    return tok


class Load:
    """WebSocket readers + a REST poller until stop()."""

    def __init__(self, port, token, ws_clients, rest_rps):
        self.port, self.token, self.stop_flag = port, token, threading.Event()
        self.frames = self.requests = self.errors = 0
        self.socks = []
        for _ in range(ws_clients):
            s, status, rest = ws_connect(port, {"Authorization": "Bearer " + token})
            if status != 101:
                self.errors += 1
                continue
            s.sendall(ws_frame('{"subscribe":["stats","flows"]}'))
            s.setblocking(False)
            self.socks.append((s, rest))
        self.threads = [threading.Thread(target=self.read_ws, daemon=True),
                        threading.Thread(target=self.poll_rest, args=(rest_rps,), daemon=True)]
        for t in self.threads:
            t.start()

    def read_ws(self):
        sel = selectors.DefaultSelector()
        for s, buf in self.socks:
            sel.register(s, selectors.EVENT_READ, buf)
        while not self.stop_flag.is_set():
            for key, _ in sel.select(timeout=0.2):
                try:
                    chunk = key.fileobj.recv(1 << 20)
                except (BlockingIOError, ConnectionError):
                    continue
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
                while ws_parse(key.data) is not None:
                    self.frames += 1

    def poll_rest(self, rps):
        paths = ["/api/v1/stats", "/api/v1/flows?limit=100", "/api/v1/devices?limit=50", "/api/v1/alerts?limit=50",
                 "/api/v1/top-talkers?limit=10"]
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        i, nxt = 0, time.time()
        while not self.stop_flag.is_set():
            try:
                c.request("GET", paths[i % len(paths)], headers={"Authorization": "Bearer " + self.token})
                c.getresponse().read()
                self.requests += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            i += 1
            nxt += 1.0 / rps
            time.sleep(max(0.0, nxt - time.time()))

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=5)
        for s, _ in self.socks:
            s.close()


def run(args, pcap, cfg, mode):
    port = free_port()
    cmd = [args.netmonsec, "-r", pcap, "--loop", str(args.loop), "--replay-speed", "0", "-c", cfg,
           "--listen", f"127.0.0.1:{port}", "-w", str(args.workers)]
    own0 = resource.getrusage(resource.RUSAGE_SELF)  # the load clients' own CPU (this process)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    load = wrk = None
    cpu = {}
    try:
        if not wait_health(port, proc):
            raise RuntimeError("API did not come up")
        token = login(port)  # every mode logs in: same start-up work
        if mode == "load":
            load = Load(port, token, args.ws_clients, args.rest_rps)
        elif mode == "wrk":
            wrk = subprocess.Popen(["wrk", "-t1", "-c16", "-d60s", "--latency", "-H", "Authorization: Bearer " + token,
                                    f"http://127.0.0.1:{port}/api/v1/stats"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        while proc.poll() is None:
            # Highest value seen per thread: threads end one by one during shutdown.
            for name, v in thread_cpu(proc.pid).items():
                cpu[name] = max(cpu.get(name, 0.0), v)
            time.sleep(0.1)
        err = proc.stderr.read()
    finally:
        if load:
            load.stop()
        if wrk:
            wrk.terminate()
            wrk.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime
    m = SUMMARY.search(err)
    if not m:
        raise RuntimeError("no summary line: " + err[-500:])
    packets, drops, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
    # CPU the capture and worker threads spend per packet: whether the API slows the packet
    # path itself (locks, shared cache lines), apart from taking CPU time from it.
    path_cpu = sum(v for name, v in cpu.items() if name.startswith(("nms-cap", "nms-worker")))
    return {"mode": mode, "packets": packets, "drops": drops, "seconds": seconds, "mpps": packets / seconds / 1e6,
            "api_cpu_s": round(cpu.get("nms-api", 0.0), 3), "stats_cpu_s": round(cpu.get("nms-stats", 0.0), 3),
            "process_cpu_s": round(sum(cpu.values()), 3), "load_client_cpu_s": round(client_cpu, 3),
            "api_cpu_share_pct": round(100 * cpu.get("nms-api", 0.0) / seconds, 2),
            "packet_path_cpu_ns_per_packet": round(1e9 * path_cpu / packets, 1) if packets else None,
            "ws_frames": load.frames if load else 0, "rest_requests": load.requests if load else 0,
            "client_errors": load.errors if load else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("netmonsec")
    ap.add_argument("gen")
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--packets", type=int, default=600000)
    ap.add_argument("--loop", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--ws-clients", type=int, default=100)
    ap.add_argument("--rest-rps", type=float, default=20)
    ap.add_argument("--modes", default="idle,load,wrk")
    args = ap.parse_args()
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "l7.pcap")
        subprocess.run([args.gen, "-w", pcap, "--flows", "5000", "--packets", str(args.packets), "--rate", "200000",
                        "--seed", "11", "-q"], check=True)
        cfg = os.path.join(tmp, "bench.toml")
        with open(cfg, "w") as fh:
            fh.write("[api]\nusers = [{name = \"bench\", role = \"viewer\", password_hash = \"%s\"}]\n"
                     % make_hash(args.netmonsec, "bench-pass"))
        runs = []
        for rep in range(args.reps):
            order = modes[rep % len(modes):] + modes[:rep % len(modes)]
            for mode in order:
                r = run(args, pcap, cfg, mode)
                r["rep"] = rep
                runs.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
    out = {"benchmark": "api_load", "capture": {"generator": "netmonsec-gen --mix l7", "packets": args.packets,
                                                "loop": args.loop}, "workers": args.workers,
           "ws_clients": args.ws_clients, "rest_rps": args.rest_rps, "reps": args.reps, "modes": {}, "runs": runs}
    for mode in modes:
        rs = [r for r in runs if r["mode"] == mode]
        mpps = [r["mpps"] for r in rs]
        out["modes"][mode] = {"mpps_median": round(statistics.median(mpps), 4), "mpps_min": round(min(mpps), 4),
                              "mpps_max": round(max(mpps), 4),
                              "api_cpu_s_median": statistics.median(r["api_cpu_s"] for r in rs),
                              "stats_cpu_s_median": statistics.median(r["stats_cpu_s"] for r in rs),
                              "api_cpu_share_pct_median": statistics.median(r["api_cpu_share_pct"] for r in rs),
                              "load_client_cpu_s_median": statistics.median(r["load_client_cpu_s"] for r in rs),
                              "seconds_median": statistics.median(r["seconds"] for r in rs),
                              "packet_path_cpu_ns_per_packet_median":
                                  statistics.median(r["packet_path_cpu_ns_per_packet"] for r in rs)}
    base = out["modes"].get("idle", {}).get("mpps_median")
    if base:
        for mode in modes:
            out["modes"][mode]["change_vs_idle_pct"] = round(100 * (out["modes"][mode]["mpps_median"] / base - 1), 2)
    base_cpu = out["modes"].get("idle", {}).get("packet_path_cpu_ns_per_packet_median")
    if base_cpu:
        for mode in modes:
            out["modes"][mode]["packet_path_cpu_change_vs_idle_pct"] = round(
                100 * (out["modes"][mode]["packet_path_cpu_ns_per_packet_median"] / base_cpu - 1), 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
