#include <catch2/catch.hpp>

#include "common/bytes.hpp"

TEST_CASE("ByteView bounds checks never overflow", "[common]") {
    const uint8_t raw[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
    nms::ByteView v(raw, sizeof raw);
    CHECK(v.has(0, 5));
    CHECK_FALSE(v.has(1, 5));
    CHECK_FALSE(v.has(6, 0));
    CHECK_FALSE(v.has(1, SIZE_MAX));  // off + n would wrap
    CHECK(v.be16(0) == 0x1234);
    CHECK(v.be32(1) == 0x3456789a);
    CHECK(v.sub(3).size == 2);
    CHECK(v.sub(9).empty());
    CHECK(v.sub(4, 10).size == 1);
}
