#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("SMB3 negotiate, NTLMSSP session setup and tree connect", "[dpi][smb]") {
    const auto r = run_flow(segs_of(kSmb3Flow), 445);
    CHECK(r.app == "smb");
    REQUIRE(r.events.size() >= 3);
    auto d = r.event(0);
    CHECK(std::string(d["command"].GetString()) == "SMB2_COMMAND_NEGOTIATE_PROTOCOL");
    CHECK(std::string(d["dialect"].GetString()) == "3.00");
    d = r.event(1);
    CHECK(std::string(d["ntlmssp"]["user"].GetString()) == "administrator");
    CHECK(std::string(d["ntlmssp"]["domain"].GetString()) == "SUSE");
    d = r.event(2);
    CHECK(std::string(d["share"].GetString()) == "\\\\WS2016\\encrypted");
}

TEST_CASE("SMB1 negotiate picks the dialect the client offered", "[dpi][smb]") {
    const auto r = run_flow(segs_of(kSmb1Flow), 445);
    CHECK(r.app == "smb");
    REQUIRE_FALSE(r.events.empty());
    CHECK(std::string(r.event(0)["dialect"].GetString()) == "NT LM 0.12");
}

TEST_CASE("SMB large messages are skipped, hostile input is safe", "[dpi][smb]") {
    // A 100 KB WRITE announced by NBSS: skipped across segments, the next message still parsed.
    std::string big = std::string("\x00\x01\x86\xa0\xfeSMB", 8) + std::string(100'000 - 4, 'x');
    std::vector<Seg> segs;
    for (size_t off = 0; off < big.size(); off += 1400) segs.push_back({big.substr(off, 1400), true});
    for (const auto& s : segs_of(kSmb3Flow)) segs.push_back(s);
    DpiLimits limits;
    limits.stream_bytes = 4096;
    const auto r = run_flow(segs, 445, limits);
    CHECK(r.app == "smb");
    CHECK(r.events.size() >= 1);
    CHECK(survives_truncations(segs_of(kSmb3Flow), 445));
    CHECK(survives_corruption(segs_of(kSmb3Flow), 445));
    CHECK(survives_corruption(segs_of(kSmb1Flow), 445));
}
