// Broadcaster: each topic's frame is rendered once per tick and only when someone subscribed
// to it; "alerts" carries only alerts opened, updated or ended since the previous tick (the
// first tick is the baseline); "devices" only the tick's discoveries and changes.
#include "api/broadcaster.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "api_test_util.hpp"

using namespace nms;
using namespace nms::api;

namespace {

struct FakeClient final : WsClient {
    unsigned mask = 0;
    std::vector<TickFrames> ticks;
    [[nodiscard]] unsigned topics() const noexcept override { return mask; }
    void deliver(const TickFrames& frames) override { ticks.push_back(frames); }
};

unsigned bit(Topic t) { return 1u << static_cast<unsigned>(t); }

const Frame& frame(const FakeClient& c, Topic t) { return c.ticks.back()[static_cast<size_t>(t)]; }

rapidjson::Document parse(const Frame& f) {
    rapidjson::Document d;
    d.Parse(f->c_str(), f->size());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

// (id, phase) of every item of an alerts frame.
std::vector<std::pair<uint64_t, std::string>> alert_items(const Frame& f) {
    auto d = parse(f);
    CHECK(std::string(d["type"].GetString()) == "alerts");
    std::vector<std::pair<uint64_t, std::string>> out;
    for (const auto& it : d["data"]["items"].GetArray()) out.emplace_back(it["alert"]["id"].GetUint64(), it["phase"].GetString());
    return out;
}

}  // namespace

TEST_CASE("broadcaster: alerts topic carries changes since the previous tick only", "[api]") {
    Broadcaster b;
    auto c = std::make_shared<FakeClient>();
    c->mask = bit(Topic::kAlerts);
    b.join(c);
    auto snap = test::sample_snapshot();
    const TimestampNs t = snap->wall_ns;
    snap->alerts.push_back(test::sample_alert(1, detect::AlertKind::kSynFlood, "10.0.0.66", "10.0.0.10", t));
    b.publish(*snap);  // baseline: alert 1 was open before anyone could have seen it open
    REQUIRE(c->ticks.size() == 1);
    CHECK_FALSE(frame(*c, Topic::kAlerts));
    CHECK_FALSE(frame(*c, Topic::kStats));  // nobody subscribed to stats: not rendered

    snap->alerts[0].updates = 1;
    snap->alerts[0].last_seen += kNsPerSec;
    snap->alerts.push_back(test::sample_alert(2, detect::AlertKind::kArpScan, "10.0.0.67", "10.0.0.11", t));
    b.publish(*snap);
    REQUIRE(frame(*c, Topic::kAlerts));
    CHECK(alert_items(frame(*c, Topic::kAlerts)) ==
          std::vector<std::pair<uint64_t, std::string>>{{1, "updated"}, {2, "opened"}});

    b.publish(*snap);  // nothing changed
    CHECK_FALSE(frame(*c, Topic::kAlerts));

    snap->alerts[1].ended = true;
    b.publish(*snap);
    CHECK(alert_items(frame(*c, Topic::kAlerts)) == std::vector<std::pair<uint64_t, std::string>>{{2, "ended"}});
    snap->alerts[1].evidence_pcap = "alert-2.pcap";  // the evidence file arrives after the end
    b.publish(*snap);
    CHECK(alert_items(frame(*c, Topic::kAlerts)) == std::vector<std::pair<uint64_t, std::string>>{{2, "updated"}});
}

TEST_CASE("broadcaster: devices, stats and flows frames; one render shared by every client", "[api]") {
    Broadcaster b;
    auto all = std::make_shared<FakeClient>();
    all->mask = bit(Topic::kStats) | bit(Topic::kDevices) | bit(Topic::kFlows) | bit(Topic::kAlerts);
    auto stats_only = std::make_shared<FakeClient>();
    stats_only->mask = bit(Topic::kStats);
    b.join(all);
    b.join(stats_only);
    auto snap = test::sample_snapshot();
    b.publish(*snap);
    CHECK_FALSE(frame(*all, Topic::kDevices));  // no discoveries this tick: no frame
    REQUIRE(frame(*all, Topic::kStats));
    CHECK(frame(*all, Topic::kStats) == frame(*stats_only, Topic::kStats));  // the same string, rendered once
    CHECK(b.latest(Topic::kStats) == frame(*all, Topic::kStats));
    auto flows = parse(frame(*all, Topic::kFlows));
    REQUIRE(flows["data"]["items"].Size() == 3);
    CHECK(flows["data"]["items"][0]["interval_bytes"].GetUint64() == 300);  // busiest this tick first

    devices::DeviceEvent ev;
    ev.discovered = true;
    ev.device = snap->devices[0];
    snap->device_events.push_back(ev);
    ev.discovered = false;
    ev.changes = {"new_ip"};
    snap->device_events.push_back(ev);
    b.publish(*snap);
    auto d = parse(frame(*all, Topic::kDevices));
    CHECK(std::string(d["type"].GetString()) == "devices");
    REQUIRE(d["data"]["items"].Size() == 2);
    CHECK(d["data"]["items"][0]["discovered"].GetBool());
    CHECK(std::string(d["data"]["items"][1]["changes"][0].GetString()) == "new_ip");
    CHECK(std::string(d["data"]["items"][0]["device"]["id"].GetString()) == "mac:02:00:00:00:00:01");

    all.reset();  // a client that left is skipped
    b.publish(*snap);
    CHECK(stats_only->ticks.size() == 3);
    CHECK_FALSE(stats_only->ticks.back()[static_cast<size_t>(Topic::kDevices)]);  // nobody wants devices now
}
