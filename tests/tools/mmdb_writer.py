#!/usr/bin/env python3
"""A small MaxMind DB (MMDB 2.0) writer for tests: GeoLite2-Country-like and GeoLite2-ASN-like
files without MaxMind's Perl/Go writers (none is in Debian's default install).

Format (MaxMind DB File Format Specification 2.0): a binary search tree over the address bits
(IPv6 tree, IPv4 networks under ::/96 as libmaxminddb looks them up), 24-bit records; then 16
zero bytes; then the data section (the records' maps, each encoded once); then the metadata
marker "\\xab\\xcd\\xefMaxMind.com" and the metadata map.

Usage: mmdb_writer.py OUT.mmdb DATABASE_TYPE SPEC.json
SPEC.json = {"192.0.2.0/24": {...record...}, "2001:db8::/32": {...}}; records are JSON maps
(strings, non-negative integers -> uint32/uint64, floats -> double, bools, lists, maps).
"""
import ipaddress
import json
import struct
import sys
import time

RECORD_SIZE = 24  # bits per record: a node is 6 bytes


def _ctrl(type_num, size):
    """Control byte(s) for a type and payload size (spec: "Data Field Format")."""
    if size < 29:
        head, extra = size, b""
    elif size < 29 + 256:
        head, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        head, extra = 30, struct.pack(">H", size - 285)
    else:
        head, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_num <= 7:
        return bytes([(type_num << 5) | head]) + extra
    return bytes([head, type_num - 7]) + extra  # extended type: 0 in the top bits, then type - 7


def _uint(type_num, v, max_bytes):
    b = v.to_bytes(max_bytes, "big").lstrip(b"\0")
    return _ctrl(type_num, len(b)) + b


def encode(v):
    if isinstance(v, bool):
        return _ctrl(14, 1 if v else 0)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _ctrl(2, len(b)) + b
    if isinstance(v, int):
        if v < 0:
            raise ValueError("negative integers are not used by GeoLite2 records")
        if v < 1 << 16:
            return _uint(5, v, 2)
        if v < 1 << 32:
            return _uint(6, v, 4)
        return _uint(9, v, 8)
    if isinstance(v, float):
        return _ctrl(3, 8) + struct.pack(">d", v)
    if isinstance(v, dict):
        out = _ctrl(7, len(v))
        for k, x in v.items():
            out += encode(str(k)) + encode(x)
        return out
    if isinstance(v, (list, tuple)):
        out = _ctrl(11, len(v))
        for x in v:
            out += encode(x)
        return out
    raise TypeError(f"cannot encode {type(v).__name__}")


def _bits(net):
    """The network's prefix as a bit string in the IPv6 tree."""
    if net.version == 4:
        value, plen = int(net.network_address), 96 + net.prefixlen
    else:
        value, plen = int(net.network_address), net.prefixlen
    return [(value >> (127 - i)) & 1 for i in range(plen)]


def build(records, database_type, description="netmonsec test database", languages=("en",)):
    """records: list of (network text, dict). Returns the file's bytes."""
    # Trie of nodes [left, right]; an entry is None (nothing), ("n", index) or ("d", data key).
    nodes = [[None, None]]
    data = {}  # encoded record -> offset in the data section
    section = b""
    for text, rec in records:
        net = ipaddress.ip_network(text, strict=False)
        bits = _bits(net)
        if not bits:
            raise ValueError("a record for the whole address space is not supported")
        enc = encode(rec)
        if enc not in data:
            data[enc] = len(section)
            section += enc
        node = 0
        for depth, bit in enumerate(bits):
            last = depth == len(bits) - 1
            if last:
                nodes[node][bit] = ("d", data[enc])
                break
            nxt = nodes[node][bit]
            if nxt is None or nxt[0] == "d":  # split a covering record into children that keep it
                nodes.append([nxt, nxt])
                nodes[node][bit] = ("n", len(nodes) - 1)
                nxt = nodes[node][bit]
            node = nxt[1]
    count = len(nodes)

    def rec_value(e):
        if e is None:
            return count
        if e[0] == "n":
            return e[1]
        return count + 16 + e[1]

    tree = b"".join(rec_value(l).to_bytes(3, "big") + rec_value(r).to_bytes(3, "big") for l, r in nodes)
    meta = {
        "binary_format_major_version": 2,
        "binary_format_minor_version": 0,
        "build_epoch": int(time.time()),
        "database_type": database_type,
        "description": {"en": description},
        "ip_version": 6,
        "languages": list(languages),
        "node_count": count,
        "record_size": RECORD_SIZE,
    }
    # node_count is uint32 and record_size/ip_version/format versions uint16 in the spec.
    menc = _ctrl(7, len(meta))
    for k, v in meta.items():
        menc += encode(k)
        if k == "node_count":
            menc += _uint(6, v, 4)
        elif k == "build_epoch":
            menc += _uint(9, v, 8)
        else:
            menc += encode(v)
    return tree + b"\0" * 16 + section + b"\xab\xcd\xefMaxMind.com" + menc


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[3]) as f:
        spec = json.load(f)
    blob = build(list(spec.items()), argv[2])
    with open(argv[1], "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
