#include "doctor/report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace nms::doctor {
namespace {

constexpr size_t kWidth = 100;

// Appends `text` after `label`, wrapped at kWidth with continuation lines indented.
void wrap(std::string& out, const std::string& label, const std::string& text) {
    const std::string indent(label.size(), ' ');
    std::string line = label;
    std::istringstream words(text);
    std::string w;
    bool first = true;
    while (words >> w) {
        if (!first && line.size() + 1 + w.size() > kWidth) {
            out += line + "\n";
            line = indent + w;
        } else {
            line += (first ? "" : " ") + w;
        }
        first = false;
    }
    out += line + "\n";
}

std::string upper(const char* s) {
    std::string u(s);
    for (char& c : u) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return u;
}

std::array<size_t, 4> tally(const Findings& findings) {
    std::array<size_t, 4> n{};
    for (const auto& f : findings) ++n[static_cast<size_t>(f.severity)];
    return n;
}

}  // namespace

std::string render_text(const ReportHeader& header, const Findings& findings) {
    std::string out = "netmonsec doctor\n";
    std::string ifaces;
    for (const auto& i : header.interfaces) ifaces += (ifaces.empty() ? "" : ", ") + i;
    out += "  interfaces: " + (ifaces.empty() ? std::string("none") : ifaces) + "\n";
    out +=
        "  config:     " + (header.config.empty() ? std::string("built-in defaults") : header.config) + "\n";
    out += "  eve stats:  " + (header.eve.empty() ? std::string("not read") : header.eve) + "\n";
    // Worst first; the probe order within a severity (link before queues before IRQs) is kept.
    std::vector<const Finding*> sorted;
    for (const auto& f : findings) sorted.push_back(&f);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    for (const Finding* f : sorted) {
        out += "\n[" + upper(to_string(f->severity)) + "] " + f->subject + ": " + f->checked + "\n";
        wrap(out, "  found:  ", f->found);
        if (!f->advice.empty()) wrap(out, "  change: ", f->advice);
    }
    const auto n = tally(findings);
    out += "\n" + std::to_string(findings.size()) + " checks: " + std::to_string(n[3]) + " problem, " +
           std::to_string(n[2]) + " warn, " + std::to_string(n[1]) + " info, " + std::to_string(n[0]) +
           " ok\n";
    return out;
}

std::string render_json(const ReportHeader& header, const Findings& findings) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    const auto str = [&](const std::string& s) {
        w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    };
    w.StartObject();
    w.Key("config");
    if (header.config.empty())
        w.Null();
    else
        str(header.config);
    w.Key("interfaces");
    w.StartArray();
    for (const auto& i : header.interfaces) str(i);
    w.EndArray();
    w.Key("eve");
    if (header.eve.empty())
        w.Null();
    else
        str(header.eve);
    const auto n = tally(findings);
    w.Key("summary");
    w.StartObject();
    for (size_t s = 0; s < n.size(); ++s) {
        w.Key(to_string(static_cast<Severity>(s)));
        w.Uint64(n[s]);
    }
    w.Key("worst");
    w.String(to_string(worst(findings)));
    w.EndObject();
    w.Key("findings");
    w.StartArray();
    for (const auto& f : findings) {
        w.StartObject();
        w.Key("id");
        str(f.id);
        w.Key("subject");
        str(f.subject);
        w.Key("checked");
        str(f.checked);
        w.Key("severity");
        w.String(to_string(f.severity));
        w.Key("found");
        str(f.found);
        w.Key("advice");
        str(f.advice);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

}  // namespace nms::doctor
