#pragma once
// WsOutbox: the frames waiting for one WebSocket client, bounded. stats and flows keep ONE
// pending frame each (a newer one replaces an unsent one: a slow client skips views); alerts
// and devices wait in a FIFO of `capacity` frames (news must arrive in order; on overflow the
// oldest is dropped and counted). next() hands out events first, then stats, then flows.
// Used on the session's strand only: no locking.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "api/ws_frames.hpp"

namespace nms::api {

class WsOutbox {
 public:
    explicit WsOutbox(size_t capacity) : capacity_(capacity) {}

    // Returns the number of frames dropped to make room (0 or 1).
    size_t push(Topic topic, Frame frame);
    // The next frame to write; null when nothing waits.
    Frame next();
    void clear();
    [[nodiscard]] bool empty() const noexcept;
    [[nodiscard]] uint64_t dropped() const noexcept { return dropped_; }
    [[nodiscard]] size_t queued_events() const noexcept { return events_.size(); }

 private:
    size_t capacity_;
    std::array<Frame, kTopicCount> latest_;  // stats and flows
    std::deque<Frame> events_;               // alerts and devices
    uint64_t dropped_ = 0;
};

}  // namespace nms::api
