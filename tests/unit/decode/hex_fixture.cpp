#include "hex_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace nms::test {

namespace {

const std::filesystem::path kPacketDir = std::filesystem::path(NMS_SOURCE_DIR) / "tests/data/packets";

int hex_value(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    const int lower = std::tolower(static_cast<unsigned char>(ch));
    if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
    return -1;
}

HexFixture load_path(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open fixture " + path.string());
    HexFixture fx;
    fx.name = path.stem().string();
    std::string line;
    int pending = -1;  // high nibble waiting for its low half
    while (std::getline(in, line)) {
        const auto hash = line.find('#');
        if (hash != std::string::npos) {
            const auto lt = line.find("linktype ", hash);
            if (lt != std::string::npos) fx.linktype = std::stoi(line.substr(lt + 9));
            const auto wl = line.find("wirelen ", hash);
            if (wl != std::string::npos) fx.wirelen = static_cast<uint32_t>(std::stoul(line.substr(wl + 8)));
            line.resize(hash);
        }
        for (char ch : line) {
            if (std::isspace(static_cast<unsigned char>(ch))) continue;
            const int v = hex_value(ch);
            if (v < 0) throw std::runtime_error("bad hex digit in " + path.string());
            if (pending < 0) {
                pending = v;
            } else {
                fx.bytes.push_back(static_cast<uint8_t>(pending * 16 + v));
                pending = -1;
            }
        }
    }
    if (pending >= 0) throw std::runtime_error("odd number of hex digits in " + path.string());
    if (fx.bytes.empty()) throw std::runtime_error("empty fixture " + path.string());
    if (fx.wirelen < fx.bytes.size()) fx.wirelen = static_cast<uint32_t>(fx.bytes.size());
    return fx;
}

}  // namespace

HexFixture load_hex_fixture(const std::string& name) {
    return load_path(kPacketDir / (name + ".hex"));
}

std::vector<HexFixture> load_all_hex_fixtures() {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(kPacketDir)) {
        if (entry.path().extension() == ".hex") paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<HexFixture> out;
    out.reserve(paths.size());
    for (const auto& p : paths) out.push_back(load_path(p));
    return out;
}

}  // namespace nms::test
