#pragma once
// RecordSink: a consumer of what the output thread drains besides EVE (the store today).
// Called on the output thread for every ended flow and app event; an implementation must
// not block: it copies into its own bounded queue and drops (and counts) when that is full.
#include "dpi/app_event.hpp"
#include "pipeline/flow_record.hpp"

namespace nms::output {

class RecordSink {
 public:
    virtual ~RecordSink() = default;
    virtual void on_flow(const pipeline::FlowRecord& rec) noexcept = 0;
    virtual void on_app_event(const dpi::AppEvent& ev) noexcept = 0;
};

}  // namespace nms::output
