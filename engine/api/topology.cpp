#include "api/topology.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "dpi/registry.hpp"
#include "output/eve_format.hpp"
#include "store/entity_json.hpp"

namespace nms::api {
namespace {

struct Node {
    std::string id, ip, mac, name, vendor, os;
    bool local = false;
    uint64_t bytes = 0;
};

struct Link {
    uint64_t peer_bytes = 0, peer_packets = 0;  // from connection tables (max of both sides)
    uint64_t flow_bytes = 0, flow_packets = 0;  // from the top flows (summed)
    std::set<std::string> protocols;
};

class Graph {
 public:
    explicit Graph(size_t max_nodes) : max_(max_nodes) {}

    void add_device(const devices::Device& d) {
        if (nodes_.size() >= max_) return;
        Node n;
        n.id = store::device_key_text(d.key);
        n.ip = d.ips.empty() ? std::string() : d.ips.front().to_string();
        n.mac = d.mac;
        n.name = d.hostnames.empty() ? std::string() : d.hostnames.front();
        n.vendor = d.vendor;
        n.os = d.os;
        n.local = d.local;
        n.bytes = d.activity();
        for (const auto& ip : d.ips) by_ip_.emplace(ip, nodes_.size());
        nodes_.push_back(std::move(n));
    }

    // The node of an address: a device's, or a new bare address node while there is room.
    std::optional<size_t> node_of(const IpAddr& ip) {
        if (auto it = by_ip_.find(ip); it != by_ip_.end()) return it->second;
        if (nodes_.size() >= max_) return std::nullopt;
        Node n;
        n.ip = ip.to_string();
        n.id = "ip:" + n.ip;
        by_ip_.emplace(ip, nodes_.size());
        nodes_.push_back(std::move(n));
        return nodes_.size() - 1;
    }

    Link* link(size_t a, size_t b) {
        if (a == b) return nullptr;
        return &links_[{std::min(a, b), std::max(a, b)}];
    }

    [[nodiscard]] size_t size() const noexcept { return nodes_.size(); }
    [[nodiscard]] const Node& node(size_t i) const { return nodes_[i]; }
    Node& node(size_t i) { return nodes_[i]; }

    std::string render() const {
        std::vector<std::pair<std::pair<size_t, size_t>, const Link*>> links;
        for (const auto& [k, l] : links_) links.push_back({k, &l});
        const auto bytes = [](const Link* l) { return std::max(l->peer_bytes, l->flow_bytes); };
        std::sort(links.begin(), links.end(), [&](const auto& x, const auto& y) { return bytes(x.second) > bytes(y.second); });
        if (links.size() > 4 * max_) links.resize(4 * max_);
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        const auto s = [&](const std::string& v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
        w.StartObject();
        w.Key("nodes");
        w.StartArray();
        for (const auto& n : nodes_) {
            w.StartObject();
            w.Key("id"), s(n.id);
            w.Key("ip"), s(n.ip);
            w.Key("mac"), s(n.mac);
            w.Key("name"), s(n.name);
            w.Key("vendor"), s(n.vendor);
            w.Key("os"), s(n.os);
            w.Key("local"), w.Bool(n.local);
            w.Key("bytes"), w.Uint64(n.bytes);
            w.EndObject();
        }
        w.EndArray();
        w.Key("links");
        w.StartArray();
        for (const auto& [k, l] : links) {
            w.StartObject();
            w.Key("source"), s(nodes_[k.first].id);
            w.Key("target"), s(nodes_[k.second].id);
            w.Key("bytes"), w.Uint64(bytes(l));
            w.Key("packets"), w.Uint64(std::max(l->peer_packets, l->flow_packets));
            w.Key("protocols");
            w.StartArray();
            for (const auto& p : l->protocols) s(p);
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        return std::string(sb.GetString(), sb.GetSize());
    }

 private:
    size_t max_;
    std::vector<Node> nodes_;
    std::map<IpAddr, size_t> by_ip_;
    std::map<std::pair<size_t, size_t>, Link> links_;
};

}  // namespace

std::string render_topology(const std::vector<devices::Device>& devs, const std::vector<pipeline::FlowSummary>& flows,
                            size_t max_nodes) {
    std::vector<const devices::Device*> order;
    for (const auto& d : devs) order.push_back(&d);
    std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a->activity() > b->activity(); });
    Graph g(max_nodes);
    for (const auto* d : order) g.add_device(*d);
    const size_t device_nodes = g.size();
    for (size_t i = 0; i < device_nodes && i < order.size(); ++i) {
        for (const auto& p : order[i]->peers) {
            const auto other = g.node_of(p.ip);
            if (!other) continue;
            Link* l = g.link(i, *other);
            if (!l) continue;
            // Both ends may list each other: the larger view of the same traffic wins.
            l->peer_bytes = std::max(l->peer_bytes, p.bytes_in + p.bytes_out);
            l->peer_packets = std::max(l->peer_packets, p.packets_in + p.packets_out);
            if (*other >= device_nodes) g.node(*other).bytes += p.bytes_in + p.bytes_out;
        }
    }
    char pbuf[4];
    for (const auto& fs : flows) {
        const auto& f = fs.flow;
        const auto a = g.node_of(f.client_ip());
        const auto b = a ? g.node_of(f.server_ip()) : std::nullopt;
        if (!a || !b) continue;
        Link* l = g.link(*a, *b);
        if (!l) continue;
        l->flow_bytes += f.bytes[0] + f.bytes[1];
        l->flow_packets += uint64_t{f.pkts[0]} + f.pkts[1];
        l->protocols.insert(f.app_proto ? std::string(dpi::builtin_registry().name_of(f.app_proto))
                                        : std::string(output::proto_name(f.key.proto, pbuf)));
    }
    return g.render();
}

}  // namespace nms::api
