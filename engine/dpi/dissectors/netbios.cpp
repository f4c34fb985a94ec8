// NetBIOS over TCP/IP: NBNS name queries/registrations (UDP 137), NBDGM datagrams with source
// and destination names (UDP 138) and NBSS session requests (TCP 139). NBSS sessions that
// carry SMB are left to the "smb" dissector: TCP is claimed only when the first session
// message is not SMB.
#include <arpa/inet.h>

#include "dpi/device_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/netbios_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kKind, kOpcode, kResponse, kName, kSuffix, kQtype, kRcode, kAddr, kMsgType, kSrcIp,
                       kSrcName, kSrcSuffix, kDstName, kDstSuffix, kBroadcast, kId };
enum Kind : uint8_t { kNbns, kNbdgm, kNbss };

class NetbiosDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) {
            if (in.server_port == 137) {
                netbios::Nbns n;
                return netbios::parse_nbns(in.data, n) ? Verdict::kDetected : Verdict::kExcluded;
            }
            if (in.server_port == 138) {
                netbios::Nbdgm d;
                return netbios::parse_nbdgm(in.data, d) ? Verdict::kDetected : Verdict::kExcluded;
            }
            return Verdict::kExcluded;
        }
        if (in.server_port != 139) return Verdict::kExcluded;
        // Walk the NBSS packets so far: the first session message decides (SMB or not).
        ByteView d = in.data;
        while (d.size >= 4) {
            netbios::Nbss s;
            if (!netbios::parse_nbss(d, s)) {
                // A session request split across segments is not an error yet.
                return d.u8(0) == 0x81 && d.size < 4 + size_t{d.be16(2)} ? Verdict::kNeedMore : Verdict::kExcluded;
            }
            if (s.type == 0x00) {
                if (d.size < 8) return Verdict::kNeedMore;
                return netbios::is_smb(d.sub(4)) ? Verdict::kExcluded : Verdict::kDetected;
            }
            if (d.size < 4 + size_t{s.length}) return Verdict::kNeedMore;
            d = d.sub(4 + size_t{s.length});
        }
        return Verdict::kNeedMore;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        if (!in.tcp) {
            const uint16_t port = in.flow.server_port();
            if (port == 138) on_nbdgm(in.data, events);
            else on_nbns(in.data, events);
            return {static_cast<uint32_t>(in.data.size), false};
        }
        // TCP: report the session request (the names), then nothing more to learn.
        ByteView d = in.data;
        uint32_t consumed = 0;
        while (d.size >= 4) {
            netbios::Nbss s;
            if (!netbios::parse_nbss(d, s)) return {consumed, d.size >= 4 + size_t{d.be16(2)}};
            if (d.size < 4 + size_t{s.length}) break;
            if (s.type == 0x81) {
                if (AppEvent* ev = events.begin_event()) {
                    EventWriter w(*ev);
                    w.bytes(kKind, "\2", 1);
                    w.u32(kMsgType, s.type);
                    w.str(kDstName, s.called.str());
                    w.u32(kDstSuffix, s.called.suffix);
                    w.str(kSrcName, s.calling.str());
                    w.u32(kSrcSuffix, s.calling.suffix);
                    events.commit_event();
                }
                return {consumed + 4 + s.length, true};
            }
            if (s.type == 0x00) return {consumed, true};
            consumed += 4 + s.length;
            d = d.sub(4 + size_t{s.length});
        }
        return {consumed, false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        uint8_t kind = kNbns;
        while (r.next(key, v)) {
            const uint64_t n = EventReader::as_u64(v);
            switch (key) {
                case kKind:
                    kind = static_cast<uint8_t>(n);
                    w.Key("type");
                    w.String(kind == kNbns ? "nbns" : kind == kNbdgm ? "nbdgm" : "nbss");
                    break;
                case kId: w.Key("id"); w.Uint64(n); break;
                case kOpcode: {
                    w.Key("opcode");
                    const auto s = netbios::nbns_opcode_name(static_cast<uint8_t>(n));
                    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                case kResponse: w.Key("response"); w.Bool(n != 0); break;
                case kBroadcast: w.Key("broadcast"); w.Bool(n != 0); break;
                case kName: w.Key("name"); write_text(w, v, TextMode::kEscapeControls); break;
                case kSuffix: w.Key("suffix"); w.Uint64(n); break;
                case kQtype: w.Key("rrtype"); w.String(n == 0x21 ? "NBSTAT" : n == 0x20 ? "NB" : "other"); break;
                case kRcode: w.Key("rcode"); w.Uint64(n); break;
                case kAddr:
                case kSrcIp: {
                    char buf[INET_ADDRSTRLEN] = {};
                    if (v.size == 4) inet_ntop(AF_INET, v.data, buf, sizeof buf);
                    w.Key(key == kAddr ? "addr" : "source_ip");
                    w.String(buf);
                    break;
                }
                case kMsgType: {
                    w.Key("msg_type");
                    const auto s = kind == kNbss ? netbios::nbss_type_name(static_cast<uint8_t>(n))
                                                 : netbios::nbdgm_type_name(static_cast<uint8_t>(n));
                    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                case kSrcName:
                    w.Key(kind == kNbss ? "calling_name" : "source_name");
                    write_text(w, v, TextMode::kEscapeControls);
                    break;
                case kSrcSuffix: w.Key(kind == kNbss ? "calling_suffix" : "source_suffix"); w.Uint64(n); break;
                case kDstName:
                    w.Key(kind == kNbss ? "called_name" : "destination_name");
                    write_text(w, v, TextMode::kEscapeControls);
                    break;
                case kDstSuffix: w.Key(kind == kNbss ? "called_suffix" : "destination_suffix"); w.Uint64(n); break;
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    static void on_nbns(ByteView msg, EventSink& events) noexcept {
        netbios::Nbns n;
        if (!netbios::parse_nbns(msg, n)) return;
        // A host registering its workstation (0x00) or server (0x20) name names itself.
        if (!n.response && n.opcode == 5 && (n.name.suffix == 0x00 || n.name.suffix == 0x20))
            events.device_fact(DeviceFact::kNetbiosName, n.name.str());
        AppEvent* ev = events.begin_event();
        if (!ev) return;
        EventWriter w(*ev);
        w.bytes(kKind, "\0", 1);
        w.u32(kId, n.id);
        w.u32(kOpcode, n.opcode);
        w.u32(kResponse, n.response);
        if (n.broadcast) w.u32(kBroadcast, 1);
        w.str(kName, n.name.str());
        w.u32(kSuffix, n.name.suffix);
        w.u32(kQtype, n.qtype);
        if (n.response) w.u32(kRcode, n.rcode);
        if (n.has_addr) {
            const uint32_t be = htonl(n.addr);
            w.bytes(kAddr, &be, 4);
        }
        events.commit_event();
    }

    static void on_nbdgm(ByteView msg, EventSink& events) noexcept {
        netbios::Nbdgm d;
        if (!netbios::parse_nbdgm(msg, d)) return;
        if (d.source.ok && (d.source.suffix == 0x00 || d.source.suffix == 0x20))
            events.device_fact(DeviceFact::kNetbiosName, d.source.str());
        AppEvent* ev = events.begin_event();
        if (!ev) return;
        EventWriter w(*ev);
        w.bytes(kKind, "\1", 1);
        w.u32(kMsgType, d.msg_type);
        w.u32(kId, d.id);
        const uint32_t be = htonl(d.src_ip);
        w.bytes(kSrcIp, &be, 4);
        if (d.source.ok) {
            w.str(kSrcName, d.source.str());
            w.u32(kSrcSuffix, d.source.suffix);
        }
        if (d.destination.ok) {
            w.str(kDstName, d.destination.str());
            w.u32(kDstSuffix, d.destination.suffix);
        }
        events.commit_event();
    }

    // TCP 139 is not a port hint: SMB over NBSS owns that port's fallback label.
    DissectorInfo info_{"netbios", kTcpUdp, {137, 138, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_netbios_dissector() { return std::make_unique<NetbiosDissector>(); }

}  // namespace nms::dpi
