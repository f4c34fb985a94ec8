#include "store/dns_observation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace nms::store {
namespace {

// Names are stored as text: bytes outside printable ASCII become '?' (labels may hold any
// octet; the table must stay valid UTF-8 for the API).
size_t copy_printable(char* dst, size_t cap, ByteView v) noexcept {
    const size_t n = std::min(cap, v.size);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(v.data[i]);
        dst[i] = c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    }
    return n;
}

}  // namespace

bool extract_dns_observation(const dpi::AppEvent& ev, DnsObservation& out) noexcept {
    out.ts_ns = ev.ts_ns;
    out.client = ev.client_is_lo ? ev.key.addr_lo : ev.key.addr_hi;
    out.answer = false;
    out.rrtype = 0;
    out.name_len = 0;
    out.answer_len = 0;
    bool have_name = false;
    bool in_record = false;
    dpi::EventReader r(ev);
    uint8_t key;
    ByteView v;
    while (r.next(key, v)) {
        switch (key) {
            case kDnsFieldType: out.answer = dpi::EventReader::as_u64(v) != 0; break;
            case kDnsFieldRrname:
                if (!have_name) {
                    out.name_len = static_cast<uint8_t>(copy_printable(out.name, DnsObservation::kNameMax, v));
                    have_name = true;
                }
                break;
            case kDnsFieldRrtype: out.rrtype = static_cast<uint16_t>(dpi::EventReader::as_u64(v)); break;
            case kDnsFieldAnName: in_record = true; break;
            case kDnsFieldAnAddr:
                if (in_record && out.answer_len == 0 && (v.size == 4 || v.size == 16)) {
                    char buf[INET6_ADDRSTRLEN] = {};
                    inet_ntop(v.size == 4 ? AF_INET : AF_INET6, v.data, buf, sizeof buf);
                    const size_t n = std::strlen(buf);
                    std::memcpy(out.answer_text, buf, n);
                    out.answer_len = static_cast<uint8_t>(n);
                }
                break;
            case kDnsFieldAnText:
                if (in_record && out.answer_len == 0)
                    out.answer_len = static_cast<uint8_t>(copy_printable(out.answer_text, DnsObservation::kAnswerMax, v));
                break;
            default: break;
        }
    }
    return have_name && out.name_len > 0;
}

}  // namespace nms::store
