#pragma once
// TcpScript: plans one TCP connection inside a Session with consistent sequence and
// acknowledgement numbers: three-way handshake, MSS-sized data segments with an ACK every
// second segment, FIN teardown or RST.
#include <cstdint>
#include <vector>

#include "gen/rng.hpp"
#include "gen/session.hpp"

namespace nms::gen {

inline constexpr size_t kPoolSize = 65536;   // offsets into the payload pools are below this
inline constexpr size_t kPoolSlack = 2048;   // pools are kPoolSize + kPoolSlack bytes long
inline constexpr size_t kMss = 1460;           // IPv4 MSS on a 1500-byte MTU

class TcpScript {
 public:
    TcpScript(Session& s, Rng& rng, const Endpoint& client, const Endpoint& server, uint8_t client_ttl = 64,
              uint8_t server_ttl = 56)
        : s_(s), rng_(rng), c_(client), srv_(server), cttl_(client_ttl), sttl_(server_ttl),
          cseq_(rng.u32()), sseq_(rng.u32()), mss_(client.v6 ? kMss - 20 : kMss) {}

    void handshake(bool options = true) {
        push(true, 0x02, PayloadKind::kNone, 0, 0, options).first = true;
        push(false, 0x12, PayloadKind::kNone, 0, 0, options);
        push(true, 0x10, PayloadKind::kNone, 0, 0);
    }
    // A SYN alone (scans, floods); `first` marks a new flow.
    void syn() { push(true, 0x02, PayloadKind::kNone, 0, 0, true).first = true; }
    void syn_ack() { push(false, 0x12, PayloadKind::kNone, 0, 0, true); }
    void rst(bool from_client, bool with_ack = true) {
        push(from_client, with_ack ? 0x14 : 0x04, PayloadKind::kNone, 0, 0);
    }
    // Bytes from the arena [off, off+len) or a pool, cut into MSS segments.
    void send(bool from_client, PayloadKind kind, uint32_t off, size_t len) {
        const size_t mss = mss_;
        size_t done = 0;
        while (done < len) {
            const size_t n = len - done < mss ? len - done : mss;
            const uint32_t o = kind == PayloadKind::kArena ? off + static_cast<uint32_t>(done) : pool_off(n);
            push(from_client, 0x18, kind, o, n);
            done += n;
            if (++unacked_ == 2) ack(!from_client);
        }
        if (unacked_) ack(!from_client);
    }
    // Appends `bytes` to the arena and sends them.
    void send_bytes(bool from_client, const std::vector<uint8_t>& bytes) {
        const auto off = static_cast<uint32_t>(s_.arena.size());
        s_.arena.insert(s_.arena.end(), bytes.begin(), bytes.end());
        send(from_client, PayloadKind::kArena, off, bytes.size());
    }
    // `total` bytes of TLS application data, one record per segment.
    void tls_data(bool from_client, size_t total) {
        while (total > 0) {
            size_t n = total < mss_ ? total : mss_;
            if (n < 24) n = 24;
            push(from_client, 0x18, PayloadKind::kTlsAppData, pool_off(n), n);
            total = total > n ? total - n : 0;
            if (++unacked_ == 2) ack(!from_client);
        }
        if (unacked_) ack(!from_client);
    }
    // One data segment with a piggybacked ACK (bulk flows: no pure ACKs).
    void data(bool from_client, PayloadKind kind, size_t n) { push(from_client, 0x18, kind, pool_off(n), n); }
    void close(bool client_first = true) {
        push(client_first, 0x11, PayloadKind::kNone, 0, 0);
        push(!client_first, 0x11, PayloadKind::kNone, 0, 0);
        push(client_first, 0x10, PayloadKind::kNone, 0, 0);
    }

 private:
    uint32_t pool_off(size_t n) { return rng_.below(static_cast<uint32_t>(kPoolSize - (n > 1600 ? 1600 : 0))); }
    void ack(bool from_client) {
        push(from_client, 0x10, PayloadKind::kNone, 0, 0);
        unacked_ = 0;
    }
    Step& push(bool from_client, uint8_t flags, PayloadKind kind, uint32_t off, size_t len, bool options = false) {
        Step& st = s_.steps.emplace_back();
        st.src = from_client ? c_ : srv_;
        st.dst = from_client ? srv_ : c_;
        uint32_t& mine = from_client ? cseq_ : sseq_;
        const uint32_t theirs = from_client ? sseq_ : cseq_;
        st.seq = mine;
        st.ack = (flags & 0x10) ? theirs : 0;
        st.proto = 6;
        st.flags = flags;
        st.kind = kind;
        st.off = off;
        st.len = static_cast<uint16_t>(len);
        st.ttl = from_client ? cttl_ : sttl_;
        st.syn_options = options;
        mine += static_cast<uint32_t>(len) + ((flags & 0x03) ? 1 : 0);
        return st;
    }

    Session& s_;
    Rng& rng_;
    Endpoint c_, srv_;
    uint8_t cttl_, sttl_;
    uint32_t cseq_, sseq_;
    size_t mss_;  // 1460 over IPv4, 1440 over IPv6: frames fit a 1500-byte MTU
    unsigned unacked_ = 0;
};

}  // namespace nms::gen
