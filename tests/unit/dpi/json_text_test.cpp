#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "dpi/dissectors/json_text.hpp"

using namespace nms;
using namespace nms::dpi;

namespace {

std::string text(std::string_view in, TextMode mode = TextMode::kUtf8) {
    std::string out;
    append_text(out, ByteView(reinterpret_cast<const uint8_t*>(in.data()), in.size()), mode);
    return out;
}

}  // namespace

TEST_CASE("Wire text becomes valid UTF-8 without losing what is valid", "[dpi]") {
    CHECK(text("plain ascii") == "plain ascii");
    CHECK(text("\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80") == "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80");
    for (std::string_view bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "a\xff" "b"}) {
        const std::string out = text(bad);
        CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD marks the bad bytes
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        write_text(w, bad);
        rapidjson::Document d;
        d.Parse(sb.GetString());
        CHECK_FALSE(d.HasParseError());  // always a valid JSON string
    }
}

TEST_CASE("Control bytes are escaped when asked, as tshark prints names", "[dpi]") {
    CHECK(text(std::string_view("a\x01z", 3), TextMode::kEscapeControls) == "a\\001z");
    CHECK(text("tab\there") != "");
}
