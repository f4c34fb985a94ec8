// AF_PACKET tests on the loopback interface (traffic only to 127.0.0.1; each test filters
// on its own UDP port). Capture needs root: without it the privileged cases only check the
// permission error.
#include "capture/afpacket_source.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "capture/capture_factory.hpp"
#include "capture/interfaces.hpp"
#include "collecting_sink.hpp"

using nms::capture::AfPacketOptions;
using nms::capture::AfPacketSource;
using nms::capture::FanoutSync;
using nms::capture::PollResult;
using nms::capture::test::CollectingSink;

namespace {

bool is_root() { return geteuid() == 0; }

// A bound UDP socket on 127.0.0.1 (so datagrams to it are accepted) and a sender.
class LoopbackUdp {
 public:
    LoopbackUdp() {
        rx_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        tx_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(rx_, reinterpret_cast<const sockaddr*>(&a), sizeof(a));
        socklen_t len = sizeof(addr_);
        getsockname(rx_, reinterpret_cast<sockaddr*>(&addr_), &len);
    }
    ~LoopbackUdp() {
        close(rx_);
        close(tx_);
    }
    [[nodiscard]] uint16_t port() const { return ntohs(addr_.sin_port); }
    [[nodiscard]] std::string filter() const { return "udp and dst port " + std::to_string(port()); }
    void send(int n) const {
        const char payload[32] = "netmonsec capture test";
        for (int i = 0; i < n; ++i) {
            sendto(tx_, payload, sizeof(payload), 0, reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_));
        }
    }

 private:
    int rx_ = -1;
    int tx_ = -1;
    sockaddr_in addr_{};
};

AfPacketOptions lo_options(const std::string& bpf) {
    AfPacketOptions o;
    o.interface = "lo";
    o.bpf = bpf;
    o.block_size = 1u << 16;
    o.block_count = 8;
    o.block_timeout_ms = 5;
    o.promiscuous = false;
    return o;
}

// Polls the sources round-robin until `done()` or the deadline.
template <typename Done>
void poll_until(std::initializer_list<AfPacketSource*> sources, CollectingSink& sink, Done done,
                int deadline_ms = 3000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    while (!done() && std::chrono::steady_clock::now() < end) {
        for (auto* s : sources) s->poll(sink, 10);
    }
}

}  // namespace

TEST_CASE("afpacket: unknown interface gives the --list hint", "[capture]") {
    std::string error;
    AfPacketOptions o = lo_options("");
    o.interface = "nms-nope0";
    CHECK_FALSE(AfPacketSource::open(o, error));
    CHECK(error == "no such interface: nms-nope0 (netmonsec --list shows the available ones)");
}

TEST_CASE("afpacket: a bad BPF expression is named in the error", "[capture]") {
    std::string error;
    CHECK_FALSE(AfPacketSource::open(lo_options("tcp port 99999999"), error));
    CHECK_THAT(error, Catch::StartsWith("invalid BPF filter 'tcp port 99999999': "));
}

TEST_CASE("afpacket: without privileges the error names the setcap fix", "[capture]") {
    std::string error;
    if (!is_root()) {
        CHECK_FALSE(AfPacketSource::open(lo_options(""), error));
    } else {
        // Drop to nobody in a child (setuid clears the capabilities) and report back by pipe.
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            std::string child_error;
            if (setgid(65534) == 0 && setuid(65534) == 0) {
                auto src = AfPacketSource::open(lo_options(""), child_error);
                if (src) child_error = "unexpectedly opened";
            } else {
                child_error = "setuid failed";
            }
            [[maybe_unused]] const ssize_t w = write(fds[1], child_error.data(), child_error.size());
            _exit(0);
        }
        close(fds[1]);
        char buf[1024];
        ssize_t n = 0;
        while (true) {
            const ssize_t r = read(fds[0], buf + n, sizeof(buf) - static_cast<size_t>(n));
            if (r <= 0) break;
            n += r;
        }
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        error.assign(buf, static_cast<size_t>(n));
    }
    CHECK_THAT(error, Catch::StartsWith("no permission to capture on lo: run as root or grant capabilities "
                                        "with: setcap cap_net_raw,cap_net_admin+eip /"));
    CHECK_THAT(error, Catch::EndsWith("nms_capture_tests"));
}

TEST_CASE("afpacket: captures loopback UDP through the TPACKET_V3 ring", "[capture]") {
    if (!is_root()) {
        WARN("not root: AF_PACKET capture not exercised");
        return;
    }
    LoopbackUdp udp;
    std::string error;
    auto src = AfPacketSource::open(lo_options(udp.filter()), error);
    INFO(error);
    REQUIRE(src);
    CHECK(src->synchronized());
    CHECK(src->link_type() == nms::decode::LinkType::kEthernet);
    udp.send(50);
    CollectingSink sink;
    poll_until({src.get()}, sink, [&] { return sink.frames.size() >= 50; });
    REQUIRE(sink.frames.size() == 50);
    CHECK(sink.batches >= 1);
    const auto& f = sink.frames[0];
    CHECK(f.wirelen == 14 + 20 + 8 + 32);
    CHECK(f.caplen == f.wirelen);
    CHECK(f.data[12] == 0x08);   // IPv4 ethertype: the Ethernet header is there
    CHECK(f.data[23] == 17);
    const auto now = nms::wall_ns();
    CHECK(f.ts_ns <= now);
    CHECK(f.ts_ns > now - 60 * nms::kNsPerSec);
    CHECK(src->counters().frames == 50);
    CHECK(src->counters().bytes == 50u * f.wirelen);
    src->refresh_stats();
    CHECK(src->counters().kernel_packets >= 50);
    CHECK(src->counters().kernel_drops == 0);
    // PACKET_STATISTICS resets on read: a second refresh must not double the total.
    const auto packets = src->counters().kernel_packets;
    src->refresh_stats();
    CHECK(src->counters().kernel_packets == packets);
}

TEST_CASE("afpacket: snaplen cuts frames and counts them", "[capture]") {
    if (!is_root()) return;
    LoopbackUdp udp;
    AfPacketOptions o = lo_options(udp.filter());
    o.snaplen = 40;
    std::string error;
    auto src = AfPacketSource::open(o, error);
    REQUIRE(src);
    udp.send(5);
    CollectingSink sink;
    poll_until({src.get()}, sink, [&] { return sink.frames.size() >= 5; });
    REQUIRE(sink.frames.size() == 5);
    CHECK(sink.frames[0].caplen == 40);
    CHECK(sink.frames[0].wirelen == 74);
    CHECK(src->counters().truncated == 5);
}

TEST_CASE("afpacket: fanout members discard frames from before the group formed", "[capture]") {
    if (!is_root()) return;
    LoopbackUdp udp;
    auto sync = std::make_shared<FanoutSync>(2);
    AfPacketOptions o = lo_options(udp.filter());
    o.fanout = true;
    o.fanout_group = static_cast<uint16_t>(0x4000 + (getpid() & 0x3fff));
    o.sync = sync;
    std::string error;
    auto a = AfPacketSource::open(o, error);
    INFO(error);
    REQUIRE(a);
    CHECK(sync->formed_at_ns() == 0);
    CollectingSink sink;

    // Group incomplete: what a sees is discarded while it polls.
    udp.send(10);
    poll_until({a.get()}, sink, [&] { return a->counters().discarded_sync >= 10; });
    CHECK(a->counters().discarded_sync == 10);
    CHECK_FALSE(a->synchronized());
    // Queued in a's ring but not read before the group forms: must be drained, not delivered.
    udp.send(10);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    auto b = AfPacketSource::open(o, error);
    REQUIRE(b);
    CHECK(sync->formed_at_ns() != 0);
    udp.send(30);
    poll_until({a.get(), b.get()}, sink, [&] { return sink.frames.size() >= 30; });
    poll_until({a.get(), b.get()}, sink, [] { return false; }, 50);   // nothing more may come
    CHECK(sink.frames.size() == 30);
    CHECK(a->counters().discarded_sync == 20);
    CHECK(b->counters().discarded_sync == 0);
    // One flow: the hash puts all of it on one member.
    CHECK((a->counters().frames == 30 || b->counters().frames == 30));
    for (const auto& f : sink.frames) CHECK(f.ts_ns >= sync->formed_at_ns());
}

TEST_CASE("afpacket: fanout with a conflicting group mode fails with a clear error", "[capture]") {
    if (!is_root()) return;
    AfPacketOptions o = lo_options("udp and dst port 9");
    o.fanout = true;
    o.fanout_group = static_cast<uint16_t>(0x8000 + (getpid() & 0x3fff));
    o.fanout_defrag = true;
    std::string error;
    auto a = AfPacketSource::open(o, error);
    REQUIRE(a);
    o.fanout_defrag = false;
    CHECK_FALSE(AfPacketSource::open(o, error));
    CHECK_THAT(error, Catch::Contains("cannot join fanout group " + std::to_string(o.fanout_group) + " on lo"));
}

TEST_CASE("afpacket: interrupt() wakes a blocked poll", "[capture]") {
    if (!is_root()) return;
    std::string error;
    auto src = AfPacketSource::open(lo_options("udp and dst port 9 and src port 9"), error);
    REQUIRE(src);
    CollectingSink sink;
    PollResult result = PollResult::kFrames;
    const auto start = std::chrono::steady_clock::now();
    std::thread poller([&] { result = src->poll(sink, 30000); });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    src->interrupt();
    poller.join();
    CHECK(result == PollResult::kIdle);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("factory: picks the source kind and passes errors through", "[capture]") {
    nms::capture::CaptureSourceSpec spec;
    spec.kind = nms::capture::CaptureKind::kFile;
    spec.path = "/nonexistent.pcap";
    std::string error;
    CHECK_FALSE(nms::capture::make_capture_source(spec, error));
    CHECK_THAT(error, Catch::Contains("/nonexistent.pcap"));

    spec.kind = nms::capture::CaptureKind::kPcapLive;
    spec.interface = "nms-nope0";
    CHECK_FALSE(nms::capture::make_capture_source(spec, error));
    CHECK(error == "no such interface: nms-nope0 (netmonsec --list shows the available ones)");

    if (!is_root()) return;
    spec.interface = "lo";
    spec.bpf = "udp and dst port 9 and src port 9";
    auto live = nms::capture::make_capture_source(spec, error);
    INFO(error);
    REQUIRE(live);
    CHECK(live->name() == "lo");
    spec.kind = nms::capture::CaptureKind::kAfPacket;
    auto ring = nms::capture::make_capture_source(spec, error);
    REQUIRE(ring);
    CHECK(dynamic_cast<AfPacketSource*>(ring.get()) != nullptr);
}

TEST_CASE("pcap live: captures loopback UDP", "[capture]") {
    if (!is_root()) return;
    LoopbackUdp udp;
    nms::capture::CaptureSourceSpec spec;
    spec.kind = nms::capture::CaptureKind::kPcapLive;
    spec.interface = "lo";
    spec.bpf = udp.filter();
    spec.block_size = 1u << 16;
    spec.block_count = 16;
    std::string error;
    auto src = nms::capture::make_capture_source(spec, error);
    INFO(error);
    REQUIRE(src);
    udp.send(20);
    CollectingSink sink;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (sink.frames.size() < 20 && std::chrono::steady_clock::now() < end) src->poll(sink, 10);
    CHECK(sink.frames.size() == 20);
    CHECK(sink.frames[0].wirelen == 74);
    const auto now = nms::wall_ns();
    CHECK(sink.frames[0].ts_ns <= now);
    CHECK(sink.frames[0].ts_ns > now - 60 * nms::kNsPerSec);
    src->refresh_stats();
    CHECK(src->counters().kernel_packets >= 20);
}

TEST_CASE("interfaces: the list has loopback with its index and MTU", "[capture]") {
    const auto list = nms::capture::list_interfaces();
    REQUIRE_FALSE(list.empty());
    bool found = false;
    for (const auto& i : list) {
        if (i.name != "lo") continue;
        found = true;
        CHECK(i.index == if_nametoindex("lo"));
        CHECK(i.up);
        CHECK(i.mtu > 0);
        CHECK(i.link_type == "loopback");
    }
    CHECK(found);
    const std::string text = nms::capture::format_interfaces(list);
    CHECK_THAT(text, Catch::StartsWith("INTERFACE") && Catch::Contains("loopback"));
}
