#pragma once
// TcpSig: a TCP SYN or SYN+ACK described the way p0f 3 describes it
// (ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass), computed from a decoded packet.
// Fixed size, no allocation: computed on the worker, matched later on the stats thread.
#include <cstdint>
#include <string>

#include "decode/packet_view.hpp"

namespace nms::devices {

// p0f's quirks, same meaning and order as its documentation.
enum TcpQuirk : uint32_t {
    kQuirkDf = 1u << 0,       // df: IPv4 don't fragment
    kQuirkNzId = 1u << 1,     // id+: DF set but IPID non-zero
    kQuirkZeroId = 1u << 2,   // id-: DF not set but IPID zero
    kQuirkEcn = 1u << 3,      // ecn
    kQuirkNzMbz = 1u << 4,    // 0+: IPv4 "must be zero" flag set
    kQuirkFlow = 1u << 5,     // flow: IPv6 flow label non-zero
    kQuirkZeroSeq = 1u << 6,  // seq-
    kQuirkNzAck = 1u << 7,    // ack+: ACK number non-zero without the ACK flag
    kQuirkZeroAck = 1u << 8,  // ack-: ACK flag with ACK number zero
    kQuirkNzUrg = 1u << 9,    // uptr+: urgent pointer non-zero without URG
    kQuirkUrg = 1u << 10,     // urgf+
    kQuirkPush = 1u << 11,    // pushf+
    kQuirkOptZeroTs1 = 1u << 12,  // ts1-: own timestamp zero
    kQuirkOptNzTs2 = 1u << 13,    // ts2+: peer timestamp non-zero on a SYN
    kQuirkOptEolNz = 1u << 14,    // opt+: non-zero bytes after EOL
    kQuirkOptExws = 1u << 15,     // exws: window scale > 14
    kQuirkOptBad = 1u << 16,      // bad: malformed options
};

// Option kinds kept in the layout (TCP option numbers; anything else is "?n").
enum : uint8_t { kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWs = 3, kOptSok = 4, kOptSack = 5, kOptTs = 8 };

struct TcpSig {
    static constexpr size_t kMaxLayout = 40;
    uint8_t ip_ver = 4;
    uint8_t ttl = 0;            // as observed
    uint8_t olen = 0;           // IPv4 option bytes
    bool response = false;      // SYN+ACK
    int32_t mss = 0;            // 0 = no MSS option (as p0f)
    uint16_t win = 0;
    int16_t wscale = 0;         // 0 = no window scale option (as p0f)
    uint8_t layout_len = 0;
    uint8_t layout[kMaxLayout]{};
    uint8_t eol_pad = 0;        // bytes after EOL
    uint32_t quirks = 0;
    uint8_t pclass = 0;         // 1 = payload present
    bool ts1_nonzero = false;   // own timestamp present and non-zero (for p0f's "MSS - 12" rule)
    uint16_t tot_hdr = 0;       // IP + TCP header bytes

    bool operator==(const TcpSig&) const = default;
};

// p0f's initial TTL guess: the next of 32, 64, 128, 255 at or above the observed TTL.
uint8_t guess_ittl(uint8_t ttl) noexcept;

// From a SYN (response = false) or SYN+ACK (true); false if `pkt` is neither or is not
// fully there. Reads IPv4 flags at pkt.l3_off and the option bytes at tcp_opts.options_off.
bool compute_tcp_sig(const decode::PacketView& pkt, TcpSig& out) noexcept;

// p0f text: "4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0" with the guessed ittl
// (the same text is valid in a p0f.fp file).
std::string tcp_sig_to_string(const TcpSig& s);

}  // namespace nms::devices
