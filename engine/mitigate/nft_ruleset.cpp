#include "mitigate/nft_ruleset.hpp"

#include <nftables/libnftables.h>
#include <rapidjson/document.h>

#include <stdexcept>

namespace nms::mitigate {
namespace {

const char* set_of(const IpAddr& ip) { return ip.is_v4() ? "banned_v4" : "banned_v6"; }

std::string chain(const char* name, const char* hook) {
    return std::string("  chain ") + name + " {\n    type filter hook " + hook +
           " priority filter - 10; policy accept;\n"
           "    ip saddr @banned_v4 drop\n    ip6 saddr @banned_v6 drop\n  }\n";
}

}  // namespace

NftRuleset::NftRuleset(std::string table) : table_(std::move(table)), ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (ctx_ == nullptr) throw std::runtime_error("libnftables: cannot create a context");
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
}

NftRuleset::~NftRuleset() { nft_ctx_free(ctx_); }

bool NftRuleset::run(const std::string& cmd, std::string* json_out, std::string& error) {
    std::lock_guard lock(mutex_);
    nft_ctx_output_set_flags(ctx_, json_out ? static_cast<unsigned>(NFT_CTX_OUTPUT_JSON) : 0u);
    const int rc = nft_run_cmd_from_buffer(ctx_, cmd.c_str());
    // Reading a buffer also rewinds it, so the next command starts clean.
    const char* out = nft_ctx_get_output_buffer(ctx_);
    const char* err = nft_ctx_get_error_buffer(ctx_);
    if (rc != 0) {
        error = err && *err ? err : "nft command failed";
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
        return false;
    }
    if (json_out) *json_out = out ? out : "";
    return true;
}

bool NftRuleset::create(std::string& error) {
    // One transaction: make sure a table exists, delete it, define it afresh.
    const std::string t = "inet " + table_;
    const std::string cmd = "add table " + t + "\ndelete table " + t + "\ntable " + t + " {\n" +
                            "  set banned_v4 { type ipv4_addr; flags timeout; }\n"
                            "  set banned_v6 { type ipv6_addr; flags timeout; }\n" +
                            chain("input", "input") + chain("forward", "forward") + "}\n";
    return run(cmd, nullptr, error);
}

bool NftRuleset::destroy(std::string& error) {
    const std::string t = "inet " + table_;
    return run("add table " + t + "\ndelete table " + t + "\n", nullptr, error);
}

bool NftRuleset::add(const IpAddr& ip, uint32_t timeout_s, std::string& error) {
    return run("add element inet " + table_ + " " + set_of(ip) + " { " + ip.to_string() + " timeout " +
                   std::to_string(timeout_s) + "s }",
               nullptr, error);
}

bool NftRuleset::remove(const IpAddr& ip, std::string& error) {
    return run("delete element inet " + table_ + " " + set_of(ip) + " { " + ip.to_string() + " }", nullptr, error);
}

bool NftRuleset::list(std::vector<NftElement>& out, std::string& error) {
    out.clear();
    for (const char* set : {"banned_v4", "banned_v6"}) {
        std::string json;
        if (!run("list set inet " + table_ + " " + set, &json, error)) return false;
        if (!parse_nft_set_json(json, out)) {
            error = "unexpected nft JSON output for set " + std::string(set);
            return false;
        }
    }
    return true;
}

bool parse_nft_set_json(const std::string& json, std::vector<NftElement>& out) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("nftables") || !doc["nftables"].IsArray())
        return false;
    bool found = false;
    for (const auto& item : doc["nftables"].GetArray()) {
        if (!item.IsObject() || !item.HasMember("set") || !item["set"].IsObject()) continue;
        found = true;
        const auto& set = item["set"];
        if (!set.HasMember("elem") || !set["elem"].IsArray()) continue;  // an empty set has no "elem"
        for (const auto& e : set["elem"].GetArray()) {
            // With a timeout an element is {"elem": {"val": ..., "timeout": s, "expires": s}};
            // without one it is the bare address string.
            const rapidjson::Value* v = &e;
            if (e.IsObject() && e.HasMember("elem") && e["elem"].IsObject()) v = &e["elem"];
            const rapidjson::Value* val = v->IsObject() && v->HasMember("val") ? &(*v)["val"] : v;
            if (!val->IsString()) continue;
            const auto ip = IpAddr::parse(val->GetString());
            if (!ip) continue;
            NftElement el;
            el.ip = *ip;
            if (v->IsObject() && v->HasMember("timeout") && (*v)["timeout"].IsUint()) el.timeout_s = (*v)["timeout"].GetUint();
            if (v->IsObject() && v->HasMember("expires") && (*v)["expires"].IsUint()) el.expires_s = (*v)["expires"].GetUint();
            out.push_back(el);
        }
    }
    return found;
}

}  // namespace nms::mitigate
