#include <catch2/catch.hpp>

#include "tcp_fixtures.hpp"

using namespace nms::dpi;
using namespace nms::dpi::test;

TEST_CASE("SMTP transaction: helo, mail from, rcpt to", "[dpi][smtp]") {
    const auto r = run_flow(segs_of(kSmtpFlow), 25);
    CHECK(r.app == "smtp");
    REQUIRE(r.events.size() == 1);  // flushed at flow end (the capture is cut before DATA ends)
    const auto d = r.event(0);
    CHECK(std::string(d["helo"].GetString()) == "delta.peach.mil");
    CHECK(std::string(d["mail_from"].GetString()) == "<coreys@delta.peach.mil>");
    CHECK(std::string(d["rcpt_to"][0].GetString()) == "<camronm@pigeon.eyrie.af.mil>");
}

TEST_CASE("SMTP STARTTLS ends inspection; FTP-like banners are not SMTP", "[dpi][smtp]") {
    auto r = run_flow({{"220 mx ESMTP\r\n", false}, {"EHLO me\r\n", true}, {"STARTTLS\r\n", true},
                       {"\x16\x03\x01\x00\x05hello", true}}, 25);
    CHECK(r.app == "smtp");
    REQUIRE(r.events.size() == 1);
    CHECK(r.event(0)["starttls"].GetBool());
    CHECK(run_flow({{"220 ProFTPD Server ready\r\n", false}, {"USER x\r\n", true}}, 2100).app == "ftp");
    CHECK(run_flow({{"220 host ESMTP\r\n", false}}, 2600).app == "smtp");
    CHECK(survives_truncations(segs_of(kSmtpFlow), 25));
    CHECK(survives_corruption(segs_of(kSmtpFlow), 25));
}
