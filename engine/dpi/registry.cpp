#include "dpi/registry.hpp"

#include <algorithm>

#include "dpi/ndpi_fallback.hpp"

namespace nms::dpi {

// One declaration and one registration line per dissector (dissectors/<name>.cpp).
std::unique_ptr<Dissector> make_http_dissector();
std::unique_ptr<Dissector> make_tls_dissector();
std::unique_ptr<Dissector> make_quic_dissector();
std::unique_ptr<Dissector> make_dtls_dissector();
std::unique_ptr<Dissector> make_ssh_dissector();
std::unique_ptr<Dissector> make_smb_dissector();
std::unique_ptr<Dissector> make_rdp_dissector();
std::unique_ptr<Dissector> make_smtp_dissector();
std::unique_ptr<Dissector> make_ftp_dissector();
std::unique_ptr<Dissector> make_ftp_data_dissector();
std::unique_ptr<Dissector> make_pop3_dissector();
std::unique_ptr<Dissector> make_imap_dissector();
std::unique_ptr<Dissector> make_mysql_dissector();
std::unique_ptr<Dissector> make_redis_dissector();
std::unique_ptr<Dissector> make_mqtt_dissector();
std::unique_ptr<Dissector> make_dns_dissector();
std::unique_ptr<Dissector> make_mdns_dissector();
std::unique_ptr<Dissector> make_llmnr_dissector();
std::unique_ptr<Dissector> make_netbios_dissector();
std::unique_ptr<Dissector> make_ssdp_dissector();
std::unique_ptr<Dissector> make_dhcp_dissector();
std::unique_ptr<Dissector> make_dhcpv6_dissector();
std::unique_ptr<Dissector> make_ntp_dissector();
std::unique_ptr<Dissector> make_snmp_dissector();
std::unique_ptr<Dissector> make_sip_dissector();

void register_builtin(Registry& r) {
    r.add(make_http_dissector());
    r.add(make_tls_dissector());
    r.add(make_quic_dissector());
    r.add(make_dtls_dissector());
    r.add(make_ssh_dissector());
    r.add(make_smb_dissector());
    r.add(make_rdp_dissector());
    r.add(make_smtp_dissector());
    r.add(make_ftp_dissector());
    r.add(make_ftp_data_dissector());
    r.add(make_pop3_dissector());
    r.add(make_imap_dissector());
    r.add(make_mysql_dissector());
    r.add(make_redis_dissector());
    r.add(make_mqtt_dissector());
    r.add(make_dns_dissector());
    r.add(make_mdns_dissector());
    r.add(make_llmnr_dissector());
    r.add(make_netbios_dissector());
    r.add(make_ssdp_dissector());
    r.add(make_dhcp_dissector());
    r.add(make_dhcpv6_dissector());
    r.add(make_ntp_dissector());
    r.add(make_snmp_dissector());
    r.add(make_sip_dissector());
}

AppId Registry::add(std::unique_ptr<Dissector> d) {
    if (!d || dissectors_.size() >= kMaxDissectors || id_of(d->info().name) != kAppUnknown) return kAppUnknown;
    const uint64_t bit = uint64_t{1} << dissectors_.size();
    if (d->info().l4 & kTcp) tcp_mask_ |= bit;
    if (d->info().l4 & kUdp) udp_mask_ |= bit;
    const auto id = static_cast<AppId>(dissectors_.size() + 1);
    for (const uint8_t l4 : {kTcp, kUdp}) {
        if (!(d->info().l4 & l4)) continue;
        for (const uint16_t p : d->info().ports) {
            if (p == 0) continue;
            const uint32_t k = uint32_t{p} << 1 | (l4 == kUdp ? 1u : 0u);
            auto it = std::lower_bound(port_index_.begin(), port_index_.end(), std::pair<uint32_t, AppId>{k, 0});
            if (it == port_index_.end() || it->first != k) port_index_.insert(it, {k, id});
        }
    }
    dissectors_.push_back(std::move(d));
    return id;
}

AppId Registry::id_of(std::string_view name) const noexcept {
    for (size_t i = 0; i < dissectors_.size(); ++i)
        if (dissectors_[i]->info().name == name) return static_cast<AppId>(i + 1);
    return kAppUnknown;
}

AppId Registry::add_name(std::string_view name) {
    if (const AppId a = extra_id_of(name)) return a;
    if (extra_.size() >= kMaxExtra) return kAppUnknown;
    extra_.emplace_back(name);
    return static_cast<AppId>(kExtraBase + extra_.size() - 1);
}

AppId Registry::extra_id_of(std::string_view name) const noexcept {
    for (size_t i = 0; i < extra_.size(); ++i)
        if (extra_[i] == name) return static_cast<AppId>(kExtraBase + i);
    return kAppUnknown;
}

std::string_view Registry::name_of(AppId id) const noexcept {
    if (id >= kExtraBase) {
        const size_t i = id - kExtraBase;
        return i < extra_.size() ? std::string_view(extra_[i]) : std::string_view("unknown");
    }
    const Dissector* d = get(id);
    return d ? d->info().name : std::string_view("unknown");
}

AppId Registry::by_port(uint16_t port, bool tcp) const noexcept {
    if (port == 0) return kAppUnknown;
    const uint32_t k = uint32_t{port} << 1 | (tcp ? 0u : 1u);
    const auto it = std::lower_bound(port_index_.begin(), port_index_.end(), std::pair<uint32_t, AppId>{k, 0});
    return it != port_index_.end() && it->first == k ? it->second : kAppUnknown;
}

const Registry& builtin_registry() {
    static const Registry r = [] {
        Registry reg;
        register_builtin(reg);
        register_fallback_names(reg);
        return reg;
    }();
    return r;
}

}  // namespace nms::dpi
