#pragma once
// JSON views of what the store keeps (and the live engine adds to it) for /api/v1: devices
// (live snapshot merged with stored), stored flows, alerts, bans, suppressions.
#include <string>
#include <vector>

#include "api/json_writer.hpp"
#include "api/routes.hpp"
#include "store/device_store.hpp"
#include "store/entity_rows.hpp"
#include "store/queries.hpp"

namespace nms::api {

struct DeviceView {
    devices::Device device;
    bool live = false;            // in the current snapshot (else from the store only)
};

// Valid sort keys: bytes (default), packets, last, first. Filter on MAC, IPs, names, vendor, OS.
bool valid_device_sort(const std::string& key);
// One device object: the EVE device fields plus "id" ("mac:..", "ip:..") and "live".
std::string device_object(const DeviceView& d);
std::string render_devices(const std::vector<DeviceView>& devs, const ListQuery& q);
std::string render_device_detail(const DeviceView& d, const std::vector<store::DeviceHistoryRow>& history);

// {"items": [...], "more": bool, "next_cursor": "END_NS:ID" | null}
std::string render_stored_flows(const store::FlowPage& page);

std::string alert_object(const store::StoredAlert& a);
std::string render_alerts(const std::vector<store::StoredAlert>& items, uint64_t total, size_t offset, size_t limit);
std::string render_bans(const std::vector<store::BanRecord>& bans, int64_t now_s);
std::string render_suppressions(const std::vector<Suppression>& rules);

// "2013-03-07T21:42:06Z" of a Unix second (bans, acknowledgements, report ranges).
std::string utc_seconds_text(int64_t unix_s);

}  // namespace nms::api
