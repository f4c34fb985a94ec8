// SNMP v1/v2c/v3 (UDP 161/162): one EVE "snmp" event per message in Suricata's shape
// (version, pdu_type, community, usm, vars). The community is logged: finding default
// communities on the network is what operators need it for.
#include <string>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kVersion, kPduType, kCommunity, kUsm, kRequestId, kErrorStatus, kVar, kEncrypted };
constexpr size_t kMaxVars = 8;

// One BER element at `off` of `d`: single-byte tag, definite length of at most 4 bytes, value
// inside `d`.
struct Tlv {
    uint8_t tag = 0;
    size_t off = 0, len = 0;  // value
    [[nodiscard]] size_t end() const noexcept { return off + len; }
};
bool read_tlv(ByteView d, size_t pos, Tlv& t) noexcept {
    if (!d.has(pos, 2)) return false;
    t.tag = d.u8(pos);
    if ((t.tag & 0x1f) == 0x1f) return false;
    size_t len = d.u8(pos + 1);
    size_t hdr = 2;
    if (len & 0x80) {
        const size_t n = len & 0x7f;
        if (n == 0 || n > 4 || !d.has(pos + 2, n)) return false;
        len = 0;
        for (size_t i = 0; i < n; ++i) len = (len << 8) | d.u8(pos + 2 + i);
        hdr += n;
    }
    if (!d.has(pos + hdr, len)) return false;
    t.off = pos + hdr;
    t.len = len;
    return true;
}
bool read_int(ByteView d, const Tlv& t, int64_t& v) noexcept {
    if (t.tag != 0x02 || t.len == 0 || t.len > 8) return false;
    v = (d.u8(t.off) & 0x80) ? -1 : 0;
    for (size_t i = 0; i < t.len; ++i) v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | d.u8(t.off + i));
    return true;
}

struct Snmp {
    int64_t version = -1;
    uint8_t pdu = 0;
    ByteView community, usm;
    int64_t request_id = 0, error_status = 0;
    bool has_ids = false, encrypted = false;
    ByteView vars[kMaxVars];  // OID bytes
    size_t nvars = 0;
};

void parse_pdu(ByteView d, const Tlv& pdu, Snmp& s) noexcept {
    s.pdu = pdu.tag;
    Tlv a, b, c, vbl;
    if (pdu.tag == 0xa4) return;  // v1 trap: enterprise/agent layout, no request id
    if (!read_tlv(d, pdu.off, a) || !read_tlv(d, a.end(), b) || !read_tlv(d, b.end(), c)) return;
    s.has_ids = read_int(d, a, s.request_id) && read_int(d, b, s.error_status);
    if (!read_tlv(d, c.end(), vbl) || vbl.tag != 0x30 || vbl.end() > pdu.end()) return;
    for (size_t pos = vbl.off; pos < vbl.end() && s.nvars < kMaxVars;) {
        Tlv vb, oid;
        if (!read_tlv(d, pos, vb) || vb.tag != 0x30 || !read_tlv(d, vb.off, oid) || oid.tag != 0x06) return;
        s.vars[s.nvars++] = d.sub(oid.off, oid.len);
        pos = vb.end();
    }
}

bool parse_snmp(ByteView d, Snmp& s) noexcept {
    s = Snmp{};
    Tlv msg, ver;
    if (!read_tlv(d, 0, msg) || msg.tag != 0x30 || !read_tlv(d, msg.off, ver) || !read_int(d, ver, s.version))
        return false;
    if (s.version == 0 || s.version == 1) {
        Tlv comm, pdu;
        if (!read_tlv(d, ver.end(), comm) || comm.tag != 0x04) return false;
        s.community = d.sub(comm.off, comm.len);
        if (!read_tlv(d, comm.end(), pdu) || pdu.tag < 0xa0 || pdu.tag > 0xa8) return false;
        parse_pdu(d, pdu, s);
        return true;
    }
    if (s.version != 3) return false;
    Tlv global, secp, scoped;
    if (!read_tlv(d, ver.end(), global) || global.tag != 0x30) return false;
    if (!read_tlv(d, global.end(), secp) || secp.tag != 0x04) return false;
    // USM security parameters: SEQUENCE { engineID, boots, time, userName, auth, priv }
    Tlv usm, f;
    if (read_tlv(d, secp.off, usm) && usm.tag == 0x30) {
        size_t pos = usm.off;
        for (int i = 0; i < 4 && read_tlv(d, pos, f); ++i, pos = f.end())
            if (i == 3 && f.tag == 0x04) s.usm = d.sub(f.off, f.len);
    }
    if (!read_tlv(d, secp.end(), scoped)) return true;
    if (scoped.tag == 0x04) {
        s.encrypted = true;
        return true;
    }
    Tlv ctx_engine, ctx_name, pdu;
    if (scoped.tag == 0x30 && read_tlv(d, scoped.off, ctx_engine) && read_tlv(d, ctx_engine.end(), ctx_name) &&
        read_tlv(d, ctx_name.end(), pdu) && pdu.tag >= 0xa0 && pdu.tag <= 0xa8)
        parse_pdu(d, pdu, s);
    return true;
}

std::string oid_text(ByteView v) {
    std::string s;
    uint64_t acc = 0;
    bool first = true;
    for (size_t i = 0; i < v.size; ++i) {
        acc = (acc << 7) | (v.u8(i) & 0x7fu);
        if (v.u8(i) & 0x80) {
            if (acc > (uint64_t{1} << 56)) return s;  // absurd arc: stop
            continue;
        }
        if (first) {
            const uint64_t x = acc < 80 ? acc / 40 : 2;
            s += std::to_string(x) + "." + std::to_string(acc - 40 * x);
            first = false;
        } else {
            s += "." + std::to_string(acc);
        }
        acc = 0;
    }
    return s;
}

class SnmpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp || (in.server_port != 161 && in.server_port != 162)) return Verdict::kExcluded;
        Snmp s;
        return parse_snmp(in.data, s) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        Snmp s;
        if (parse_snmp(in.data, s)) {
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                w.u32(kVersion, static_cast<uint32_t>(s.version));
                if (s.pdu) w.u32(kPduType, s.pdu);
                if (s.version < 3) w.str(kCommunity, s.community.sub(0, 128));
                if (!s.usm.empty()) w.str(kUsm, s.usm.sub(0, 128));
                if (s.encrypted) w.u32(kEncrypted, 1);
                if (s.has_ids) {
                    w.u64(kRequestId, static_cast<uint64_t>(s.request_id));
                    w.u64(kErrorStatus, static_cast<uint64_t>(s.error_status));
                }
                for (size_t i = 0; i < s.nvars; ++i) w.str(kVar, s.vars[i].sub(0, 128));
                events.commit_event();
            }
        }
        return {static_cast<uint32_t>(in.data.size), false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        static constexpr const char* kPdus[] = {"get_request", "get_next_request", "response", "set_request",
                                                "trap_v1", "get_bulk_request", "inform_request", "trap_v2",
                                                "report"};
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool in_vars = false;
        while (r.next(key, v)) {
            const uint64_t n = EventReader::as_u64(v);
            if (key != kVar && in_vars) {
                w.EndArray();
                in_vars = false;
            }
            switch (key) {
                case kVersion: w.Key("version"); w.Uint64(n == 0 ? 1 : n == 1 ? 2 : n); break;
                case kPduType: w.Key("pdu_type"); w.String(n >= 0xa0 && n <= 0xa8 ? kPdus[n - 0xa0] : "unknown"); break;
                case kCommunity: w.Key("community"); write_text(w, v, TextMode::kEscapeControls); break;
                case kUsm: w.Key("usm"); write_text(w, v, TextMode::kEscapeControls); break;
                case kEncrypted: w.Key("encrypted"); w.Bool(true); break;
                case kRequestId: w.Key("request_id"); w.Int64(static_cast<int64_t>(n)); break;
                case kErrorStatus: w.Key("error_status"); w.Int64(static_cast<int64_t>(n)); break;
                case kVar: {
                    if (!in_vars) {
                        w.Key("vars");
                        w.StartArray();
                        in_vars = true;
                    }
                    const std::string s = oid_text(v);
                    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                default: break;
            }
        }
        if (in_vars) w.EndArray();
        w.EndObject();
    }

 private:
    DissectorInfo info_{"snmp", kUdp, {161, 162, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_snmp_dissector() { return std::make_unique<SnmpDissector>(); }

}  // namespace nms::dpi
