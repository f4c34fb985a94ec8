#pragma once
// OutputThread: the single consumer of every worker's FlowRecord ring. Renders EVE flow
// events and hands every record to the RecordSinks (the store). Runs until every worker has
// finished and its ring is empty, so nothing queued at shutdown is lost.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "output/eve_writer.hpp"
#include "output/record_sink.hpp"
#include "pipeline/worker.hpp"

namespace nms::output {

class OutputThread {
 public:
    // `eve` may be null (no EVE output): records are then drained and counted only.
    OutputThread(std::vector<pipeline::Worker*> workers, EveWriter* eve, bool eve_flows);
    ~OutputThread();

    // Before start(): `sink` also receives every record and app event (not owned).
    void add_sink(RecordSink* sink) { sinks_.push_back(sink); }

    void start();
    void join();
    // Drains until all workers finished (the thread's loop); callable directly in tests.
    void run();

    [[nodiscard]] uint64_t flows_written() const noexcept { return flows_.load(std::memory_order_relaxed); }
    // output.eve_flow can change on SIGHUP.
    void set_eve_flows(bool on) noexcept { eve_flows_.store(on, std::memory_order_relaxed); }

 private:
    // Drains every ring once; returns items drained, adds flow records to `flows`.
    size_t drain_once(std::string& buf, size_t& flows);

    std::vector<pipeline::Worker*> workers_;
    EveWriter* eve_;
    std::vector<RecordSink*> sinks_;
    std::atomic<bool> eve_flows_;
    std::atomic<uint64_t> flows_{0};
    std::thread thread_;
};

}  // namespace nms::output
