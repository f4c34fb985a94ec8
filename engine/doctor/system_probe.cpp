#include "doctor/system_probe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace nms::doctor {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const std::string& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    std::string s = ss.str();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

std::optional<uint64_t> parse_u64(std::string_view s, int base = 10) {
    if (base == 16 && s.starts_with("0x")) s.remove_prefix(2);
    uint64_t v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || res.ec != std::errc()) return std::nullopt;
    return v;
}

std::optional<uint64_t> read_u64(const std::string& file, int base = 10) {
    const auto text = read_text(file);
    if (!text) return std::nullopt;
    return parse_u64(*text, base);
}

std::string link_name(const std::string& link) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(link, ec);
    if (ec) return {};
    return target.filename().string();
}

// "eth0" inside "eth0-TxRx-3" but not inside "eth01-rx".
bool contains_word(const std::string& hay, const std::string& needle) {
    if (needle.empty()) return false;
    for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) {
        const size_t end = pos + needle.size();
        const bool left_ok = pos == 0 || !std::isalnum(static_cast<unsigned char>(hay[pos - 1]));
        const bool right_ok = end == hay.size() || !std::isalnum(static_cast<unsigned char>(hay[end]));
        if (left_ok && right_ok) return true;
    }
    return false;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
    std::set<int> cpus;
    std::istringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.pop_back();
        while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.erase(0, 1);
        const size_t dash = part.find('-');
        const auto lo = parse_u64(part.substr(0, dash));
        const auto hi = dash == std::string::npos ? lo : parse_u64(part.substr(dash + 1));
        if (!lo || !hi || *hi < *lo || *hi > 65535) continue;
        for (uint64_t c = *lo; c <= *hi; ++c) cpus.insert(static_cast<int>(c));
    }
    return {cpus.begin(), cpus.end()};
}

std::string format_cpu_list(const std::vector<int>& cpus) {
    std::vector<int> v = cpus;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    std::string out;
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(v[i]);
        if (j > i) out += "-" + std::to_string(v[j]);
        i = j + 1;
    }
    return out;
}

SystemProbe::SystemProbe(std::string root, EthtoolQuery* ethtool)
    : root_(std::move(root)), ethtool_(ethtool) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    if (root_ == "/") root_.clear();
}

std::string SystemProbe::path(const std::string& rel) const {
    return root_ + rel;
}

bool SystemProbe::interface_exists(const std::string& name) const {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") return false;
    std::error_code ec;
    return fs::exists(path("/sys/class/net/" + name), ec);
}

std::vector<std::string> SystemProbe::interface_names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path("/sys/class/net"), ec))
        out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
}

InterfaceFacts SystemProbe::interface(const std::string& name) const {
    InterfaceFacts f;
    f.name = name;
    const std::string dir = path("/sys/class/net/" + name);
    if (auto v = read_u64(dir + "/mtu")) f.mtu = static_cast<uint32_t>(*v);
    if (auto t = read_text(dir + "/speed")) {
        // Reading fails (EINVAL) on virtual links; "-1" or 0 when the link is down.
        long long s = 0;
        const auto res = std::from_chars(t->data(), t->data() + t->size(), s);
        if (res.ec == std::errc() && s > 0) f.speed_mbps = s;
    }
    if (auto v = read_u64(dir + "/carrier")) f.carrier = *v != 0;
    f.operstate = read_text(dir + "/operstate").value_or("");
    if (auto v = read_u64(dir + "/flags", 16)) f.flags = static_cast<uint32_t>(*v);
    if (auto v = read_u64(dir + "/type")) f.type = static_cast<uint32_t>(*v);
    f.device = link_name(dir + "/device");
    f.driver = link_name(dir + "/device/driver");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir + "/queues", ec)) {
        if (e.path().filename().string().starts_with("rx-")) ++f.rx_queues;
    }
    f.irqs = irqs_of(name, f.device);
    if (ethtool_ != nullptr) {
        if (f.driver.empty()) f.driver = ethtool_->driver(name).value_or("");
        f.channels = ethtool_->channels(name);
        f.offloads = ethtool_->offloads(name);
        f.rss = ethtool_->rss_indirection(name);
    }
    return f;
}

std::vector<IrqInfo> SystemProbe::irqs_of(const std::string& ifname, const std::string& device) const {
    // MSI vectors the PCI device owns, plus lines named after the interface or the device
    // (drivers name them "eth0-TxRx-0", "mlx5_comp0@pci:0000:03:00.0", "virtio0-input.0").
    std::set<uint32_t> msi;
    std::error_code ec;
    if (!device.empty()) {
        for (const auto& e :
             fs::directory_iterator(path("/sys/class/net/" + ifname + "/device/msi_irqs"), ec)) {
            if (auto n = parse_u64(e.path().filename().string())) msi.insert(static_cast<uint32_t>(*n));
        }
    }
    std::vector<IrqInfo> out;
    std::ifstream in(path("/proc/interrupts"));
    std::string line;
    size_t ncpu = 0;
    if (std::getline(in, line)) {
        std::istringstream hdr(line);
        std::string w;
        while (hdr >> w) ncpu += w.starts_with("CPU") ? size_t{1} : size_t{0};
    }
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string label;
        ls >> label;
        if (label.empty() || label.back() != ':') continue;
        const auto irq = parse_u64(std::string_view(label).substr(0, label.size() - 1));
        if (!irq) continue;  // NMI:, LOC:, ... are not device lines
        IrqInfo info;
        info.irq = static_cast<uint32_t>(*irq);
        std::string w;
        for (size_t c = 0; c < ncpu && ls >> w; ++c) info.count += parse_u64(w).value_or(0);
        while (ls >> w) info.name = w;  // the action name is the last word
        const bool named =
            contains_word(info.name, ifname) || (!device.empty() && contains_word(info.name, device));
        if (!named && msi.count(info.irq) == 0) continue;
        // Configuration/link-change vectors fire rarely and carry no packets.
        if (info.name.ends_with("-config") || info.name.ends_with("-async") || info.name.ends_with("-lsc"))
            continue;
        if (auto a = read_text(path("/proc/irq/" + std::to_string(info.irq) + "/smp_affinity_list")))
            info.cpus = parse_cpu_list(*a);
        out.push_back(std::move(info));
    }
    return out;
}

HostFacts SystemProbe::host() const {
    HostFacts h;
    if (auto t = read_text(path("/sys/devices/system/cpu/online"))) h.online_cpus = parse_cpu_list(*t);
    h.rmem_max = read_u64(path("/proc/sys/net/core/rmem_max"));
    h.rmem_default = read_u64(path("/proc/sys/net/core/rmem_default"));
    h.netdev_max_backlog = read_u64(path("/proc/sys/net/core/netdev_max_backlog"));
    h.netdev_budget = read_u64(path("/proc/sys/net/core/netdev_budget"));
    std::ifstream sn(path("/proc/net/softnet_stat"));
    std::string line;
    while (std::getline(sn, line)) {
        std::istringstream ls(line);
        std::string processed, dropped, squeezed;
        if (!(ls >> processed >> dropped >> squeezed)) continue;
        h.softnet_dropped = h.softnet_dropped.value_or(0) + parse_u64(dropped, 16).value_or(0);
        h.softnet_squeezed = h.softnet_squeezed.value_or(0) + parse_u64(squeezed, 16).value_or(0);
    }
    std::ifstream st(path("/proc/self/status"));
    while (std::getline(st, line)) {
        if (!line.starts_with("CapEff:")) continue;
        std::string hex = line.substr(7);
        hex.erase(0, hex.find_first_not_of(" \t"));
        if (auto caps = parse_u64(hex, 16)) h.can_capture = ((*caps >> 13) & 1u) != 0;  // CAP_NET_RAW
    }
    return h;
}

}  // namespace nms::doctor
