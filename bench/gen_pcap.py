#!/usr/bin/env python3
"""Deterministic synthetic capture for benchmarks (stdlib only).

Writes a classic pcap (LINKTYPE_ETHERNET, microsecond timestamps) of Ethernet II + IPv4 +
TCP/UDP frames between addresses of the benchmarking range 198.18.0.0/15 (RFC 2544).
The same arguments always give the same bytes.

Flows: the first --flows packets open every flow once, in a shuffled order (TCP flows
start with a SYN); later packets pick a flow at random and go either way (about half are
replies), so a flow table sees every flow created and then looked up from both sides.

Sizes are frame lengths on the wire including the 4-byte FCS, as RFC 2544 counts them;
the capture holds the frame without FCS (64 -> 60 captured bytes). imix is 7:4:1 of
64 / 594 / 1518 (IP datagrams of 46 / 576 / 1500 bytes).

IPv4 header checksums are correct; TCP/UDP checksums are 0 (UDP: "none"; TCP: wrong on
purpose, nothing in the benchmark verifies them).
"""
import argparse
import random
import struct
import sys

ETH_HDR = struct.Struct("!6s6sH")
IP_HDR = struct.Struct("!BBHHHBBH4s4s")
TCP_HDR = struct.Struct("!HHIIBBHHH")
UDP_HDR = struct.Struct("!HHHH")
REC_HDR = struct.Struct("<IIII")
PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)

FCS = 4
ETH_LEN = 14
IP_LEN = 20
TCP_LEN = 20
UDP_LEN = 8
IMIX = [64] * 7 + [594] * 4 + [1518]
BASE_TS_S = 1_700_000_000
TCP_SYN = 0x02
TCP_ACK = 0x10
TCP_PSH_ACK = 0x18


def ip_checksum_partial(words_sum):
    s = (words_sum & 0xFFFF) + (words_sum >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Flow:
    __slots__ = ("proto", "addr", "port", "mac", "base_sum", "seq")

    def __init__(self, proto, a, b, pa, pb, ma, mb, seq):
        self.proto = proto
        self.addr = (a, b)
        self.port = (pa, pb)
        self.mac = (ma, mb)
        # Sum of the IPv4 header words that do not change from packet to packet
        # (version/IHL/TOS, TTL/proto, addresses); total length and id are added per packet.
        s = 0x4500 + ((64 << 8) | proto)
        for addr in (a, b):
            s += (addr[0] << 8 | addr[1]) + (addr[2] << 8 | addr[3])
        self.base_sum = s
        self.seq = [seq, seq ^ 0x5A5A5A5A]


def make_flows(rng, n, proto_mode):
    flows = []
    seen = set()
    base = (198 << 24) | (18 << 16)
    while len(flows) < n:
        a = base | rng.getrandbits(17)
        b = base | rng.getrandbits(17)
        pa = rng.randrange(1024, 65536)
        pb = rng.choice((53, 80, 123, 443, 8080)) if rng.random() < 0.5 else rng.randrange(1024, 65536)
        if proto_mode == "tcp":
            proto = 6
        elif proto_mode == "udp":
            proto = 17
        else:
            proto = 6 if rng.random() < 0.6 else 17
        lo, hi = sorted(((a, pa), (b, pb)))
        key = (lo, hi, proto)
        if a == b or key in seen:
            continue
        seen.add(key)
        ma = b"\x02\x00" + struct.pack("!I", a)
        mb = b"\x02\x01" + struct.pack("!I", b)
        flows.append(Flow(proto, struct.pack("!I", a), struct.pack("!I", b), pa, pb, ma, mb, rng.getrandbits(32)))
    return flows


def frame(flow, d, wire_size, ip_id, flags):
    """One captured frame (no FCS) of `flow` in direction d (0 = client -> server)."""
    cap = wire_size - FCS
    l4 = TCP_LEN if flow.proto == 6 else UDP_LEN
    cap = max(cap, ETH_LEN + IP_LEN + l4)
    ip_total = cap - ETH_LEN
    src, dst = flow.addr[d], flow.addr[1 - d]
    csum = ip_checksum_partial(flow.base_sum + ip_total + ip_id)
    eth = ETH_HDR.pack(flow.mac[1 - d], flow.mac[d], 0x0800)
    ip = IP_HDR.pack(0x45, 0, ip_total, ip_id, 0, 64, flow.proto, csum, src, dst)
    payload_len = ip_total - IP_LEN - l4
    if flow.proto == 6:
        seq = flow.seq[d]
        flow.seq[d] = (seq + payload_len + (1 if flags == TCP_SYN else 0)) & 0xFFFFFFFF
        ack = flow.seq[1 - d] if flags != TCP_SYN else 0
        l4h = TCP_HDR.pack(flow.port[d], flow.port[1 - d], seq, ack, 5 << 4, flags, 65535, 0, 0)
    else:
        l4h = UDP_HDR.pack(flow.port[d], flow.port[1 - d], UDP_LEN + payload_len, 0)
    return eth + ip + l4h + bytes(payload_len), cap


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True, help="pcap file to write")
    p.add_argument("--flows", type=int, default=100_000)
    p.add_argument("--packets", type=int, default=1_000_000, help="total packets (>= --flows)")
    p.add_argument("--size", default="64", help="frame size on the wire incl. FCS (64..1518) or 'imix'")
    p.add_argument("--proto", default="mix", choices=("mix", "tcp", "udp"), help="mix = 60%% TCP, 40%% UDP")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.flows < 1 or args.packets < args.flows:
        p.error("need 1 <= --flows <= --packets")
    if args.size == "imix":
        sizes = IMIX
    else:
        size = int(args.size)
        if not 64 <= size <= 1518:
            p.error("--size must be within 64..1518 or imix")
        sizes = [size]

    rng = random.Random(args.seed)
    flows = make_flows(rng, args.flows, args.proto)
    order = list(range(args.flows))
    rng.shuffle(order)

    total_bytes = 0
    chunk = []
    with open(args.output, "wb") as out:
        out.write(PCAP_GLOBAL)
        for i in range(args.packets):
            if i < args.flows:
                fl = flows[order[i]]
                d = 0
                flags = TCP_SYN
            else:
                fl = flows[rng.randrange(args.flows)]
                d = rng.getrandbits(1)
                flags = TCP_PSH_ACK if rng.getrandbits(1) else TCP_ACK
            wire = sizes[rng.randrange(len(sizes))] if len(sizes) > 1 else sizes[0]
            data, cap = frame(fl, d, wire, i & 0xFFFF, flags)
            ts_us = i  # one microsecond per packet
            chunk.append(REC_HDR.pack(BASE_TS_S + ts_us // 1_000_000, ts_us % 1_000_000, cap, cap))
            chunk.append(data)
            total_bytes += cap
            if len(chunk) >= 65536:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))
    sys.stderr.write(
        "gen_pcap: %d packets, %d flows, %d frame bytes -> %s\n" % (args.packets, args.flows, total_bytes, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
