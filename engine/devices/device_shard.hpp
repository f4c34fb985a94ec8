#pragma once
// DeviceShard: one worker's partial view of the devices on the network. Fixed capacity,
// allocated once; the packet path only looks up, updates and (when full) evicts the
// device idle the longest. The stats thread merges every shard's dirty devices into the
// global table (DeviceMerger), which alone knows what is new.
//
// Attribution: a sender inside the local networks is a device per MAC (its own L2 address);
// a sender outside them arrived through a router whose MAC it carries, so it is a device
// per IP. Counters here are cumulative per shard; the merger sums shards.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "common/ip_addr.hpp"
#include "common/time.hpp"
#include "decode/packet_view.hpp"
#include "devices/l2_discovery.hpp"
#include "devices/local_nets.hpp"
#include "devices/mac.hpp"
#include "devices/tcp_fingerprint.hpp"
#include "dpi/device_fact.hpp"

namespace nms::flow {
struct Flow;
}

namespace nms::devices {

struct DeviceKey {
    enum Kind : uint8_t { kNone = 0, kMac = 1, kIp = 2 };
    uint8_t kind = kNone;
    std::array<uint8_t, 16> b{};  // MAC in b[0..5], or the IpAddr bytes

    static DeviceKey of_mac(const Mac& m) noexcept {
        DeviceKey k;
        k.kind = kMac;
        std::copy(m.begin(), m.end(), k.b.begin());
        return k;
    }
    static DeviceKey of_ip(const IpAddr& ip) noexcept {
        DeviceKey k;
        k.kind = kIp;
        k.b = ip.bytes;
        return k;
    }
    // Two word compares, not the memcmp call a defaulted == on the array becomes: this runs
    // for every device looked up on the packet path.
    friend bool operator==(const DeviceKey& a, const DeviceKey& b) noexcept {
        uint64_t x[2], y[2];
        std::memcpy(x, a.b.data(), 16);
        std::memcpy(y, b.b.data(), 16);
        return a.kind == b.kind && ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    friend auto operator<=>(const DeviceKey&, const DeviceKey&) = default;
};

struct DeviceKeyHash {
    size_t operator()(const DeviceKey& k) const noexcept;
};

// Facts beyond the DPI ones: L2 announcements (LLDP/CDP).
enum FactKind : uint8_t {
    kFactL2SystemName = static_cast<uint8_t>(dpi::DeviceFact::kCount),
    kFactL2Port,
    kFactL2Description,
    kFactL2Platform,
    kFactL2Capabilities,
    kFactKindCount
};
const char* fact_kind_name(uint8_t kind) noexcept;

struct FactSlot {
    uint8_t kind = 0;
    FixedText<160> value;       // long enough for most User-Agents
    TimestampNs ts = 0;
};

enum class PeerRelation : uint8_t { kOutbound, kInbound, kLateral };

struct PeerSlot {
    IpAddr ip;
    PeerRelation relation = PeerRelation::kOutbound;
    uint32_t connections = 0;     // TCP SYNs / new flows this device started (outbound) or took
    uint64_t packets_out = 0, bytes_out = 0, packets_in = 0, bytes_in = 0;
    uint32_t rtt_us = 0;          // last measured handshake RTT with this peer
    FixedText<64> name;           // SNI / HTTP host the device asked for
    TimestampNs last_ns = 0;
};

struct PartialDevice {
    static constexpr size_t kMaxIps = 4;
    static constexpr size_t kMaxFacts = 12;
    static constexpr size_t kMaxPeers = 8;

    DeviceKey key;
    Mac mac{};
    bool has_mac = false;
    bool local = false;
    uint8_t n_ips = 0;
    IpAddr ips[kMaxIps];
    TimestampNs first_ns = 0, last_ns = 0;
    uint64_t packets_out = 0, bytes_out = 0, packets_in = 0, bytes_in = 0;
    uint8_t n_facts = 0;
    FactSlot facts[kMaxFacts];
    bool has_sig[2]{};            // [0] SYN, [1] SYN+ACK
    TcpSig sig[2];
    TimestampNs sig_ts[2]{};
    uint8_t n_peers = 0;
    PeerSlot peers[kMaxPeers];
    uint64_t generation = 0;      // bumps when this slot is reused for another device

    // Makes a slot a new, empty device. Only the counts and scalars: the arrays behind
    // n_ips / n_facts / n_peers are never read past those counts, and clearing all ~3 KiB
    // for every new device cost more than the rest of the packet's processing.
    void reset(const DeviceKey& k, uint64_t gen, TimestampNs ts) noexcept {
        key = k;
        mac = Mac{};
        has_mac = local = false;
        n_ips = n_facts = n_peers = 0;
        first_ns = last_ns = ts;
        packets_out = bytes_out = packets_in = bytes_in = 0;
        has_sig[0] = has_sig[1] = false;
        sig_ts[0] = sig_ts[1] = 0;
        generation = gen;
    }
};

struct DeviceShardCounters {
    uint64_t devices = 0;         // live devices in the shard
    uint64_t created = 0;
    uint64_t evicted = 0;         // longest-idle devices dropped to make room
};

class DeviceShard final : public dpi::DeviceFactSink {
 public:
    DeviceShard(uint32_t capacity, const LocalNets& local);

    // Every decoded IP packet (after flow tracking; `flow` may be null).
    void on_packet(const decode::PacketView& v, const flow::Flow* flow) noexcept;
    // Non-IP frames: ARP bindings, LLDP, CDP.
    void on_l2(const decode::PacketView& v) noexcept;
    void device_fact(dpi::DeviceFact kind, std::string_view value, const decode::PacketView* pkt,
                     const flow::Flow& flow) noexcept override;

    // Between batches: copies the devices changed since the last call (allocates).
    void take_dirty(std::vector<PartialDevice>& out);
    [[nodiscard]] DeviceShardCounters counters() const noexcept;
    [[nodiscard]] uint32_t capacity() const noexcept { return capacity_; }
    // Test access.
    [[nodiscard]] const PartialDevice* find(const DeviceKey& k) const noexcept;

 private:
    static constexpr uint32_t kNil = 0xffffffffu;
    struct Links {
        uint32_t hash_next = kNil, lru_prev = kNil, lru_next = kNil;
        bool used = false, dirty = false;
    };

    // `local` = local_.contains(ip), computed once per packet by the caller.
    DeviceKey key_for(const IpAddr& ip, bool local, const uint8_t* mac, const decode::PacketView& v) const noexcept;
    PartialDevice* lookup(const DeviceKey& k, TimestampNs ts, bool create) noexcept;
    void touch(uint32_t i, TimestampNs ts) noexcept;
    void unlink_lru(uint32_t i) noexcept;
    void unlink_hash(uint32_t i) noexcept;
    uint32_t bucket(const DeviceKey& k) const noexcept;
    void add_ip(PartialDevice& d, const IpAddr& ip, bool local) noexcept;
    void add_fact(PartialDevice& d, uint8_t kind, std::string_view value, TimestampNs ts) noexcept;
    PeerSlot* peer(PartialDevice& d, const IpAddr& ip, TimestampNs ts) noexcept;
    void mark(PartialDevice& d) noexcept { links_[index_of(d)].dirty = true; }
    uint32_t index_of(const PartialDevice& d) const noexcept {
        return static_cast<uint32_t>(&d - devices_.get());
    }

    uint32_t capacity_;
    const LocalNets& local_;
    std::unique_ptr<PartialDevice[]> devices_;
    std::unique_ptr<Links[]> links_;
    std::vector<uint32_t> buckets_;
    uint32_t bucket_mask_ = 0;
    uint32_t lru_head_ = kNil, lru_tail_ = kNil;  // head = most recent
    uint32_t free_next_ = 0;                      // slots never used yet: [free_next_, capacity)
    uint32_t used_ = 0;
    DeviceShardCounters counters_;
};

}  // namespace nms::devices
