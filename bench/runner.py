#!/usr/bin/env python3
"""bench/runner.py: every benchmark figure in one run (driven by bench/run, which builds first).

Generates the captures (cached under BUILD/bench/captures), runs each figure, prints a table
and writes one JSON document. bench/README.md explains every figure. Exit status: 0, or 1
when a benchmark program itself failed (crash, bad exit code, counts that must match do not).
No thresholds: targets are reported next to the measured figure, never enforced.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Parameters of the two modes. flows/packets per capture.
# cg_profiles: the L7 capture profiles measured by callgrind and by the DPI on/off runs, as
# (--flows, small packets, large packets). Both captures of a profile have the same --flows
# (sessions in progress at once), so the generator's warm-up (every session opening at once)
# is the same in both and cancels in the difference. "short" keeps the offline capture's
# shape (--flows = packets / 5: ~3.7 packets per flow, nearly every packet a handshake);
# "realistic" has ~24 packets per flow, the pooled figure of the real captures in
# shared/corpus (7,071 packets in 288 flows; median per file 12).
# dpi_profiles: the same two shapes, as (--flows, packets), larger for the wall-clock DPI
# on/off runs (1M packets full, 100k quick): on 100k packets (0.1 s) the engine's start-up (nDPI and DPI contexts, table
# pages touched the first time) swings single runs by 2x and hides the per-packet cost.
MODES = {
    "full": {"repeat": 3, "c64": (100_000, 1_000_000), "cimix": (200_000, 1_000_000),
             "cg_profiles": {"short": (20_000, 40_000, 100_000), "realistic": (1_000, 20_000, 100_000)},
             "dpi_profiles": {"short": (200_000, 1_000_000), "realistic": (10_000, 1_000_000)},
             "dpi_rounds": 3, "dpi_repeat": 3, "memory_flows": 1_000_000,
             "live_args": [], "drop_packets": 1_000_000},
    "quick": {"repeat": 1, "c64": (10_000, 100_000), "cimix": (20_000, 100_000),
              "cg_profiles": {"short": (2_000, 4_000, 10_000), "realistic": (200, 4_000, 20_000)},
              "dpi_profiles": {"short": (20_000, 100_000), "realistic": (1_000, 100_000)},
              "dpi_rounds": 1, "dpi_repeat": 1, "memory_flows": 1_000_000,
              "live_args": ["--packets", "200000", "--rates", "200000", "--sweep-seconds", "1"],
              "drop_packets": 200_000},
}
DEFAULT_PROFILE = "short"   # the one pcap_walk/tcpdump/ndpiReader run on, and the target's figure

# Slots for figures that later issues add (kept so result files keep one shape over time).
SLOTS = {
    "api": "REST/WebSocket latency and snapshot throughput: not measured yet (API benchmark comes with its issue)",
    "storage": "SQLite flow-history insert rate and query latency: not measured yet (storage issue)",
    "export": "IPFIX/NetFlow and EVE export throughput: not measured yet (export issue)",
}


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


class ProgramFailed(Exception):
    pass


def run_timed(cmd, cwd=None, ok_codes=(0,)):
    """Runs cmd; returns wall seconds, the child's own CPU seconds and peak RSS (wait4), output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        res = {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_bytes": ru.ru_maxrss * 1024,
               "rc": p.returncode, "stdout": out.read().decode(errors="replace"),
               "stderr": err.read().decode(errors="replace")}
    if res["rc"] not in ok_codes:
        raise ProgramFailed("%s exited %d: %s" % (" ".join(cmd), res["rc"], res["stderr"][-800:]))
    return res


def best_and_median(runs, key="wall_s"):
    vals = [r[key] for r in runs]
    return min(vals), statistics.median(vals)


class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = "quick" if args.quick else "full"
        self.p = dict(MODES[self.mode])
        if args.repeat:
            self.p["repeat"] = args.repeat
        self.build = os.path.abspath(args.build)
        self.bin = {
            "netmonsec": os.path.join(self.build, "netmonsec"),
            "bench_pipeline": os.path.join(self.build, "bench", "bench_pipeline"),
            "bench_flow_memory": os.path.join(self.build, "bench", "bench_flow_memory"),
            "pcap_walk": os.path.join(self.build, "bench", "pcap_walk"),
            "gen": os.path.join(self.build, "tools", "netmonsec-gen", "netmonsec-gen"),
        }
        self.cache = os.path.join(self.build, "bench", "captures")
        os.makedirs(self.cache, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="nms-bench-")
        self.errors = []
        self.figures = {}
        self.doc = {}

    # --- helpers -------------------------------------------------------------------------
    def fig(self, name, value, unit, better):
        if value is not None:
            self.figures[name] = {"value": value, "unit": unit, "better": better}

    def guarded(self, what, fn, *a):
        try:
            return fn(*a)
        except ProgramFailed as e:
            log("FAILED %s: %s" % (what, e))
            self.errors.append({"figure": what, "error": str(e)})
            return None

    def write_config(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text + '\n[api]\nenabled = false\n[storage]\ndata_dir = "%s"\n' % os.path.join(self.work, "data"))
        return path

    # --- captures ------------------------------------------------------------------------
    def capture(self, mix, flows, packets, seed=1):
        """Cached capture. mix: '64' (gen_pcap.py) or 'imix_l7': netmonsec-gen --mix l7 (realistic
        sessions with L7 payloads: its own mix of frame sizes; --flows = sessions in progress at
        once), or gen_pcap.py --size imix (7:4:1, no L7 payloads) when netmonsec-gen is missing."""
        gen_ok = os.access(self.bin["gen"], os.X_OK)
        if mix == "imix_l7" and gen_ok:
            generator = "netmonsec-gen"
            name = "gen-l7-%df-%dp-s%d.pcap" % (flows, packets, seed)
            cmd = [self.bin["gen"], "-w", None, "--flows", str(flows), "--packets", str(packets),
                   "--mix", "l7", "--seed", str(seed)]
            newer_than = os.path.getmtime(self.bin["gen"])
        else:
            generator = "gen_pcap.py"
            size = "64" if mix == "64" else "imix"
            name = "py-%s-%df-%dp-s%d.pcap" % (size, flows, packets, seed)
            cmd = [sys.executable, os.path.join(HERE, "gen_pcap.py"), "-o", None, "--flows", str(flows),
                   "--packets", str(packets), "--size", size, "--seed", str(seed)]
            newer_than = os.path.getmtime(os.path.join(HERE, "gen_pcap.py"))
        path = os.path.join(self.cache, name)
        meta_path = path + ".json"
        if not (os.path.exists(meta_path) and os.path.getmtime(meta_path) >= newer_than):
            log("generating %s (%s)" % (name, generator))
            tmp = path + ".tmp"
            cmd[cmd.index(None)] = tmp
            t0 = time.perf_counter()
            gen = run_timed(cmd)
            gen_s = time.perf_counter() - t0
            written = re.search(r"(\d+) flows", gen["stderr"])
            walk = json.loads(run_timed([self.bin["pcap_walk"], tmp, "--repeat", "1"])["stdout"])
            os.replace(tmp, path)
            meta = {"generator": generator, "mix": mix, "l7_payloads": generator == "netmonsec-gen",
                    "flows": flows, "packets_requested": packets, "packets": walk["packets"],
                    "bytes": walk["bytes"], "avg_frame_bytes": round(walk["bytes"] / max(walk["packets"], 1), 1),
                    "flows_written": int(written.group(1)) if written else None,
                    "seed": seed, "command": " ".join("FILE" if c == tmp else os.path.basename(c) for c in cmd), "generate_seconds": round(gen_s, 2)}
            with open(meta_path, "w") as f:
                json.dump(meta, f)
        with open(meta_path) as f:
            meta = json.load(f)
        meta["path"] = path
        return meta

    # --- offline -------------------------------------------------------------------------
    def offline(self, key, cap):
        r = self.p["repeat"]
        f = cap["path"]
        out = {"capture": key}
        log("offline %s: bench_pipeline (walk, 1 and 2 workers) x%d" % (key, r))
        res = run_timed([self.bin["bench_pipeline"], f, "--repeat", str(r), "--workers", "1,2"], ok_codes=(0, 3))
        bp = json.loads(res["stdout"])
        out["bench_pipeline"] = bp
        if res["rc"] == 3:
            raise ProgramFailed("bench_pipeline %s: packet counts differ from the walk or drops" % key)
        walk = bp["pcap_walk"]
        self.fig("offline.%s.pcap_walk.mpps" % key, walk["mpps"], "Mpps", "higher")
        for run in bp["runs"]:
            w = run["workers"]
            base = "offline.%s.netmonsec_%dw" % (key, w)
            self.fig(base + ".mpps", run["mpps"], "Mpps", "higher")
            self.fig(base + ".ns_per_packet", run["ns_per_packet"], "ns", "lower")
            self.fig(base + ".median_mpps", run["median_mpps"], "Mpps", "higher")
            self.fig(base + ".ratio_vs_walk", bp["ratio_vs_walk"][str(w)], "x", "higher")

        log("offline %s: ndpiReader x%d" % (key, min(r, 3)))
        nd_runs = []
        for _ in range(min(r, 3)):
            res = run_timed(["ndpiReader", "-i", f])
            text = res["stdout"]
            proc = re.search(r"Packet Processing Time:\s+([\d.]+) msec", text)
            setup = re.search(r"Setup Time:\s+([\d.]+) msec", text)
            tput = re.search(r"nDPI throughput:\s+([\d.]+) ([KM]?) pps", text)
            if not proc:
                raise ProgramFailed("ndpiReader: no 'Packet Processing Time' in its output")
            res["processing_s"] = float(proc.group(1)) / 1e3
            res["setup_s"] = float(setup.group(1)) / 1e3 if setup else None
            res["reported_pps"] = float(tput.group(1)) * {"": 1, "K": 1e3, "M": 1e6}[tput.group(2)] if tput else None
            nd_runs.append(res)
        pkts = cap["packets"]
        best_proc, med_proc = best_and_median(nd_runs, "processing_s")
        best_wall, _ = best_and_median(nd_runs)
        out["ndpiReader"] = {
            "command": "ndpiReader -i FILE", "runs": len(nd_runs),
            "processing_s": best_proc, "median_processing_s": med_proc, "wall_s": best_wall,
            "pps": pkts / best_proc if best_proc else None, "wall_pps": pkts / best_wall,
            "ns_per_packet": best_proc * 1e9 / pkts, "reported_pps": nd_runs[0]["reported_pps"],
            "peak_rss_bytes": max(x["maxrss_bytes"] for x in nd_runs),
            "note": "pps = packets / ndpiReader's own 'Packet Processing Time' (excludes its setup)",
        }
        self.fig("offline.%s.ndpiReader.mpps" % key, out["ndpiReader"]["pps"] / 1e6, "Mpps", "higher")
        one = next(x for x in bp["runs"] if x["workers"] == 1)
        out["speedup_vs_ndpiReader_1w"] = one["mpps"] * 1e6 / out["ndpiReader"]["pps"]
        self.fig("offline.%s.speedup_vs_ndpiReader_1w" % key, out["speedup_vs_ndpiReader_1w"], "x", "higher")

        log("offline %s: tcpdump -r -w /dev/null x%d" % (key, r))
        td = [run_timed(["tcpdump", "-Z", "root", "-n", "-r", f, "-w", "/dev/null"]) for _ in range(r)]
        best, med = best_and_median(td)
        out["tcpdump"] = {"command": "tcpdump -Z root -n -r FILE -w /dev/null", "wall_s": best, "median_wall_s": med,
                          "mpps": pkts / best / 1e6, "ns_per_packet": best * 1e9 / pkts}
        self.fig("offline.%s.tcpdump.mpps" % key, out["tcpdump"]["mpps"], "Mpps", "higher")

        log("offline %s: netmonsec daemon -r (peak RSS) x%d" % (key, r))
        cfg = self.write_config("offline.toml", "")
        out["daemon"] = {}
        for w in (1, 2):
            runs = [run_timed([self.bin["netmonsec"], "-c", cfg, "-r", f, "-w", str(w)]) for _ in range(r)]
            best, med = best_and_median(runs)
            d = {"command": "netmonsec -r FILE -w %d (api off, eve off)" % w, "wall_s": best,
                 "median_wall_s": med, "mpps": pkts / best / 1e6,
                 "peak_rss_bytes": max(x["maxrss_bytes"] for x in runs),
                 "cpu_s": min(x["cpu_s"] for x in runs), "summary": runs[0]["stderr"].strip().splitlines()[-1:]}
            out["daemon"][str(w)] = d
            self.fig("offline.%s.daemon_%dw.peak_rss_mib" % (key, w), d["peak_rss_bytes"] / 2**20, "MiB", "lower")
            self.fig("offline.%s.daemon_%dw.wall_mpps" % (key, w), d["mpps"], "Mpps", "higher")
        return out

    # --- instructions per packet ---------------------------------------------------------
    def callgrind_ir(self, tag, cmd):
        """Runs cmd under callgrind, one output file per thread. Returns (total Ir, Ir of the
        first thread (main), outputs): thread 1 is the process's main thread."""
        stem = os.path.join(self.work, "callgrind.%s.out" % tag)
        for f in glob.glob(stem + ".*"):
            os.unlink(f)
        run_timed(["valgrind", "--tool=callgrind", "--dump-instr=no", "--separate-threads=yes",
                   "--callgrind-out-file=" + stem + ".%p"] + cmd)
        per_thread = {}
        for f in glob.glob(stem + ".*"):
            with open(f) as fh:
                text = fh.read()
            m = re.search(r"^totals:\s+(\d+)", text, re.M) or re.search(r"^summary:\s+(\d+)", text, re.M)
            t = re.search(r"^thread:\s+(\d+)", text, re.M)
            if m:
                per_thread[int(t.group(1)) if t else 1] = (int(m.group(1)), f)
        if not per_thread:
            raise ProgramFailed("callgrind %s: no totals line" % tag)
        main = per_thread.get(1, (0, None))
        return sum(ir for ir, _ in per_thread.values()), main[0], [f for _, f in per_thread.values()]

    def instructions(self):
        # Rings big enough that the replay never waits for a worker (a waiting capture thread
        # spins in sched_yield, whose instructions would depend on scheduling), stats rarely.
        cfg = {on: self.write_config("callgrind-dpi-%s.toml" % ("on" if on else "off"),
                                     "[pipeline]\nring_size = 1048576\nring_bytes = 268435456\n"
                                     "[stats]\ninterval_ms = 60000\n[dpi]\nenabled = %s" % ("true" if on else "false"))
               for on in (True, False)}
        programs = {
            "netmonsec": lambda f: [self.bin["netmonsec"], "-c", cfg[True], "-r", f, "-w", "1"],
            "netmonsec_dpi_off": lambda f: [self.bin["netmonsec"], "-c", cfg[False], "-r", f, "-w", "1"],
            "pcap_walk": lambda f: [self.bin["pcap_walk"], f, "--repeat", "1"],
            "tcpdump": lambda f: ["tcpdump", "-Z", "root", "-n", "-r", f, "-w", "/dev/null"],
            "ndpiReader": lambda f: ["ndpiReader", "-i", f],
        }
        out = {"mix": "imix_l7", "profiles": {},
               "formula": "(Ir(large) - Ir(small)) / (packets(large) - packets(small)), same --flows in both",
               "packet_path": "netmonsec: every thread but main (capture, worker, stats, output); main = "
                              "start-up (OUI/p0f load, nDPI init, arenas), the final stats tick, teardown"}
        for prof, (flows, small_n, large_n) in self.p["cg_profiles"].items():
            small = self.capture("imix_l7", flows, small_n)
            large = self.capture("imix_l7", flows, large_n)
            dp = large["packets"] - small["packets"]
            po = {"flows": flows, "generator": large["generator"], "small_capture": small, "large_capture": large,
                  "packets_per_flow_large": round(large["packets"] / large["flows_written"], 1)
                  if large.get("flows_written") else None, "programs": {}}
            for name, mk in programs.items():
                if prof != DEFAULT_PROFILE and not name.startswith("netmonsec"):
                    continue
                log("callgrind %s (%s) on %d and %d packets" % (name, prof, small["packets"], large["packets"]))
                try:
                    ir_s, main_s, outs_s = self.callgrind_ir("%s.%s.small" % (name, prof), mk(small["path"]))
                    ir_l, main_l, outs_l = self.callgrind_ir("%s.%s.large" % (name, prof), mk(large["path"]))
                except ProgramFailed as e:
                    log("FAILED callgrind %s: %s" % (name, e))
                    self.errors.append({"figure": "instructions.%s.%s" % (prof, name), "error": str(e)})
                    continue
                whole = (ir_l - ir_s) / dp
                x = {"ir_small": ir_s, "ir_large": ir_l, "whole_process_per_packet": round(whole, 1),
                     "fixed_cost_ir": round(ir_s - whole * small["packets"])}
                if name.startswith("netmonsec"):
                    x["per_packet"] = round(((ir_l - main_l) - (ir_s - main_s)) / dp, 1)
                    x["main_thread_ir_small"], x["main_thread_ir_large"] = main_s, main_l
                    x["packet_path_average_large"] = round((ir_l - main_l) / large["packets"], 1)
                else:
                    x["per_packet"] = x["whole_process_per_packet"]
                po["programs"][name] = x
                self.fig("instructions.%s.%s.per_packet" % (prof, name), x["per_packet"], "Ir/packet", "lower")
                if prof == DEFAULT_PROFILE:
                    self.fig("instructions.%s.per_packet" % name, x["per_packet"], "Ir/packet", "lower")
                if name == "netmonsec":
                    po["netmonsec_top_functions"] = self.top_functions(outs_s, outs_l, dp)
            on, off = po["programs"].get("netmonsec"), po["programs"].get("netmonsec_dpi_off")
            if on and off and off["per_packet"] > 0:
                po["dpi_cost_pct"] = round(100.0 * (on["per_packet"] / off["per_packet"] - 1), 1)
                self.fig("instructions.%s.dpi_cost_pct" % prof, po["dpi_cost_pct"], "%", "lower")
            out["profiles"][prof] = po
        d = out["profiles"].get(DEFAULT_PROFILE) or {}
        # The default profile's figures at the top level, where earlier result files had them.
        out.update({k: d.get(k) for k in ("programs", "small_capture", "large_capture", "generator",
                                           "netmonsec_top_functions")})
        return out

    # --- DPI cost, wall clock ----------------------------------------------------------------
    def dpi_cost(self):
        """bench_pipeline (1 worker) with DPI on and off on each profile's DPI capture (the
        callgrind shape, larger), rounds interleaved (on, off, on, off, ...) so a
        change in machine load hits both; each run is the median of `dpi_repeat` passes in
        one process, the figure the median of each side. Detectors stay on in both."""
        rounds, repeat = self.p["dpi_rounds"], self.p["dpi_repeat"]
        out = {"rounds": rounds, "repeat": repeat, "workers": 1, "profiles": {}}
        for prof, (flows, packets) in self.p["dpi_profiles"].items():
            cap = self.capture("imix_l7", flows, packets)
            mpps = {"on": [], "off": []}
            cpu = {"on": [], "off": []}
            for i in range(rounds):
                for side in ("on", "off"):
                    log("dpi cost %s: bench_pipeline DPI %s, round %d/%d" % (prof, side, i + 1, rounds))
                    cmd = [self.bin["bench_pipeline"], cap["path"], "--repeat", str(repeat), "--workers", "1"]
                    res = run_timed(cmd + (["--no-dpi"] if side == "off" else []), ok_codes=(0, 3))
                    if res["rc"] == 3:
                        raise ProgramFailed("bench_pipeline %s DPI %s: drops or counts differ from the walk" % (prof, side))
                    run = json.loads(res["stdout"])["runs"][0]
                    mpps[side].append(run["median_mpps"])
                    cpu[side].append(run.get("median_cpu_seconds"))
            on, off = statistics.median(mpps["on"]), statistics.median(mpps["off"])
            po = {"capture": cap, "mpps_on": mpps["on"], "mpps_off": mpps["off"], "median_mpps_on": on,
                  "median_mpps_off": off, "dpi_cost_pct": round(100.0 * (off / on - 1), 1) if on else None,
                  "cpu_s_on": cpu["on"], "cpu_s_off": cpu["off"]}
            if None not in cpu["on"] + cpu["off"]:
                c_on, c_off = statistics.median(cpu["on"]), statistics.median(cpu["off"])
                # CPU seconds of the process over the timed span: steadier than wall time on a shared box.
                po["dpi_cost_cpu_pct"] = round(100.0 * (c_on / c_off - 1), 1) if c_off else None
                self.fig("dpi_cost.%s.cpu_pct" % prof, po["dpi_cost_cpu_pct"], "%", "lower")
            out["profiles"][prof] = po
            self.fig("dpi_cost.%s.median_mpps_on" % prof, on, "Mpps", "higher")
            self.fig("dpi_cost.%s.median_mpps_off" % prof, off, "Mpps", "higher")
            self.fig("dpi_cost.%s.pct" % prof, po["dpi_cost_pct"], "%", "lower")
        return out

    @staticmethod
    def self_ir_by_function(outf):
        """Self (exclusive) Ir per function from callgrind_annotate, every function (threshold 100)."""
        try:
            text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no", "--threshold=100", outf],
                                  capture_output=True, text=True, timeout=300).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
        fns = {}
        # Only the function table: it follows the "file:function" header, ends at a blank line.
        body = text.split("file:function", 1)[-1].split("\n\n", 1)[0] if "file:function" in text else ""
        for line in body.splitlines():
            m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*?)\s*(\[.*\])?$", line)
            if m and "PROGRAM TOTALS" not in line:
                name = m.group(2)
                name = name.split(":", 1)[1] if ":" in name and not name.startswith("???") else name
                key = (name, os.path.basename((m.group(3) or "").strip("[]")))
                fns[key] = fns.get(key, 0) + int(m.group(1).replace(",", ""))
        return fns

    def top_functions(self, small_outs, large_outs, packets, n=15):
        """Steady-state cost per function on the packet path: (self Ir large - self Ir small) /
        packets, summed over every thread but main."""
        def merged(outs):
            fns = {}
            for f in outs:
                if re.search(r"-0*1$", f):   # callgrind names thread 1 (main) "<pid>-01"
                    continue
                for k, v in self.self_ir_by_function(f).items():
                    fns[k] = fns.get(k, 0) + v
            return fns
        small = merged(small_outs)
        large = merged(large_outs)
        diff = [(large.get(k, 0) - small.get(k, 0), k) for k in set(small) | set(large)]
        total = sum(d for d, _ in diff) or 1
        diff.sort(reverse=True)
        return [{"function": k[0][:160], "object": k[1], "ir_per_packet": round(d / packets, 1),
                 "percent": round(100.0 * d / total, 2)} for d, k in diff[:n]]

    # --- memory --------------------------------------------------------------------------
    def memory(self):
        n = self.p["memory_flows"]
        log("bench_flow_memory --flows %d" % n)
        res = run_timed([self.bin["bench_flow_memory"], "--flows", str(n)], ok_codes=(0, 1, 3))
        d = json.loads(res["stdout"])
        if res["rc"] != 0:
            raise ProgramFailed("bench_flow_memory: not every flow was tracked (live_flows %s)" % d.get("live_flows"))
        d["flows_per_gib"] = round(2**30 / d["bytes_per_flow"]) if d["bytes_per_flow"] else None
        self.fig("memory.bytes_per_flow", d["bytes_per_flow"], "B", "lower")
        self.fig("memory.flows_per_gib", d["flows_per_gib"], "flows", "higher")
        self.fig("memory.insert_ns_per_flow", d["insert_ns_per_flow"], "ns", "lower")
        self.fig("memory.lookup_ns_per_packet", d["lookup_ns_per_packet"], "ns", "lower")
        return d

    # --- live ----------------------------------------------------------------------------
    def live_possible(self):
        if self.args.no_live:
            return "--no-live"
        if os.geteuid() != 0:
            return "not root"
        for tool in ("ip", "tcpreplay", "tcpdump"):
            if subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True).returncode:
                return tool + " not installed"
        probe = "nms-bench-probe-%d" % os.getpid()
        if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode:
            return "cannot create network namespaces here"
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
        return None

    def live(self):
        why = self.live_possible()
        if why:
            log("live: skipped (%s)" % why)
            return {"skipped": why}
        script = os.path.join(HERE, "live_veth.sh")
        out = {}
        log("live: live_veth.sh (null reader, netmonsec, tcpdump; rate sweep)")
        res = run_timed([script, "--build", self.build] + self.p["live_args"])
        veth = json.loads(res["stdout"])
        out["veth"] = veth
        by = {r["reader"]: r for r in veth["topspeed"]}
        for name, r in by.items():
            self.fig("live.topspeed.%s.cpu_s_per_mpkt" % name, r["cpu_s_per_mpkt"], "CPU s/Mpkt", "lower")
            self.fig("live.topspeed.%s.lost" % name, r["lost"], "packets", "lower")
        ratios = []
        rates = sorted({r["rate_pps"] for r in veth["sweep"] if r["rate_pps"] != "topspeed"})
        for rate in rates:
            at = {r["reader"]: r for r in veth["sweep"] if r["rate_pps"] == rate}
            if "null" in at and "netmonsec" in at and at["null"]["cpu_s_per_mpkt"]:
                ratio = at["netmonsec"]["cpu_s_per_mpkt"] / at["null"]["cpu_s_per_mpkt"]
                ratios.append({"rate_pps": rate, "cpu_ratio_vs_null": round(ratio, 2),
                               "netmonsec_lost": at["netmonsec"]["lost"]})
                self.fig("live.sweep.%d.netmonsec_cpu_vs_null" % rate, round(ratio, 2), "x", "lower")
                self.fig("live.sweep.%d.netmonsec_lost" % rate, at["netmonsec"]["lost"], "packets", "lower")
        out["cpu_vs_null"] = ratios
        for name, pps in veth["max_drop_free_pps"].items():
            self.fig("live.max_drop_free_pps.%s" % name, pps, "pps", "higher")

        # Forced drops: a tiny kernel ring and a tiny pipeline ring at top speed. Every lost
        # packet must be counted: kernel_drops + ring_full_drops == sent - captured.
        cfg = self.write_config("tiny_rings.toml", "[capture]\nsnaplen = 2048\nblock_size = 65536\nblock_count = 2\n"
                                "[pipeline]\nring_size = 64\nring_bytes = 1048576")
        log("live: drop accounting with tiny rings (%d packets at top speed)" % self.p["drop_packets"])
        res = run_timed([script, "--build", self.build, "--readers", "netmonsec", "--rates", "",
                         "--packets", str(self.p["drop_packets"]), "--netmonsec-args", "-c " + cfg])
        r = json.loads(res["stdout"])["topspeed"][0]
        counted = r["kernel_drops"] + r["other_drops"]
        uncounted = r["sent"] - r["captured"]
        out["drop_accounting"] = {
            "config": "capture.block_size=65536 block_count=2 snaplen=2048; pipeline.ring_size=64 ring_bytes=1MiB",
            "sent": r["sent"], "captured": r["captured"], "kernel_drops": r["kernel_drops"],
            "ring_full_drops": r["other_drops"], "counted_drops": counted, "sent_minus_captured": uncounted,
            "exact": counted == uncounted, "drops_forced": counted > 0, "sent_pps": r["sent_pps"],
            "summary_dropped": r.get("summary_dropped"),
        }
        self.fig("live.drop_accounting.miscounted", abs(counted - uncounted), "packets", "lower")
        if counted != uncounted:
            self.errors.append({"figure": "live.drop_accounting",
                                "error": "counted drops %d != sent - captured %d" % (counted, uncounted)})
        return out

    # --- targets -------------------------------------------------------------------------
    def targets(self):
        t = []
        def add(name, target, measured, met, note=""):
            t.append({"target": name, "goal": target, "measured": measured, "met": met, "note": note})
        ins = self.doc.get("instructions") or {}
        nm = (ins.get("programs") or {}).get("netmonsec")
        add("instructions per packet, IMIX, DPI + detectors on", "<= 1500", nm and nm["per_packet"],
            (nm["per_packet"] <= 1500) if nm else None,
            "built with DPI: %s, detectors: %s" % (self.doc["features"]["dpi"], self.doc["features"]["detectors"]))
        for prof, x in ((self.doc.get("dpi_cost") or {}).get("profiles") or {}).items():
            add("DPI cost: pipeline time with DPI on vs off, IMIX with L7 payloads (%s flows)" % prof, "<= 25%",
                x["dpi_cost_pct"], x["dpi_cost_pct"] is not None and x["dpi_cost_pct"] <= 25,
                "bench_pipeline 1 worker, median of %d interleaved rounds: %.3f vs %.3f Mpps" % (
                    len(x["mpps_on"]), x["median_mpps_on"], x["median_mpps_off"]))
        im = (self.doc.get("offline") or {}).get("imix_l7") or {}
        sp = im.get("speedup_vs_ndpiReader_1w")
        add("packets/s vs ndpiReader, same IMIX capture, 1 worker", ">= 10x", sp and round(sp, 2),
            (sp >= 10) if sp else None, "netmonsec DPI built: %s" % self.doc["features"]["dpi"])
        mem = self.doc.get("memory") or {}
        bpf = (mem.get("flow_table") or {}).get("bytes_per_flow")
        add("bytes per tracked flow at 1M flows", "<= 256", bpf, (bpf <= 256) if bpf else None)
        live = self.doc.get("live") or {}
        if "veth" in live:
            sw = [r for r in live["veth"]["sweep"] if r["reader"] == "netmonsec"]
            lost = sum(r["lost"] for r in sw)
            add("live: zero drops at every rate the machine can send", "0", lost, lost == 0,
                "packets netmonsec lost (sent - captured), summed over the sweep")
            worst = max((x["cpu_ratio_vs_null"] for x in live["cpu_vs_null"]), default=None)
            add("live: CPU per packet vs bare TPACKET_V3 reader", "<= 3x", worst,
                (worst <= 3) if worst is not None else None, "worst ratio over the sweep rates")
        else:
            add("live targets", "-", None, None, "live part skipped: %s" % live.get("skipped"))
        return t

    def features(self):
        """Which analysis stages the measured binary contains (its symbols say; no guessing)."""
        try:
            syms = subprocess.run(["nm", "-C", self.bin["netmonsec"]], capture_output=True, text=True).stdout
        except OSError:
            syms = ""
        return {"dpi": "nms::dpi::" in syms, "detectors": "nms::detect" in syms}

    # --- run -----------------------------------------------------------------------------
    def run(self):
        t_start = time.time()
        p = self.p
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or "unknown"
        dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True).stdout.strip())
        now = datetime.datetime.now(datetime.timezone.utc)
        cpu_model = ""
        try:
            with open("/proc/cpuinfo") as fh:
                cpu_model = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), "")
        except OSError:
            pass
        build_type = ""
        try:
            with open(os.path.join(self.build, "CMakeCache.txt")) as fh:
                build_type = next((l.split("=", 1)[1].strip() for l in fh if l.startswith("CMAKE_BUILD_TYPE:")), "")
        except OSError:
            pass
        d = self.doc
        d.update({"schema": 1, "mode": self.mode, "date_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": commit,
                  "dirty_tree": dirty, "host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count(),
                  "cpu_model": cpu_model, "build_dir": self.build, "build_type": build_type,
                  "loadavg_at_start": round(os.getloadavg()[0], 2),
                  "netmonsec_gen_available": os.access(self.bin["gen"], os.X_OK)})
        d["features"] = self.features()
        caps = {}
        caps["64"] = self.guarded("capture 64", self.capture, "64", *p["c64"])
        caps["imix_l7"] = self.guarded("capture imix_l7", self.capture, "imix_l7", *p["cimix"])
        d["captures"] = {k: v for k, v in caps.items() if v}
        d["offline"] = {}
        for key, cap in caps.items():
            if cap:
                d["offline"][key] = self.guarded("offline " + key, self.offline, key, cap)
        d["dpi_cost"] = self.guarded("dpi_cost", self.dpi_cost)
        d["instructions"] = None if self.args.no_callgrind else self.guarded("instructions", self.instructions)
        d["memory"] = {"flow_table": self.guarded("memory", self.memory)}
        im = d["offline"].get("imix_l7") or {}
        if im.get("daemon"):
            d["memory"]["daemon_peak_rss"] = {
                "capture": "imix_l7", "flows": caps["imix_l7"]["flows"],
                "workers": {w: x["peak_rss_bytes"] for w, x in im["daemon"].items()},
                "note": "VmHWM of netmonsec -r on the IMIX capture (wait4 ru_maxrss), default flow/ring sizes"}
        d["live"] = self.guarded("live", self.live)
        for k, note in SLOTS.items():
            d[k] = {"value": None, "note": note}
        d["targets"] = self.targets()
        d["figures"] = self.figures
        d["errors"] = self.errors
        d["loadavg_at_end"] = round(os.getloadavg()[0], 2)
        d["elapsed_s"] = round(time.time() - t_start, 1)
        results = os.path.join(HERE, "results")
        os.makedirs(results, exist_ok=True)
        path = self.args.out or os.path.join(results, "%s-%s.json" % (now.strftime("%Y%m%dT%H%M%SZ"), commit))
        with open(path, "w") as fh:
            json.dump(d, fh, indent=1)
            fh.write("\n")
        print_table(d)
        log("wrote %s (%.0f s)" % (path, d["elapsed_s"]))
        return 1 if self.errors else 0


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "{:,.{}f}".format(v, nd)
    if isinstance(v, int):
        return "{:,}".format(v)
    return str(v)


def table(title, header, rows):
    print("\n" + title)
    cols = [header] + [[fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cols) for i in range(len(header))]
    for j, r in enumerate(cols):
        print("  " + "  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            print("  " + "  ".join("-" * w for w in widths))


def print_table(d):
    print("netmonsec benchmarks (%s) commit %s%s, %s, %d CPUs, load %.1f -> %.1f" % (
        d["mode"], d["commit"], " (dirty)" if d["dirty_tree"] else "", d["date_utc"], d["cpus"],
        d["loadavg_at_start"], d.get("loadavg_at_end", 0)))
    for key, o in (d.get("offline") or {}).items():
        if not o:
            continue
        cap = d["captures"][key]
        bp = o["bench_pipeline"]
        rows = [["pcap_walk (floor)", bp["pcap_walk"]["mpps"], bp["pcap_walk"]["ns_per_packet"], None, None]]
        for r in bp["runs"]:
            rows.append(["netmonsec %d worker(s)" % r["workers"], r["mpps"], r["ns_per_packet"], r["median_mpps"],
                         1e3 / r["median_mpps"]])
        nd = o["ndpiReader"]
        rows.append(["ndpiReader (processing)", nd["pps"] / 1e6, nd["ns_per_packet"], None, None])
        rows.append(["tcpdump -r -w /dev/null", o["tcpdump"]["mpps"], o["tcpdump"]["ns_per_packet"], None, None])
        for w, x in o["daemon"].items():
            rows.append(["netmonsec -r -w %s (whole process)" % w, x["mpps"], x["wall_s"] * 1e9 / cap["packets"],
                         None, None])
        table("offline %s: %s packets (avg %s B), --flows %s (netmonsec: %s flow records), %s, %s" % (
            key, fmt(cap["packets"]), fmt(cap.get("avg_frame_bytes")), fmt(cap["flows"]), fmt(bp["flows"]),
            "L7 payloads" if cap["l7_payloads"] else "no L7 payloads", cap["generator"]), ["program", "best Mpps", "ns/pkt", "median Mpps", "median ns/pkt"], rows)
        print("  netmonsec 1 worker / ndpiReader: %.1fx" % o["speedup_vs_ndpiReader_1w"])
    ins = d.get("instructions")
    for prof, po in ((ins or {}).get("profiles") or {}).items():
        rows = [[n, x["per_packet"], x.get("whole_process_per_packet"), x["ir_small"], x["ir_large"],
                 x["fixed_cost_ir"]] for n, x in po["programs"].items()]
        table("instructions per packet (callgrind, %s profile: --flows %s, %d vs %d packets, %s packets/flow; "
              "netmonsec Ir/packet = packet-path threads)" % (
                  prof, fmt(po["flows"]), po["large_capture"]["packets"], po["small_capture"]["packets"],
                  po.get("packets_per_flow_large")),
              ["program", "Ir/packet", "whole process", "Ir small", "Ir large", "fixed Ir"], rows)
        if "dpi_cost_pct" in po:
            print("  DPI cost in instructions (packet path, DPI on vs off): %+.1f%%" % po["dpi_cost_pct"])
        top = po.get("netmonsec_top_functions") or []
        if top:
            table("netmonsec steady state by function (%s; self Ir, large - small)" % prof,
                  ["function", "Ir/packet", "%"], [[t["function"][:90], t["ir_per_packet"], t["percent"]] for t in top[:12]])
    dc = d.get("dpi_cost")
    if dc:
        rows = [[prof, x["median_mpps_on"], x["median_mpps_off"], x["dpi_cost_pct"], x.get("dpi_cost_cpu_pct")]
                for prof, x in dc["profiles"].items()]
        table("DPI cost, wall clock (bench_pipeline 1 worker, median of %d interleaved rounds of %d passes)"
              % (dc["rounds"], dc.get("repeat", 1)),
              ["profile", "Mpps DPI on", "Mpps DPI off", "cost % (wall)", "cost % (CPU s)"], rows)
    mem = d.get("memory") or {}
    ft = mem.get("flow_table")
    if ft:
        rows = [["flow table, %s flows" % fmt(ft["flows"]), ft["bytes_per_flow"], ft["flows_per_gib"],
                 ft["insert_ns_per_flow"], ft["lookup_ns_per_packet"]]]
        table("memory", ["what", "bytes/flow", "flows/GiB", "insert ns", "lookup ns"], rows)
    if mem.get("daemon_peak_rss"):
        print("  daemon peak RSS on the IMIX replay: " + ", ".join(
            "%s worker(s) %.1f MiB" % (w, b / 2**20) for w, b in mem["daemon_peak_rss"]["workers"].items()))
    live = d.get("live")
    if live and "veth" in live:
        rows = []
        for r in live["veth"]["topspeed"] + live["veth"]["sweep"]:
            rows.append([r["reader"], r["rate_pps"], r["sent"], r["sent_pps"], r["captured"], r["kernel_drops"],
                         r["other_drops"], r["lost"], r["cpu_s_per_mpkt"]])
        table("live (veth, 64-byte frames)", ["reader", "rate", "sent", "sent pps", "captured", "kernel drops",
                                              "ring drops", "lost", "CPU s/Mpkt"], rows)
        da = live["drop_accounting"]
        print("  drop accounting (tiny rings): sent %s, captured %s, kernel %s + ring %s = %s counted, "
              "sent - captured = %s: %s" % (fmt(da["sent"]), fmt(da["captured"]), fmt(da["kernel_drops"]),
                                            fmt(da["ring_full_drops"]), fmt(da["counted_drops"]),
                                            fmt(da["sent_minus_captured"]), "EXACT" if da["exact"] else "MISMATCH"))
    elif live:
        print("\nlive: skipped (%s)" % live.get("skipped"))
    table("targets (reported, not enforced)", ["target", "goal", "measured", "met", "note"],
          [[t["target"], t["goal"], t["measured"], {True: "yes", False: "NO", None: "-"}[t["met"]], t["note"]]
           for t in d["targets"]])
    for e in d["errors"]:
        print("ERROR %s: %s" % (e["figure"], e["error"][:300]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-live", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--repeat", type=int, default=0)
    ap.add_argument("--out", default="")
    bench = Bench(ap.parse_args())
    try:
        return bench.run()
    finally:
        subprocess.run(["rm", "-rf", bench.work])


if __name__ == "__main__":
    sys.exit(main())
