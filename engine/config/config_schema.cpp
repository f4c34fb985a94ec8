#include "config/config_schema.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <type_traits>
#include <vector>

#include "common/ip_addr.hpp"

namespace nms::config::detail {

void ErrorSink::add(int line, std::string key, std::string message) {
    errors_.push_back(ConfigError{file_, line, std::move(key), std::move(message)});
}

ConfigErrors ErrorSink::take() {
    // toml++ tables iterate in key order; users read errors in file order.
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return std::move(errors_);
}

namespace {

constexpr Reload kLive = Reload::kLive;
constexpr Reload kRestart = Reload::kRestart;

constexpr int64_t kU32Max = std::numeric_limits<uint32_t>::max();
constexpr int64_t kPathMax = 4096;
constexpr int64_t kIfNameMax = 15;  // IFNAMSIZ - 1

constexpr std::string_view kLevels[] = {"error", "warn", "info", "debug"};
constexpr std::string_view kMethods[] = {"af_packet", "pcap"};
constexpr std::string_view kSeverities[] = {"", "info", "low", "medium", "high", "critical"};
constexpr std::string_view kMinSeverities[] = {"info", "low", "medium", "high", "critical"};

// Access a (possibly nested) member: field<&Config::flow, &FlowConfig::timeouts, &T::udp_s>(cfg).
template <auto... Ms>
auto& field(Config& cfg) {
    return (cfg.*....*Ms);
}
template <auto... Ms>
const auto& field(const Config& cfg) {
    return (cfg.*....*Ms);
}

int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

const char* type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

void type_error(const KeySpec& spec, const toml::node& node, const char* wanted, ErrorSink& sink,
                std::string_view key = {}) {
    const std::string name(key.empty() ? spec.key : key);
    std::string msg = name + " must be " + wanted + ", not " + type_name(node);
    const std::string accepted = accepted_text(spec);
    if (!accepted.empty()) msg += " (accepted: " + accepted + ")";
    sink.add(line_of(node), name, std::move(msg));
}

void value_error(const KeySpec& spec, const toml::node& node, const std::string& shown, const char* what,
                 ErrorSink& sink, std::string_view key = {}) {
    const std::string name(key.empty() ? spec.key : key);
    sink.add(line_of(node), name,
             name + " = " + shown + " " + what + " (accepted: " + accepted_text(spec) + ")");
}

bool is_pow2(int64_t v) {
    return v > 0 && (v & (v - 1)) == 0;
}

// ---- loaders -------------------------------------------------------------------------------

template <auto... Ms>
void load_uint(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    auto& dst = field<Ms...>(cfg);
    using T = std::remove_reference_t<decltype(dst)>;
    static_assert(std::is_unsigned_v<T> && sizeof(T) <= 4);
    const auto* v = node.as_integer();
    if (v == nullptr) return type_error(spec, node, "an integer", sink);
    const int64_t x = v->get();
    const bool in_type = x >= 0 && x <= static_cast<int64_t>(std::numeric_limits<T>::max());
    if (!in_type || x < spec.min || x > spec.max || (spec.pow2 && !is_pow2(x))) {
        return value_error(spec, node, std::to_string(x), "is out of range", sink);
    }
    dst = static_cast<T>(x);
}

template <auto... Ms>
void load_double(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    double x = 0;
    if (const auto* i = node.as_integer()) {
        x = static_cast<double>(i->get());
    } else if (const auto* f = node.as_floating_point()) {
        x = f->get();
    } else {
        return type_error(spec, node, "a number", sink);
    }
    if (!std::isfinite(x) || x < static_cast<double>(spec.min) || x > static_cast<double>(spec.max)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", x);
        return value_error(spec, node, buf, "is out of range", sink);
    }
    field<Ms...>(cfg) = x;
}

template <auto... Ms>
void load_bool(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* v = node.as_boolean();
    if (v == nullptr) return type_error(spec, node, "true or false", sink);
    field<Ms...>(cfg) = v->get();
}

// Type, length, control characters and choices; nullptr when the value is not accepted.
const std::string* checked_string(const KeySpec& spec, const toml::node& node, ErrorSink& sink,
                                  std::string_view key = {}) {
    const auto* v = node.as_string();
    if (v == nullptr) {
        type_error(spec, node, "a string", sink, key);
        return nullptr;
    }
    const std::string& s = v->get();
    const auto len = static_cast<int64_t>(s.size());
    if (s.find('\0') != std::string::npos) {  // would silently cut a path or filter short
        value_error(spec, node, quote(s), "contains a NUL character", sink, key);
        return nullptr;
    }
    if (len < spec.min || len > spec.max) {
        value_error(spec, node, quote(s), spec.min > 0 && len == 0 ? "is empty" : "has a bad length", sink,
                    key);
        return nullptr;
    }
    if (!spec.choices.empty() &&
        std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
        value_error(spec, node, quote(s), "is not accepted", sink, key);
        return nullptr;
    }
    return &s;
}

template <auto... Ms>
void load_string(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    if (const std::string* s = checked_string(spec, node, sink)) field<Ms...>(cfg) = *s;
}

template <auto... Ms>
void load_method(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    if (const std::string* s = checked_string(spec, node, sink)) {
        field<Ms...>(cfg) = *s == "pcap" ? CaptureMethod::kPcap : CaptureMethod::kAfPacket;
    }
}

template <auto... Ms>
void load_listen(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const std::string* s = checked_string(spec, node, sink);
    if (s == nullptr) return;
    std::string why;
    if (!valid_listen(*s, why)) return value_error(spec, node, quote(*s), why.c_str(), sink);
    field<Ms...>(cfg) = *s;
}

// Like load_listen, but "" (off) is accepted too.
template <auto... Ms>
void load_optional_listen(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const std::string* s = checked_string(spec, node, sink);
    if (s == nullptr) return;
    std::string why;
    if (!s->empty() && !valid_listen(*s, why)) return value_error(spec, node, quote(*s), why.c_str(), sink);
    field<Ms...>(cfg) = *s;
}

bool valid_ifname(std::string_view name) {
    // The kernel's dev_valid_name(): no "." or "..", no '/', ':' or whitespace.
    if (name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
    });
}

template <auto... Ms>
void load_iface_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of interface names", sink);
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const std::string* s = checked_string(spec, el, sink, key);
        if (s == nullptr) {
            ok = false;
        } else if (!valid_ifname(*s)) {
            value_error(spec, el, quote(*s), "is not a valid interface name", sink, key);
            ok = false;
        } else if (std::find(out.begin(), out.end(), *s) != out.end()) {
            value_error(spec, el, quote(*s), "is listed twice", sink, key);
            ok = false;
        } else {
            out.push_back(*s);
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

template <auto... Ms>
void load_cpu_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of CPU numbers", sink);
    std::vector<int> out;
    bool ok = true;
    const int ncpu = configured_cpus();
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const auto* v = el.as_integer();
        if (v == nullptr) {
            type_error(spec, el, "an integer", sink, key);
            ok = false;
            continue;
        }
        const int64_t cpu = v->get();
        if (cpu < 0 || cpu >= ncpu) {
            value_error(spec, el, std::to_string(cpu), "is not a CPU of this machine", sink, key);
            ok = false;
        } else if (std::find(out.begin(), out.end(), cpu) != out.end()) {
            value_error(spec, el, std::to_string(cpu), "is listed twice", sink, key);
            ok = false;
        } else {
            out.push_back(static_cast<int>(cpu));
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

// "10.0.0.0/8", "fe80::/10": an address literal and a prefix length that fits its family.
bool valid_cidr(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return false;
    const auto ip = IpAddr::parse(text.substr(0, slash));
    if (!ip) return false;
    const std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3) return false;
    int n = 0;
    for (char ch : len) {
        if (ch < '0' || ch > '9') return false;
        n = n * 10 + (ch - '0');
    }
    return n <= (ip->is_v4() ? 32 : 128);
}

template <auto... Ms>
void load_cidr_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of CIDR strings", sink);
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const std::string* s = checked_string(spec, el, sink, key);
        if (s == nullptr) {
            ok = false;
        } else if (!valid_cidr(*s)) {
            value_error(spec, el, quote(*s), "is not ADDRESS/PREFIX", sink, key);
            ok = false;
        } else {
            out.push_back(*s);
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

// "00:11:22:aa:bb:cc": six hex pairs separated by colons.
bool valid_mac(std::string_view text) {
    if (text.size() != 17) return false;
    for (size_t i = 0; i < 17; ++i) {
        const char c = text[i];
        if (i % 3 == 2 ? c != ':' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

template <auto... Ms>
void load_mac_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of MAC address strings", sink);
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const std::string* s = checked_string(spec, el, sink, key);
        if (s == nullptr) {
            ok = false;
        } else if (!valid_mac(*s)) {
            value_error(spec, el, quote(*s), "is not a MAC address", sink, key);
            ok = false;
        } else {
            out.push_back(*s);
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

// Distinct TCP/UDP ports 1..65535 (the spec's min/max bound the number of entries).
template <auto... Ms>
void load_port_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of port numbers", sink);
    std::vector<uint16_t> out;
    bool ok = true;
    if (static_cast<int64_t>(arr->size()) < spec.min || static_cast<int64_t>(arr->size()) > spec.max) {
        value_error(spec, node, std::to_string(arr->size()) + " ports", "is a bad number of entries", sink);
        return;
    }
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const auto* v = el.as_integer();
        if (v == nullptr) {
            type_error(spec, el, "an integer", sink, key);
            ok = false;
            continue;
        }
        const int64_t port = v->get();
        if (port < 1 || port > 65535) {
            value_error(spec, el, std::to_string(port), "is not a port", sink, key);
            ok = false;
        } else if (std::find(out.begin(), out.end(), port) != out.end()) {
            value_error(spec, el, std::to_string(port), "is listed twice", sink, key);
            ok = false;
        } else {
            out.push_back(static_cast<uint16_t>(port));
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

// "example.com": DNS labels of letters, digits, '-' and '_' joined by dots, no trailing dot.
bool valid_domain(std::string_view text) {
    if (text.empty() || text.size() > 253) return false;
    size_t label = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '.') {
            if (label == 0 || label > 63) return false;
            label = 0;
            continue;
        }
        const char c = text[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
        ++label;
    }
    return true;
}

template <auto... Ms>
void load_domain_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of domain names", sink);
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const std::string* s = checked_string(spec, el, sink, key);
        if (s == nullptr) {
            ok = false;
        } else if (!valid_domain(*s)) {
            value_error(spec, el, quote(*s), "is not a domain name", sink, key);
            ok = false;
        } else {
            out.push_back(*s);
        }
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

constexpr std::string_view kRoles[] = {"admin", "viewer"};

bool valid_user_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@';
    });
}

// A crypt(3) hash of a scheme netmonsec verifies: yescrypt ($y$) or bcrypt ($2b$ / $2y$).
bool valid_password_hash(std::string_view h) {
    const bool scheme = h.starts_with("$y$") || h.starts_with("$2b$") || h.starts_with("$2y$");
    return scheme && h.size() >= 20 && h.size() <= 256 && std::all_of(h.begin(), h.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '$' || c == '.' || c == '/';
    });
}

// api.users: an array of {name, role, password_hash} tables, written either inline
// (users = [{...}]) or as [[api.users]] sections; toml++ gives both as one array node.
template <auto... Ms>
void load_user_list(const KeySpec& spec, const toml::node& node, Config& cfg, ErrorSink& sink) {
    const auto* arr = node.as_array();
    if (arr == nullptr) return type_error(spec, node, "an array of tables", sink);
    std::vector<ApiUser> out;
    bool ok = true;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string key = std::string(spec.key) + "[" + std::to_string(i) + "]";
        const toml::node& el = *arr->get(i);
        const auto* t = el.as_table();
        if (t == nullptr) {
            type_error(spec, el, "a table {name, role, password_hash}", sink, key);
            ok = false;
            continue;
        }
        ApiUser u;
        for (auto&& [k, v] : *t) {
            const std::string sub = key + "." + std::string(k.str());
            const auto* str = v.as_string();
            if (k.str() != "name" && k.str() != "role" && k.str() != "password_hash") {
                sink.add(line_of(v), sub, "unknown key '" + sub + "' (accepted: name, role, password_hash)");
                ok = false;
            } else if (str == nullptr) {
                sink.add(line_of(v), sub, sub + " must be a string, not " + type_name(v));
                ok = false;
            } else if (k.str() == "name") {
                u.name = str->get();
            } else if (k.str() == "role") {
                u.role = str->get();
            } else {
                u.password_hash = str->get();
            }
        }
        if (!valid_user_name(u.name)) {
            sink.add(line_of(el), key + ".name",
                     key + ".name = " + quote(u.name) + " is not accepted (1..64 of A-Z a-z 0-9 _ - . @)");
            ok = false;
        } else if (std::any_of(out.begin(), out.end(), [&](const ApiUser& o) { return o.name == u.name; })) {
            sink.add(line_of(el), key + ".name", key + ".name = " + quote(u.name) + " is listed twice");
            ok = false;
        }
        if (std::find(std::begin(kRoles), std::end(kRoles), u.role) == std::end(kRoles)) {
            sink.add(line_of(el), key + ".role", key + ".role = " + quote(u.role) + " is not accepted (admin or viewer)");
            ok = false;
        }
        if (!valid_password_hash(u.password_hash)) {
            // The value is not echoed: it may be a password pasted in by mistake.
            sink.add(line_of(el), key + ".password_hash",
                     key + ".password_hash is not a yescrypt ($y$) or bcrypt ($2b$/$2y$) hash "
                           "(make one with: netmonsec passwd)");
            ok = false;
        }
        out.push_back(std::move(u));
    }
    if (ok) field<Ms...>(cfg) = std::move(out);
}

// ---- printing ------------------------------------------------------------------------------

template <typename T>
std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, std::string> show_value(T v) {
    return std::to_string(v);
}
std::string show_value(bool v) {
    return v ? "true" : "false";
}
std::string show_value(double v) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
    std::string s(buf, res.ptr);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
    return s;
}
std::string show_value(const std::string& v) {
    return quote(v);
}
std::string show_value(CaptureMethod m) {
    return m == CaptureMethod::kPcap ? "\"pcap\"" : "\"af_packet\"";
}
std::string show_value(const ApiUser& u) {
    return "{name = " + quote(u.name) + ", role = " + quote(u.role) + ", password_hash = " +
           quote(u.password_hash) + "}";
}
template <typename T>
std::string show_value(const std::vector<T>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i != 0) out += ", ";
        out += show_value(v[i]);
    }
    return out + "]";
}

template <auto... Ms>
std::string show_field(const Config& cfg) {
    return show_value(field<Ms...>(cfg));
}

template <auto... Ms>
void copy_field(const Config& from, Config& to) {
    field<Ms...>(to) = field<Ms...>(from);
}

// ---- the table -----------------------------------------------------------------------------

template <auto... Ms>
constexpr KeySpec make_spec(std::string_view key, Kind kind, Reload r, LoadFn load, int64_t min, int64_t max,
                            bool pow2 = false, std::span<const std::string_view> choices = {}) {
    return KeySpec{key, kind, r, load, &show_field<Ms...>, &copy_field<Ms...>, min, max, pow2, choices};
}
template <auto... Ms>
constexpr KeySpec uint_key(std::string_view key, Reload r, int64_t min, int64_t max, bool pow2 = false) {
    return make_spec<Ms...>(key, Kind::kUint, r, &load_uint<Ms...>, min, max, pow2);
}
template <auto... Ms>
constexpr KeySpec double_key(std::string_view key, Reload r, int64_t min, int64_t max) {
    return make_spec<Ms...>(key, Kind::kDouble, r, &load_double<Ms...>, min, max);
}
template <auto... Ms>
constexpr KeySpec bool_key(std::string_view key, Reload r) {
    return make_spec<Ms...>(key, Kind::kBool, r, &load_bool<Ms...>, 0, 1);
}
template <auto... Ms>
constexpr KeySpec string_key(std::string_view key, Reload r, int64_t min_len, int64_t max_len,
                             std::span<const std::string_view> choices = {}) {
    return make_spec<Ms...>(key, Kind::kString, r, &load_string<Ms...>, min_len, max_len, false, choices);
}
// Keys with their own loader (lists, enums, addresses); L<Ms...>::fn is that loader.
template <Kind K, template <auto...> class L, auto... Ms>
constexpr KeySpec custom_key(std::string_view key, Reload r, int64_t min, int64_t max,
                             std::span<const std::string_view> choices = {}) {
    return make_spec<Ms...>(key, K, r, L<Ms...>::fn, min, max, false, choices);
}
template <auto... Ms>
struct IfaceList {
    static constexpr LoadFn fn = &load_iface_list<Ms...>;
};
template <auto... Ms>
struct CpuList {
    static constexpr LoadFn fn = &load_cpu_list<Ms...>;
};
template <auto... Ms>
struct CidrList {
    static constexpr LoadFn fn = &load_cidr_list<Ms...>;
};
template <auto... Ms>
struct MacList {
    static constexpr LoadFn fn = &load_mac_list<Ms...>;
};
template <auto... Ms>
struct PortList {
    static constexpr LoadFn fn = &load_port_list<Ms...>;
};
template <auto... Ms>
struct DomainList {
    static constexpr LoadFn fn = &load_domain_list<Ms...>;
};
template <auto... Ms>
struct Method {
    static constexpr LoadFn fn = &load_method<Ms...>;
};
template <auto... Ms>
struct UserList {
    static constexpr LoadFn fn = &load_user_list<Ms...>;
};
template <auto... Ms>
struct Listen {
    static constexpr LoadFn fn = &load_listen<Ms...>;
};

template <auto... Ms>
struct OptionalListen {
    static constexpr LoadFn fn = &load_optional_listen<Ms...>;
};

using C = Config;
using Cap = CaptureConfig;
using Pip = PipelineConfig;
using Flo = FlowConfig;
using Tmo = flow::FlowTimeouts;
using Sto = StorageConfig;

using Det = DetectConfig;
using DC = DetectorCommon;

// The keys every [detect.<kind>] section has.
#define NMS_DET_COMMON(name)                                                                                 \
    bool_key<&C::detect, &Det::name, &DC::enabled>("detect." #name ".enabled", kRestart),                     \
        string_key<&C::detect, &Det::name, &DC::severity>("detect." #name ".severity", kLive, 0, 8, kSeverities), \
        custom_key<Kind::kCidrList, CidrList, &C::detect, &Det::name, &DC::allowlist>("detect." #name ".allowlist", \
                                                                                        kLive, 1, 64),           \
        custom_key<Kind::kMacList, MacList, &C::detect, &Det::name, &DC::allowlist_macs>(                       \
            "detect." #name ".allowlist_macs", kLive, 17, 17)
#define NMS_DET_UINT(name, T, key, min, max) \
    uint_key<&C::detect, &Det::name, &T::key>("detect." #name "." #key, kLive, min, max)
#define NMS_DET_DOUBLE(name, T, key, min, max) \
    double_key<&C::detect, &Det::name, &T::key>("detect." #name "." #key, kLive, min, max)

#define NMS_TMO(name, min) \
    uint_key<&C::flow, &Flo::timeouts, &Tmo::name>("flow.timeouts." #name, kLive, min, kU32Max)

const KeySpec kSpecs[] = {
    custom_key<Kind::kIfaceList, IfaceList, &C::capture, &Cap::interfaces>("capture.interfaces", kRestart, 1,
                                                                           kIfNameMax),
    string_key<&C::capture, &Cap::pcap_file>("capture.pcap_file", kRestart, 0, kPathMax),
    double_key<&C::capture, &Cap::replay_speed>("capture.replay_speed", kRestart, 0, 1000000),
    uint_key<&C::capture, &Cap::loop>("capture.loop", kRestart, 0, kU32Max),
    custom_key<Kind::kMethod, Method, &C::capture, &Cap::method>("capture.method", kRestart, 1, 16, kMethods),
    uint_key<&C::capture, &Cap::threads_per_interface>("capture.threads_per_interface", kRestart, 1, 256),
    custom_key<Kind::kCpuList, CpuList, &C::capture, &Cap::cpus>("capture.cpus", kRestart, 0, 0),
    uint_key<&C::capture, &Cap::snaplen>("capture.snaplen", kRestart, 64, 262144),
    uint_key<&C::capture, &Cap::block_size>("capture.block_size", kRestart, 4096, int64_t{1} << 30, true),
    uint_key<&C::capture, &Cap::block_count>("capture.block_count", kRestart, 2, 65536),
    uint_key<&C::capture, &Cap::block_timeout_ms>("capture.block_timeout_ms", kRestart, 1, 10000),
    bool_key<&C::capture, &Cap::promiscuous>("capture.promiscuous", kRestart),
    bool_key<&C::capture, &Cap::fanout_defrag>("capture.fanout_defrag", kRestart),
    uint_key<&C::capture, &Cap::fanout_group>("capture.fanout_group", kRestart, 0, 65535),
    string_key<&C::capture, &Cap::bpf>("capture.bpf", kRestart, 0, 65536),

    uint_key<&C::pipeline, &Pip::workers>("pipeline.workers", kRestart, 0, 256),
    custom_key<Kind::kCpuList, CpuList, &C::pipeline, &Pip::worker_cpus>("pipeline.worker_cpus", kRestart, 0,
                                                                         0),
    uint_key<&C::pipeline, &Pip::ring_size>("pipeline.ring_size", kRestart, 64, int64_t{1} << 20, true),
    uint_key<&C::pipeline, &Pip::ring_bytes>("pipeline.ring_bytes", kRestart, int64_t{1} << 20, int64_t{1} << 30),
    uint_key<&C::pipeline, &Pip::memory_budget_mib>("pipeline.memory_budget_mib", kRestart, 0, int64_t{1} << 20),

    uint_key<&C::flow, &Flo::max_flows>("flow.max_flows", kRestart, 1024, int64_t{1} << 28),
    NMS_TMO(tcp_new_s, 1),
    NMS_TMO(tcp_established_s, 1),
    NMS_TMO(tcp_closed_s, 1),
    NMS_TMO(udp_s, 1),
    NMS_TMO(icmp_s, 1),
    NMS_TMO(other_s, 1),
    NMS_TMO(active_s, 0),

    bool_key<&C::dpi, &DpiConfig::enabled>("dpi.enabled", kRestart),
    uint_key<&C::dpi, &DpiConfig::max_contexts>("dpi.max_contexts", kRestart, 16, int64_t{1} << 20),
    uint_key<&C::dpi, &DpiConfig::stream_bytes>("dpi.stream_bytes", kRestart, 512, int64_t{1} << 20),
    uint_key<&C::dpi, &DpiConfig::max_packets>("dpi.max_packets", kRestart, 1, 10000),
    uint_key<&C::dpi, &DpiConfig::max_bytes>("dpi.max_bytes", kRestart, 64, int64_t{1} << 24),
    bool_key<&C::dpi, &DpiConfig::events>("dpi.events", kRestart),

    uint_key<&C::stats, &StatsConfig::interval_ms>("stats.interval_ms", kRestart, 100, 60000),
    uint_key<&C::stats, &StatsConfig::history_seconds>("stats.history_seconds", kRestart, 0, 7 * 86400),
    uint_key<&C::stats, &StatsConfig::top_talkers>("stats.top_talkers", kLive, 1, 1000),

    string_key<&C::output, &OutputConfig::eve_path>("output.eve_path", kRestart, 0, kPathMax),
    bool_key<&C::output, &OutputConfig::eve_flow>("output.eve_flow", kLive),
    bool_key<&C::output, &OutputConfig::eve_stats>("output.eve_stats", kLive),

    string_key<&C::log, &LogConfig::level>("log.level", kLive, 1, 16, kLevels),

    bool_key<&C::api, &ApiConfig::enabled>("api.enabled", kRestart),
    custom_key<Kind::kListen, Listen, &C::api, &ApiConfig::listen>("api.listen", kRestart, 1, 128),
    string_key<&C::api, &ApiConfig::dashboard_dir>("api.dashboard_dir", kRestart, 0, kPathMax),
    bool_key<&C::api, &ApiConfig::metrics_auth>("api.metrics_auth", kRestart),
    uint_key<&C::api, &ApiConfig::session_ttl_s>("api.session_ttl_s", kRestart, 60, 30 * 86400),
    uint_key<&C::api, &ApiConfig::session_idle_s>("api.session_idle_s", kRestart, 30, 30 * 86400),
    uint_key<&C::api, &ApiConfig::login_max_failures>("api.login_max_failures", kRestart, 1, 1000),
    uint_key<&C::api, &ApiConfig::lockout_s>("api.lockout_s", kRestart, 1, 86400),
    uint_key<&C::api, &ApiConfig::ws_write_timeout_s>("api.ws_write_timeout_s", kRestart, 1, 3600),
    custom_key<Kind::kUserList, UserList, &C::api, &ApiConfig::users>("api.users", kRestart, 0, 0),
    string_key<&C::storage, &StorageConfig::data_dir>("storage.data_dir", kRestart, 1, kPathMax),
    bool_key<&C::storage, &Sto::enabled>("storage.enabled", kRestart),
    bool_key<&C::storage, &Sto::store_replays>("storage.store_replays", kRestart),
    uint_key<&C::storage, &Sto::flush_interval_ms>("storage.flush_interval_ms", kRestart, 50, 60000),
    uint_key<&C::storage, &Sto::batch_rows>("storage.batch_rows", kRestart, 1, 100000),
    uint_key<&C::storage, &Sto::queue_records>("storage.queue_records", kRestart, 64, int64_t{1} << 22),
    uint_key<&C::storage, &Sto::flows_retention_days>("storage.flows_retention_days", kRestart, 1, 3650),
    uint_key<&C::storage, &Sto::dns_retention_days>("storage.dns_retention_days", kRestart, 1, 3650),
    uint_key<&C::storage, &Sto::alerts_retention_days>("storage.alerts_retention_days", kRestart, 1, 3650),
    uint_key<&C::storage, &Sto::stats_1s_retention_s>("storage.stats_1s_retention_s", kRestart, 120, 7 * 86400),
    uint_key<&C::storage, &Sto::stats_1m_retention_days>("storage.stats_1m_retention_days", kRestart, 1, 3650),
    uint_key<&C::storage, &Sto::stats_1h_retention_days>("storage.stats_1h_retention_days", kRestart, 1, 36500),
    uint_key<&C::storage, &Sto::max_db_mib>("storage.max_db_mib", kRestart, 0, int64_t{1} << 24),
    bool_key<&C::storage, &Sto::logs>("storage.logs", kRestart),
    bool_key<&C::storage, &Sto::logs_gzip>("storage.logs_gzip", kRestart),
    uint_key<&C::storage, &Sto::logs_max_mib>("storage.logs_max_mib", kRestart, 0, int64_t{1} << 24),
    custom_key<Kind::kListen, OptionalListen, &C::storage, &Sto::influx_udp>("storage.influx_udp", kRestart, 0, 128),
    string_key<&C::process, &ProcessConfig::user>("process.user", kRestart, 0, 64),
    string_key<&C::process, &ProcessConfig::group>("process.group", kRestart, 0, 64),

    bool_key<&C::devices, &DevicesConfig::enabled>("devices.enabled", kRestart),
    custom_key<Kind::kCidrList, CidrList, &C::devices, &DevicesConfig::local_networks>("devices.local_networks",
                                                                                      kRestart, 1, 64),
    uint_key<&C::devices, &DevicesConfig::max_devices>("devices.max_devices", kRestart, 16, int64_t{1} << 20),
    string_key<&C::devices, &DevicesConfig::oui_file>("devices.oui_file", kRestart, 0, kPathMax),
    string_key<&C::devices, &DevicesConfig::oui_mam_file>("devices.oui_mam_file", kRestart, 0, kPathMax),
    string_key<&C::devices, &DevicesConfig::oui36_file>("devices.oui36_file", kRestart, 0, kPathMax),
    string_key<&C::devices, &DevicesConfig::p0f_file>("devices.p0f_file", kRestart, 0, kPathMax),
    bool_key<&C::devices, &DevicesConfig::site_fingerprints>("devices.site_fingerprints", kRestart),
    bool_key<&C::devices, &DevicesConfig::site_fingerprints_replay>("devices.site_fingerprints_replay", kRestart),
    string_key<&C::devices, &DevicesConfig::geoip_db>("devices.geoip_db", kRestart, 0, kPathMax),
    string_key<&C::devices, &DevicesConfig::asn_db>("devices.asn_db", kRestart, 0, kPathMax),

    bool_key<&C::detect, &Det::enabled>("detect.enabled", kRestart),
    uint_key<&C::detect, &Det::episode_timeout_s>("detect.episode_timeout_s", kLive, 5, 86400),
    uint_key<&C::detect, &Det::update_interval_s>("detect.update_interval_s", kLive, 1, 3600),
    uint_key<&C::detect, &Det::max_keys>("detect.max_keys", kRestart, 64, int64_t{1} << 20),
    custom_key<Kind::kCidrList, CidrList, &C::detect, &Det::allowlist>("detect.allowlist", kLive, 1, 64),
    custom_key<Kind::kMacList, MacList, &C::detect, &Det::allowlist_macs>("detect.allowlist_macs", kLive, 17, 17),

    NMS_DET_COMMON(port_scan_vertical),
    NMS_DET_UINT(port_scan_vertical, PortScanVerticalConfig, window_s, 1, 3600),
    NMS_DET_UINT(port_scan_vertical, PortScanVerticalConfig, min_ports, 2, 65536),
    NMS_DET_DOUBLE(port_scan_vertical, PortScanVerticalConfig, max_answered_ratio, 0, 1),

    NMS_DET_COMMON(port_scan_horizontal),
    NMS_DET_UINT(port_scan_horizontal, PortScanHorizontalConfig, window_s, 1, 3600),
    NMS_DET_UINT(port_scan_horizontal, PortScanHorizontalConfig, min_hosts, 2, kU32Max),
    NMS_DET_DOUBLE(port_scan_horizontal, PortScanHorizontalConfig, max_answered_ratio, 0, 1),

    NMS_DET_COMMON(host_sweep),
    NMS_DET_UINT(host_sweep, HostSweepConfig, window_s, 1, 3600),
    NMS_DET_UINT(host_sweep, HostSweepConfig, min_hosts, 2, 65536),
    NMS_DET_DOUBLE(host_sweep, HostSweepConfig, max_answered_ratio, 0, 1),

    NMS_DET_COMMON(syn_flood),
    NMS_DET_UINT(syn_flood, SynFloodConfig, window_s, 1, 3600),
    NMS_DET_DOUBLE(syn_flood, SynFloodConfig, min_syn_per_s, 1, 1000000000),
    NMS_DET_DOUBLE(syn_flood, SynFloodConfig, max_completed_ratio, 0, 1),
    NMS_DET_DOUBLE(syn_flood, SynFloodConfig, source_share, 0, 1),

    NMS_DET_COMMON(icmp_flood),
    NMS_DET_UINT(icmp_flood, IcmpFloodConfig, window_s, 1, 3600),
    NMS_DET_DOUBLE(icmp_flood, IcmpFloodConfig, min_pps, 1, 1000000000),
    NMS_DET_DOUBLE(icmp_flood, IcmpFloodConfig, source_share, 0, 1),

    NMS_DET_COMMON(udp_flood),
    NMS_DET_UINT(udp_flood, UdpFloodConfig, window_s, 1, 3600),
    NMS_DET_DOUBLE(udp_flood, UdpFloodConfig, min_pps, 1, 1000000000),
    NMS_DET_DOUBLE(udp_flood, UdpFloodConfig, max_reply_ratio, 0, 1000),
    NMS_DET_DOUBLE(udp_flood, UdpFloodConfig, source_share, 0, 1),

    NMS_DET_COMMON(ddos),
    NMS_DET_UINT(ddos, DdosConfig, window_s, 1, 3600),
    NMS_DET_DOUBLE(ddos, DdosConfig, min_pps, 1, 1000000000),
    NMS_DET_UINT(ddos, DdosConfig, min_sources, 2, kU32Max),
    NMS_DET_DOUBLE(ddos, DdosConfig, dominant_share, 0, 1),
    NMS_DET_DOUBLE(ddos, DdosConfig, max_reply_ratio, 0, 1000),

    NMS_DET_COMMON(exfiltration),
    NMS_DET_UINT(exfiltration, ExfiltrationConfig, window_s, 1, 7 * 86400),
    NMS_DET_DOUBLE(exfiltration, ExfiltrationConfig, min_mb, 0, 1000000000),

    NMS_DET_COMMON(traffic_spike),
    NMS_DET_UINT(traffic_spike, TrafficSpikeConfig, window_s, 1, 3600),
    NMS_DET_DOUBLE(traffic_spike, TrafficSpikeConfig, zscore, 1, 1000),
    NMS_DET_DOUBLE(traffic_spike, TrafficSpikeConfig, min_host_mbps, 0, 1000000),
    NMS_DET_DOUBLE(traffic_spike, TrafficSpikeConfig, min_global_mbps, 0, 1000000),
    NMS_DET_UINT(traffic_spike, TrafficSpikeConfig, warmup_s, 0, 30 * 86400),
    NMS_DET_UINT(traffic_spike, TrafficSpikeConfig, half_life_s, 10, 30 * 86400),
    NMS_DET_UINT(traffic_spike, TrafficSpikeConfig, max_hosts, 0, int64_t{1} << 20),

    NMS_DET_COMMON(new_device),

    NMS_DET_COMMON(arp_scan),
    NMS_DET_UINT(arp_scan, ArpScanConfig, window_s, 1, 3600),
    NMS_DET_UINT(arp_scan, ArpScanConfig, min_targets, 2, 65536),

    NMS_DET_COMMON(arp_spoof),
    NMS_DET_UINT(arp_spoof, ArpSpoofConfig, window_s, 1, 3600),
    NMS_DET_UINT(arp_spoof, ArpSpoofConfig, min_claims, 1, 100000),
    NMS_DET_UINT(arp_spoof, ArpSpoofConfig, owner_alive_s, 1, 86400),
    NMS_DET_UINT(arp_spoof, ArpSpoofConfig, max_bindings, 64, int64_t{1} << 22),

    NMS_DET_COMMON(dns_tunnel),
    NMS_DET_UINT(dns_tunnel, DnsTunnelConfig, window_s, 1, 3600),
    NMS_DET_UINT(dns_tunnel, DnsTunnelConfig, min_unique_subdomains, 2, 1000000),
    // Read by the workers when they classify each query: these need a restart.
    uint_key<&C::detect, &Det::dns_tunnel, &DnsTunnelConfig::min_subdomain_len>("detect.dns_tunnel.min_subdomain_len",
                                                                                 kRestart, 1, 253),
    double_key<&C::detect, &Det::dns_tunnel, &DnsTunnelConfig::min_entropy>("detect.dns_tunnel.min_entropy", kRestart,
                                                                             0, 8),
    uint_key<&C::detect, &Det::dns_tunnel, &DnsTunnelConfig::min_label_len>("detect.dns_tunnel.min_label_len",
                                                                             kRestart, 1, 63),
    NMS_DET_DOUBLE(dns_tunnel, DnsTunnelConfig, min_encoded_ratio, 0, 1),
    NMS_DET_DOUBLE(dns_tunnel, DnsTunnelConfig, min_txt_null_ratio, 0, 1),
    custom_key<Kind::kDomainList, DomainList, &C::detect, &Det::dns_tunnel, &DnsTunnelConfig::allow_domains>(
        "detect.dns_tunnel.allow_domains", kRestart, 1, 253),

    NMS_DET_COMMON(nxdomain_storm),
    NMS_DET_UINT(nxdomain_storm, NxdomainStormConfig, window_s, 1, 3600),
    NMS_DET_UINT(nxdomain_storm, NxdomainStormConfig, min_names, 2, 1000000),
    NMS_DET_DOUBLE(nxdomain_storm, NxdomainStormConfig, min_ratio, 0, 1),

    NMS_DET_COMMON(lateral_movement),
    NMS_DET_UINT(lateral_movement, LateralMovementConfig, window_s, 1, 86400),
    NMS_DET_UINT(lateral_movement, LateralMovementConfig, min_hosts, 2, 65536),
    NMS_DET_DOUBLE(lateral_movement, LateralMovementConfig, min_responded_ratio, 0, 1),
    custom_key<Kind::kPortList, PortList, &C::detect, &Det::lateral_movement, &LateralMovementConfig::ports>(
        "detect.lateral_movement.ports", kRestart, 1, 64),

    NMS_DET_COMMON(brute_force),
    NMS_DET_UINT(brute_force, BruteForceConfig, window_s, 1, 86400),
    NMS_DET_UINT(brute_force, BruteForceConfig, min_failures, 1, 1000000),
    NMS_DET_UINT(brute_force, BruteForceConfig, min_short_sessions, 1, 1000000),
    uint_key<&C::detect, &Det::brute_force, &BruteForceConfig::max_session_s>("detect.brute_force.max_session_s",
                                                                               kRestart, 1, 3600),
    uint_key<&C::detect, &Det::brute_force, &BruteForceConfig::max_session_bytes>(
        "detect.brute_force.max_session_bytes", kRestart, 0, kU32Max),
    custom_key<Kind::kPortList, PortList, &C::detect, &Det::brute_force, &BruteForceConfig::session_ports>(
        "detect.brute_force.session_ports", kRestart, 0, 64),

    bool_key<&C::evidence, &EvidenceConfig::enabled>("evidence.enabled", kRestart),
    uint_key<&C::evidence, &EvidenceConfig::ring_mib>("evidence.ring_mib", kRestart, 1, 4096),
    uint_key<&C::evidence, &EvidenceConfig::snaplen>("evidence.snaplen", kRestart, 64, 65535),
    uint_key<&C::evidence, &EvidenceConfig::before_s>("evidence.before_s", kRestart, 0, 3600),
    uint_key<&C::evidence, &EvidenceConfig::after_s>("evidence.after_s", kRestart, 0, 3600),
    uint_key<&C::evidence, &EvidenceConfig::max_files>("evidence.max_files", kRestart, 1, 100000),
    uint_key<&C::evidence, &EvidenceConfig::max_total_mib>("evidence.max_total_mib", kRestart, 1, int64_t{1} << 20),

    bool_key<&C::mitigation, &MitigationConfig::enabled>("mitigation.enabled", kRestart),
    bool_key<&C::mitigation, &MitigationConfig::dry_run>("mitigation.dry_run", kRestart),
    uint_key<&C::mitigation, &MitigationConfig::ban_seconds>("mitigation.ban_seconds", kRestart, 1, 30 * 86400),
    string_key<&C::mitigation, &MitigationConfig::min_severity>("mitigation.min_severity", kRestart, 1, 16,
                                                                kMinSeverities),
    uint_key<&C::mitigation, &MitigationConfig::max_bans_per_minute>("mitigation.max_bans_per_minute", kRestart, 1,
                                                                     100000),
    custom_key<Kind::kCidrList, CidrList, &C::mitigation, &MitigationConfig::allowlist>("mitigation.allowlist",
                                                                                       kRestart, 1, 64),
    custom_key<Kind::kCidrList, CidrList, &C::mitigation, &MitigationConfig::protected_networks>(
        "mitigation.protected", kRestart, 1, 64),
    string_key<&C::mitigation, &MitigationConfig::table>("mitigation.table", kRestart, 1, 32),
};

#undef NMS_DET_COMMON
#undef NMS_DET_UINT
#undef NMS_DET_DOUBLE

#undef NMS_TMO

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string_view last_part(std::string_view path) {
    const size_t dot = path.rfind('.');
    return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::vector<std::string_view> all_names() {
    std::vector<std::string_view> names;
    for (const KeySpec& s : kSpecs) {
        names.push_back(s.key);
        for (size_t dot = s.key.find('.'); dot != std::string_view::npos; dot = s.key.find('.', dot + 1)) {
            names.push_back(s.key.substr(0, dot));
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

}  // namespace

std::span<const KeySpec> key_specs() {
    return kSpecs;
}

const KeySpec* find_key(std::string_view key) {
    for (const KeySpec& s : kSpecs) {
        if (s.key == key) return &s;
    }
    return nullptr;
}

bool is_table(std::string_view path) {
    for (const KeySpec& s : kSpecs) {
        if (s.key.size() > path.size() && s.key.starts_with(path) && s.key[path.size()] == '.') return true;
    }
    return false;
}

std::string accepted_text(const KeySpec& spec) {
    const std::string range = std::to_string(spec.min) + ".." + std::to_string(spec.max);
    switch (spec.kind) {
        case Kind::kUint:
            return spec.pow2 ? "a power of two in " + range : range;
        case Kind::kUserList:
            return "an array of {name, role = \"admin\"|\"viewer\", password_hash} tables";
        case Kind::kDouble:
            return range;
        case Kind::kBool:
            return "true or false";
        case Kind::kListen:
            return "ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
        case Kind::kIfaceList:
            return "distinct interface names of 1..15 characters";
        case Kind::kCpuList:
            return "distinct CPU numbers 0.." + std::to_string(configured_cpus() - 1);
        case Kind::kCidrList:
            return "CIDR strings such as \"10.0.0.0/8\" or \"fc00::/7\"";
        case Kind::kMacList:
            return "MAC address strings such as \"00:11:22:aa:bb:cc\"";
        case Kind::kPortList:
            return range + " distinct port numbers 1..65535";
        case Kind::kDomainList:
            return "domain names such as \"example.com\" (each " + range + " characters)";
        case Kind::kString:
        case Kind::kMethod:
            break;
    }
    if (spec.choices.empty()) return "a string of " + range + " characters";
    std::string out;
    for (size_t i = 0; i < spec.choices.size(); ++i) {
        if (i != 0) out += i + 1 == spec.choices.size() ? " or " : ", ";
        out += spec.choices[i];
    }
    return out;
}

std::string closest_name(std::string_view unknown) {
    const std::vector<std::string_view> names = all_names();
    std::string_view best;
    size_t best_d = std::numeric_limits<size_t>::max();
    for (std::string_view n : names) {
        const size_t d = edit_distance(unknown, n);
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    // Allow about one typo per four characters, so "a" does not suggest "api".
    const size_t budget = std::clamp<size_t>(unknown.size() / 4, 1, 3);
    if (best_d <= budget) return std::string(best);
    // A known key in the wrong section ("capture.workers" -> "pipeline.workers").
    for (std::string_view n : names) {
        if (last_part(n) == last_part(unknown) && find_key(n) != nullptr) return std::string(n);
    }
    return {};
}

int configured_cpus() {
    const long n = ::sysconf(_SC_NPROCESSORS_CONF);
    return n < 1 ? 1 : static_cast<int>(std::min(n, 1L << 20));
}

std::string quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

bool valid_listen(std::string_view text, std::string& why) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        why = "has no port";
        return false;
    }
    std::string_view addr = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    const auto res = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || res.ec != std::errc() || res.ptr != port.data() + port.size() || value == 0 ||
        value > 65535) {
        why = "has a bad port";
        return false;
    }
    const bool bracketed = addr.size() >= 2 && addr.front() == '[' && addr.back() == ']';
    if (bracketed) addr = addr.substr(1, addr.size() - 2);
    const auto ip = IpAddr::parse(addr);
    // IPv6 must be bracketed (otherwise its colons are ambiguous with the port), IPv4 must not.
    if (!ip || addr.find(':') != std::string_view::npos) {
        if (!ip || !bracketed) {
            why = "has a bad address";
            return false;
        }
    } else if (bracketed) {
        why = "has a bad address";
        return false;
    }
    return true;
}

void cross_check(const Config& cfg, const LineMap& lines, ErrorSink& sink) {
    const auto line = [&](std::string_view a, std::string_view b = {}) {
        auto it = lines.find(a);
        if (it == lines.end() && !b.empty()) it = lines.find(b);
        return it == lines.end() ? 0 : it->second;
    };
    const CaptureConfig& c = cfg.capture;
    if (c.block_size < c.snaplen) {
        sink.add(line("capture.block_size", "capture.snaplen"), "capture.block_size",
                 "capture.block_size = " + std::to_string(c.block_size) +
                     " is smaller than capture.snaplen = " + std::to_string(c.snaplen) +
                     " (accepted: a power of two >= snaplen; a block holds whole frames)");
    }
    const std::string& table = cfg.mitigation.table;
    if (!std::all_of(table.begin(), table.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; })) {
        sink.add(line("mitigation.table"), "mitigation.table",
                 "mitigation.table = " + quote(table) + " is not accepted (letters, digits and _ only)");
    }
    if (!c.interfaces.empty() && !c.pcap_file.empty()) {
        sink.add(line("capture.pcap_file", "capture.interfaces"), "capture.pcap_file",
                 "capture.pcap_file and capture.interfaces are both set (accepted: one of them; "
                 "replay a file or capture live, not both)");
    }
}

}  // namespace nms::config::detail
