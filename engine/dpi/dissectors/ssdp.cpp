// SSDP (UDP 1900, HTTP over UDP for UPnP discovery): one EVE "ssdp" event per datagram with
// the method, URI or status, and the discovery headers (host, st/nt, usn, location, user
// agent / server).
#include "dpi/device_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/ssdp_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kMethod, kUri, kStatus, kHost, kSt, kNt, kNts, kUsn, kLocation, kUserAgent, kServer, kMan };
constexpr const char* kNames[] = {"method", "uri", "status", "host", "st", "nt", "nts", "usn", "location",
                                  "user_agent", "server", "man"};

class SsdpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp) return Verdict::kExcluded;
        ssdp::Ssdp s;
        if (!ssdp::parse_ssdp(in.data.as_string(), s)) return Verdict::kExcluded;
        // A bare HTTP response is SSDP only on its port (or as the answer to an M-SEARCH).
        return !s.method.empty() || in.server_port == 1900 ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        ssdp::Ssdp s;
        if (ssdp::parse_ssdp(in.data.as_string(), s)) {
            if (!s.server.empty()) events.device_fact(DeviceFact::kSsdpServer, s.server.substr(0, 200));
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                const std::string_view vals[] = {s.method, s.uri, s.status, s.host, s.st, s.nt, s.nts, s.usn,
                                                 s.location, s.user_agent, s.server, s.man};
                for (uint8_t k = 0; k < std::size(vals); ++k)
                    if (!vals[k].empty()) w.str(k, vals[k].substr(0, 400));
                events.commit_event();
            }
        }
        return {static_cast<uint32_t>(in.data.size), false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            if (key >= std::size(kNames)) continue;
            w.Key(kNames[key]);
            if (key == kStatus) {
                uint32_t n = 0;
                for (size_t i = 0; i < v.size && i < 3; ++i) n = n * 10 + static_cast<uint32_t>(v.u8(i) - '0');
                w.Uint(n);
            } else {
                write_text(w, v, TextMode::kEscapeControls);
            }
        }
        w.EndObject();
    }

 private:
    DissectorInfo info_{"ssdp", kUdp, {1900, 0, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_ssdp_dissector() { return std::make_unique<SsdpDissector>(); }

}  // namespace nms::dpi
