#pragma once
// DeviceStore: the devices tables (0003) on the store thread's write connection: upserts of
// changed devices with their addresses, hostnames, OS evidence and OS/vendor history, and
// pruning to the live table's capacity. read_devices() is shared by start-up (loading the
// device table back) and the API's read-only connection.
#include <span>
#include <string>
#include <vector>

#include "devices/device_table.hpp"
#include "store/sqlite.hpp"

namespace nms::store {

class DeviceStore {
 public:
    explicit DeviceStore(Database& db);
    // Writes every device (call inside a transaction). false on the first failing statement.
    bool upsert(std::span<const devices::Device> devs, int64_t now_s);
    // Deletes up to `batch` devices beyond the `keep` most recently seen. Returns rows deleted.
    int64_t prune(uint32_t keep, uint32_t batch);

 private:
    Database& db_;
    Statement device_, address_, hostname_, evidence_, history_, prune_;
};

struct DeviceHistoryRow {
    std::string field;            // "os" or "vendor"
    std::string value, evidence;
    int64_t first_ns = 0, last_ns = 0;
};

// Devices newest first (last_ns); `key` ("mac:..", "ip:..") picks one, "" = all. At most `limit`.
std::vector<devices::Device> read_devices(Database& db, uint32_t limit, const std::string& key = {});
// How a device's OS guess and vendor changed, oldest first.
std::vector<DeviceHistoryRow> read_device_history(Database& db, const std::string& key, uint32_t limit = 100);
// Keys of the devices that ever had `ip` (device_addresses).
std::vector<std::string> device_keys_with_ip(Database& db, const std::string& ip, uint32_t limit = 16);

}  // namespace nms::store
