#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <random>
#include <string>
#include <vector>

#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/tls_client_hello.hpp"
#include "dpi/dpi_engine.hpp"
#include "dpi_test_util.hpp"
#include "tls_fixtures.hpp"

using namespace nms;
using namespace nms::dpi;

namespace {

std::string unhex(std::string_view h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
}

decode::PacketView udp_datagram(const std::string& payload, bool to_server, TimestampNs ts, uint16_t server_port) {
    decode::PacketView v = test::tcp_segment(payload, to_server, 0, ts, server_port);
    v.ip_proto = decode::kIpProtoUdp;
    v.key.proto = decode::kIpProtoUdp;
    v.tcp_flags = 0;
    return v;
}

flow::Flow udp_flow(uint16_t server_port) {
    flow::Flow f = test::tcp_flow(9, server_port);
    f.key.proto = decode::kIpProtoUdp;
    return f;
}

rapidjson::Document render(const AppEvent& ev) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    builtin_registry().get(ev.app)->render(ev, w);
    rapidjson::Document d;
    d.Parse(sb.GetString());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

std::string str(const rapidjson::Value& v, const char* k) { return v.HasMember(k) ? v[k].GetString() : ""; }

std::vector<AppEvent> drain(AppEventRing& ring) {
    std::vector<AppEvent> out;
    AppEvent ev;
    while (ring.pop(ev)) out.push_back(ev);
    return out;
}

}  // namespace

TEST_CASE("GREASE values are recognised", "[dpi][tls]") {
    CHECK(tls::is_grease(0x0a0a));
    CHECK(tls::is_grease(0xfafa));
    CHECK_FALSE(tls::is_grease(0x0a1a));
    CHECK_FALSE(tls::is_grease(0x1301));
}

TEST_CASE("TLS 1.2 handshake gives one event with JA3, JA3S, JA4 and the certificate", "[dpi][tls]") {
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = test::tcp_flow(1, 443);
    const std::string c = unhex(test::fx::kTls12Client);
    engine.on_packet(test::tcp_segment(c, true, 1, 1), f, 0);
    CHECK(builtin_registry().name_of(f.app_proto) == "tls");
    uint32_t seq = 1;
    for (auto part : {test::fx::kTls12Server1, test::fx::kTls12Server2, test::fx::kTls12Server3}) {
        const std::string s = unhex(part);
        engine.on_packet(test::tcp_segment(s, false, seq, 2), f, 0);
        seq += static_cast<uint32_t>(s.size());
    }
    auto evs = drain(ring);
    REQUIRE(evs.size() == 1);
    auto d = render(evs[0]);
    CHECK(str(d, "version") == "TLS 1.2");
    CHECK(str(d["ja3"], "hash") == "bd9c99b3a0f752c3ab8b052a79e9de3e");
    CHECK(str(d["ja3s"], "hash") == "c253ec3ad88e42f8da4032682892f9a0");
    CHECK(str(d["ja3s"], "string") == "771,4,65281");
    CHECK(str(d, "ja4").substr(0, 11) == "t12i800500_");
    CHECK(str(d, "ja4").size() == 36);
    CHECK(str(d, "subject").find("CN=*.taleo.net") != std::string::npos);
    CHECK(str(d, "issuerdn").find("CN=COMODO High-Assurance Secure Server CA") != std::string::npos);
    CHECK(str(d, "serial") == "00:99:FA:A8:03:7A:4E:B2:FA:EF:84:EB:5E:55:D5:B8:C8");
    CHECK(str(d, "notbefore") == "2011-05-04T00:00:00");
    CHECK(str(d, "notafter") == "2016-07-04T23:59:59");
    CHECK(f.dpi_state == kDpiDone);   // context released after the handshake
}

TEST_CASE("TLS ClientHello split over segments, SNI and ALPN", "[dpi][tls]") {
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = test::tcp_flow(2, 443);
    const std::string c = unhex(test::fx::kAndroidClient);
    // One byte, then the rest in three pieces: re-read until the message is whole.
    const size_t cuts[] = {1, 7, 60, c.size()};
    size_t prev = 0;
    for (size_t cut : cuts) {
        engine.on_packet(test::tcp_segment(c.substr(prev, cut - prev), true, static_cast<uint32_t>(1 + prev), 1), f, 0);
        prev = cut;
    }
    engine.on_packet(test::tcp_segment(unhex(test::fx::kAndroidServer), false, 1, 2), f, 0);
    CHECK(drain(ring).empty());   // TLS 1.2: waits for the certificate
    engine.on_flow_end(f, 0);
    auto evs = drain(ring);
    REQUIRE(evs.size() == 1);
    auto d = render(evs[0]);
    CHECK(str(d, "sni") == "clients1.google.com");
    CHECK(str(d["ja3"], "hash") == "c60d01d600aacc2c04844595ce224279");
    CHECK(str(d["ja3"], "string") ==
          "771,49195-49196-52393-49199-49200-52392-49161-49162-49171-49172-156-157-47-53,65281-0-23-13-5-11-10,"
          "29-23-24,0");
    CHECK(str(d["ja3s"], "hash") == "b31c0b82752ea0e2c48b8ce46e9263e5");
    CHECK(str(d, "ja4").substr(0, 11) == "t12d1407" + std::string("00_"));
}

TEST_CASE("TLS client-only flow is flushed at flow end", "[dpi][tls]") {
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = test::tcp_flow(3, 8443);
    engine.on_packet(test::tcp_segment(unhex(test::fx::kAndroidClient), true, 1, 1), f, 0);
    CHECK(drain(ring).empty());
    engine.on_flow_end(f, 0);
    auto evs = drain(ring);
    REQUIRE(evs.size() == 1);
    CHECK(str(render(evs[0]), "sni") == "clients1.google.com");
}

TEST_CASE("TLS parsers survive every truncation and byte corruption", "[dpi][tls]") {
    const std::string c = unhex(test::fx::kTls12Client);
    const std::string s = unhex(test::fx::kTls12Server1) + unhex(test::fx::kTls12Server2) + unhex(test::fx::kTls12Server3);
    char buf[16384];
    int parsed = 0;
    for (size_t n = 0; n <= c.size(); ++n) {
        // Heap copies of exactly n bytes so ASan catches any over-read.
        std::vector<uint8_t> v(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n));
        tls::TextOut t{buf, sizeof buf};
        tls::ClientHello ch;
        const bool ok = tls::parse_client_hello(ByteView(v.data(), v.size()).sub(9), tls::HelloKind::kTls, ch, t);
        parsed += ok;
    }
    CHECK(parsed == 2);   // the whole hello, and the cut right before its extensions block
    for (size_t n = 0; n <= s.size(); n += 7) {
        std::vector<uint8_t> v(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
        tls::CertInfo cert;
        (void)tls::parse_first_certificate(ByteView(v.data(), v.size()).sub(5 + 4 + 81 + 4), cert);
        tls::TextOut t{buf, 64};
        tls::format_name(cert.subject, t);
        AppEventRing ring(8);
        DpiLimits lim;
        lim.stream_bytes = 1024;   // smaller than the certificate chain: skipped gracefully
        DpiEngine engine(builtin_registry(), 4, lim, &ring, false);
        auto f = test::tcp_flow(4, 443);
        engine.on_packet(test::tcp_segment(c, true, 1, 1), f, 0);
        std::string part(v.begin(), v.end());
        for (size_t off = 0; off < part.size(); off += 500)
            engine.on_packet(test::tcp_segment(part.substr(off, 500), false, static_cast<uint32_t>(1 + off), 2), f, 0);
        engine.on_flow_end(f, 0);
        auto evs = drain(ring);
        CHECK(evs.size() == 1);
        for (auto& ev : evs) (void)render(ev);
    }
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::vector<uint8_t> v(c.begin(), c.end());
        for (int k = 0; k < 4; ++k) v[rng() % v.size()] = static_cast<uint8_t>(rng());
        tls::TextOut t{buf, sizeof buf};
        tls::ClientHello ch;
        (void)tls::parse_client_hello(ByteView(v.data(), v.size()).sub(9), tls::HelloKind::kTls, ch, t);
    }
}

TEST_CASE("QUIC v2 and draft Initials are decrypted to the ClientHello", "[dpi][quic]") {
    struct Case {
        std::string_view hex;
        const char* sni;
        const char* ja3;
        const char* version;
    } cases[] = {{test::fx::kQuicV2Initial, "test", "5e685944fc983af5eabcc813add3dca1", "6b3343cf"},
                 {test::fx::kQuicDraft28Initial, "abcd", "a7b629a5bd67bfc25e2c78b3daa4c12f", "ff00001c"}};
    for (const auto& cs : cases) {
        AppEventRing ring(8);
        DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
        auto f = udp_flow(4443);
        engine.on_packet(udp_datagram(unhex(cs.hex), true, 1, 4443), f, 0);
        CHECK(builtin_registry().name_of(f.app_proto) == "quic");
        auto evs = drain(ring);
        REQUIRE(evs.size() == 1);
        auto d = render(evs[0]);
        CHECK(str(d, "sni") == cs.sni);
        CHECK(str(d["ja3"], "hash") == cs.ja3);
        CHECK(str(d, "version") == cs.version);
        CHECK(str(d, "ja4")[0] == 'q');
        CHECK(str(d, "ja4")[3] == 'd');
    }
}

TEST_CASE("QUIC Initial: truncated and corrupted datagrams never crash", "[dpi][quic]") {
    const std::string q = unhex(test::fx::kQuicV2Initial);
    std::mt19937 rng(11);
    for (size_t n = 0; n <= q.size(); n += 3) {
        AppEventRing ring(8);
        DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
        auto f = udp_flow(443);
        std::string v = q.substr(0, n);
        if (n % 2 && !v.empty()) v[rng() % v.size()] = static_cast<char>(rng());
        engine.on_packet(udp_datagram(v, true, 1, 443), f, 0);
        engine.on_flow_end(f, 0);
        for (auto& ev : drain(ring)) (void)render(ev);
    }
}

TEST_CASE("DTLS ClientHello gives a d-prefixed JA4", "[dpi][dtls]") {
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = udp_flow(56515);
    engine.on_packet(udp_datagram(unhex(test::fx::kDtlsClientHello), true, 1, 56515), f, 0);
    CHECK(builtin_registry().name_of(f.app_proto) == "dtls");
    engine.on_flow_end(f, 0);
    auto evs = drain(ring);
    REQUIRE(evs.size() == 1);
    auto d = render(evs[0]);
    CHECK(str(d, "ja4").substr(0, 4) == "dd2i");
    CHECK(str(d["ja3"], "string").substr(0, 6) == "65277,");
}

TEST_CASE("Invalid UTF-8 is replaced, valid text passes", "[dpi][tls]") {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartArray();
    write_text(w, std::string_view("h\xc3\xa9llo"));
    write_text(w, std::string_view("a\xff\xc3"));
    w.EndArray();
    CHECK(std::string(sb.GetString()) == "[\"h\xc3\xa9llo\",\"a\xef\xbf\xbd\xef\xbf\xbd\"]");
}

TEST_CASE("DTLS: truncated and corrupted ClientHello datagrams never crash", "[dpi][dtls]") {
    const std::string h = unhex(test::fx::kDtlsClientHello);
    std::mt19937 rng(5);
    for (size_t n = 0; n <= h.size(); ++n) {
        AppEventRing ring(8);
        DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
        auto f = udp_flow(56515);
        std::string v = h.substr(0, n);
        if (n % 3 == 0 && !v.empty()) v[rng() % v.size()] = static_cast<char>(rng());
        std::vector<char> heap(v.begin(), v.end());
        engine.on_packet(udp_datagram(std::string(heap.begin(), heap.end()), true, 1, 56515), f, 0);
        engine.on_flow_end(f, 0);
        for (auto& ev : drain(ring)) CHECK_FALSE(render(ev).HasParseError());
    }
    // Fragment length larger than the handshake message: no event, no over-read.
    std::string lying = h;
    if (lying.size() > 24) lying[22] = lying[23] = '\xff';   // fragment_length of the first handshake header
    AppEventRing ring(8);
    DpiEngine engine(builtin_registry(), 4, {}, &ring, false);
    auto f = udp_flow(56515);
    engine.on_packet(udp_datagram(lying, true, 1, 56515), f, 0);
    engine.on_flow_end(f, 0);
    for (auto& ev : drain(ring)) CHECK(str(render(ev), "sni").empty());
}

namespace {
// A ClientHello record whose extensions block is `ext`.
std::string client_hello_with(const std::string& ext) {
    std::string body = unhex("0303") + std::string(32, '\x11') + unhex("00" "0002c02f" "0100");
    body += static_cast<char>(ext.size() >> 8);
    body += static_cast<char>(ext.size() & 0xff);
    body += ext;
    std::string hs = "\x01";
    hs += static_cast<char>(body.size() >> 16);
    hs += static_cast<char>((body.size() >> 8) & 0xff);
    hs += static_cast<char>(body.size() & 0xff);
    hs += body;
    std::string rec = unhex("160301");
    rec += static_cast<char>(hs.size() >> 8);
    rec += static_cast<char>(hs.size() & 0xff);
    return rec + hs;
}
}  // namespace

TEST_CASE("TLS: huge and lying extension lengths are bounded and counted", "[dpi][tls]") {
    // A 12 KiB padding extension: the ClientHello outgrows the 4 KiB stream buffer; the buffer
    // is dropped and counted, never grown, and nothing half-parsed is reported.
    const std::string big = client_hello_with(unhex("0015") + unhex("3000") + std::string(0x3000, '\0'));
    std::vector<test::Seg> segs;
    for (size_t off = 0; off < big.size(); off += 1400) segs.push_back({big.substr(off, 1400), true});
    const auto r = test::run_flow(segs, 443);
    CHECK(r.app == "tls");
    CHECK(r.counters.stream_overflows >= 1);
    for (size_t i = 0; i < r.events.size(); ++i) CHECK_FALSE(r.event(i).HasParseError());
    // An SNI extension that claims 0xffff bytes inside an 8-byte block: no SNI invented.
    const std::string lying = client_hello_with(unhex("0000ffff") + unhex("00020000"));
    const auto l = test::run_flow({{lying, true}}, 443);
    CHECK(l.app == "tls");
    for (size_t i = 0; i < l.events.size(); ++i) CHECK_FALSE(l.event(i).HasMember("sni"));
    CHECK(test::survives_truncations({{lying, true}}, 443));
}
