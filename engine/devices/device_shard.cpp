#include "devices/device_shard.hpp"

#include <cstring>

#include "flow/flow.hpp"

namespace nms::devices {
namespace {

constexpr uint16_t kEthLldp = 0x88cc;
constexpr uint8_t kCdpMac[6] = {0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc};
constexpr int kMaxJa4Facts = 4;  // of PartialDevice::kMaxFacts

// 0.0.0.0 (as ::ffff:0.0.0.0) or ::, compared as two words.
bool unspecified(const IpAddr& ip) noexcept {
    uint64_t w[2];
    std::memcpy(w, ip.bytes.data(), 16);
    constexpr uint64_t kV4MappedZero = 0x00000000ffff0000ULL;  // bytes 8..15 = 00 00 ff ff 00 00 00 00 (little-endian load)
    return w[0] == 0 && (w[1] == 0 || w[1] == kV4MappedZero);
}

}  // namespace

const char* fact_kind_name(uint8_t kind) noexcept {
    if (kind < static_cast<uint8_t>(dpi::DeviceFact::kCount)) return dpi::device_fact_name(static_cast<dpi::DeviceFact>(kind));
    switch (kind) {
        case kFactL2SystemName: return "l2_system_name";
        case kFactL2Port: return "l2_port";
        case kFactL2Description: return "l2_description";
        case kFactL2Platform: return "l2_platform";
        case kFactL2Capabilities: return "l2_capabilities";
        default: return "unknown";
    }
}

size_t DeviceKeyHash::operator()(const DeviceKey& k) const noexcept {
    uint64_t w[2];
    std::memcpy(w, k.b.data(), 16);
    // Fold every byte into the low bits too: an IPv4 key lives in the top 32 bits of w[1], and
    // a multiply alone only moves entropy upwards (all IPv4 keys once shared one bucket).
    uint64_t h = (w[0] * 0x9e3779b97f4a7c15ULL) ^ w[1] ^ k.kind;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return static_cast<size_t>(h);
}

DeviceShard::DeviceShard(uint32_t capacity, const LocalNets& local)
    : capacity_(capacity ? capacity : 1),
      local_(local),
      devices_(new PartialDevice[capacity_]),
      links_(new Links[capacity_]) {
    uint32_t n = 1;
    while (n < capacity_ * 2) n <<= 1;
    buckets_.assign(n, kNil);
    bucket_mask_ = n - 1;
}

uint32_t DeviceShard::bucket(const DeviceKey& k) const noexcept {
    return static_cast<uint32_t>(DeviceKeyHash{}(k)) & bucket_mask_;
}

void DeviceShard::unlink_lru(uint32_t i) noexcept {
    Links& l = links_[i];
    if (l.lru_prev != kNil) links_[l.lru_prev].lru_next = l.lru_next;
    else lru_head_ = l.lru_next;
    if (l.lru_next != kNil) links_[l.lru_next].lru_prev = l.lru_prev;
    else lru_tail_ = l.lru_prev;
    l.lru_prev = l.lru_next = kNil;
}

void DeviceShard::unlink_hash(uint32_t i) noexcept {
    uint32_t* p = &buckets_[bucket(devices_[i].key)];
    while (*p != kNil && *p != i) p = &links_[*p].hash_next;
    if (*p == i) *p = links_[i].hash_next;
    links_[i].hash_next = kNil;
}

void DeviceShard::touch(uint32_t i, TimestampNs ts) noexcept {
    PartialDevice& d = devices_[i];
    if (ts > d.last_ns) d.last_ns = ts;
    if (lru_head_ == i) return;
    if (links_[i].lru_prev != kNil) unlink_lru(i);  // linked and not at the head (new slots are unlinked)
    links_[i].lru_next = lru_head_;
    if (lru_head_ != kNil) links_[lru_head_].lru_prev = i;
    lru_head_ = i;
    if (lru_tail_ == kNil) lru_tail_ = i;
}

PartialDevice* DeviceShard::lookup(const DeviceKey& k, TimestampNs ts, bool create) noexcept {
    if (k.kind == DeviceKey::kNone) return nullptr;
    const uint32_t b = bucket(k);
    for (uint32_t i = buckets_[b]; i != kNil; i = links_[i].hash_next) {
        if (devices_[i].key == k) {
            touch(i, ts);
            return &devices_[i];
        }
    }
    if (!create) return nullptr;
    uint32_t i;
    if (free_next_ < capacity_) {
        i = free_next_++;
    } else {
        i = lru_tail_;  // full: the device idle the longest makes room
        unlink_lru(i);
        unlink_hash(i);
        --used_;
        ++counters_.evicted;
    }
    PartialDevice& d = devices_[i];
    d.reset(k, ++counters_.created, ts);
    links_[i] = Links{};
    links_[i].used = true;
    links_[i].dirty = true;
    links_[i].hash_next = buckets_[b];
    buckets_[b] = i;
    ++used_;
    touch(i, ts);
    return &d;
}

DeviceKey DeviceShard::key_for(const IpAddr& ip, bool local, const uint8_t* mac,
                               const decode::PacketView& v) const noexcept {
    const bool l2_local = local || unspecified(ip);
    if (l2_local && v.has_eth && v.tunnel == decode::TunnelType::kNone) {
        const Mac m = mac_from(mac);
        if (!mac_is_multicast(m) && !mac_is_zero(m)) return DeviceKey::of_mac(m);
    }
    if (unspecified(ip)) return DeviceKey{};
    return DeviceKey::of_ip(ip);
}

void DeviceShard::add_ip(PartialDevice& d, const IpAddr& ip, bool local) noexcept {
    if (unspecified(ip)) return;
    for (uint8_t i = 0; i < d.n_ips; ++i)
        if (d.ips[i] == ip) return;
    if (d.n_ips < PartialDevice::kMaxIps) {
        d.ips[d.n_ips++] = ip;
    } else {  // keep the newest: shift out the oldest
        std::memmove(&d.ips[0], &d.ips[1], sizeof(IpAddr) * (PartialDevice::kMaxIps - 1));
        d.ips[PartialDevice::kMaxIps - 1] = ip;
    }
    if (local) d.local = true;
}

void DeviceShard::add_fact(PartialDevice& d, uint8_t kind, std::string_view value, TimestampNs ts) noexcept {
    if (value.empty()) return;
    FixedText<160> t;
    t.set(value);
    int oldest_same = -1, oldest = -1, same = 0;
    for (uint8_t i = 0; i < d.n_facts; ++i) {
        FactSlot& f = d.facts[i];
        if (f.kind == kind && f.value.view() == t.view()) {
            f.ts = ts;
            return;
        }
        if (f.kind == kind) ++same;
        if (f.kind == kind && (oldest_same < 0 || f.ts < d.facts[oldest_same].ts)) oldest_same = i;
        if (oldest < 0 || f.ts < d.facts[oldest].ts) oldest = i;
    }
    // A device runs many TLS clients: their JA4s may not crowd out its DHCP and name facts
    // before the stats thread has taken them.
    const bool capped = kind == static_cast<uint8_t>(dpi::DeviceFact::kTlsJa4Client) && same >= kMaxJa4Facts;
    FactSlot* slot = capped                                 ? &d.facts[oldest_same]
                     : d.n_facts < PartialDevice::kMaxFacts ? &d.facts[d.n_facts++]
                     : oldest_same >= 0                     ? &d.facts[oldest_same]
                                                            : &d.facts[oldest];
    slot->kind = kind;
    slot->value = t;
    slot->ts = ts;
    mark(d);
}

PeerSlot* DeviceShard::peer(PartialDevice& d, const IpAddr& ip, TimestampNs ts) noexcept {
    PeerSlot* victim = nullptr;
    for (uint8_t i = 0; i < d.n_peers; ++i) {
        PeerSlot& p = d.peers[i];
        if (p.ip == ip) {
            p.last_ns = ts;
            return &p;
        }
        if (!victim || p.bytes_in + p.bytes_out < victim->bytes_in + victim->bytes_out) victim = &p;
    }
    // Full: the smallest peer gives way (the busiest ones are what the table is for).
    PeerSlot* p = d.n_peers < PartialDevice::kMaxPeers ? &d.peers[d.n_peers++] : victim;
    *p = PeerSlot{};
    p->ip = ip;
    p->last_ns = ts;
    return p;
}

void DeviceShard::on_packet(const decode::PacketView& v, const flow::Flow* flow) noexcept {
    if (v.status != decode::DecodeStatus::kFlow) return;
    const TimestampNs ts = v.ts_ns;
    const bool src_local = local_.contains(v.src_ip), dst_local = local_.contains(v.dst_ip);
    PartialDevice* src = lookup(key_for(v.src_ip, src_local, v.src_mac, v), ts, true);
    if (!src) return;
    const uint32_t src_i = index_of(*src);
    links_[src_i].dirty = true;
    if (src->key.kind == DeviceKey::kMac && !src->has_mac) {
        src->has_mac = true;
        src->mac = mac_from(v.src_mac);
    }
    add_ip(*src, v.src_ip, src_local);
    ++src->packets_out;
    src->bytes_out += v.wirelen;

    if (v.is_tcp() && (v.tcp_flags & decode::kTcpSyn)) {
        TcpSig s;
        if (compute_tcp_sig(v, s)) {
            const int r = s.response ? 1 : 0;
            src->has_sig[r] = true;
            src->sig[r] = s;
            src->sig_ts[r] = ts;
        }
    }

    // The receiver, only if already known (a destination alone does not make a device).
    PartialDevice* dst = lookup(key_for(v.dst_ip, dst_local, v.dst_mac, v), ts, false);
    // `src` may have moved in the LRU list but not in memory; re-fetch by index anyway.
    src = &devices_[src_i];
    if (dst == src) dst = nullptr;
    if (dst) {
        links_[index_of(*dst)].dirty = true;
        ++dst->packets_in;
        dst->bytes_in += v.wirelen;
    }
    if (!flow) return;
    const bool src_is_client = flow->client_ip() == v.src_ip;
    const bool lateral = src_local && dst_local;
    const bool new_conn = v.is_tcp() ? (v.tcp_flags & (decode::kTcpSyn | decode::kTcpAck)) == decode::kTcpSyn
                                     : flow->total_pkts() == 1;
    const uint32_t rtt = flow->has_rtt ? flow->rtt_client_us + flow->rtt_server_us : 0;
    if (PeerSlot* p = peer(*src, v.dst_ip, ts)) {
        p->relation = lateral ? PeerRelation::kLateral : src_is_client ? PeerRelation::kOutbound : PeerRelation::kInbound;
        ++p->packets_out;
        p->bytes_out += v.wirelen;
        if (new_conn && src_is_client) ++p->connections;
        if (rtt) p->rtt_us = rtt;
    }
    if (dst) {
        if (PeerSlot* p = peer(*dst, v.src_ip, ts)) {
            p->relation = lateral ? PeerRelation::kLateral : src_is_client ? PeerRelation::kInbound : PeerRelation::kOutbound;
            ++p->packets_in;
            p->bytes_in += v.wirelen;
            if (new_conn && src_is_client) ++p->connections;
            if (rtt) p->rtt_us = rtt;
        }
    }
}

void DeviceShard::on_l2(const decode::PacketView& v) noexcept {
    if (v.status != decode::DecodeStatus::kNonIp || !v.has_eth) return;
    const TimestampNs ts = v.ts_ns;
    const Mac src_mac = mac_from(v.src_mac);
    if (mac_is_multicast(src_mac) || mac_is_zero(src_mac)) return;
    if (v.l3 == decode::L3::kArp) {
        // The sender's own binding; a gratuitous or probe ARP (sender IP 0) names no address.
        const Mac sm = mac_from(v.arp.sender_mac);
        if (mac_is_multicast(sm) || mac_is_zero(sm)) return;
        PartialDevice* d = lookup(DeviceKey::of_mac(sm), ts, true);
        if (!d) return;
        d->has_mac = true;
        d->mac = sm;
        add_ip(*d, v.arp.sender_ip, local_.contains(v.arp.sender_ip));
        ++d->packets_out;
        d->bytes_out += v.wirelen;
        mark(*d);
        return;
    }
    if (v.l3_off >= v.caplen) return;
    const ByteView payload{v.data + v.l3_off, v.caplen - v.l3_off};
    L2Announcement a;
    bool ok = false;
    if (v.ethertype == kEthLldp) ok = parse_lldp(payload, a);
    else if (v.ethertype < 0x0600 && std::memcmp(v.dst_mac, kCdpMac, 6) == 0) ok = parse_cdp(payload, a);
    PartialDevice* d = lookup(DeviceKey::of_mac(src_mac), ts, true);
    if (!d) return;
    d->has_mac = true;
    d->mac = src_mac;
    d->local = true;  // it shares our L2 segment
    ++d->packets_out;
    d->bytes_out += v.wirelen;
    mark(*d);
    if (!ok) return;
    add_fact(*d, kFactL2SystemName, a.system_name.view(), ts);
    add_fact(*d, kFactL2Port, a.port.view(), ts);
    add_fact(*d, kFactL2Description, a.description.view(), ts);
    add_fact(*d, kFactL2Platform, a.platform.view(), ts);
    add_fact(*d, kFactL2Capabilities, a.capabilities.view(), ts);
}

void DeviceShard::device_fact(dpi::DeviceFact kind, std::string_view value, const decode::PacketView* pkt,
                              const flow::Flow& flow) noexcept {
    const TimestampNs ts = pkt ? pkt->ts_ns : flow.last_ns;
    if (kind == dpi::DeviceFact::kDhcpAssignedIp) {
        // "<chaddr> <yiaddr>": the client's binding, whoever sent the ACK.
        const size_t sp = value.find(' ');
        if (sp == std::string_view::npos) return;
        const auto mac = mac_parse(value.substr(0, sp));
        const auto ip = IpAddr::parse(value.substr(sp + 1));
        if (!mac || !ip || mac_is_multicast(*mac) || mac_is_zero(*mac)) return;
        PartialDevice* d = lookup(DeviceKey::of_mac(*mac), ts, true);
        if (!d) return;
        d->has_mac = true;
        d->mac = *mac;
        add_ip(*d, *ip, local_.contains(*ip));
        add_fact(*d, static_cast<uint8_t>(kind), value.substr(sp + 1), ts);
        mark(*d);
        return;
    }
    DeviceKey k;
    if (pkt) {
        k = key_for(pkt->src_ip, local_.contains(pkt->src_ip), pkt->src_mac, *pkt);
    } else {
        k = DeviceKey::of_ip(flow.client_ip());
    }
    // At a flow's end there is no packet: only an IP-keyed device can be found.
    PartialDevice* d = lookup(k, ts, pkt != nullptr);
    if (!d) return;
    add_fact(*d, static_cast<uint8_t>(kind), value, ts);
    if (kind == dpi::DeviceFact::kTlsSniClient || kind == dpi::DeviceFact::kHttpHost) {
        if (PeerSlot* p = peer(*d, flow.server_ip(), ts)) p->name.set(value);
    }
    mark(*d);
}

void DeviceShard::take_dirty(std::vector<PartialDevice>& out) {
    for (uint32_t i = 0; i < free_next_; ++i) {
        if (!links_[i].used || !links_[i].dirty) continue;
        links_[i].dirty = false;
        out.push_back(devices_[i]);
    }
}

DeviceShardCounters DeviceShard::counters() const noexcept {
    DeviceShardCounters c = counters_;
    c.devices = used_;
    return c;
}

const PartialDevice* DeviceShard::find(const DeviceKey& k) const noexcept {
    for (uint32_t i = buckets_[bucket(k)]; i != kNil; i = links_[i].hash_next)
        if (devices_[i].key == k) return &devices_[i];
    return nullptr;
}

}  // namespace nms::devices
