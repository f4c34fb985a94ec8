#pragma once
// FlowRecord: an ended flow on its way from a worker to the output thread (EVE now,
// the store later). A plain copy, so the worker can reuse the flow's slot at once.
#include <boost/lockfree/spsc_queue.hpp>

#include "flow/flow.hpp"

namespace nms::pipeline {

struct FlowRecord {
    flow::Flow flow;
    flow::EndReason reason;
    uint16_t worker;
};

using FlowRecordRing = boost::lockfree::spsc_queue<FlowRecord>;

}  // namespace nms::pipeline
