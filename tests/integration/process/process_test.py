#!/usr/bin/env python3
"""The daemon as an operator meets it: exit codes and messages for bad input, signals.

Each case runs the real binary and checks its exit code and the words of its message.
Crafted captures are written here, byte by byte. Prints 'N passed, N failed'.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

NMS = sys.argv[1]
CORPUS = sys.argv[2]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"\n     {detail}"))


def run(args, timeout=60, **kw):
    return subprocess.run([NMS] + args, capture_output=True, text=True, timeout=timeout, **kw)


def pcap(records, linktype=1, snaplen=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for ts, data, wirelen in records:
        out += struct.pack("<IIII", ts, 0, len(data), wirelen) + data
    return out


def udp_frame(sport=1000, dport=53):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 32, 1, 0, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + struct.pack("!HHHH", sport, dport, 12, 0) + b"abcd"


with tempfile.TemporaryDirectory() as tmp:
    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    def eve_events(path, kind):
        return [e for e in map(json.loads, open(path)) if e["event_type"] == kind]

    # --- usage and configuration errors: exit 2 with a message naming the fix ---
    r = run(["--workers", "abc"])
    check("bad option value -> exit 2 naming the option", r.returncode == 2 and "-w" in r.stderr + "--workers", r.stderr)
    r = run(["--frobnicate"])
    check("unknown option -> exit 2 with --help hint", r.returncode == 2 and "--help" in r.stderr, r.stderr)
    bad_cfg = write("bad.toml", b"[capture]\nsnaplen = \"big\"\nblock_count = 1\n[nope]\nx = 1\n")
    r = run(["-c", bad_cfg, "-r", os.path.join(CORPUS, "pcap", "ndpi__dns.pcap")])
    check("wrong config types -> exit 2, every error with key and line",
          r.returncode == 2 and "bad.toml:2" in r.stderr and "capture.snaplen" in r.stderr
          and "bad.toml:3" in r.stderr and "nope" in r.stderr, r.stderr)
    r = run(["-c", os.path.join(tmp, "missing.toml")])
    check("missing -c file -> exit 2", r.returncode == 2 and "missing.toml" in r.stderr, r.stderr)
    r = run(["-r", os.path.join(tmp, "absent.pcap")])
    check("nonexistent capture file -> exit 2 naming it", r.returncode == 2 and "absent.pcap" in r.stderr, r.stderr)
    r = run(["-r", write("notpcap.pcap", b"hello, this is not a capture file at all\n" * 10)])
    check("not a capture file -> exit 2", r.returncode == 2 and "notpcap.pcap" in r.stderr, r.stderr)
    r = run(["-r", write("usb.pcap", pcap([(1, b"\0" * 64, 64)], linktype=189))])
    check("unknown link type -> exit 2 naming it", r.returncode == 2 and "link type" in r.stderr, r.stderr)
    r = run(["-i", "nms-no-such-if0"])
    check("nonexistent interface -> exit 2 pointing at --list",
          r.returncode == 2 and "nms-no-such-if0" in r.stderr and "--list" in r.stderr, r.stderr)
    if os.getuid() == 0:
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                            NMS, "-i", "lo"], capture_output=True, text=True, timeout=30)
        check("no permission to capture -> exit 2 naming setcap",
              r.returncode == 2 and "setcap cap_net_raw,cap_net_admin+eip" in r.stderr, r.stderr)

    # --- damaged captures: counted, reported, exit 0, never a hang ---
    good = udp_frame()
    trunc = pcap([(1, good, len(good)), (2, good, len(good))])[:-10]
    r = run(["-r", write("trunc.pcap", trunc), "--eve", os.path.join(tmp, "t.json")])
    check("truncated capture -> exit 0, first packet counted, damage reported",
          r.returncode == 0 and "1 packets" in r.stderr and "truncated" in r.stderr, r.stderr)
    big = pcap([(1, good, len(good))], snaplen=1 << 20)
    r = run(["-r", write("bigsnap.pcap", big)])
    check("snaplen > 256 KiB in the header -> read safely", r.returncode == 0 and "1 packets" in r.stderr, r.stderr)
    zero = pcap([(1, b"", 0), (2, good, len(good)), (3, b"", 60)])
    r = run(["-r", write("zero.pcap", zero), "--eve", os.path.join(tmp, "z.json")])
    check("zero-length records skipped and counted", r.returncode == 0 and "1 packets" in r.stderr, r.stderr)
    header_only = pcap([(1, good, len(good))])
    oversized = header_only + struct.pack("<IIII", 2, 0, 300000, 300000) + b"\0" * 64
    r = run(["-r", write("oversized.pcap", oversized)])
    check("oversized record -> exit 0, packets before it counted",
          r.returncode == 0 and "1 packets" in r.stderr, r.stderr)
    garbage = pcap([(i, bytes((i * 37 + j) & 0xFF for j in range(i % 90)), 90) for i in range(1, 400)])
    nonempty = sum(1 for i in range(1, 400) if i % 90)  # zero-length records are skipped, not packets
    r = run(["-r", write("garbage.pcap", garbage), "--eve", os.path.join(tmp, "g.json")])
    st = eve_events(os.path.join(tmp, "g.json"), "stats")
    check("garbage frames -> counted as undecodable by reason, exit 0",
          r.returncode == 0 and st and st[-1]["stats"]["decoder"]["invalid"] > 0
          and st[-1]["stats"]["decoder"]["pkts"] == nonempty, r.stderr)

    # --- signals: SIGHUP reloads live settings, SIGTERM drains and exits 0 ---
    cfg = write("live.toml", b"[flow.timeouts]\nudp_s = 120\n")
    p = subprocess.Popen([NMS, "-c", cfg, "-r", os.path.join(CORPUS, "pcap", "ndpi__dns.pcap"), "--loop", "0",
                          "--replay-speed", "1", "--eve", os.path.join(tmp, "s.json"), "-v"],
                         stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = p.stderr.readline()
        lines.append(line)
        if "capture running" in line or not line:
            break
    with open(cfg, "w") as fh:
        fh.write("[flow.timeouts]\nudp_s = 30\n[capture]\nsnaplen = 4096\n")
    p.send_signal(signal.SIGHUP)
    while time.time() < deadline:
        line = p.stderr.readline()
        lines.append(line)
        if "reloaded" in line or not line:
            break
    reload_line = lines[-1]
    check("SIGHUP applies live keys and names the ones needing a restart",
          "flow.timeouts.udp_s" in reload_line and "capture.snaplen" in reload_line.split("restart")[-1],
          "".join(lines))
    p.send_signal(signal.SIGTERM)
    try:
        rest = p.communicate(timeout=20)[1]
        check("SIGTERM -> drains, prints the summary, exit 0", p.returncode == 0 and "packets" in rest, rest)
    except subprocess.TimeoutExpired:
        p.kill()
        check("SIGTERM -> exits", False, "hung")

failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
