#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("SSH banners and HASSH from a real OpenSSH flow", "[dpi][ssh]") {
    const auto r = run_flow(segs_of(kSshFlow), 22);
    CHECK(r.app == "ssh");
    REQUIRE(r.events.size() == 1);
    const auto d = r.event(0);
    CHECK(std::string(d["client"]["proto_version"].GetString()) == "2.0");
    CHECK(std::string(d["client"]["software_version"].GetString()) == "OpenSSH_5.6");
    CHECK(std::string(d["server"]["software_version"].GetString()) == "OpenSSH_5.3");
    // Same values as nDPI's hassh_c / hassh_s for this capture.
    CHECK(std::string(d["client"]["hassh"]["hash"].GetString()) == "21b457a327ce7a2d4fce5ef2c42400bd");
    CHECK(std::string(d["server"]["hassh"]["hash"].GetString()) == "b1c6c0d56317555b85c7005a3de29325");
}

TEST_CASE("SSH-1 banners, comments and non-UTF-8 software versions", "[dpi][ssh]") {
    auto r = run_flow({{"SSH-1.5-OpenSSH_6.6\r\n", true}, {"SSH-1.5-OpenSSH_6.6\n", false}}, 2222);
    CHECK(r.app == "ssh");
    REQUIRE(r.events.size() == 1);
    CHECK(std::string(r.event(0)["server"]["proto_version"].GetString()) == "1.5");
    r = run_flow({{"SSH-2.0-Evil\xff\xfe build\r\n", true}}, 22);
    REQUIRE(r.events.size() == 1);  // flushed at flow end
    const auto d = r.event(0);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["client"]["software_version"].GetString()) == "Evil\xef\xbf\xbd\xef\xbf\xbd build");
}

TEST_CASE("SSH probe rejects other protocols and hostile packets", "[dpi][ssh]") {
    CHECK(run_flow({{"GET / HTTP/1.1\r\n\r\n", true}}, 22).app != "ssh");
    // A huge packet_length after the banner: dropped, never buffered or over-read.
    CHECK(run_flow({{"SSH-2.0-x\r\n\xff\xff\xff\xff\x05\x14", true}, {"SSH-2.0-y\r\n", false}}, 22).events.size() == 1);
    CHECK(survives_truncations(segs_of(kSshFlow), 22));
    CHECK(survives_corruption(segs_of(kSshFlow), 22));
}

TEST_CASE("SSH KEXINIT split over many small segments still gives HASSH", "[dpi][ssh]") {
    std::vector<Seg> segs;
    for (const auto& s : segs_of(kSshFlow))
        for (size_t off = 0; off < s.data.size(); off += 100) segs.push_back({s.data.substr(off, 100), s.to_server});
    const auto r = run_flow(segs, 22);
    REQUIRE(r.events.size() == 1);
    CHECK(std::string(r.event(0)["client"]["hassh"]["hash"].GetString()) == "21b457a327ce7a2d4fce5ef2c42400bd");
}
