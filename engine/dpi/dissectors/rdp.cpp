// RDP: the TPKT/X.224 Connection Request (cookie "mstshash=user", requested protocols) and
// Connection Confirm (selected protocol) as EVE "rdp" events like Suricata's
// {event_type: initial_request|initial_response, cookie, protocols|protocol}; RDP-UDP
// (MS-RDPEUDP) is recognised from its SYN datagram.
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kEventType, kCookie, kProtocols, kProtocol, kFailure };

struct RdpState {
    uint8_t seen[2];
};

bool tpkt_x224(ByteView d, uint8_t& code) noexcept {
    if (d.size < 7 || d.u8(0) != 3 || d.u8(1) != 0) return false;
    const uint16_t len = d.be16(2);
    const uint8_t li = d.u8(4);
    if (len < 7 || li < 6 || size_t{li} + 5 > len) return false;
    code = d.u8(5) & 0xf0;
    return true;
}

void put_protocols(JsonWriter& w, uint32_t p) {
    w.StartArray();
    if (p == 0) w.String("rdp");
    static constexpr const char* kNames[] = {"ssl", "hybrid", "rdstls", "hybrid_ex", "rdsaad"};
    static constexpr uint32_t kBits[] = {1, 2, 4, 8, 16};
    for (size_t i = 0; i < std::size(kBits); ++i)
        if (p & kBits[i]) w.String(kNames[i]);
    w.EndArray();
}

class RdpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        const ByteView d = in.data;
        if (!in.tcp) {
            // RDPEUDP SYN: snSourceAck = -1, SYN flag, and a 3389 server (the datagram has no magic).
            if (d.size >= 8 && d.be32(0) == 0xffffffffu && (d.be16(6) & 1) && in.server_port == 3389)
                return Verdict::kDetected;
            return Verdict::kExcluded;
        }
        if (d.size < 7) return d.empty() || d.u8(0) == 3 ? Verdict::kNeedMore : Verdict::kExcluded;
        uint8_t code = 0;
        if (!tpkt_x224(d, code)) return Verdict::kExcluded;
        if (code != 0xe0 && code != 0xd0) return Verdict::kExcluded;
        // TPKT/COTP is also ISO-TSAP (S7comm on 102): require RDP's port, cookie or negotiation.
        if (in.server_port == 3389) return Verdict::kDetected;
        const std::string_view s = d.as_string();
        if (s.find("Cookie: ") != std::string_view::npos) return Verdict::kDetected;
        const uint16_t len = d.be16(2);
        if (len == 19 && d.size >= 19 && (d.u8(11) == 1 || d.u8(11) == 2 || d.u8(11) == 3)) return Verdict::kDetected;
        return Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<RdpState*>(state.data());
        if (!in.tcp) return {0, true};
        const ByteView d = in.data;
        uint8_t code = 0;
        if (!tpkt_x224(d, code)) return {static_cast<uint32_t>(d.size), true};
        const uint16_t len = d.be16(2);
        if (d.size < len) return {0, false};  // wait for the whole TPKT
        const ByteView body = len >= 11 ? d.sub(11, len - 11u) : ByteView{};  // after TPKT(4) + X.224 CR/CC fixed part(7)
        s.seen[in.dir] = 1;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            if (code == 0xe0) {
                w.str(kEventType, std::string_view("initial_request"));
                ByteView rest = body;
                const std::string_view t = body.as_string();
                if (t.substr(0, 8) == "Cookie: ") {
                    const size_t crlf = t.find("\r\n");
                    std::string_view cookie = t.substr(8, crlf == std::string_view::npos ? t.size() - 8 : crlf - 8);
                    if (cookie.substr(0, 9) == "mstshash=") cookie.remove_prefix(9);
                    w.str(kCookie, cookie);
                    rest = crlf == std::string_view::npos ? ByteView{} : body.sub(crlf + 2);
                }
                if (rest.size >= 8 && rest.u8(0) == 1) w.u32(kProtocols, load_le32(rest.data + 4));
            } else {
                w.str(kEventType, std::string_view("initial_response"));
                if (body.size >= 8 && body.u8(0) == 2) w.u32(kProtocol, load_le32(body.data + 4));
                else if (body.size >= 8 && body.u8(0) == 3) w.u32(kFailure, load_le32(body.data + 4));
            }
            events.commit_event();
        }
        // Past the confirm everything is TLS/CredSSP or MCS: nothing more for us.
        return {len, code == 0xd0 || (s.seen[0] && s.seen[1])};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            const auto n = static_cast<uint32_t>(EventReader::as_u64(v));
            switch (key) {
                case kEventType: w.Key("event_type"); write_text(w, v); break;
                case kCookie: w.Key("cookie"); write_text(w, v); break;
                case kProtocols: w.Key("protocols"); put_protocols(w, n); break;
                case kProtocol: {
                    w.Key("protocol");
                    static constexpr const char* kNames[] = {"rdp", "ssl", "hybrid", "rdstls", "hybrid_ex"};
                    static constexpr uint32_t kVals[] = {0, 1, 2, 4, 8};
                    const char* name = "unknown";
                    for (size_t i = 0; i < std::size(kVals); ++i)
                        if (kVals[i] == n) name = kNames[i];
                    w.String(name);
                    break;
                }
                case kFailure: w.Key("error_code"); w.Uint(n); break;
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    DissectorInfo info_{"rdp", kTcpUdp, {3389, 0, 0, 0, 0, 0}, sizeof(RdpState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_rdp_dissector() { return std::make_unique<RdpDissector>(); }

}  // namespace nms::dpi
