#include "doctor/eve_stats_reader.hpp"

#include <rapidjson/document.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace nms::doctor {
namespace {

// A stats event is usually a few KB; stop looking after this much of the file's tail.
constexpr long kMaxScanBytes = 256L << 20;
constexpr long kChunk = 1L << 20;

uint64_t get_u64(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject()) return 0;
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return 0;
    if (it->value.IsUint64()) return it->value.GetUint64();
    if (it->value.IsDouble() && it->value.GetDouble() >= 0)
        return static_cast<uint64_t>(it->value.GetDouble());
    return 0;
}

const rapidjson::Value& member(const rapidjson::Value& obj, const char* key) {
    static const rapidjson::Value kNull;
    if (!obj.IsObject()) return kNull;
    const auto it = obj.FindMember(key);
    return it == obj.MemberEnd() ? kNull : it->value;
}

struct FileCloser {
    void operator()(FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

std::optional<DropCounters> parse_stats_event(std::string_view line) {
    // Cheap filter first: the file is mostly flow events.
    if (line.find("\"stats\"") == std::string_view::npos) return std::nullopt;
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
    const auto& type = member(doc, "event_type");
    if (!type.IsString() || std::strcmp(type.GetString(), "stats") != 0) return std::nullopt;
    const auto& s = member(doc, "stats");
    if (!s.IsObject()) return std::nullopt;

    DropCounters c;
    const auto& ts = member(doc, "timestamp");
    c.origin = std::string("stats event of ") + (ts.IsString() ? ts.GetString() : "unknown time");
    c.uptime_s = get_u64(s, "uptime");
    const auto& cap = member(s, "capture");
    c.kernel_packets = get_u64(cap, "kernel_packets");
    c.kernel_drops = get_u64(cap, "kernel_drops");
    c.ring_full_drops = get_u64(cap, "ring_full_drops");
    const auto& sources = member(cap, "sources");
    if (sources.IsArray()) {
        for (const auto& src : sources.GetArray()) {
            SourceDrops d;
            const auto& name = member(src, "name");
            d.name = name.IsString() ? name.GetString() : "";
            d.frames = get_u64(src, "frames");
            d.kernel_drops = get_u64(src, "kernel_drops");
            d.ring_full_drops = get_u64(src, "ring_full_drops");
            d.truncated = get_u64(src, "truncated");
            d.bad_records = get_u64(src, "bad_records");
            c.sources.push_back(std::move(d));
        }
    }
    const auto& dec = member(s, "decoder");
    c.decoder_packets = get_u64(dec, "pkts");
    c.decoder_invalid = get_u64(dec, "invalid");
    const auto& events = member(dec, "event");
    if (events.IsObject()) {
        for (const auto& m : events.GetObject()) {
            if (m.value.IsUint64() && m.value.GetUint64() > 0)
                c.decode_events.emplace_back(m.name.GetString(), m.value.GetUint64());
        }
    }
    const auto& fl = member(s, "flow");
    c.flows_created = get_u64(fl, "created");
    c.flows_evicted = get_u64(fl, "evicted");
    c.fragments_unmatched = get_u64(fl, "fragments_unmatched");
    c.records_dropped = get_u64(fl, "records_dropped");
    return c;
}

EveReadResult read_last_stats_event(const std::string& path) {
    EveReadResult r;
    std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        r.error = "cannot open " + path + ": " + std::strerror(errno);
        return r;
    }
    if (std::fseek(f.get(), 0, SEEK_END) != 0) {
        r.error = "cannot seek in " + path + " (not a regular file?)";
        return r;
    }
    long pos = std::ftell(f.get());
    if (pos < 0) {
        r.error = "cannot seek in " + path;
        return r;
    }
    const long end = pos;
    std::string tail;  // bytes after `pos` that do not yet form a whole line
    std::vector<char> chunk;
    while (pos > 0 && end - pos < kMaxScanBytes) {
        const long n = pos < kChunk ? pos : kChunk;
        pos -= n;
        chunk.resize(static_cast<size_t>(n));
        if (std::fseek(f.get(), pos, SEEK_SET) != 0 ||
            std::fread(chunk.data(), 1, chunk.size(), f.get()) != chunk.size()) {
            r.error = "read error in " + path;
            return r;
        }
        std::string data(chunk.begin(), chunk.end());
        data += tail;
        // Lines wholly inside `data` start after a newline; the text before the first one may
        // continue in the previous chunk (unless we are at the start of the file).
        size_t line_end = data.size();
        for (size_t nl = data.rfind('\n'); nl != std::string::npos;
             nl = nl == 0 ? std::string::npos : data.rfind('\n', nl - 1)) {
            const std::string_view line(data.data() + nl + 1, line_end - nl - 1);
            if (auto c = parse_stats_event(line)) {
                r.counters = std::move(c);
                return r;
            }
            line_end = nl;
        }
        tail = data.substr(0, line_end);
        if (pos == 0) {
            if (auto c = parse_stats_event(tail)) {
                r.counters = std::move(c);
                return r;
            }
        }
    }
    r.error = end == 0 ? path + " is empty"
                       : "no stats event in " + path + (end > kMaxScanBytes ? " (last 256 MiB)" : "") +
                             " (is output.eve_stats on and has the engine run for a stats interval?)";
    return r;
}

}  // namespace nms::doctor
