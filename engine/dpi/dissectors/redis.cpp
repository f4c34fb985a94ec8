// Redis (RESP): client commands, as EVE "redis" events {command, args[] (first two, bounded)}.
// Requests are RESP arrays of bulk strings or inline commands; replies are not parsed.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kCommand, kArg };

struct RedisState {
    uint16_t events;
};

constexpr uint16_t kMaxEvents = 128;
constexpr size_t kMaxArgs = 2;

// Parses "<prefix><digits>\r\n" at `off`; returns the number or -1 (incomplete or bad: `bad`).
long long resp_int(std::string_view d, size_t& off, char prefix, bool& bad) noexcept {
    if (off >= d.size()) return -1;
    if (d[off] != prefix) {
        bad = true;
        return -1;
    }
    long long v = 0;
    size_t i = off + 1;
    bool neg = i < d.size() && d[i] == '-';
    if (neg) ++i;
    const size_t start = i;
    for (; i < d.size() && d[i] >= '0' && d[i] <= '9'; ++i) {
        v = v * 10 + (d[i] - '0');
        if (v > 100'000'000) {
            bad = true;
            return -1;
        }
    }
    if (i + 1 >= d.size()) return -1;
    if (i == start || d[i] != '\r' || d[i + 1] != '\n') {
        bad = true;
        return -1;
    }
    off = i + 2;
    return neg ? -v : v;
}

bool inline_command(std::string_view verb) noexcept {
    static constexpr std::string_view kVerbs[] = {"PING", "AUTH", "GET", "SET", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE",
                                                  "INFO", "SELECT", "KEYS", "HELLO", "DEL", "EXISTS", "QUIT",
                                                  "CONFIG", "CLIENT", "MONITOR", "FLUSHALL"};
    for (auto v : kVerbs)
        if (lines::iequals(verb, v)) return true;
    return false;
}

class RedisDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        if (d.empty()) return Verdict::kNeedMore;
        const bool redis_port = in.server_port == 6379 || in.server_port == 6380;
        if (in.dir == flow::kToClient) {
            const char c = d[0];
            if (c != '+' && c != '-' && c != ':' && c != '$' && c != '*') return Verdict::kExcluded;
            return redis_port ? Verdict::kDetected : Verdict::kNeedMore;
        }
        if (d[0] == '*') {  // "*<n>\r\n$<len>\r\n<command>\r\n"
            size_t off = 0;
            bool bad = false;
            const long long n = resp_int(d, off, '*', bad);
            if (bad || (n >= 0 && (n < 1 || n > 1024))) return Verdict::kExcluded;
            if (n < 0) return Verdict::kNeedMore;
            const long long len = resp_int(d, off, '$', bad);
            if (bad || (len >= 0 && (len < 1 || len > 64))) return Verdict::kExcluded;
            if (len < 0 || d.size() < off + static_cast<size_t>(len) + 2) return Verdict::kNeedMore;
            for (size_t i = off; i < off + static_cast<size_t>(len); ++i)
                if ((d[i] < 'A' || d[i] > 'Z') && (d[i] < 'a' || d[i] > 'z') && d[i] != '_' && d[i] != '.')
                    return Verdict::kExcluded;
            return Verdict::kDetected;
        }
        if (!redis_port) return Verdict::kExcluded;
        const lines::Line l = lines::next_line(d);
        if (l.taken == 0) return d.size() < 64 ? Verdict::kNeedMore : Verdict::kExcluded;
        return inline_command(l.text.substr(0, l.text.find(' '))) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<RedisState*>(state.data());
        const std::string_view all = in.data.as_string();
        if (in.dir == flow::kToClient || in.stream_gap) return {static_cast<uint32_t>(all.size()), false};
        std::string_view d = all;
        uint32_t consumed = 0;
        while (!d.empty() && s.events < kMaxEvents) {
            std::string_view parts[1 + kMaxArgs];
            size_t nparts = 0;
            size_t off = 0;
            if (d[0] == '*') {
                bool bad = false;
                const long long n = resp_int(d, off, '*', bad);
                if (bad) return {static_cast<uint32_t>(all.size()), false};
                if (n < 0) break;
                bool complete = true;
                for (long long i = 0; i < n; ++i) {
                    const long long len = resp_int(d, off, '$', bad);
                    if (bad) return {static_cast<uint32_t>(all.size()), false};
                    if (len < 0 || d.size() < off + static_cast<size_t>(len) + 2) {
                        complete = false;
                        break;
                    }
                    if (nparts < std::size(parts)) parts[nparts++] = d.substr(off, static_cast<size_t>(len));
                    off += static_cast<size_t>(len) + 2;
                }
                if (!complete) {
                    if (d.size() >= 2048) return {static_cast<uint32_t>(all.size()), false};  // huge value: skip
                    break;
                }
            } else {
                const lines::Line l = lines::next_line(d);
                if (l.taken == 0) {
                    if (d.size() >= 2048) return {static_cast<uint32_t>(all.size()), false};
                    break;
                }
                off = l.taken;
                std::string_view rest = l.text;
                while (!rest.empty() && nparts < std::size(parts)) {
                    std::string_view w, tail;
                    lines::split_command(rest, w, tail);
                    if (!w.empty()) parts[nparts++] = w;
                    rest = tail;
                }
            }
            d.remove_prefix(off);
            consumed += static_cast<uint32_t>(off);
            if (nparts == 0) continue;
            ++s.events;
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                w.str(kCommand, parts[0].substr(0, 64));
                const bool secret = lines::iequals(parts[0], "AUTH");
                for (size_t i = 1; i < nparts; ++i) w.str(kArg, secret && i + 1 == nparts && nparts > 1
                                                                    ? std::string_view("***")
                                                                    : parts[i].substr(0, 256));
                events.commit_event();
            }
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool args_open = false;
        while (r.next(key, v)) {
            if (key == kCommand) {
                w.Key("command");
                write_text(w, v);
            } else if (key == kArg) {
                if (!args_open) {
                    w.Key("args");
                    w.StartArray();
                    args_open = true;
                }
                write_text(w, v);
            }
        }
        if (args_open) w.EndArray();
        w.EndObject();
    }

 private:
    DissectorInfo info_{"redis", kTcp, {6379, 6380, 0, 0, 0, 0}, sizeof(RedisState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_redis_dissector() { return std::make_unique<RedisDissector>(); }

}  // namespace nms::dpi
