#include "store/influx_exporter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "store/sqlite.hpp"

namespace nms::store {

std::string influx_line(const StatsRow& r, StatsTier tier) {
    char buf[512];
    const int n = std::snprintf(
        buf, sizeof buf,
        "netmonsec,tier=%s packets=%llui,bytes=%llui,pps=%.3f,pps_max=%.3f,bps=%.3f,bps_max=%.3f,active_flows=%llui,"
        "drops=%llui,tcp_bytes=%llui,udp_bytes=%llui,icmp_bytes=%llui,other_bytes=%llui %lld000000000",
        std::string(name_of(tier)).c_str(), static_cast<unsigned long long>(r.packets),
        static_cast<unsigned long long>(r.bytes), r.pps_avg, r.pps_max, r.bps_avg, r.bps_max,
        static_cast<unsigned long long>(r.active_flows), static_cast<unsigned long long>(r.drops),
        static_cast<unsigned long long>(r.tcp_bytes), static_cast<unsigned long long>(r.udp_bytes),
        static_cast<unsigned long long>(r.icmp_bytes), static_cast<unsigned long long>(r.other_bytes),
        static_cast<long long>(r.ts));
    return std::string(buf, n > 0 ? std::min(static_cast<size_t>(n), sizeof buf - 1) : 0);
}

InfluxExporter::InfluxExporter(std::string_view endpoint, StoreCounters& counters) : counters_(counters) {
    const size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) throw StoreError("influx endpoint \"" + std::string(endpoint) + "\": no :PORT");
    std::string host(endpoint.substr(0, colon));
    const std::string_view port_s = endpoint.substr(colon + 1);
    unsigned port = 0;
    const auto [p, ec] = std::from_chars(port_s.data(), port_s.data() + port_s.size(), port);
    if (ec != std::errc() || p != port_s.data() + port_s.size() || port == 0 || port > 65535)
        throw StoreError("influx endpoint \"" + std::string(endpoint) + "\": bad port");
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(static_cast<uint16_t>(port));
        if (inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1)
            throw StoreError("influx endpoint \"" + std::string(endpoint) + "\": bad IPv6 address");
        len = sizeof(sockaddr_in6);
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(static_cast<uint16_t>(port));
        if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1)
            throw StoreError("influx endpoint \"" + std::string(endpoint) + "\": bad IPv4 address");
        len = sizeof(sockaddr_in);
    }
    fd_ = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw StoreError(std::string("influx socket: ") + std::strerror(errno));
    // connect(): the kernel checks the address once, and send() needs no address.
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw StoreError("influx endpoint \"" + std::string(endpoint) + "\": " + why);
    }
}

InfluxExporter::~InfluxExporter() {
    if (fd_ >= 0) ::close(fd_);
}

void InfluxExporter::flush(std::string& datagram) {
    if (datagram.empty()) return;
    // ECONNREFUSED after an earlier ICMP unreachable, EAGAIN when the socket buffer is full:
    // the line is lost, counted, and the next datagram tries again.
    if (::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) < 0) counters_.influx_errors.add();
    datagram.clear();
}

void InfluxExporter::send(std::span<const StatsRow> rows, StatsTier tier) {
    std::string datagram;
    for (const auto& r : rows) {
        const std::string line = influx_line(r, tier);
        if (datagram.size() + line.size() + 1 > kMaxDatagram) flush(datagram);
        datagram += line;
        datagram.push_back('\n');
        counters_.influx_lines.add();
    }
    flush(datagram);
}

}  // namespace nms::store
