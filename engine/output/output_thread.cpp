#include "output/output_thread.hpp"

#include <time.h>

#include "common/cpu.hpp"
#include "output/eve_format.hpp"

namespace nms::output {

OutputThread::OutputThread(std::vector<pipeline::Worker*> workers, EveWriter* eve, bool eve_flows)
    : workers_(std::move(workers)), eve_(eve), eve_flows_(eve_flows) {}

OutputThread::~OutputThread() { join(); }

void OutputThread::start() {
    thread_ = std::thread([this] { run(); });
}

void OutputThread::join() {
    if (thread_.joinable()) thread_.join();
}

size_t OutputThread::drain_once(std::string& buf, size_t& flows) {
    size_t n = 0;
    const auto& registry = dpi::builtin_registry();
    for (pipeline::Worker* w : workers_) {
        const size_t f = w->records().consume_all([&](const pipeline::FlowRecord& rec) {
            if (eve_ && eve_flows_.load(std::memory_order_relaxed)) {
                append_flow_event(buf, rec, &registry);
                buf.push_back('\n');
            }
            for (RecordSink* s : sinks_) s->on_flow(rec);
        });
        flows += f;
        n += f;
        n += w->app_events().consume_all([&](const dpi::AppEvent& ev) {
            if (eve_) {
                append_app_event(buf, ev, registry);
                buf.push_back('\n');
            }
            for (RecordSink* s : sinks_) s->on_app_event(ev);
        });
        if (buf.size() > (1 << 16)) {
            if (eve_) eve_->write(buf);
            buf.clear();
        }
    }
    return n;
}

void OutputThread::run() {
    name_current_thread("nms-output");
    std::string buf;
    buf.reserve(1 << 17);
    for (;;) {
        bool all_finished = true;
        for (const pipeline::Worker* w : workers_) all_finished &= w->finished();
        size_t flows = 0;
        const size_t n = drain_once(buf, flows);
        flows_.fetch_add(flows, std::memory_order_relaxed);
        if (!buf.empty() && eve_) eve_->write(buf);
        buf.clear();
        // finished() was read before draining: an empty pass after it means nothing is left.
        if (all_finished && n == 0) break;
        if (n == 0) {
            if (eve_) eve_->flush();
            timespec ts{0, 5'000'000};
            nanosleep(&ts, nullptr);
        }
    }
    if (eve_) eve_->flush();
}

}  // namespace nms::output
