#include "devices/p0f_db.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace nms::devices {
namespace {

constexpr uint8_t kMaxDist = 35;  // p0f's MAX_DIST

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

bool to_num(std::string_view s, uint32_t& v) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_quirk(std::string_view q, uint32_t& out) {
    static constexpr std::pair<std::string_view, uint32_t> kQuirks[] = {
        {"df", kQuirkDf}, {"id+", kQuirkNzId}, {"id-", kQuirkZeroId}, {"ecn", kQuirkEcn}, {"0+", kQuirkNzMbz},
        {"flow", kQuirkFlow}, {"seq-", kQuirkZeroSeq}, {"ack+", kQuirkNzAck}, {"ack-", kQuirkZeroAck},
        {"uptr+", kQuirkNzUrg}, {"urgf+", kQuirkUrg}, {"pushf+", kQuirkPush}, {"ts1-", kQuirkOptZeroTs1},
        {"ts2+", kQuirkOptNzTs2}, {"opt+", kQuirkOptEolNz}, {"exws", kQuirkOptExws}, {"bad", kQuirkOptBad}};
    for (const auto& [name, bit] : kQuirks) {
        if (q == name) {
            out |= bit;
            return true;
        }
    }
    return false;
}

bool fail(std::string* why, const char* msg) {
    if (why) *why = msg;
    return false;
}

}  // namespace

std::optional<P0fSig> parse_p0f_sig(std::string_view text, std::string* why) {
    const auto f = split(trim(text), ':');
    if (f.size() != 8) return fail(why, "expected 8 ':'-separated fields"), std::nullopt;
    P0fSig s;
    s.text = std::string(trim(text));
    uint32_t v = 0;
    if (f[0] == "*") s.ip_ver = -1;
    else if (f[0] == "4" || f[0] == "6") s.ip_ver = static_cast<int8_t>(f[0][0] - '0');
    else return fail(why, "bad ver"), std::nullopt;
    // ittl: "64", "64-" (bad ttl), "54+10" (observed + distance), "nnn+?" is not usable.
    std::string_view ttl = f[1];
    if (!ttl.empty() && ttl.back() == '-') {
        s.bad_ttl = true;
        ttl.remove_suffix(1);
    }
    if (const size_t plus = ttl.find('+'); plus != std::string_view::npos) {
        uint32_t a = 0, b = 0;
        if (!to_num(ttl.substr(0, plus), a) || !to_num(ttl.substr(plus + 1), b) || a + b > 255)
            return fail(why, "bad ittl"), std::nullopt;
        s.ittl = static_cast<uint8_t>(a + b);
    } else {
        if (!to_num(ttl, v) || v > 255 || v == 0) return fail(why, "bad ittl"), std::nullopt;
        s.ittl = static_cast<uint8_t>(v);
    }
    if (!to_num(f[2], v) || v > 255) return fail(why, "bad olen"), std::nullopt;
    s.olen = static_cast<uint8_t>(v);
    if (f[3] == "*") s.mss = -1;
    else if (to_num(f[3], v) && v <= 65535) s.mss = static_cast<int32_t>(v);
    else return fail(why, "bad mss"), std::nullopt;
    const auto ws = split(f[4], ',');
    if (ws.size() != 2) return fail(why, "bad wsize,scale"), std::nullopt;
    std::string_view w = ws[0];
    if (w == "*") {
        s.win_type = P0fSig::Win::kAny;
    } else if (w.starts_with("mss*") && to_num(w.substr(4), v)) {
        s.win_type = P0fSig::Win::kMss;
        s.win = v;
    } else if (w.starts_with("mtu*") && to_num(w.substr(4), v)) {
        s.win_type = P0fSig::Win::kMtu;
        s.win = v;
    } else if (w.starts_with("%") && to_num(w.substr(1), v) && v > 0) {
        s.win_type = P0fSig::Win::kMod;
        s.win = v;
    } else if (to_num(w, v) && v <= 65535) {
        s.win = v;
    } else {
        return fail(why, "bad wsize"), std::nullopt;
    }
    if (ws[1] == "*") s.wscale = -1;
    else if (to_num(ws[1], v) && v <= 255) s.wscale = static_cast<int16_t>(v);
    else return fail(why, "bad scale"), std::nullopt;
    if (!f[5].empty()) {
        for (std::string_view o : split(f[5], ',')) {
            if (o == "nop") s.layout.push_back(kOptNop);
            else if (o == "mss") s.layout.push_back(kOptMss);
            else if (o == "ws") s.layout.push_back(kOptWs);
            else if (o == "sok") s.layout.push_back(kOptSok);
            else if (o == "sack") s.layout.push_back(kOptSack);
            else if (o == "ts") s.layout.push_back(kOptTs);
            else if (o.starts_with("eol+") && to_num(o.substr(4), v) && v < 64) {
                s.layout.push_back(kOptEol);
                s.eol_pad = static_cast<uint8_t>(v);
            } else if (o.starts_with("?") && to_num(o.substr(1), v) && v < 256) {
                s.layout.push_back(static_cast<uint8_t>(v));
            } else {
                return fail(why, "bad olayout"), std::nullopt;
            }
        }
    }
    if (!f[6].empty()) {
        for (std::string_view q : split(f[6], ','))
            if (!parse_quirk(q, s.quirks)) return fail(why, "bad quirk"), std::nullopt;
    }
    if (f[7] == "*") s.pclass = -1;
    else if (f[7] == "0") s.pclass = 0;
    else if (f[7] == "+") s.pclass = 1;
    else return fail(why, "bad pclass"), std::nullopt;
    return s;
}

long P0fDb::load_file(const std::string& path, bool site) {
    std::ifstream in(path);
    if (!in) return -1;
    std::stringstream ss;
    ss << in.rdbuf();
    return load_text(ss.str(), site);
}

long P0fDb::load_text(std::string_view text, bool site) {
    enum class Sec { kOther, kRequest, kResponse } sec = Sec::kOther;
    bool have_label = false;
    long n = 0;
    for (std::string_view line : split(text, '\n')) {
        line = trim(line);
        if (line.empty() || line[0] == ';') continue;
        if (line[0] == '[') {
            sec = line == "[tcp:request]" ? Sec::kRequest : line == "[tcp:response]" ? Sec::kResponse : Sec::kOther;
            have_label = false;
            continue;
        }
        if (sec == Sec::kOther) continue;
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            ++bad_lines_;
            continue;
        }
        const std::string_view key = trim(line.substr(0, eq)), val = trim(line.substr(eq + 1));
        if (key == "label") {
            // type:class:name:flavor; the flavor may itself hold ':'.
            const auto f = split(val, ':');
            if (f.size() < 3 || (f[0] != "s" && f[0] != "g")) {
                ++bad_lines_;
                have_label = false;
                continue;
            }
            P0fLabel l;
            l.generic = f[0] == "g";
            l.os_class = std::string(f[1]);
            l.app = f[1] == "!";
            l.name = std::string(f[2]);
            const size_t flavor_at = f[0].size() + f[1].size() + f[2].size() + 3;
            if (flavor_at <= val.size()) l.flavor = std::string(val.substr(flavor_at));
            labels_.push_back(std::move(l));
            have_label = true;
        } else if (key == "sig") {
            auto s = parse_p0f_sig(val);
            if (!s || !have_label) {
                ++bad_lines_;
                continue;
            }
            s->response = sec == Sec::kResponse;
            s->label = static_cast<uint32_t>(labels_.size() - 1);
            s->site = site;
            sigs_.push_back(std::move(*s));
            ++n;
        }  // "sys" (http sections only) and anything else: ignored
    }
    return n;
}

// p0f's detect_win_multi(): the window as a multiple of MSS or MTU, if it is one.
static uint32_t win_multi(const TcpSig& ts, bool& use_mtu) {
    const int32_t mss = ts.mss;
    if (!ts.win || mss < 100) return 0;
    auto div = [&](int32_t d, bool mtu) -> uint32_t {
        if (d > 0 && ts.win % static_cast<uint32_t>(d) == 0) {
            use_mtu = mtu;
            return ts.win / static_cast<uint32_t>(d);
        }
        return 0;
    };
    uint32_t r;
    if ((r = div(mss, false))) return r;
    if (ts.ts1_nonzero && (r = div(mss - 12, false))) return r;
    if ((r = div(1500 - 40, false))) return r;
    if ((r = div(1500 - 40 - 12, false))) return r;
    if (ts.ip_ver == 6) {
        if ((r = div(1500 - 60, false))) return r;
        if ((r = div(1500 - 60 - 12, false))) return r;
    }
    if ((r = div(mss + 40, true))) return r;
    if ((r = div(mss + ts.tot_hdr, true))) return r;
    if (ts.ip_ver == 6 && (r = div(mss + 60, true))) return r;
    if ((r = div(1500, true))) return r;
    return 0;
}

std::optional<P0fMatch> P0fDb::match_in(const TcpSig& ts, bool site) const {
    bool use_mtu = false;
    const uint32_t multi = win_multi(ts, use_mtu);
    const P0fSig* fmatch = nullptr;
    const P0fSig* gmatch = nullptr;
    const P0fSig* hit = nullptr;
    for (const P0fSig& r : sigs_) {
        if (r.site != site || r.response != ts.response) continue;
        // Option layout (p0f hashes it; same thing).
        if (r.layout.size() != ts.layout_len || !std::equal(r.layout.begin(), r.layout.end(), ts.layout)) continue;
        if (r.ip_ver != -1 && r.ip_ver != ts.ip_ver) continue;
        bool fuzzy = false;
        uint32_t ref_quirks = r.quirks;
        if (r.ip_ver == -1)
            ref_quirks &= ts.ip_ver == 4 ? ~uint32_t{kQuirkFlow} : ~uint32_t{kQuirkDf | kQuirkNzId | kQuirkZeroId};
        if (ref_quirks != ts.quirks) {
            const uint32_t deleted = (ref_quirks ^ ts.quirks) & ref_quirks;
            const uint32_t added = (ref_quirks ^ ts.quirks) & ts.quirks;
            if (fmatch || (deleted & ~uint32_t{kQuirkDf | kQuirkNzId}) || (added & ~uint32_t{kQuirkZeroId | kQuirkEcn}))
                continue;
            fuzzy = true;
        }
        if (r.eol_pad != ts.eol_pad || r.olen != ts.olen) continue;
        if (r.bad_ttl) {
            if (r.ittl < ts.ttl) continue;
        } else if (r.ittl < ts.ttl || r.ittl - ts.ttl > kMaxDist) {
            fuzzy = true;
        }
        if (r.mss != -1 && r.mss != ts.mss) continue;
        if (r.wscale != -1 && r.wscale != ts.wscale) continue;
        if (r.pclass != -1 && r.pclass != ts.pclass) continue;
        switch (r.win_type) {
            case P0fSig::Win::kNormal:
                if (r.win != ts.win) continue;
                break;
            case P0fSig::Win::kMod:
                if (ts.win % r.win) continue;
                break;
            case P0fSig::Win::kMss:
                if (use_mtu || r.win != multi) continue;
                break;
            case P0fSig::Win::kMtu:
                if (!use_mtu || r.win != multi) continue;
                break;
            case P0fSig::Win::kAny:
                break;
        }
        if (!fuzzy) {
            if (!labels_[r.label].generic) {
                hit = &r;
                break;
            }
            if (!gmatch) gmatch = &r;
        } else if (!fmatch) {
            fmatch = &r;
        }
    }
    const P0fSig* m = hit ? hit : gmatch ? gmatch : fmatch;
    if (!m) return std::nullopt;
    P0fMatch out;
    out.sig = m;
    out.label = &labels_[m->label];
    out.fuzzy = !hit && !gmatch;
    out.generic = out.label->generic;
    out.distance = m->ittl >= ts.ttl ? static_cast<uint8_t>(m->ittl - ts.ttl) : 0;
    return out;
}

std::optional<P0fMatch> P0fDb::match(const TcpSig& s) const {
    if (auto m = match_in(s, true)) return m;
    return match_in(s, false);
}

}  // namespace nms::devices
