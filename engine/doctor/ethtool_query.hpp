#pragma once
// The SIOCETHTOOL part of the doctor behind an interface, so checks run against a fake in
// tests. Every query is optional: virtual links and many drivers answer EOPNOTSUPP.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nms::doctor {

struct Channels {  // ETHTOOL_GCHANNELS
    uint32_t max_rx = 0, max_tx = 0, max_other = 0, max_combined = 0;
    uint32_t rx = 0, tx = 0, other = 0, combined = 0;
};

struct Offloads {                // ETHTOOL_GFEATURES (or the legacy GGRO/GTSO/GGSO/GFLAGS); nullopt = unknown
    std::optional<bool> gro;     // rx-gro
    std::optional<bool> gro_hw;  // rx-gro-hw (hardware GRO)
    std::optional<bool> lro;     // rx-lro
    std::optional<bool> tso;     // tx-tcp-segmentation
    std::optional<bool> gso;     // tx-generic-segmentation
    std::optional<bool> rx_vlan;  // rx-vlan-hw-parse (VLAN tag stripped into metadata)
};

class EthtoolQuery {
 public:
    virtual ~EthtoolQuery() = default;
    virtual std::optional<std::string> driver(const std::string& ifname) = 0;  // ETHTOOL_GDRVINFO
    virtual std::optional<Channels> channels(const std::string& ifname) = 0;
    virtual std::optional<Offloads> offloads(const std::string& ifname) = 0;
    // RSS indirection table (ETHTOOL_GRXFHINDIR): entry i -> rx queue.
    virtual std::optional<std::vector<uint32_t>> rss_indirection(const std::string& ifname) = 0;
};

// The real thing: ioctl(SIOCETHTOOL) on an AF_INET datagram socket; read-only commands only.
std::unique_ptr<EthtoolQuery> make_ioctl_ethtool();

}  // namespace nms::doctor
