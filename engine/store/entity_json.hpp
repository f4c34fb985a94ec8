#pragma once
// JSON text of the device and alert parts that live in one column (lists, maps, the
// explanation), both ways: the store writes them, start-up and tests read them back.
// Reading is forgiving: a malformed column gives empty values, never an exception.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.hpp"
#include "devices/device_table.hpp"

namespace nms::store {

// "mac:aa:bb:cc:dd:ee:ff" or "ip:192.0.2.7": the devices table key (also used by the API).
std::string device_key_text(const devices::DeviceKey& k);
std::optional<devices::DeviceKey> device_key_parse(std::string_view text);

std::string strings_json(const std::vector<std::string>& v);
std::vector<std::string> strings_from_json(std::string_view json);
std::string attributes_json(const std::map<std::string, std::vector<std::string>>& a);
std::map<std::string, std::vector<std::string>> attributes_from_json(std::string_view json);
std::string peers_json(const std::vector<devices::DevicePeer>& peers);
std::vector<devices::DevicePeer> peers_from_json(std::string_view json);

std::string explanation_json(const detect::Explanation& e);
detect::Explanation explanation_from_json(std::string_view json);
std::string evidence_json(const std::vector<detect::EvidenceField>& ev);
std::vector<detect::EvidenceField> evidence_from_json(std::string_view json);
std::string contributors_json(const std::vector<detect::Contributor>& peers);
std::vector<detect::Contributor> contributors_from_json(std::string_view json);

// One alerts_YYYYMMDD.ndjson line (with '\n'): the whole alert and what just happened to it.
std::string alert_log_line(const detect::Alert& a, detect::AlertPhase phase);

}  // namespace nms::store
