#!/usr/bin/env python3
"""Seed corpus for fuzz_dpi: one input per DPI fixture (tests/unit/dpi/*_fixtures.hpp), sent
both to its dissector's port and down the port-less path, plus one small input per registered
dissector so every dissector is reached even without a fixture, plus the hand-written seeds
in tests/fuzz/seeds/dpi/NAME.seed ('proto tcp|udp', then '>' / '<' lines of hex: one segment
or datagram to the server / to the client each; tools/new-dissector writes one).

  make_dpi_seeds.py OUT_DIR

Input format (see tests/fuzz/fuzz_dpi.cpp): [n][name][port slot][flags: 1 = UDP] then
segments [u16 BE: 0x8000 = to client | length][bytes]."""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORTLESS_SLOT = 0xff


def dissector_names():
    names = set()
    for f in glob.glob(os.path.join(ROOT, "engine", "dpi", "dissectors", "*.cpp")):
        names.update(re.findall(r'DissectorInfo\s*(?:info_)?\{"([a-z0-9-]+)"', open(f).read()))
    return sorted(names)


def c_literal_bytes(text):
    """Concatenated C string literals -> bytes (\\xHH, \\n, \\r, \\t, \\\\, \\" escapes)."""
    out = bytearray()
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', text):
        i = 0
        while i < len(lit):
            c = lit[i]
            if c == "\\":
                n = lit[i + 1]
                if n == "x":
                    m = re.match(r"[0-9a-fA-F]{1,2}", lit[i + 2:])
                    out.append(int(m.group(0), 16))
                    i += 2 + len(m.group(0))
                    continue
                out += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0"}.get(n, n.encode())
                i += 2
                continue
            out += c.encode()
            i += 1
    return bytes(out)


def fixtures():
    """(fixture name, udp, [(to_server, bytes)])"""
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "unit", "dpi", "*_fixtures.hpp"))):
        text = open(f).read()
        udp = os.path.basename(f).startswith("udp")
        for name, body in re.findall(r"std::vector<HexSeg>\s+(k\w+)\s*=\s*\{(.*?)\n\};", text, re.S):
            segs = []
            for hexes, direction in re.findall(r'\{((?:\s*"[0-9a-fA-F]*")+)\s*,\s*(true|false)\s*\}', body):
                segs.append((direction == "true", bytes.fromhex("".join(re.findall(r'"([0-9a-fA-F]*)"', hexes)))))
            out.append((name, udp, segs))
        for name, body in re.findall(r"std::string_view\s+(k\w+)\s*(?:=|\{)(.*?);", text, re.S):
            data = c_literal_bytes(body)
            to_server = not re.search(r"Server|Response|Offer|Ack", name)
            out.append((name, udp or name.startswith(("kQuic", "kDtls")), [(to_server, data)]))
    return out


def seed_files():
    """(dissector name, udp, [(to_server, bytes)]) from tests/fuzz/seeds/dpi/*.seed"""
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "seeds", "dpi", "*.seed"))):
        udp = False
        segs = []
        for line in open(f):
            line = line.strip()
            if line.startswith("proto "):
                udp = line.split()[1] == "udp"
            elif line[:1] in (">", "<"):
                segs.append((line[0] == ">", bytes.fromhex(line[1:].replace(" ", ""))))
        out.append((os.path.basename(f)[:-len(".seed")], udp, segs))
    return out


def dissector_of(fixture, names):
    low = fixture[1:].lower().replace("nbns", "netbios").replace("nbdgm", "netbios").replace("android", "tls")
    best = ""
    for n in names:
        if low.startswith(n.replace("-", "")) and len(n) > len(best):
            best = n
    return best


def encode(name, slot, udp, segs):
    b = bytearray([len(name)]) + name.encode() + bytes([slot, 1 if udp else 0])
    for to_server, data in segs:
        data = data[:0x7fff]
        b += (len(data) | (0 if to_server else 0x8000)).to_bytes(2, "big") + data
    return bytes(b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = dissector_names()
    seeds = {}
    for fx, udp, segs in fixtures():
        d = dissector_of(fx, names)
        if d:
            seeds["%s-%s" % (d, fx)] = encode(d, 0, udp, segs)
        seeds["portless-%s" % fx] = encode("", PORTLESS_SLOT, udp, segs)
    for d, udp, segs in seed_files():
        if d in names:
            seeds["%s-seed" % d] = encode(d, 0, udp, segs)
        seeds["portless-seed-%s" % d] = encode("", PORTLESS_SLOT, udp, segs)
    for n in names:
        for udp in (False, True):
            seeds["%s-min-%s" % (n, "udp" if udp else "tcp")] = encode(n, 0, udp, [(True, b"\0" * 16), (False, b"\0" * 16)])
    for k, v in seeds.items():
        with open(os.path.join(out, k), "wb") as f:
            f.write(v)
    print("%d seeds for %d dissectors in %s" % (len(seeds), len(names), out))


if __name__ == "__main__":
    main()
