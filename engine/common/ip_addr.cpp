#include "common/ip_addr.hpp"

#include <arpa/inet.h>

namespace nms {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
    char buf[64];
    if (text.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    uint8_t raw[16];
    if (inet_pton(AF_INET, buf, raw) == 1) return from_v4(raw);
    if (inet_pton(AF_INET6, buf, raw) == 1) return from_v6(raw);
    return std::nullopt;
}

size_t IpAddr::format(char* buf) const noexcept {
    const char* r = is_v4() ? inet_ntop(AF_INET, bytes.data() + 12, buf, INET6_ADDRSTRLEN)
                            : inet_ntop(AF_INET6, bytes.data(), buf, INET6_ADDRSTRLEN);
    return r ? std::strlen(buf) : 0;
}

std::string IpAddr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    return std::string(buf, format(buf));
}

}  // namespace nms
