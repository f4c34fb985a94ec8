#pragma once
// Loads a packet fixture from tests/data/packets/*.hex (PcapPlusPlus style): hex bytes in
// text, whitespace free, '#' starts a comment. A "# linktype N" comment names the link type
// and "wirelen N" the original frame length when the capture cut it (default: all bytes).
#include <cstdint>
#include <string>
#include <vector>

#include "decode/link_type.hpp"

namespace nms::test {

struct HexFixture {
    std::string name;
    std::vector<uint8_t> bytes;
    int linktype = 1;  // LINKTYPE_ETHERNET unless the file says otherwise
    uint32_t wirelen = 0;

    [[nodiscard]] decode::LinkType link() const { return static_cast<decode::LinkType>(linktype); }
    [[nodiscard]] uint32_t size() const { return static_cast<uint32_t>(bytes.size()); }
};

// Loads tests/data/packets/<name>.hex; throws std::runtime_error when missing or malformed.
HexFixture load_hex_fixture(const std::string& name);

// Every fixture in tests/data/packets, sorted by name.
std::vector<HexFixture> load_all_hex_fixtures();

}  // namespace nms::test
