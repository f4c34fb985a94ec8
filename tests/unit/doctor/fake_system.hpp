#pragma once
// A fake /sys + /proc tree in a temporary directory and a fake EthtoolQuery, so the doctor's
// probes and checks run without touching the host.
#include <filesystem>
#include <map>
#include <string>

#include "doctor/ethtool_query.hpp"

namespace nms::doctor::test {

class FakeTree {
 public:
    FakeTree();
    ~FakeTree();
    FakeTree(const FakeTree&) = delete;
    FakeTree& operator=(const FakeTree&) = delete;

    const std::string& root() const { return root_; }
    void write(const std::string& rel, const std::string& text);   // rel starts with '/'
    void link(const std::string& rel, const std::string& target);  // symlink
    void remove(const std::string& rel);

    // A healthy 10 Gb/s physical NIC "eth0" (driver ixgbe, 4 queues, IRQs 40-43 on CPUs 4-7)
    // on an 8-CPU host with generous sysctls.
    void add_healthy_host();

 private:
    std::string root_;
};

class FakeEthtool final : public EthtoolQuery {
 public:
    std::map<std::string, std::string> drivers;
    std::map<std::string, Channels> channel_map;
    std::map<std::string, Offloads> offload_map;
    std::map<std::string, std::vector<uint32_t>> rss_map;

    std::optional<std::string> driver(const std::string& ifname) override;
    std::optional<Channels> channels(const std::string& ifname) override;
    std::optional<Offloads> offloads(const std::string& ifname) override;
    std::optional<std::vector<uint32_t>> rss_indirection(const std::string& ifname) override;

    // eth0 with everything off and 4 of 4 queues in use, RSS over all 4.
    void add_healthy_eth0();
};

}  // namespace nms::doctor::test
