#include <catch2/catch.hpp>

#include "dpi/dissectors/netbios_parse.hpp"
#include "udp_fixtures.hpp"
#include "udp_test_util.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

namespace {
ByteView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// "CKAAAA..." style first-level encoding of a 16-byte name.
std::string encode(std::string name, uint8_t suffix) {
    name.resize(15, ' ');
    name += static_cast<char>(suffix);
    std::string out;
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        out += static_cast<char>('A' + (c >> 4));
        out += static_cast<char>('A' + (c & 15));
    }
    return out;
}
}  // namespace

TEST_CASE("NBNS positive name query response from a real capture", "[dpi][netbios]") {
    netbios::Nbns n;
    REQUIRE(netbios::parse_nbns(bv(kNbnsResponse), n));
    CHECK(n.response);
    CHECK(n.name.str() == "GUNNAR");
    CHECK(n.name.suffix == 0);
    const Run r = run_flow({{kNbnsResponse, false, 0}}, 137, false, 137);
    CHECK(r.app == "netbios");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    CHECK(std::string(e["type"].GetString()) == "nbns");
    CHECK(std::string(e["name"].GetString()) == "GUNNAR");
    CHECK(std::string(e["addr"].GetString()) == "10.0.4.24");
    CHECK(e["response"].GetBool());
}

TEST_CASE("NBDGM direct group datagram names from a real capture", "[dpi][netbios]") {
    netbios::Nbdgm d;
    REQUIRE(netbios::parse_nbdgm(bv(kNbdgm), d));
    CHECK(d.msg_type == 0x11);
    CHECK(d.source.str() == "ENDIAN-PC");
    CHECK(d.destination.str() == "\x01\x02__MSBROWSE__\x02");
    CHECK(d.destination.suffix == 0x01);
    const Run r = run_flow({{kNbdgm, true, 0}}, 138, false, 138);
    CHECK(r.app == "netbios");
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    CHECK(std::string(e["source_name"].GetString()) == "ENDIAN-PC");
    CHECK(std::string(e["source_ip"].GetString()) == "192.168.1.252");
}

TEST_CASE("NBSS on TCP 139: a session request is netbios, SMB inside it is not", "[dpi][netbios]") {
    const std::string names = std::string("\x20") + encode("FILESRV", 0x20) + '\0' + "\x20" + encode("CLIENT", 0) + '\0';
    std::string req = lit("\x81\x00\x00");
    req += static_cast<char>(names.size());
    req += names;
    const std::string smb = req + lit("\x00\x00\x00\x08\xffSMBr\x00\x00\x00");
    const Run s = run_flow({{smb, true, 0, 1}}, 139, true);
    CHECK(s.app != "netbios");
    const std::string other = req + lit("\x00\x00\x00\x04hello");
    const Run n = run_flow({{other, true, 0, 1}}, 139, true);
    CHECK(n.app == "netbios");
    REQUIRE(n.events.size() == 1);
    auto e = parse_json(n.events[0]);
    CHECK(std::string(e["called_name"].GetString()) == "FILESRV");
    CHECK(e["called_suffix"].GetUint() == 0x20);
    CHECK(std::string(e["calling_name"].GetString()) == "CLIENT");
}

TEST_CASE("NetBIOS fixtures: every truncation is safe", "[dpi][netbios]") {
    for (std::string_view fx : {kNbnsResponse, kNbdgm}) {
        for (size_t n = 0; n <= fx.size(); ++n) {
            std::vector<uint8_t> buf(fx.begin(), fx.begin() + static_cast<std::ptrdiff_t>(n));
            netbios::Nbns a;
            netbios::Nbdgm b;
            netbios::Nbss c;
            (void)netbios::parse_nbns({buf.data(), buf.size()}, a);
            (void)netbios::parse_nbdgm({buf.data(), buf.size()}, b);
            (void)netbios::parse_nbss({buf.data(), buf.size()}, c);
            const std::string_view cut(reinterpret_cast<const char*>(buf.data()), buf.size());
            for (uint16_t port : {uint16_t{137}, uint16_t{138}})
                for (const auto& e : run_flow({{cut, true, 0}}, port, false, port).events)
                    CHECK_FALSE(parse_json(e).HasParseError());
        }
    }
}

TEST_CASE("NBNS hostile: compression loops, bad first-level encoding, huge counts", "[dpi][netbios]") {
    const std::string header = lit("\x12\x34\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00");  // query, 1 question
    netbios::Nbns n;
    // The question name is a pointer to itself.
    const std::string loop = header + lit("\xc0\x0c\x00\x20\x00\x01");
    CHECK_FALSE(netbios::parse_nbns(bv(loop), n));
    // 32 characters outside 'A'..'P' are not a first-level encoded name.
    const std::string badenc = header + "\x20" + std::string(32, 'z') + lit("\x00\x00\x20\x00\x01");
    CHECK_FALSE(netbios::parse_nbns(bv(badenc), n));
    // A name that claims more bytes than the message has.
    const std::string shortname = header + "\x20" + encode("HOST", 0).substr(0, 10);
    CHECK_FALSE(netbios::parse_nbns(bv(shortname), n));
    // 65535 answers announced, none present: parsed as far as the bytes go, no event garbage.
    std::string counts = lit("\x12\x34\x85\x00\x00\x00\xff\xff\xff\xff\xff\xff") + "\x20" + encode("HOST", 0) +
                         lit("\x00\x00\x20\x00\x01");
    for (const auto& e : run_flow({{counts, false, 0}}, 137, false, 137).events) CHECK_FALSE(parse_json(e).HasParseError());
    // Non-printable and non-UTF-8 bytes inside a well-encoded name are rendered as valid text.
    const std::string odd = header + "\x20" + encode(std::string("H\x01\xff\xfeST"), 0) + lit("\x00\x00\x20\x00\x01");
    const Run r = run_flow({{odd, true, 0}}, 137, false, 137);
    REQUIRE(r.events.size() == 1);
    auto e = parse_json(r.events[0]);
    REQUIRE_FALSE(e.HasParseError());
    CHECK(std::string(e["name"].GetString()).substr(0, 1) == "H");
}
