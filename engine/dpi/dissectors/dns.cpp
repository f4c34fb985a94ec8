// DNS (UDP/TCP 53), mDNS (UDP 5353) and LLMNR (UDP 5355): one wire format, three EVE names.
// Events follow Suricata's eve "dns" v2 shape: one "query" event per question and one
// "answer" event per response (flags, rcode, first question, bounded answers), plus the
// query->response latency from a small per-flow table of pending ids.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "dpi/device_fact.hpp"
#include "dpi/security_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/dns_parse.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t {
    kType, kId, kFlags, kRrname, kRrtype, kRcode, kTxId, kLatencyUs, kOpcode, kNameTooLong,
    // answers, in order: kAnName starts a record
    kAnName = 32, kAnType, kAnTtl, kAnAddr, kAnText,
};

enum class Flavor : uint8_t { kDns, kMdns, kLlmnr };

constexpr size_t kMaxQuestions = 8;    // query events per message
constexpr size_t kMaxAnswers = 16;     // records per answer event
constexpr size_t kPending = 16;        // outstanding queries per flow (latency)
constexpr uint32_t kTcpWhole = 4096;   // larger TCP messages are read from their first bytes
constexpr size_t kTcpPartialMin = 512;

struct Pending {
    TimestampNs ts;
    uint32_t tx_id;
    uint16_t id;
    uint16_t used;
};
struct DnsState {
    Pending pend[kPending];
    uint32_t next_tx;
    uint32_t skip[2];  // TCP: bytes of an oversized message still to pass over, per direction
};
static_assert(sizeof(DnsState) <= kMaxStateBytes);

class DnsDissector final : public Dissector {
 public:
    DnsDissector(Flavor f, DissectorInfo info) : flavor_(f), info_(info) {}
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        const uint16_t port = in.server_port;
        switch (flavor_) {
            case Flavor::kMdns:
                if (in.tcp || port != 5353) return Verdict::kExcluded;
                return dns::looks_like_dns(in.data, false) ? Verdict::kDetected : Verdict::kExcluded;
            case Flavor::kLlmnr:
                if (in.tcp || port != 5355) return Verdict::kExcluded;
                return dns::looks_like_dns(in.data, false) ? Verdict::kDetected : Verdict::kExcluded;
            case Flavor::kDns: break;
        }
        if (port == 5353 || port == 5355 || port == 137 || port == 138 || port == 139) return Verdict::kExcluded;
        if (in.tcp) {
            if (port != 53) return Verdict::kExcluded;
            if (in.data.size < 2 + dns::kHeaderBytes) return Verdict::kNeedMore;
            const size_t len = in.data.be16(0);
            if (len < dns::kHeaderBytes) return Verdict::kExcluded;
            const ByteView msg = in.data.sub(2, len);
            if (dns::looks_like_dns(msg, false)) return Verdict::kDetected;
            return msg.size < len && msg.size < kTcpPartialMin ? Verdict::kNeedMore : Verdict::kExcluded;
        }
        return dns::looks_like_dns(in.data, port != 53) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<DnsState*>(state.data());
        if (!in.tcp) {
            on_message(in.data, in, st, events);
            return {static_cast<uint32_t>(in.data.size), false};
        }
        ByteView d = in.data;
        uint32_t& skip = st.skip[in.dir];
        if (in.stream_gap) skip = 0;  // framing lost: hope the segment starts a message
        uint32_t consumed = 0;
        while (!d.empty()) {
            if (skip) {
                const auto n = static_cast<uint32_t>(std::min<size_t>(skip, d.size));
                skip -= n;
                consumed += n;
                d = d.sub(n);
                continue;
            }
            if (d.size < 2) break;
            const uint32_t len = d.be16(0);
            if (d.size - 2 >= len) {
                on_message(d.sub(2, len), in, st, events);
                consumed += 2 + len;
                d = d.sub(2 + size_t{len});
                continue;
            }
            if (2 + len > kTcpWhole && d.size >= kTcpPartialMin) {  // never fits: read its start
                on_message(d.sub(2), in, st, events);
                skip = static_cast<uint32_t>(2 + len - d.size);
                consumed += static_cast<uint32_t>(d.size);
                d = {};
                continue;
            }
            break;
        }
        return {consumed, false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        uint16_t flags = 0;
        bool in_answers = false, in_record = false;
        while (r.next(key, v)) {
            const uint64_t n = EventReader::as_u64(v);
            if (key >= kAnName) {
                if (key == kAnName) {
                    if (!in_answers) {
                        w.Key("answers");
                        w.StartArray();
                        in_answers = true;
                    }
                    if (in_record) w.EndObject();
                    w.StartObject();
                    in_record = true;
                    w.Key("rrname");
                    write_name(w, v);
                    continue;
                }
                if (!in_record) continue;
                switch (key) {
                    case kAnType: w.Key("rrtype"); write_type(w, static_cast<uint16_t>(n)); break;
                    case kAnTtl: w.Key("ttl"); w.Uint64(n); break;
                    case kAnAddr: {
                        char buf[INET6_ADDRSTRLEN] = {};
                        if (v.size == 4 || v.size == 16)
                            inet_ntop(v.size == 4 ? AF_INET : AF_INET6, v.data, buf, sizeof buf);
                        w.Key("rdata");
                        w.String(buf);
                        break;
                    }
                    case kAnText: w.Key("rdata"); write_text(w, v, TextMode::kEscapeControls); break;
                    default: break;
                }
                continue;
            }
            switch (key) {
                case kType: w.Key("type"); w.String(n ? "answer" : "query"); break;
                case kId: w.Key("id"); w.Uint64(n); break;
                case kFlags: {
                    flags = static_cast<uint16_t>(n);
                    char buf[8];
                    static constexpr char kHex[] = "0123456789abcdef";
                    for (int i = 0; i < 4; ++i) buf[i] = kHex[(flags >> (12 - 4 * i)) & 0xf];
                    w.Key("flags");
                    w.String(buf, 4);
                    const dns::Header h{0, flags, 0, 0, 0, 0};
                    w.Key("qr"); w.Bool(h.qr());
                    if (h.aa()) { w.Key("aa"); w.Bool(true); }
                    if (h.tc()) { w.Key("tc"); w.Bool(true); }
                    if (h.rd()) { w.Key("rd"); w.Bool(true); }
                    if (h.ra()) { w.Key("ra"); w.Bool(true); }
                    break;
                }
                case kOpcode: w.Key("opcode"); w.Uint64(n); break;
                case kRrname: w.Key("rrname"); write_name(w, v); break;
                case kNameTooLong: w.Key("rrname_truncated"); w.Bool(true); break;
                case kRrtype: w.Key("rrtype"); write_type(w, static_cast<uint16_t>(n)); break;
                case kRcode: {
                    w.Key("rcode");
                    const auto name = dns::rcode_name(static_cast<uint8_t>(n));
                    if (name.empty()) w.String(std::to_string(n).c_str());
                    else w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
                    break;
                }
                case kTxId: w.Key("tx_id"); w.Uint64(n); break;
                case kLatencyUs: w.Key("latency_us"); w.Uint64(n); break;
                default: break;
            }
        }
        if (in_record) w.EndObject();
        if (in_answers) w.EndArray();
        w.EndObject();
    }

 private:
    static void write_name(JsonWriter& w, ByteView v) {
        if (v.empty()) w.String("<root>");
        else write_text(w, v, TextMode::kEscapeControls);
    }
    static void write_type(JsonWriter& w, uint16_t t) {
        const auto name = dns::type_name(t);
        if (name.empty()) w.String(std::to_string(t).c_str());
        else w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    }

    void on_message(ByteView msg, const InspectInput& in, DnsState& st, EventSink& events) const noexcept {
        dns::Header h;
        if (!dns::parse_header(msg, h)) return;
        size_t off = dns::kHeaderBytes;
        // mDNS ids are 0 and answers are unsolicited: no query/response pairing there.
        const bool pair = flavor_ != Flavor::kMdns;
        if (!h.qr()) {
            const uint32_t tx = st.next_tx++;
            if (pair) remember(st, h.id, tx, in.pkt.ts_ns);
            for (size_t i = 0; i < h.qdcount && i < kMaxQuestions; ++i) {
                dns::Question q;
                if (!dns::read_question(msg, off, q)) break;
                if (flavor_ == Flavor::kDns)
                    events.security_fact({SecurityFactKind::kDnsQuery, q.name.str(), q.qtype, 0});
                if (AppEvent* ev = events.begin_event()) {
                    EventWriter w(*ev);
                    w.bytes(kType, "\0", 1);
                    w.u32(kId, h.id);
                    w.str(kRrname, q.name.view());
                    if (q.status == dns::NameStatus::kTooLong) w.bytes(kNameTooLong, "", 0);
                    w.u32(kRrtype, q.qtype);
                    if (h.opcode()) w.u32(kOpcode, h.opcode());
                    w.u32(kTxId, tx);
                    events.commit_event();
                }
            }
            return;
        }
        // Response: match the pending query for latency and the transaction id.
        uint64_t latency = 0;
        bool matched = false;
        uint32_t tx = 0;
        for (Pending& p : st.pend) {
            if (pair && p.used && p.id == h.id) {
                matched = true;
                tx = p.tx_id;
                latency = in.pkt.ts_ns > p.ts ? (in.pkt.ts_ns - p.ts) / 1000 : 0;
                p.used = 0;
                break;
            }
        }
        if (!matched) tx = st.next_tx++;
        if (matched) events.latency(latency);  // query -> response, for the per-server percentiles
        // The first question is what the answer is about (detectors get it even with events off).
        dns::Question first;
        bool ok = true, has_question = false;
        for (size_t i = 0; i < h.qdcount; ++i) {
            dns::Question q;
            if (!dns::read_question(msg, off, i == 0 ? first : q)) {
                ok = false;
                break;
            }
            has_question = true;
        }
        if (has_question && flavor_ == Flavor::kDns)
            events.security_fact({SecurityFactKind::kDnsResponse, first.name.str(), first.qtype, h.rcode()});
        AppEvent* ev = events.begin_event();
        if (!ev) return;
        EventWriter w(*ev);
        w.bytes(kType, "\1", 1);
        w.u32(kId, h.id);
        w.u32(kFlags, h.flags);
        if (h.opcode()) w.u32(kOpcode, h.opcode());
        w.u32(kRcode, h.rcode());
        if (has_question) {
            w.str(kRrname, first.name.view());
            if (first.status == dns::NameStatus::kTooLong) w.bytes(kNameTooLong, "", 0);
            w.u32(kRrtype, first.qtype);
        }
        w.u32(kTxId, tx);
        if (matched) w.u64(kLatencyUs, latency);
        for (size_t i = 0; ok && i < h.ancount && i < kMaxAnswers; ++i) {
            dns::ResourceRecord rr;
            if (!dns::read_rr(msg, off, rr)) break;
            w.str(kAnName, rr.name.view());
            w.u32(kAnType, rr.type);
            w.u32(kAnTtl, rr.ttl);
            const ByteView rdata = msg.sub(rr.rdata_off, rr.rdlen);
            dns::Name target;
            if ((rr.type == 1 && rr.rdlen == 4) || (rr.type == 28 && rr.rdlen == 16)) {
                w.str(kAnAddr, rdata);
                // mDNS: a host announcing its own address names itself ("macbook.local").
                const IpAddr addr = rr.type == 1 ? IpAddr::from_v4(rdata.data) : IpAddr::from_v6(rdata.data);
                if (flavor_ == Flavor::kMdns && addr == in.pkt.src_ip)
                    events.device_fact(DeviceFact::kMdnsName, rr.name.view().as_string());
            } else if (dns::rdata_name(msg, rr, target)) {
                w.str(kAnText, target.view());
            } else if (rr.type == 16 || rr.type == 13) {  // TXT / HINFO: character-strings
                uint8_t buf[dns::kMaxNameBytes];
                size_t n = 0;
                for (size_t p = 0; p < rdata.size && n < sizeof buf;) {
                    const size_t l = rdata.u8(p);
                    const ByteView s = rdata.sub(p + 1, l);
                    if (n && n < sizeof buf) buf[n++] = ' ';
                    const size_t c = std::min(s.size, sizeof buf - n);
                    std::memcpy(buf + n, s.data, c);
                    n += c;
                    p += 1 + l;
                }
                w.bytes(kAnText, buf, n);
            }
        }
        events.commit_event();
    }

    static void remember(DnsState& st, uint16_t id, uint32_t tx, TimestampNs ts) noexcept {
        Pending* slot = &st.pend[0];
        for (Pending& p : st.pend) {
            if (!p.used || p.id == id) {
                slot = &p;
                break;
            }
            if (p.ts < slot->ts) slot = &p;  // full: the oldest is given up
        }
        *slot = Pending{ts, tx, id, 1};
    }

    Flavor flavor_;
    DissectorInfo info_;
};

}  // namespace

std::unique_ptr<Dissector> make_dns_dissector() {
    return std::make_unique<DnsDissector>(Flavor::kDns,
                                          DissectorInfo{"dns", kTcpUdp, {53, 0, 0, 0, 0, 0}, sizeof(DnsState), true});
}
std::unique_ptr<Dissector> make_mdns_dissector() {
    return std::make_unique<DnsDissector>(Flavor::kMdns,
                                          DissectorInfo{"mdns", kUdp, {5353, 0, 0, 0, 0, 0}, sizeof(DnsState), true});
}
std::unique_ptr<Dissector> make_llmnr_dissector() {
    return std::make_unique<DnsDissector>(Flavor::kLlmnr,
                                          DissectorInfo{"llmnr", kUdp, {5355, 0, 0, 0, 0, 0}, sizeof(DnsState), true});
}

}  // namespace nms::dpi
