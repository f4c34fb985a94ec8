// DHCPv6 (UDP 546/547): one EVE "dhcpv6" event per message: type, transaction id, client
// DUID, client FQDN (option 39), vendor class (option 16) and the option request list.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/dhcp_parse.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kMsgType, kXid, kDuid, kFqdn, kEnterprise, kVendor, kOro, kServerDuid };

class Dhcpv6Dissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp || (in.server_port != 546 && in.server_port != 547)) return Verdict::kExcluded;
        dhcp::Dhcpv6 d;
        return dhcp::parse_dhcpv6(in.data, d) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        dhcp::Dhcpv6 d;
        if (dhcp::parse_dhcpv6(in.data, d)) {
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                w.u32(kMsgType, d.msg_type);
                w.u32(kXid, d.xid);
                if (!d.client_duid.empty()) w.str(kDuid, d.client_duid);
                if (!d.server_duid.empty()) w.str(kServerDuid, d.server_duid);
                if (!d.fqdn_wire.empty()) {
                    char buf[256];
                    w.bytes(kFqdn, buf, dhcp::wire_name_string(d.fqdn_wire, buf, sizeof buf));
                }
                if (d.has_vendor) {
                    w.u32(kEnterprise, d.vendor_enterprise);
                    w.str(kVendor, d.vendor_class);
                }
                if (!d.oro.empty()) {
                    char buf[512];
                    w.bytes(kOro, buf, dhcp::oro_string(d.oro, buf, sizeof buf));
                }
                events.commit_event();
            }
        }
        return {static_cast<uint32_t>(in.data.size), false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            const auto n = static_cast<uint32_t>(EventReader::as_u64(v));
            switch (key) {
                case kMsgType: {
                    const auto s = dhcp::v6_msg_type_name(static_cast<uint8_t>(n));
                    w.Key("type");
                    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                case kXid: w.Key("transaction_id"); w.Uint(n); break;
                case kDuid: case kServerDuid: {
                    std::string s;
                    static constexpr char kHex[] = "0123456789abcdef";
                    for (size_t i = 0; i < v.size; ++i) s += kHex[v.u8(i) >> 4], s += kHex[v.u8(i) & 0xf];
                    w.Key(key == kDuid ? "client_duid" : "server_duid");
                    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                case kFqdn: w.Key("client_fqdn"); write_text(w, v, TextMode::kEscapeControls); break;
                case kEnterprise: w.Key("vendor_enterprise"); w.Uint(n); break;
                case kVendor: w.Key("vendor_class"); write_text(w, v, TextMode::kEscapeControls); break;
                case kOro: w.Key("option_request_list"); write_text(w, v); break;
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    DissectorInfo info_{"dhcpv6", kUdp, {547, 546, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_dhcpv6_dissector() { return std::make_unique<Dhcpv6Dissector>(); }

}  // namespace nms::dpi
