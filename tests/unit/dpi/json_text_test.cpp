#include <catch2/catch.hpp>

#include "dpi/dissectors/json_text.hpp"

using namespace nms::dpi;

TEST_CASE("UTF-8 validation and replacement", "[dpi][json]") {
    CHECK(valid_utf8("plain ascii"));
    CHECK(valid_utf8("\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"));
    CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong
    CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
    CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
    CHECK_FALSE(valid_utf8("\xe2\x82"));          // truncated
    CHECK(sanitize_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
    CHECK(sanitize_utf8("\xe2\x82") == "\xef\xbf\xbd\xef\xbf\xbd");
}
