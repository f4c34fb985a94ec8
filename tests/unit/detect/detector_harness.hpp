#pragma once
// Runs one detector the way the engine does, without threads: N shard halves (one per
// "worker") fed with real decoded frames, a real flow table per worker, and the global half
// that absorbs each worker's part at the end of every packet-time second and evaluates.
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decode/decode.hpp"
#include "detect/alert_sink.hpp"
#include "detect/detector.hpp"
#include "detect/registry.hpp"
#include "devices/local_nets.hpp"
#include "flow/flow_table.hpp"
#include "gen/frame_builder.hpp"

namespace nms::detect::test {

inline constexpr TimestampNs kT0 = 1'700'000'000ull * kNsPerSec;  // a fixed packet-time origin

// A decoded frame and the bytes its view points into.
struct Frame {
    std::array<uint8_t, gen::kMaxFrame> buf{};
    decode::PacketView v;
};

inline void decode_into(Frame& f, size_t len, TimestampNs ts) {
    decode::decode_packet(decode::LinkType::kEthernet, f.buf.data(), static_cast<uint32_t>(len),
                          static_cast<uint32_t>(len), ts, f.v);
}

inline gen::Endpoint host(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port = 0) {
    gen::Endpoint e;
    const uint8_t mac[6] = {0x02, 0x00, a, b, c, d};
    std::memcpy(e.mac, mac, 6);
    const uint8_t ip[4] = {a, b, c, d};
    std::memcpy(e.ip, ip, 4);
    e.port = port;
    return e;
}

// ARP request (op 1) or reply (op 2): "sender_ip is at sender_mac", sent to `eth_dst`.
inline std::unique_ptr<Frame> arp(uint16_t op, const uint8_t* sender_mac, const uint8_t* sender_ip,
                                  const uint8_t* target_mac, const uint8_t* target_ip, const uint8_t* eth_dst,
                                  TimestampNs ts) {
    uint8_t body[28] = {0, 1, 8, 0, 6, 4, static_cast<uint8_t>(op >> 8), static_cast<uint8_t>(op)};
    std::memcpy(body + 8, sender_mac, 6);
    std::memcpy(body + 14, sender_ip, 4);
    std::memcpy(body + 18, target_mac, 6);
    std::memcpy(body + 24, target_ip, 4);
    auto f = std::make_unique<Frame>();
    decode_into(*f, gen::build_raw_frame(f->buf.data(), eth_dst, sender_mac, gen::kEtherArp, body, sizeof body), ts);
    return f;
}

inline std::unique_ptr<Frame> ip_packet(const gen::Endpoint& src, const gen::Endpoint& dst, uint8_t proto,
                                        uint8_t tcp_flags, TimestampNs ts, const std::string& payload = {},
                                        uint32_t seq = 1, uint32_t ack = 0) {
    gen::L4Fields l4;
    l4.proto = proto;
    l4.tcp_flags = tcp_flags;
    l4.seq = seq;
    l4.ack = ack;
    auto f = std::make_unique<Frame>();
    decode_into(*f, gen::build_ip_frame(f->buf.data(), src, dst, l4, reinterpret_cast<const uint8_t*>(payload.data()),
                                        payload.size()),
                ts);
    return f;
}

struct CollectingSink final : AlertSink {
    std::vector<AlertCandidate> got;
    void raise(AlertCandidate&& c) override { got.push_back(std::move(c)); }
};

class Harness final : private flow::FlowEndSink {
 public:
    Harness(const DetectorFactory& f, const config::DetectConfig& cfg, uint32_t workers = 2,
            std::vector<std::string> local = {})
        : cfg_(cfg), nets_(local) {
        for (uint32_t w = 0; w < workers; ++w) {
            const DetectorSetup setup{cfg_, &nets_, w};
            shards_.push_back(f.make_shard(setup));
            flows_.push_back(std::make_unique<flow::FlowTable>(1024, flow::FlowTimeouts{}, w, workers));
            second_.push_back(INT64_MIN);
        }
        const DetectorSetup setup{cfg_, &nets_, 0};
        global_ = f.make_global(setup);
        global_->configure(cfg_);
    }

    ShardDetector& shard(uint32_t w) { return *shards_.at(w); }
    GlobalDetector& global() { return *global_; }
    [[nodiscard]] size_t workers() const { return shards_.size(); }

    // The packet through worker w's flow table, then its shard detector (as Worker does: a
    // packet of a new second first closes the worker's current one).
    const flow::Flow* packet(uint32_t w, const Frame& fr) {
        current_ = w;
        const int64_t sec = static_cast<int64_t>(fr.v.ts_ns / kNsPerSec);
        if (sec != second_.at(w)) close_second(w, sec);
        const flow::Flow* f = nullptr;
        if (fr.v.status == decode::DecodeStatus::kFlow) f = flows_.at(w)->process(fr.v, *this);
        shards_.at(w)->on_packet(fr.v, f);
        return f;
    }
    // Ends every flow of every worker (the detectors see on_flow_end).
    void end_flows(TimestampNs now) {
        for (uint32_t w = 0; w < flows_.size(); ++w) {
            current_ = w;
            flows_[w]->expire(now, *this);
        }
    }
    void flush_flows() {
        for (uint32_t w = 0; w < flows_.size(); ++w) {
            current_ = w;
            flows_[w]->flush(*this, flow::EndReason::kShutdown);
        }
    }

    // Judges packet-time second `second`: what every worker gathered for it (workers still in
    // it or before it hand their part over first), then the evaluation.
    std::vector<AlertCandidate> end_second(int64_t second) {
        for (uint32_t w = 0; w < shards_.size(); ++w)
            if (second_[w] <= second) close_second(w, second + 1);
        for (auto it = pending_.begin(); it != pending_.end() && it->first <= second;) {
            for (auto& part : it->second) global_->absorb(*part, it->first);
            it = pending_.erase(it);
        }
        CollectingSink sink;
        DetectView view;
        view.second = second;
        view.now = static_cast<TimestampNs>(second + 1) * kNsPerSec - 1;
        view.local_nets = &nets_;
        global_->evaluate(view, view.now, sink);
        return std::move(sink.got);
    }
    // Every alert of seconds [from, to].
    std::vector<AlertCandidate> end_seconds(int64_t from, int64_t to) {
        std::vector<AlertCandidate> all;
        for (int64_t s = from; s <= to; ++s)
            for (auto& c : end_second(s)) all.push_back(std::move(c));
        return all;
    }

 private:
    void on_flow_end(const flow::Flow& flow, flow::EndReason) override { shards_.at(current_)->on_flow_end(flow); }
    void close_second(uint32_t w, int64_t next) {
        if (auto part = shards_[w]->collect()) pending_[second_[w]].push_back(std::move(part));
        second_[w] = next;
    }

    config::DetectConfig cfg_;
    devices::LocalNets nets_;
    std::vector<std::unique_ptr<ShardDetector>> shards_;
    std::vector<std::unique_ptr<flow::FlowTable>> flows_;
    std::unique_ptr<GlobalDetector> global_;
    std::vector<int64_t> second_;    // per worker: the packet-time second being gathered
    std::map<int64_t, std::vector<std::unique_ptr<DetectorDelta>>> pending_;
    uint32_t current_ = 0;
};

inline int64_t second_of(TimestampNs ts) { return static_cast<int64_t>(ts / kNsPerSec); }

inline std::string evidence_text(const AlertCandidate& c, const std::string& key) {
    for (const auto& e : c.evidence) {
        if (e.key != key) continue;
        if (const auto* s = std::get_if<std::string>(&e.value)) return *s;
        if (const auto* d = std::get_if<double>(&e.value)) return std::to_string(*d);
        if (const auto* l = std::get_if<std::vector<std::string>>(&e.value)) {
            std::string out;
            for (const auto& x : *l) out += x + "\n";
            return out;
        }
    }
    return {};
}

}  // namespace nms::detect::test
