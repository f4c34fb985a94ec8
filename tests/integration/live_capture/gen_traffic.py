#!/usr/bin/env python3
"""Writes a pcap of Ethernet/IPv4 UDP+TCP frames over FLOWS flows between 10.77.0.0/16 test
addresses, both directions, ~10% of flows inside an 802.1Q tag. Prints a JSON summary."""
import json
import random
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(src, dst, sport, dport, proto, payload, vlan):
    if proto == 17:
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    else:  # TCP, ACK|PSH, no options
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 5 << 4, 0x18, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    return eth + b"\x08\x00" + ip + l4


def main():
    out, frames_n, flows_n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    flows = []
    for i in range(flows_n):
        a = bytes([10, 77, 1 + i // 250, 1 + i % 250])
        b = bytes([10, 77, 200, 1 + rnd.randrange(200)])
        vlan = 100 + (i // 10) % 5 if i % 10 == 0 else None
        flows.append((a, b, 1024 + rnd.randrange(60000), rnd.choice([53, 80, 443, 5000 + i]),
                      rnd.choice([6, 17]), vlan))
    vlan_frames = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n in range(frames_n):
            a, b, sport, dport, proto, vlan = flows[n % flows_n] if n < flows_n else rnd.choice(flows)
            if rnd.random() < 0.4:  # reply direction: the fanout hash must be symmetric
                a, b, sport, dport = b, a, dport, sport
            data = frame(a, b, sport, dport, proto, bytes(rnd.randrange(0, 200)), vlan)
            vlan_frames += vlan is not None
            f.write(struct.pack("<IIII", 1700000000 + n // 1000, (n % 1000) * 1000, len(data), len(data)))
            f.write(data)
    print(json.dumps({"frames": frames_n, "flows": flows_n, "vlan_frames": vlan_frames,
                      "vlan_ids": len({fl[5] for fl in flows if fl[5] is not None})}))


if __name__ == "__main__":
    main()
