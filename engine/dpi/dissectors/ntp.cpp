// NTP (UDP 123): one EVE "ntp" event per message with version, mode, stratum, poll and the
// reference id (text for stratum 0/1, an address otherwise).
#include <arpa/inet.h>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kVersion, kMode, kStratum, kPoll, kRefId, kLeap };

class NtpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    // Version 1..4; mode 1..5 need the 48-byte header, 6/7 (control, private) are shorter.
    static bool plausible(ByteView d) noexcept {
        if (d.size < 12) return false;
        const uint8_t vn = (d.u8(0) >> 3) & 7, mode = d.u8(0) & 7;
        if (vn < 1 || vn > 4 || mode == 0) return false;
        if (mode <= 5) return d.size >= 48 && d.u8(1) <= 16;
        return true;
    }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp || in.server_port != 123) return Verdict::kExcluded;
        return plausible(in.data) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        const ByteView d = in.data;
        if (plausible(d)) {
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                const uint8_t mode = d.u8(0) & 7;
                w.u32(kVersion, (d.u8(0) >> 3) & 7u);
                w.u32(kMode, mode);
                if (mode <= 5) {
                    w.u32(kLeap, d.u8(0) >> 6);
                    w.u32(kStratum, d.u8(1));
                    w.u32(kPoll, d.u8(2));
                    w.bytes(kRefId, d.data + 12, 4);
                }
                events.commit_event();
            }
        }
        return {static_cast<uint32_t>(d.size), false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        static constexpr const char* kModes[] = {"reserved", "symmetric_active", "symmetric_passive", "client",
                                                 "server", "broadcast", "control", "private"};
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        uint32_t stratum = 0;
        while (r.next(key, v)) {
            const auto n = static_cast<uint32_t>(EventReader::as_u64(v));
            switch (key) {
                case kVersion: w.Key("version"); w.Uint(n); break;
                case kMode: w.Key("mode"); w.String(kModes[n & 7]); break;
                case kLeap: w.Key("leap_indicator"); w.Uint(n); break;
                case kStratum: stratum = n; w.Key("stratum"); w.Uint(n); break;
                case kPoll: w.Key("poll"); w.Uint(n); break;
                case kRefId: {
                    if (v.size != 4) break;
                    w.Key("reference_id");
                    if (stratum <= 1) {
                        size_t len = 0;
                        while (len < 4 && v.u8(len)) ++len;
                        write_text(w, v.sub(0, len), TextMode::kEscapeControls);
                    } else {
                        char buf[INET_ADDRSTRLEN] = {};
                        inet_ntop(AF_INET, v.data, buf, sizeof buf);
                        w.String(buf);
                    }
                    break;
                }
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    DissectorInfo info_{"ntp", kUdp, {123, 0, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_ntp_dissector() { return std::make_unique<NtpDissector>(); }

}  // namespace nms::dpi
