// EthtoolQuery over ioctl(SIOCETHTOOL). Only GET commands: the doctor never changes a NIC.
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "doctor/ethtool_query.hpp"

namespace nms::doctor {
namespace {

class IoctlEthtool final : public EthtoolQuery {
 public:
    IoctlEthtool() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
    ~IoctlEthtool() override {
        if (fd_ >= 0) close(fd_);
    }
    IoctlEthtool(const IoctlEthtool&) = delete;
    IoctlEthtool& operator=(const IoctlEthtool&) = delete;

    std::optional<std::string> driver(const std::string& ifname) override {
        ethtool_drvinfo info{};
        info.cmd = ETHTOOL_GDRVINFO;
        if (!call(ifname, &info)) return std::nullopt;
        std::string name(info.driver, strnlen(info.driver, sizeof info.driver));
        if (name.empty()) return std::nullopt;
        return name;
    }

    std::optional<Channels> channels(const std::string& ifname) override {
        ethtool_channels ch{};
        ch.cmd = ETHTOOL_GCHANNELS;
        if (!call(ifname, &ch)) return std::nullopt;
        return Channels{ch.max_rx,   ch.max_tx,   ch.max_other,   ch.max_combined,
                        ch.rx_count, ch.tx_count, ch.other_count, ch.combined_count};
    }

    std::optional<Offloads> offloads(const std::string& ifname) override {
        if (auto f = features(ifname)) return f;
        return legacy_offloads(ifname);
    }

    std::optional<std::vector<uint32_t>> rss_indirection(const std::string& ifname) override {
        ethtool_rxfh_indir head{};
        head.cmd = ETHTOOL_GRXFHINDIR;
        head.size = 0;  // first ask for the table size
        if (!call(ifname, &head) || head.size == 0 || head.size > 65536) return std::nullopt;
        // Header (cmd, size) followed by ring_index[size], as the kernel lays it out.
        std::vector<uint32_t> buf(2 + head.size, 0);
        buf[0] = ETHTOOL_GRXFHINDIR;
        buf[1] = head.size;
        if (!call(ifname, buf.data())) return std::nullopt;
        return std::vector<uint32_t>(buf.begin() + 2, buf.end());
    }

 private:
    bool call(const std::string& ifname, void* data) const {
        if (fd_ < 0 || ifname.empty() || ifname.size() >= IFNAMSIZ) return false;
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
        ifr.ifr_data = static_cast<char*>(data);
        return ioctl(fd_, SIOCETHTOOL, &ifr) == 0;
    }

    std::optional<bool> legacy_value(const std::string& ifname, uint32_t cmd) const {
        ethtool_value v{};
        v.cmd = cmd;
        if (!call(ifname, &v)) return std::nullopt;
        return v.data != 0;
    }

    std::optional<Offloads> legacy_offloads(const std::string& ifname) const {
        Offloads o;
        o.gro = legacy_value(ifname, ETHTOOL_GGRO);
        o.tso = legacy_value(ifname, ETHTOOL_GTSO);
        o.gso = legacy_value(ifname, ETHTOOL_GGSO);
        ethtool_value flags{};
        flags.cmd = ETHTOOL_GFLAGS;
        if (call(ifname, &flags)) {
            o.lro = (flags.data & ETH_FLAG_LRO) != 0;
            o.rx_vlan = (flags.data & ETH_FLAG_RXVLAN) != 0;
        }
        if (!o.gro && !o.tso && !o.gso && !o.lro) return std::nullopt;
        return o;
    }

    // ETHTOOL_GFEATURES: names from the ETH_SS_FEATURES string set, bits from the blocks.
    std::optional<Offloads> features(const std::string& ifname) const {
        std::vector<uint64_t> info_buf((sizeof(ethtool_sset_info) + sizeof(uint32_t)) / 8 + 1, 0);
        auto* info = reinterpret_cast<ethtool_sset_info*>(info_buf.data());
        info->cmd = ETHTOOL_GSSET_INFO;
        info->sset_mask = uint64_t{1} << ETH_SS_FEATURES;
        if (!call(ifname, info) || (info->sset_mask & (uint64_t{1} << ETH_SS_FEATURES)) == 0)
            return std::nullopt;
        const uint32_t count = info->data[0];
        if (count == 0 || count > 4096) return std::nullopt;

        std::vector<uint64_t> str_buf((sizeof(ethtool_gstrings) + size_t{count} * ETH_GSTRING_LEN) / 8 + 1,
                                      0);
        auto* strings = reinterpret_cast<ethtool_gstrings*>(str_buf.data());
        strings->cmd = ETHTOOL_GSTRINGS;
        strings->string_set = ETH_SS_FEATURES;
        strings->len = count;
        if (!call(ifname, strings)) return std::nullopt;

        const uint32_t blocks = (count + 31) / 32;
        std::vector<uint64_t> feat_buf(
            (sizeof(ethtool_gfeatures) + size_t{blocks} * sizeof(ethtool_get_features_block)) / 8 + 1, 0);
        auto* feats = reinterpret_cast<ethtool_gfeatures*>(feat_buf.data());
        feats->cmd = ETHTOOL_GFEATURES;
        feats->size = blocks;
        if (!call(ifname, feats)) return std::nullopt;

        Offloads o;
        for (uint32_t i = 0; i < count; ++i) {
            const char* raw = reinterpret_cast<const char*>(strings->data) + size_t{i} * ETH_GSTRING_LEN;
            const std::string name(raw, strnlen(raw, ETH_GSTRING_LEN));
            const bool on = ((feats->features[i / 32].active >> (i % 32)) & 1u) != 0;
            if (name == "rx-gro")
                o.gro = on;
            else if (name == "rx-gro-hw")
                o.gro_hw = on;
            else if (name == "rx-lro")
                o.lro = on;
            else if (name == "tx-tcp-segmentation")
                o.tso = on;
            else if (name == "tx-generic-segmentation")
                o.gso = on;
            else if (name == "rx-vlan-hw-parse")
                o.rx_vlan = on;
        }
        return o;
    }

    int fd_;
};

}  // namespace

std::unique_ptr<EthtoolQuery> make_ioctl_ethtool() {
    return std::make_unique<IoctlEthtool>();
}

}  // namespace nms::doctor
