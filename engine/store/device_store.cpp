#include "store/device_store.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "store/entity_json.hpp"

namespace nms::store {
namespace {

int64_t i64(uint64_t v) noexcept { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); }

bool run(Statement& st) {
    const Rc rc = st.step();
    st.reset();
    return rc == Rc::kDone;
}

// The evidence behind the best OS guess: the strongest signal that names it.
std::string os_evidence_text(const devices::Device& d) {
    const devices::OsEvidence* best = nullptr;
    for (const auto& e : d.os_evidence)
        if (e.os == d.os && (!best || e.confidence > best->confidence)) best = &e;
    return best ? best->signal + ": " + best->value : std::string();
}

constexpr const char* kDeviceCols =
    "key, mac, vendor, mac_local_admin, local, first_ns, last_ns, packets_out, bytes_out, packets_in, bytes_in, os, "
    "os_class, os_confidence, attributes, tcp_signatures, peers";

}  // namespace

DeviceStore::DeviceStore(Database& db) : db_(db) {
    device_ = Statement(db_, std::string("INSERT INTO devices(") + kDeviceCols +
        ", stored_s) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
        "ON CONFLICT(key) DO UPDATE SET mac = excluded.mac, vendor = excluded.vendor, "
        "mac_local_admin = excluded.mac_local_admin, local = excluded.local, first_ns = min(first_ns, excluded.first_ns), "
        "last_ns = max(last_ns, excluded.last_ns), packets_out = excluded.packets_out, bytes_out = excluded.bytes_out, "
        "packets_in = excluded.packets_in, bytes_in = excluded.bytes_in, os = excluded.os, os_class = excluded.os_class, "
        "os_confidence = excluded.os_confidence, attributes = excluded.attributes, "
        "tcp_signatures = excluded.tcp_signatures, peers = excluded.peers, stored_s = excluded.stored_s");
    address_ = Statement(db_,
        "INSERT INTO device_addresses(device_key, ip, first_ns, last_ns) VALUES(?1, ?2, ?3, ?3) "
        "ON CONFLICT(device_key, ip) DO UPDATE SET last_ns = max(last_ns, excluded.last_ns)");
    hostname_ = Statement(db_,
        "INSERT INTO device_hostnames(device_key, name, first_ns, last_ns) VALUES(?1, ?2, ?3, ?3) "
        "ON CONFLICT(device_key, name) DO UPDATE SET last_ns = max(last_ns, excluded.last_ns)");
    evidence_ = Statement(db_,
        "INSERT INTO device_os_evidence(device_key, signal, value, os, os_class, confidence, ts_ns) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(device_key, signal, value) DO UPDATE SET "
        "os = excluded.os, os_class = excluded.os_class, confidence = excluded.confidence, "
        "ts_ns = max(ts_ns, excluded.ts_ns)");
    history_ = Statement(db_,
        "INSERT INTO device_history(device_key, field, value, evidence, first_ns, last_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?5) "
        "ON CONFLICT(device_key, field, value) DO UPDATE SET last_ns = max(last_ns, excluded.last_ns), "
        "evidence = excluded.evidence");
    prune_ = Statement(db_,
        "DELETE FROM devices WHERE key IN (SELECT key FROM devices ORDER BY last_ns DESC LIMIT ?2 OFFSET ?1)");
}

bool DeviceStore::upsert(std::span<const devices::Device> devs, int64_t now_s) {
    char buf[64];
    for (const auto& d : devs) {
        const std::string key = device_key_text(d.key);
        auto& st = device_;
        st.bind(1, std::string_view(key)).bind(2, std::string_view(d.mac)).bind(3, std::string_view(d.vendor));
        st.bind(4, int{d.mac_local_admin}).bind(5, int{d.local}).bind(6, i64(d.first_ns)).bind(7, i64(d.last_ns));
        st.bind(8, i64(d.packets_out)).bind(9, i64(d.bytes_out)).bind(10, i64(d.packets_in)).bind(11, i64(d.bytes_in));
        st.bind(12, std::string_view(d.os)).bind(13, std::string_view(d.os_class)).bind(14, uint32_t{d.os_confidence});
        const std::string attrs = attributes_json(d.attributes), sigs = strings_json(d.tcp_signatures),
                          peers = peers_json(d.peers);
        st.bind(15, std::string_view(attrs)).bind(16, std::string_view(sigs)).bind(17, std::string_view(peers));
        st.bind(18, now_s);
        if (!run(st)) return false;
        for (const auto& ip : d.ips) {
            address_.bind(1, std::string_view(key)).bind(2, std::string_view(buf, ip.format(buf))).bind(3, i64(d.last_ns));
            if (!run(address_)) return false;
        }
        for (const auto& h : d.hostnames) {
            hostname_.bind(1, std::string_view(key)).bind(2, std::string_view(h)).bind(3, i64(d.last_ns));
            if (!run(hostname_)) return false;
        }
        for (const auto& e : d.os_evidence) {
            evidence_.bind(1, std::string_view(key)).bind(2, std::string_view(e.signal)).bind(3, std::string_view(e.value));
            evidence_.bind(4, std::string_view(e.os)).bind(5, std::string_view(e.os_class));
            evidence_.bind(6, uint32_t{e.confidence}).bind(7, i64(e.ts));
            if (!run(evidence_)) return false;
        }
        if (!d.os.empty()) {
            const std::string ev = os_evidence_text(d);
            history_.bind(1, std::string_view(key)).bind(2, std::string_view("os")).bind(3, std::string_view(d.os));
            history_.bind(4, std::string_view(ev)).bind(5, i64(d.last_ns));
            if (!run(history_)) return false;
        }
        if (!d.vendor.empty()) {
            history_.bind(1, std::string_view(key)).bind(2, std::string_view("vendor")).bind(3, std::string_view(d.vendor));
            history_.bind(4, std::string_view("oui: " + d.mac.substr(0, 8))).bind(5, i64(d.last_ns));
            if (!run(history_)) return false;
        }
    }
    return true;
}

int64_t DeviceStore::prune(uint32_t keep, uint32_t batch) {
    prune_.bind(1, keep).bind(2, batch);
    return run(prune_) ? db_.changes() : 0;
}

namespace {

// Per-device child rows (addresses, names, OS evidence) for every device of a page in ONE
// query: the keys go in as a JSON array (json_each: one parameter however long the page), and
// ROW_NUMBER() keeps each device's first `per_device` rows in the same order the per-device
// query used. Columns after device_key are the caller's.
Statement child_rows(Database& db, const char* cols, const char* table, const char* order, int per_device,
                     const std::string& keys_json) {
    Statement st(db, std::string("SELECT device_key, ") + cols + " FROM (SELECT device_key, " + cols +
                         ", ROW_NUMBER() OVER (PARTITION BY device_key ORDER BY " + order + ") AS rn FROM " + table +
                         " WHERE device_key IN (SELECT value FROM json_each(?1))) WHERE rn <= ?2 ORDER BY device_key, rn");
    st.bind(1, std::string_view(keys_json));
    st.bind(2, per_device);
    return st;
}

}  // namespace

std::vector<devices::Device> read_devices(Database& db, uint32_t limit, const std::string& key) {
    std::vector<devices::Device> out;
    std::vector<std::string> keys;  // parallel to out
    {
        Statement st(db, std::string("SELECT ") + kDeviceCols + " FROM devices" +
                             (key.empty() ? "" : " WHERE key = ?2") + " ORDER BY last_ns DESC LIMIT ?1");
        st.bind(1, limit);
        if (!key.empty()) st.bind(2, std::string_view(key));
        while (st.step() == Rc::kRow) {
            const auto k = device_key_parse(st.column_text(0));
            if (!k) continue;
            devices::Device d;
            d.key = *k;
            d.mac = st.column_text(1);
            d.vendor = st.column_text(2);
            d.mac_local_admin = st.column_int(3) != 0;
            d.local = st.column_int(4) != 0;
            d.first_ns = static_cast<TimestampNs>(st.column_int(5));
            d.last_ns = static_cast<TimestampNs>(st.column_int(6));
            d.packets_out = static_cast<uint64_t>(st.column_int(7));
            d.bytes_out = static_cast<uint64_t>(st.column_int(8));
            d.packets_in = static_cast<uint64_t>(st.column_int(9));
            d.bytes_in = static_cast<uint64_t>(st.column_int(10));
            d.os = st.column_text(11);
            d.os_class = st.column_text(12);
            d.os_confidence = static_cast<uint8_t>(st.column_int(13));
            d.attributes = attributes_from_json(st.column_text(14));
            d.tcp_signatures = strings_from_json(st.column_text(15));
            d.peers = peers_from_json(st.column_text(16));
            keys.emplace_back(st.column_text(0));
            out.push_back(std::move(d));
        }
    }
    if (out.empty()) return out;
    // Four queries per call, whatever the number of devices (was three more per device).
    std::unordered_map<std::string_view, devices::Device*> by_key;
    by_key.reserve(keys.size());
    std::string keys_json = "[";
    for (size_t i = 0; i < keys.size(); ++i) {
        by_key.emplace(keys[i], &out[i]);
        if (keys[i].find_first_of("\"\\") != std::string::npos) continue;  // never in a key text
        if (keys_json.size() > 1) keys_json += ',';
        keys_json += '"' + keys[i] + '"';
    }
    keys_json += ']';
    const auto device_of = [&by_key](const Statement& st) {
        const auto it = by_key.find(st.column_text(0));
        return it == by_key.end() ? nullptr : it->second;
    };
    Statement addrs = child_rows(db, "ip", "device_addresses", "first_ns, ip", 16, keys_json);
    while (addrs.step() == Rc::kRow)
        if (auto* d = device_of(addrs))
            if (auto a = IpAddr::parse(addrs.column_text(1))) d->ips.push_back(*a);
    Statement names = child_rows(db, "name", "device_hostnames", "first_ns, name", 8, keys_json);
    while (names.step() == Rc::kRow)
        if (auto* d = device_of(names)) d->hostnames.emplace_back(names.column_text(1));
    Statement evid = child_rows(db, "signal, value, os, os_class, confidence, ts_ns", "device_os_evidence",
                                "confidence DESC, ts_ns DESC, signal, value", 16, keys_json);
    while (evid.step() == Rc::kRow) {
        auto* d = device_of(evid);
        if (!d) continue;
        devices::OsEvidence e;
        e.signal = evid.column_text(1);
        e.value = evid.column_text(2);
        e.os = evid.column_text(3);
        e.os_class = evid.column_text(4);
        e.confidence = static_cast<uint8_t>(evid.column_int(5));
        e.ts = static_cast<TimestampNs>(evid.column_int(6));
        d->os_evidence.push_back(std::move(e));
    }
    return out;
}

std::vector<DeviceHistoryRow> read_device_history(Database& db, const std::string& key, uint32_t limit) {
    std::vector<DeviceHistoryRow> out;
    Statement st(db,
        "SELECT field, value, evidence, first_ns, last_ns FROM device_history WHERE device_key = ?1 "
        "ORDER BY first_ns, field LIMIT ?2");
    st.bind(1, std::string_view(key)).bind(2, limit);
    while (st.step() == Rc::kRow)
        out.push_back({std::string(st.column_text(0)), std::string(st.column_text(1)), std::string(st.column_text(2)),
                       st.column_int(3), st.column_int(4)});
    return out;
}

std::vector<std::string> device_keys_with_ip(Database& db, const std::string& ip, uint32_t limit) {
    std::vector<std::string> out;
    Statement st(db, "SELECT DISTINCT device_key FROM device_addresses WHERE ip = ?1 LIMIT ?2");
    st.bind(1, std::string_view(ip)).bind(2, limit);
    while (st.step() == Rc::kRow) out.emplace_back(st.column_text(0));
    return out;
}

}  // namespace nms::store
