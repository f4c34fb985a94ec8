#pragma once
// Pure SSDP parsing (HTTP-over-UDP, UPnP discovery): start line and the headers a device
// tracker wants. Views point into the datagram; no allocation.
#include <string_view>

#include "dpi/dissectors/http_parse.hpp"

namespace nms::dpi::ssdp {

struct Ssdp {
    std::string_view method;      // "M-SEARCH", "NOTIFY" (empty for a response)
    std::string_view uri;
    std::string_view status;      // response status code
    std::string_view host, st, nt, nts, usn, location, user_agent, server, man;
};

inline bool is_ssdp_method(std::string_view m) noexcept {
    return m == "M-SEARCH" || m == "NOTIFY" || m == "SUBSCRIBE" || m == "UNSUBSCRIBE";
}

// Parses the start line and headers (the block need not end with an empty line: a
// datagram is complete).
inline bool parse_ssdp(std::string_view d, Ssdp& out) noexcept {
    out = Ssdp{};
    const std::string_view line = http::first_line(d);
    if (line.substr(0, 5) == "HTTP/") {
        http::StatusLine sl;
        if (!http::parse_status_line(line, sl)) return false;
        out.status = sl.status;
    } else {
        const size_t sp = line.find(' ');
        if (sp == std::string_view::npos || !is_ssdp_method(line.substr(0, sp))) return false;
        const size_t sp2 = line.find(' ', sp + 1);
        if (sp2 == std::string_view::npos || line.substr(sp2 + 1, 5) != "HTTP/") return false;
        out.method = line.substr(0, sp);
        out.uri = line.substr(sp + 1, sp2 - sp - 1);
    }
    out.host = http::header(d, "host");
    out.st = http::header(d, "st");
    out.nt = http::header(d, "nt");
    out.nts = http::header(d, "nts");
    out.usn = http::header(d, "usn");
    out.location = http::header(d, "location");
    out.user_agent = http::header(d, "user-agent");
    out.server = http::header(d, "server");
    out.man = http::header(d, "man");
    return true;
}

}  // namespace nms::dpi::ssdp
