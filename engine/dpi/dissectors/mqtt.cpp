// MQTT 3.1/3.1.1/5 (1883): one EVE "mqtt" event per control packet of interest, like
// Suricata's {connect: {protocol_string, protocol_version, client_id, username}},
// {connack: {return_code}}, {publish: {topic, message_id}}, {subscribe: {topics[]}} ...
// Packets larger than what we parse (big PUBLISH payloads) are skipped unbuffered.
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kType, kProtoString, kProtoVersion, kClientId, kUsername, kReturnCode, kTopic, kMessageId,
                       kQos, kRetain };

struct MqttState {
    uint32_t skip[2];
    uint8_t version;           // from CONNECT (5 has properties)
    uint16_t events;
};

constexpr uint16_t kMaxEvents = 256;
constexpr size_t kParseMax = 1024;

// Fixed header: type/flags byte + remaining length (1-4 bytes). Returns header size, 0 = need
// more, -1 = malformed.
int fixed_header(ByteView d, uint32_t& remaining) noexcept {
    remaining = 0;
    for (size_t i = 1; i <= 4; ++i) {
        if (i >= d.size) return 0;
        const uint8_t b = d.u8(i);
        remaining |= uint32_t{b & 0x7fu} << (7 * (i - 1));
        if (!(b & 0x80)) return static_cast<int>(i + 1);
    }
    return -1;
}

bool mqtt_string(ByteView p, size_t& off, ByteView& out) noexcept {
    if (!p.has(off, 2)) return false;
    const uint16_t n = p.be16(off);
    if (!p.has(off + 2, n)) return false;
    out = p.sub(off + 2, n);
    off += 2 + size_t{n};
    return true;
}

// MQTT 5 properties: a variable-length integer then that many bytes; skipped.
bool skip_properties(ByteView p, size_t& off) noexcept {
    uint32_t n = 0;
    for (size_t i = 0; i < 4; ++i) {
        if (!p.has(off, 1)) return false;
        const uint8_t b = p.u8(off++);
        n |= uint32_t{b & 0x7fu} << (7 * i);
        if (!(b & 0x80)) {
            if (!p.has(off, n)) return false;
            off += n;
            return true;
        }
    }
    return false;
}

constexpr const char* kTypeNames[] = {"reserved", "connect", "connack", "publish", "puback", "pubrec", "pubrel",
                                      "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback", "pingreq",
                                      "pingresp", "disconnect", "auth"};

class MqttDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        if (d.empty()) return Verdict::kNeedMore;
        if (in.dir == flow::kToClient) {
            // CONNACK 0x20 0x02 (3.1.1) or with properties (5): thin evidence, the port decides.
            if (d.u8(0) != 0x20) return Verdict::kExcluded;
            return in.server_port == 1883 ? Verdict::kDetected : Verdict::kNeedMore;
        }
        if (d.u8(0) != 0x10) return Verdict::kExcluded;
        uint32_t rem = 0;
        const int h = fixed_header(d, rem);
        if (h < 0 || (h > 0 && (rem < 10 || rem > 65536))) return Verdict::kExcluded;
        if (h == 0 || d.size < static_cast<size_t>(h) + 8) return Verdict::kNeedMore;
        const std::string_view name = d.sub(static_cast<size_t>(h), 8).as_string();
        if (name.substr(0, 6) == std::string_view("\0\4MQTT", 6) || name == std::string_view("\0\6MQIsdp", 8))
            return Verdict::kDetected;
        return Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<MqttState*>(state.data());
        const int dir = in.dir;
        ByteView d = in.data;
        uint32_t consumed = 0;
        if (in.stream_gap) return {static_cast<uint32_t>(d.size), s.events >= kMaxEvents};  // best effort
        while (!d.empty()) {
            if (s.skip[dir]) {
                const auto n = static_cast<uint32_t>(d.size < s.skip[dir] ? d.size : s.skip[dir]);
                s.skip[dir] -= n;
                d = d.sub(n);
                consumed += n;
                continue;
            }
            uint32_t rem = 0;
            const int h = fixed_header(d, rem);
            if (h < 0) return {static_cast<uint32_t>(in.data.size), true};
            if (h == 0) break;
            const size_t total = static_cast<size_t>(h) + rem;
            const size_t want = total < kParseMax ? total : kParseMax;
            if (d.size < want) break;
            on_packet(d.u8(0), d.sub(static_cast<size_t>(h), want - static_cast<size_t>(h)), rem, s, events);
            s.skip[dir] = static_cast<uint32_t>(total);
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool open = false;
        bool topics_open = false;
        while (r.next(key, v)) {
            const uint64_t n = EventReader::as_u64(v);
            if (key == kType) {
                w.Key(kTypeNames[n & 15]);
                w.StartObject();
                open = true;
                continue;
            }
            if (key != kTopic && topics_open) {
                w.EndArray();
                topics_open = false;
            }
            switch (key) {
                case kProtoString: w.Key("protocol_string"); write_text(w, v); break;
                case kProtoVersion: w.Key("protocol_version"); w.Uint64(n); break;
                case kClientId: w.Key("client_id"); write_text(w, v); break;
                case kUsername: w.Key("username"); write_text(w, v); break;
                case kReturnCode: w.Key("return_code"); w.Uint64(n); break;
                case kMessageId: w.Key("message_id"); w.Uint64(n); break;
                case kQos: w.Key("qos"); w.Uint64(n); break;
                case kRetain: w.Key("retain"); w.Bool(n != 0); break;
                case kTopic:
                    if (v.size && v.data[0] == 'M') {  // subscribe list entry ("M" + topic)
                        if (!topics_open) {
                            w.Key("topics");
                            w.StartArray();
                            topics_open = true;
                        }
                        write_text(w, v.sub(1));
                    } else {
                        w.Key("topic");
                        write_text(w, v.sub(1));
                    }
                    break;
                default: break;
            }
        }
        if (topics_open) w.EndArray();
        if (open) w.EndObject();
        w.EndObject();
    }

 private:
    static void put_topic(EventWriter& w, ByteView t, bool list) noexcept {
        char buf[257];
        buf[0] = list ? 'M' : 'S';
        const size_t n = t.size < 256 ? t.size : 256;
        if (n) std::memcpy(buf + 1, t.data, n);
        w.bytes(kTopic, buf, n + 1);
    }

    void on_packet(uint8_t b0, ByteView p, uint32_t rem, MqttState& s, EventSink& events) const noexcept {
        const uint8_t type = b0 >> 4;
        if (type == 12 || type == 13 || type == 4 || type == 5 || type == 6 || type == 7 || type == 0) return;
        if (s.events >= kMaxEvents) return;
        ++s.events;
        AppEvent* ev = events.begin_event();
        if (!ev) return;
        EventWriter w(*ev);
        w.u64(kType, type);
        size_t off = 0;
        ByteView str;
        switch (type) {
            case 1: {  // CONNECT
                if (!mqtt_string(p, off, str) || !p.has(off, 4)) break;
                w.str(kProtoString, str);
                const uint8_t version = p.u8(off), flags = p.u8(off + 1);
                s.version = version;
                w.u64(kProtoVersion, version);
                off += 4;
                if (version >= 5 && !skip_properties(p, off)) break;
                if (!mqtt_string(p, off, str)) break;
                w.str(kClientId, str.sub(0, 256));
                if (flags & 0x04) {  // will: (properties) topic, message
                    if (version >= 5 && !skip_properties(p, off)) break;
                    if (!mqtt_string(p, off, str) || !mqtt_string(p, off, str)) break;
                }
                if ((flags & 0x80) && mqtt_string(p, off, str)) w.str(kUsername, str.sub(0, 256));
                break;
            }
            case 2:  // CONNACK
                if (p.has(0, 2)) w.u64(kReturnCode, p.u8(1));
                break;
            case 3: {  // PUBLISH
                const uint8_t qos = (b0 >> 1) & 3;
                w.u64(kQos, qos);
                w.u64(kRetain, b0 & 1);
                if (!mqtt_string(p, off, str)) break;
                put_topic(w, str, false);
                if (qos && p.has(off, 2)) w.u64(kMessageId, p.be16(off));
                break;
            }
            case 8:
            case 10: {  // SUBSCRIBE / UNSUBSCRIBE: message id, (properties), topic list
                if (!p.has(0, 2)) break;
                w.u64(kMessageId, p.be16(0));
                off = 2;
                if (s.version >= 5 && !skip_properties(p, off)) break;
                for (int i = 0; i < 16 && off < p.size && off < rem && mqtt_string(p, off, str); ++i) {
                    put_topic(w, str, true);
                    if (type == 8) ++off;  // requested QoS / options byte
                }
                break;
            }
            case 9:
            case 11:
                if (p.has(0, 2)) w.u64(kMessageId, p.be16(0));
                break;
            default:
                break;
        }
        events.commit_event();
    }

    DissectorInfo info_{"mqtt", kTcp, {1883, 0, 0, 0, 0, 0}, sizeof(MqttState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_mqtt_dissector() { return std::make_unique<MqttDissector>(); }

}  // namespace nms::dpi
