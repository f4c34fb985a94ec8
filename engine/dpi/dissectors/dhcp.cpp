// DHCP (UDP 67/68): one EVE "dhcp" event per message in Suricata's shape (type, id,
// client_mac, assigned_ip, dhcp_type, hostname, vendor_class_identifier, requested_ip, ...)
// plus the option-55 fingerprint string "1,3,6,15" as param_req_list.
#include <arpa/inet.h>

#include <cstdio>

#include "dpi/device_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/dhcp_parse.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kOp, kXid, kMac, kClientIp, kAssignedIp, kNextServer, kRelayIp, kMsgType, kHostname,
                       kVendor, kPrl, kClientId, kRequestedIp, kServerId, kLeaseTime, kDomain, kFqdn };

void put_ip4(JsonWriter& w, const char* key, uint32_t host_order) {
    const uint32_t be = htonl(host_order);
    char buf[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    w.Key(key);
    w.String(buf);
}

void put_hex(JsonWriter& w, const char* key, ByteView v, char sep) {
    std::string s;
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < v.size; ++i) {
        if (i && sep) s += sep;
        s += kHex[v.u8(i) >> 4];
        s += kHex[v.u8(i) & 0xf];
    }
    w.Key(key);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// What a DHCP exchange tells the device tracker: a client's own request names and
// fingerprints its sender; a server's ACK assigns an address to the client it names.
void report_device_facts(const dhcp::Dhcp& d, EventSink& events) noexcept {
    char buf[4 * 255];
    if (d.op == 1) {
        if (!d.hostname.empty()) events.device_fact(DeviceFact::kHostname, d.hostname.as_string());
        if (!d.vendor_class.empty()) events.device_fact(DeviceFact::kDhcpVendorClass, d.vendor_class.as_string());
        if (!d.param_list.empty())
            events.device_fact(DeviceFact::kDhcpFingerprint,
                               {buf, dhcp::param_list_string(d.param_list, buf, sizeof buf)});
        if (d.has_requested_ip) {
            const uint32_t be = htonl(d.requested_ip);
            if (inet_ntop(AF_INET, &be, buf, sizeof buf)) events.device_fact(DeviceFact::kDhcpRequestedIp, buf);
        }
    } else if (d.op == 2 && d.msg_type == 5 && d.yiaddr && d.chaddr.size == 6) {  // ACK
        const uint32_t be = htonl(d.yiaddr);
        char ip[INET_ADDRSTRLEN] = {};
        if (inet_ntop(AF_INET, &be, ip, sizeof ip)) {
            const uint8_t* m = d.chaddr.data;
            const int n = std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x %s", m[0], m[1], m[2], m[3],
                                        m[4], m[5], ip);
            if (n > 0) events.device_fact(DeviceFact::kDhcpAssignedIp, {buf, static_cast<size_t>(n)});
        }
    }
}

class DhcpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp) return Verdict::kExcluded;
        dhcp::Dhcp d;
        return dhcp::parse_dhcp(in.data, d) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        dhcp::Dhcp d;
        if (dhcp::parse_dhcp(in.data, d)) {
            report_device_facts(d, events);
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                w.u32(kOp, d.op);
                w.u32(kXid, d.xid);
                w.str(kMac, d.chaddr);
                w.u32(kClientIp, d.ciaddr);
                w.u32(kAssignedIp, d.yiaddr);
                if (d.siaddr) w.u32(kNextServer, d.siaddr);
                if (d.giaddr) w.u32(kRelayIp, d.giaddr);
                if (d.msg_type) w.u32(kMsgType, d.msg_type);
                if (!d.hostname.empty()) w.str(kHostname, d.hostname);
                if (!d.vendor_class.empty()) w.str(kVendor, d.vendor_class);
                if (!d.param_list.empty()) {
                    char buf[4 * 255];
                    w.bytes(kPrl, buf, dhcp::param_list_string(d.param_list, buf, sizeof buf));
                }
                if (!d.client_id.empty()) w.str(kClientId, d.client_id);
                if (d.has_requested_ip) w.u32(kRequestedIp, d.requested_ip);
                if (d.has_server_id) w.u32(kServerId, d.server_id);
                if (d.has_lease_time) w.u32(kLeaseTime, d.lease_time);
                if (!d.domain.empty()) w.str(kDomain, d.domain);
                if (!d.fqdn.empty()) w.str(kFqdn, d.fqdn);
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
                case kOp: w.Key("type"); w.String(n == 1 ? "request" : "reply"); break;
                case kXid: w.Key("id"); w.Uint(n); break;
                case kMac: put_hex(w, "client_mac", v, ':'); break;
                case kClientIp: put_ip4(w, "client_ip", n); break;
                case kAssignedIp: put_ip4(w, "assigned_ip", n); break;
                case kNextServer: put_ip4(w, "next_server_ip", n); break;
                case kRelayIp: put_ip4(w, "relay_ip", n); break;
                case kMsgType: {
                    const auto s = dhcp::msg_type_name(static_cast<uint8_t>(n));
                    w.Key("dhcp_type");
                    if (s.empty()) w.String(std::to_string(n).c_str());
                    else w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
                    break;
                }
                case kHostname: w.Key("hostname"); write_text(w, v, TextMode::kEscapeControls); break;
                case kVendor: w.Key("vendor_class_identifier"); write_text(w, v, TextMode::kEscapeControls); break;
                case kPrl: w.Key("param_req_list"); write_text(w, v); break;
                case kClientId: put_hex(w, "client_id", v, ':'); break;
                case kRequestedIp: put_ip4(w, "requested_ip", n); break;
                case kServerId: put_ip4(w, "server_id", n); break;
                case kLeaseTime: w.Key("lease_time"); w.Uint(n); break;
                case kDomain: w.Key("domain"); write_text(w, v, TextMode::kEscapeControls); break;
                case kFqdn: w.Key("fqdn"); write_text(w, v, TextMode::kEscapeControls); break;
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    DissectorInfo info_{"dhcp", kUdp, {67, 68, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_dhcp_dissector() { return std::make_unique<DhcpDissector>(); }

}  // namespace nms::dpi
