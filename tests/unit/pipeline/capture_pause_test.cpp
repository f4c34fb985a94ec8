// CaptureThread pause/resume (POST /api/v1/capture/stop and /start): a paused thread stops
// polling its source, attributes the kernel's drops meanwhile to the pause, tells the source
// how long it paused (paced sources move their clock), resumes, and still stops promptly.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "pipeline/capture_thread.hpp"

using namespace nms;

namespace {

// Delivers one small frame per poll (about 1000 per second) and a kernel drop counter that
// grows by 7 on every statistics refresh, as a live socket's would while nobody reads.
class ScriptedSource final : public capture::CaptureSource {
 public:
    std::atomic<uint64_t> polls{0};
    std::atomic<uint64_t> resumed_ns{0};
    std::atomic<int> resumes{0};

    capture::PollResult poll(capture::FrameSink& sink, int) noexcept override {
        polls.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a source waiting for traffic
        sink.on_frame(capture::RawFrame{frame_.data(), 60, 60, wall_ns()});
        sink.end_batch();
        ++counters_.frames;
        return capture::PollResult::kFrames;
    }
    void refresh_stats() noexcept override { counters_.kernel_drops += 7; }
    void resumed_after(uint64_t paused_ns) noexcept override {
        resumed_ns.store(paused_ns);
        resumes.fetch_add(1);
    }
    [[nodiscard]] const capture::CaptureCounters& counters() const noexcept override { return counters_; }
    [[nodiscard]] decode::LinkType link_type() const noexcept override { return decode::LinkType::kEthernet; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }

 private:
    std::vector<uint8_t> frame_ = std::vector<uint8_t>(60, 0);
    capture::CaptureCounters counters_;
    std::string name_ = "scripted";
    std::string error_;
};

template <class F>
bool eventually(F&& cond, std::chrono::milliseconds within = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

}  // namespace

TEST_CASE("capture thread pauses, counts the kernel's drops as paused, resumes and stops", "[pipeline]") {
    pipeline::PacketChannel ch(1 << 14, 4 << 20, decode::LinkType::kEthernet);
    auto owned = std::make_unique<ScriptedSource>();
    ScriptedSource* src = owned.get();
    pipeline::CaptureThread ct(std::move(owned), {&ch}, 2048, -1, true);
    ct.start();
    REQUIRE(eventually([&] { return ct.dispatch_counters().frames.get() > 10; }));
    CHECK_FALSE(ct.paused());
    CHECK_FALSE(ct.resume());  // not paused: nothing to resume

    REQUIRE(ct.pause());
    CHECK_FALSE(ct.pause());  // already asked
    REQUIRE(eventually([&] { return ct.paused(); }));
    const uint64_t polls = src->polls.load();
    const uint64_t frames = ct.dispatch_counters().frames.get();
    // While paused the thread does not poll; it refreshes the kernel counters twice a second.
    REQUIRE(eventually([&] { return ct.stats().paused_drops.get() >= 14; }, std::chrono::seconds(5)));
    CHECK(src->polls.load() == polls);
    CHECK(ct.dispatch_counters().frames.get() == frames);
    CHECK(ct.stats().paused_drops.get() <= ct.stats().kernel_drops.get());

    REQUIRE(ct.resume());
    REQUIRE(eventually([&] { return !ct.paused() && src->polls.load() > polls + 10; }));
    CHECK(src->resumes.load() == 1);
    CHECK(src->resumed_ns.load() >= 500 * kNsPerMs);  // at least one 500 ms statistics wake-up
    const uint64_t paused_drops = ct.stats().paused_drops.get();
    REQUIRE(eventually([&] { return ct.stats().kernel_drops.get() > ct.stats().paused_drops.get() + 7; }));
    CHECK(ct.stats().paused_drops.get() == paused_drops);  // drops while running are not "paused"

    // Stopping a paused thread does not wait for a resume.
    REQUIRE(ct.pause());
    REQUIRE(eventually([&] { return ct.paused(); }));
    const auto t0 = std::chrono::steady_clock::now();
    ct.request_stop();
    ct.join();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    CHECK(ct.finished());
    CHECK_FALSE(ct.pause());  // ended: nothing to pause
}
