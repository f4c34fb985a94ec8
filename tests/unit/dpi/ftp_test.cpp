#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"
#include "tls_fixtures.hpp"

using namespace nms;
using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("FTP commands and their replies", "[dpi][ftp]") {
    const auto r = run_flow(segs_of(kFtpFlow), 21);
    CHECK(r.app == "ftp");
    REQUIRE(r.events.size() == 3);
    auto d = r.event(0);
    CHECK(std::string(d["command"].GetString()) == "USER");
    CHECK(std::string(d["command_data"].GetString()) == "hello");
    CHECK(std::string(d["completion_code"][0].GetString()) == "530");
    CHECK(std::string(r.event(2)["command"].GetString()) == "QUIT");
}

TEST_CASE("FTP PASV announces the data flow, which is labelled ftp-data", "[dpi][ftp]") {
    AppEventRing ring(64);
    DpiLimits limits;
    limits.fallback = false;
    DpiEngine engine(builtin_registry(), 8, limits, &ring, false);
    auto ctl = tcp_flow(1, 21);
    engine.on_packet(tcp_segment("220 FTP ready\r\n", false, 1, 1, 21), ctl, 0);
    engine.on_packet(tcp_segment("PASV\r\n", true, 1, 2, 21), ctl, 0);
    engine.on_packet(tcp_segment("227 Entering Passive Mode (10,0,0,2,195,80).\r\n", false, 16, 3, 21), ctl, 0);
    // 10.0.0.1:40000 -> 10.0.0.2:50000, a new flow: labelled without any payload.
    auto data = tcp_flow(2, 50000);
    auto syn = tcp_segment("", true, 1, 4, 50000);
    engine.on_packet(syn, data, 1);
    CHECK(builtin_registry().name_of(data.app_proto) == "ftp-data");
    CHECK(engine.counters().expected == 1);
    // One-shot: a second flow to the same port is not labelled.
    auto again = tcp_flow(3, 50000);
    engine.on_packet(syn, again, 2);
    CHECK(again.app_proto == kAppUnknown);
    AppEvent ev;
    REQUIRE(ring.pop(ev));
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    builtin_registry().get(ev.app)->render(ev, w);
    rapidjson::Document d;
    d.Parse(sb.GetString());
    CHECK(std::string(d["command"].GetString()) == "PASV");
    CHECK(d["dynamic_port"].GetUint() == 50000);
}

TEST_CASE("FTP active mode (PORT) and expectation expiry", "[dpi][ftp]") {
    AppEventRing ring(64);
    DpiLimits limits;
    limits.fallback = false;
    DpiEngine engine(builtin_registry(), 8, limits, &ring, false);
    auto ctl = tcp_flow(1, 21);
    engine.on_packet(tcp_segment("220 FTP ready\r\n", false, 1, 1, 21), ctl, 0);
    engine.on_packet(tcp_segment("PORT 10,0,0,1,156,64\r\n", true, 1, 2, 21), ctl, 0);
    // The server 10.0.0.2 connects to the client's 40000: as the flow table sees it, the client
    // of that flow is 10.0.0.2 (so our test flow, oriented the other way, matches reversed).
    auto data = tcp_flow(2, 20);
    engine.on_packet(tcp_segment("x", false, 1, 3, 20), data, 1);
    CHECK(builtin_registry().name_of(data.app_proto) == "ftp-data");
    engine.on_packet(tcp_segment("EPSV\r\n", true, 23, 4, 21), ctl, 0);
    engine.on_packet(tcp_segment("229 Entering Extended Passive Mode (|||6446|)\r\n", false, 16, 5, 21), ctl, 0);
    auto late = tcp_flow(3, 6446);
    engine.on_packet(tcp_segment("", true, 1, 5 + 120'000'000'000ull, 6446), late, 2);  // 2 min later
    CHECK(late.app_proto == kAppUnknown);
    CHECK(survives_truncations(segs_of(kFtpFlow), 21));
    CHECK(survives_corruption(segs_of(kFtpFlow), 21));
    CHECK(survives_truncations({{"227 Entering Passive Mode (999,1,2,3,4,5)\r\n", false},
                                {"EPRT |2|::1|99999999|\r\n", true}, {"229 (|||)\r\n", false}}, 21));
}

TEST_CASE("FTP AUTH TLS and SMTP STARTTLS hand the flow to the TLS dissector; the flow keeps its name",
          "[dpi][ftp][smtp][tls]") {
    const std::string hello = from_hex(fx::kTls12Client.data());
    const auto ftp = run_flow({{"220 FTP ready\r\n", false}, {"AUTH TLS\r\n", true}, {"234 AUTH TLS OK.\r\n", false},
                               {hello, true}}, 21);
    CHECK(ftp.app == "ftp");
    CHECK(ftp.counters.upgrades == 1);
    REQUIRE(ftp.events.size() == 2);
    CHECK(std::string(ftp.event(0)["command"].GetString()) == "AUTH");
    CHECK(std::string(ftp.event(1)["ja3"]["hash"].GetString()) == "bd9c99b3a0f752c3ab8b052a79e9de3e");
    const auto smtp = run_flow({{"220 mx ESMTP\r\n", false}, {"EHLO me\r\n", true}, {"STARTTLS\r\n", true},
                                {"220 2.0.0 Ready to start TLS\r\n", false}, {hello, true}}, 25);
    CHECK(smtp.app == "smtp");
    CHECK(smtp.counters.upgrades == 1);
    REQUIRE(smtp.events.size() == 2);
    CHECK(smtp.event(0)["starttls"].GetBool());
    CHECK(std::string(smtp.event(1)["ja3"]["hash"].GetString()) == "bd9c99b3a0f752c3ab8b052a79e9de3e");
    // Refused: the session stays in clear text and nothing is handed over.
    const auto refused = run_flow({{"220 FTP ready\r\n", false}, {"AUTH TLS\r\n", true}, {"534 no TLS\r\n", false},
                                   {"USER anonymous\r\n", true}}, 21);
    CHECK(refused.counters.upgrades == 0);
    CHECK(refused.events.size() == 2);
}
