#pragma once
// AppEvent: one application-layer transaction (a DNS query, an HTTP request/response, a TLS
// handshake, ...) on its way from a worker to the output thread. The worker only copies
// bytes into a fixed-size record; the dissector that wrote it renders it as EVE JSON later,
// on the output thread, so no JSON is formatted on the packet path.
//
// Body: a sequence of fields, each [key u8][len u16 little-endian][bytes]. Keys are defined
// by the dissector that writes the event (its own small enum); EventWriter/EventReader
// below do the framing and the bounds checks.
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/bytes.hpp"
#include "decode/flow_key.hpp"
#include "dpi/app_id.hpp"
#include "dpi/device_fact.hpp"
#include "dpi/security_fact.hpp"

namespace nms::dpi {

struct AppEvent {
    static constexpr size_t kBodyBytes = 1536;

    uint64_t flow_id = 0;
    TimestampNs ts_ns = 0;
    decode::FlowKey key;
    bool client_is_lo = true;
    bool to_server = true;       // direction of the packet that completed the event
    AppId app = kAppUnknown;
    uint16_t len = 0;            // body bytes used
    uint16_t truncated = 0;      // fields that did not fit
    uint8_t body[kBodyBytes];
};

using AppEventRing = boost::lockfree::spsc_queue<AppEvent>;

// Appends fields to an event; a field that does not fit is dropped whole and counted.
class EventWriter {
 public:
    explicit EventWriter(AppEvent& ev) noexcept : ev_(ev) {}
    void bytes(uint8_t key, const void* data, size_t n) noexcept {
        if (n > 0xffff || ev_.len + 3 + n > AppEvent::kBodyBytes) {
            ++ev_.truncated;
            return;
        }
        uint8_t* p = ev_.body + ev_.len;
        p[0] = key;
        p[1] = static_cast<uint8_t>(n);
        p[2] = static_cast<uint8_t>(n >> 8);
        if (n) std::memcpy(p + 3, data, n);
        ev_.len = static_cast<uint16_t>(ev_.len + 3 + n);
    }
    void str(uint8_t key, std::string_view s) noexcept { bytes(key, s.data(), s.size()); }
    void str(uint8_t key, ByteView v) noexcept { bytes(key, v.data, v.size); }
    void u64(uint8_t key, uint64_t v) noexcept { bytes(key, &v, sizeof v); }
    void u32(uint8_t key, uint32_t v) noexcept { bytes(key, &v, sizeof v); }

 private:
    AppEvent& ev_;
};

// Walks the fields of an event in the order they were written.
class EventReader {
 public:
    explicit EventReader(const AppEvent& ev) noexcept : p_(ev.body), end_(ev.body + ev.len) {}
    // Next field; false at the end (or on a malformed body, which a writer never produces).
    bool next(uint8_t& key, ByteView& value) noexcept {
        if (end_ - p_ < 3) return false;
        const size_t n = p_[1] | (size_t{p_[2]} << 8);
        if (static_cast<size_t>(end_ - p_ - 3) < n) return false;
        key = p_[0];
        value = ByteView{p_ + 3, n};
        p_ += 3 + n;
        return true;
    }
    static uint64_t as_u64(ByteView v) noexcept {
        uint64_t x = 0;
        std::memcpy(&x, v.data, v.size < 8 ? v.size : 8);
        return x;
    }

 private:
    const uint8_t* p_;
    const uint8_t* end_;
};

// A connection a dissector predicts (the FTP data channel announced by PASV/PORT): the next
// new flow from `client` to `server`:`server_port` (either orientation) is labelled `app` (a
// registry name) without DPI. The DPI engine keeps a small bounded table per worker whose
// entries expire; a flow hashed to another worker (PASV naming a third address) is missed.
struct Expectation {
    IpAddr client;
    IpAddr server;
    uint16_t server_port = 0;
    bool tcp = true;
    std::string_view app;     // static string: "ftp-data"
    uint32_t timeout_s = 60;
};

// Where dissectors put events; the DPI engine fills in the flow fields.
class EventSink {
 public:
    virtual ~EventSink() = default;
    // Registers an expected connection (see Expectation). Default: ignored.
    virtual void expect(const Expectation& e) noexcept { (void)e; }
    // Returns an event to fill (flow fields already set), or nullptr when events are off or
    // the ring is full (then the caller just skips the event; it is counted).
    virtual AppEvent* begin_event() noexcept = 0;
    virtual void commit_event() noexcept = 0;
    // A transaction's latency (request -> response as the monitor saw it), in microseconds:
    // goes into the per-protocol and per-server histograms (P50/P95/P99 in stats).
    virtual void latency(uint64_t us) noexcept { (void)us; }
    // Something learned about the sending device (see device_fact.hpp for each kind's value).
    virtual void device_fact(DeviceFact kind, std::string_view value) noexcept {
        (void)kind;
        (void)value;
    }
    // Something a detector needs (DNS query/answer, login outcome; see security_fact.hpp).
    virtual void security_fact(const SecurityFact& fact) noexcept { (void)fact; }
};

}  // namespace nms::dpi
