#pragma once
// EVE JSON rendering (Suricata's eve.json conventions) of ended flows and stats ticks.
// One event = one line; callers append '\n'.
#include <string>

#include "detect/alert.hpp"
#include "dpi/app_event.hpp"
#include "dpi/registry.hpp"
#include "pipeline/flow_record.hpp"
#include "stats/snapshot.hpp"

namespace nms::output {

// "2013-03-07T21:42:06.869344+0000", as Suricata writes timestamps (UTC here).
std::string eve_timestamp(TimestampNs ns);

// `registry` names app_proto; without one, app_proto is left out.
void append_flow_event(std::string& out, const pipeline::FlowRecord& rec, const dpi::Registry* registry = nullptr);
// A per-transaction event ("dns", "http", "tls", ...), rendered by the dissector that wrote it.
void append_app_event(std::string& out, const dpi::AppEvent& ev, const dpi::Registry& registry);
void append_stats_event(std::string& out, const stats::Snapshot& snap);
// event_type "device": a device discovered or changed (new IP, new hostname, OS change).
void append_device_event(std::string& out, const devices::DeviceEvent& ev);

// event_type "alert" in Suricata's layout, plus netmonsec's episode fields (kind, phase, id,
// first/last seen, updates, MITRE technique, explanation, evidence, top peers).
void append_alert_event(std::string& out, const detect::Alert& a, detect::AlertPhase phase);
// alert.signature_id of a kind: 9000001 + its index, stable (the kind list only grows at the end).
uint32_t alert_signature_id(detect::AlertKind k) noexcept;

// IANA-style protocol name as Suricata prints it ("TCP", "UDP", "ICMP", "IPv6-ICMP", or the number).
const char* proto_name(uint8_t proto, char (&buf)[4]) noexcept;

}  // namespace nms::output
