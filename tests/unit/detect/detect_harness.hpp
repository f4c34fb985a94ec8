#pragma once
// DetectHarness: synthetic frames through the real path -- decode, a flow table per
// "worker" (flows split by flow hash like the dispatcher does), the shard detectors with the
// worker's per-second collect, the DetectionEngine -- with packet time as the only clock.
// Alerts are recorded by a listener.
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "decode/decode.hpp"
#include "detect/detection_engine.hpp"
#include "devices/local_nets.hpp"
#include "flow/flow_table.hpp"
#include "gen/frame_builder.hpp"

namespace nms::test {

inline gen::Endpoint ep(const char* ip, uint16_t port = 0) {
    gen::Endpoint e;
    const IpAddr a = *IpAddr::parse(ip);
    e.v6 = !a.is_v4();
    if (e.v6) std::memcpy(e.ip, a.bytes.data(), 16);
    else std::memcpy(e.ip, a.bytes.data() + 12, 4);
    const uint8_t mac[6] = {0x02, 0x00, a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]};
    std::memcpy(e.mac, mac, 6);
    e.port = port;
    return e;
}

inline gen::Endpoint ep_v4(uint32_t host_order, uint16_t port = 0) {
    return ep(IpAddr::from_v4(host_order).to_string().c_str(), port);
}

inline IpAddr ip(const char* s) { return *IpAddr::parse(s); }

inline constexpr TimestampNs sec(double s) { return static_cast<TimestampNs>(s * 1e9); }

struct RecordedAlert {
    detect::Alert alert;
    detect::AlertPhase phase;
};

class DetectHarness final : private flow::FlowEndSink, public detect::AlertListener {
 public:
    explicit DetectHarness(const config::DetectConfig& cfg, uint32_t workers = 2,
                           detect::AlertManager::Clock wall = {})
        : local_({"10.0.0.0/8", "192.168.0.0/16"}), engine_(cfg, &local_, true, std::move(wall)) {
        for (uint32_t w = 0; w < workers; ++w) {
            Worker wk;
            wk.flows = std::make_unique<flow::FlowTable>(1u << 16, flow::FlowTimeouts{}, w, workers);
            wk.detect = engine_.make_shard_set(w);
            workers_.push_back(std::move(wk));
        }
        engine_.alerts().add_listener(this);
    }

    // One frame at packet time `ts`.
    void send(const gen::Endpoint& src, const gen::Endpoint& dst, const gen::L4Fields& l4, TimestampNs ts,
              size_t payload = 0) {
        static const std::array<uint8_t, 1500> kZeros{};
        uint8_t frame[gen::kMaxFrame];
        const size_t n = gen::build_ip_frame(frame, src, dst, l4, kZeros.data(), std::min(payload, kZeros.size()));
        decode::PacketView v;
        decode::decode_packet(decode::LinkType::kEthernet, frame, static_cast<uint32_t>(n), static_cast<uint32_t>(n), ts, v);
        if (v.status != decode::DecodeStatus::kFlow) return;
        Worker& w = workers_[decode::flow_hash(v.key) % workers_.size()];
        if (w.detect->second_changed(ts)) w.detect->collect(*w.flows, ts);
        current_ = &w;
        flow::Flow* f = w.flows->process(v, *this);
        w.detect->on_packet(v, f);
        w.last_ts = std::max(w.last_ts, ts);
        newest_ = std::max(newest_, ts);
    }
    void tcp(const char* s, uint16_t sport, const char* d, uint16_t dport, uint8_t flags, TimestampNs ts,
             size_t payload = 0) {
        gen::L4Fields l4;
        l4.proto = 6;
        l4.tcp_flags = flags;
        send(ep(s, sport), ep(d, dport), l4, ts, payload);
    }
    void udp(const char* s, uint16_t sport, const char* d, uint16_t dport, TimestampNs ts, size_t payload = 32) {
        gen::L4Fields l4;
        l4.proto = 17;
        send(ep(s, sport), ep(d, dport), l4, ts, payload);
    }
    void icmp(const char* s, const char* d, uint8_t type, uint16_t id, uint16_t seq, TimestampNs ts) {
        gen::L4Fields l4;
        l4.proto = 1;
        l4.tcp_flags = type;
        l4.seq = (uint32_t{id} << 16) | seq;
        send(ep(s), ep(d), l4, ts, 32);
    }

    // Moves packet time on (a packet between two bystanders), so earlier seconds are complete.
    void advance(TimestampNs ts) { udp("192.168.255.1", 9, "192.168.255.2", 9, ts); }

    // A stats tick: every worker hands over what it has, then the engine judges the seconds
    // complete by the newest packet time (everything when `final`).
    void tick(bool final = false) {
        for (Worker& w : workers_) {
            w.detect->collect(*w.flows, w.last_ts);
            engine_.absorb(w.detect->take_pending());
        }
        engine_.tick(newest_, 0, final);
    }

    detect::DetectionEngine& engine() { return engine_; }
    const std::vector<RecordedAlert>& events() const { return events_; }
    std::vector<detect::Alert> opened(detect::AlertKind k) const {
        std::vector<detect::Alert> out;
        for (const auto& e : events_)
            if (e.phase == detect::AlertPhase::kOpened && e.alert.kind == k) out.push_back(e.alert);
        return out;
    }
    // Each episode of kind k as its last event left it (after the final tick: as it ended).
    std::vector<detect::Alert> final_state(detect::AlertKind k) const {
        std::vector<detect::Alert> out;
        for (const auto& e : events_) {
            if (e.alert.kind != k) continue;
            auto it = std::find_if(out.begin(), out.end(), [&](const detect::Alert& a) { return a.id == e.alert.id; });
            if (it == out.end()) out.push_back(e.alert);
            else *it = e.alert;
        }
        return out;
    }
    size_t opened_count() const {
        size_t n = 0;
        for (const auto& e : events_) n += e.phase == detect::AlertPhase::kOpened;
        return n;
    }
    detect::ShardDetectorSet& shard(size_t i) { return *workers_[i].detect; }

    void on_alert(const detect::Alert& a, detect::AlertPhase phase) noexcept override { events_.push_back({a, phase}); }

 private:
    struct Worker {
        std::unique_ptr<flow::FlowTable> flows;
        std::unique_ptr<detect::ShardDetectorSet> detect;
        TimestampNs last_ts = 0;
    };
    void on_flow_end(const flow::Flow& f, flow::EndReason) override {
        if (current_) current_->detect->on_flow_end(f);
    }

    devices::LocalNets local_;
    detect::DetectionEngine engine_;
    std::vector<Worker> workers_;
    Worker* current_ = nullptr;
    TimestampNs newest_ = 0;
    std::vector<RecordedAlert> events_;
};

// A config with every detector on at its defaults.
inline config::DetectConfig default_detect() { return config::DetectConfig{}; }

}  // namespace nms::test
