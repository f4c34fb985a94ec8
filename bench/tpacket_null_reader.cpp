// tpacket_null_reader: the live-capture ceiling. A bare TPACKET_V3 reader with no engine code:
// mmap an RX ring, poll, walk each retired block, count frames and bytes, hand the block back.
// Whatever netmonsec loses against this on the same traffic is the cost of its own pipeline.
//
//   tpacket_null_reader -i IFACE [--fanout N] [--seconds S] [--frames N] [--ready-file PATH]
//                       [--block-size B] [--block-count N]
//
// Prints one JSON object on stdout at the end (SIGINT/SIGTERM, --seconds, or --frames reached):
//   {frames, bytes, kernel_packets, kernel_drops, freeze_q, cpu_user_s, cpu_sys_s, seconds}
// kernel_packets counts what the socket(s) saw, drops included (PACKET_STATISTICS semantics).
// cpu_* is getrusage(RUSAGE_SELF): it includes setting up and tearing down the rings.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

struct Options {
    std::string iface;
    unsigned fanout = 1;
    double seconds = 0;
    uint64_t max_frames = 0;
    std::string ready_file;
    unsigned block_size = 1u << 20;
    unsigned block_count = 64;
};

struct Totals {
    std::atomic<uint64_t> frames{0};
    std::atomic<uint64_t> bytes{0};
    std::atomic<uint64_t> kernel_packets{0};
    std::atomic<uint64_t> kernel_drops{0};
    std::atomic<uint64_t> freeze_q{0};
};

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "tpacket_null_reader: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

double now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// One fanout member: socket + ring, opened on the main thread so "ready" means every member
// has joined the group.
struct Member {
    int fd = -1;
    uint8_t* ring = nullptr;
    size_t ring_len = 0;
    tpacket_req3 req{};
};

Member open_member(const Options& o, int ifindex, int fanout_id) {
    Member m;
    m.fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (m.fd < 0) die("socket(AF_PACKET)");
    int version = TPACKET_V3;
    if (setsockopt(m.fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) die("PACKET_VERSION");
    m.req.tp_block_size = o.block_size;
    m.req.tp_block_nr = o.block_count;
    m.req.tp_frame_size = 2048;  // V3 ignores it beyond this sanity check
    m.req.tp_frame_nr = o.block_size / 2048 * o.block_count;
    m.req.tp_retire_blk_tov = 10;  // ms
    if (setsockopt(m.fd, SOL_PACKET, PACKET_RX_RING, &m.req, sizeof m.req) != 0) die("PACKET_RX_RING");
    m.ring_len = size_t{o.block_size} * o.block_count;
    void* p = mmap(nullptr, m.ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
    if (p == MAP_FAILED) die("mmap");
    m.ring = static_cast<uint8_t*>(p);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (bind(m.fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) die("bind");
    if (o.fanout > 1) {
        const int arg = fanout_id | (PACKET_FANOUT_HASH << 16);
        if (setsockopt(m.fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) die("PACKET_FANOUT");
    }
    return m;
}

void add_kernel_stats(const Member& m, Totals& t) {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof st;
    if (getsockopt(m.fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return;  // resets on read
    t.kernel_packets += st.tp_packets;
    t.kernel_drops += st.tp_drops;
    t.freeze_q += st.tp_freeze_q_cnt;
}

void run_member(const Member& m, const Options& o, Totals& t) {
    unsigned block = 0;
    uint64_t bytes = 0;  // summed locally, published once at the end
    uint8_t touch = 0;
    pollfd pfd{m.fd, POLLIN | POLLERR, 0};
    while (!g_stop.load(std::memory_order_relaxed)) {
        auto* bd = reinterpret_cast<tpacket_block_desc*>(m.ring + size_t{block} * o.block_size);
        auto* status = reinterpret_cast<uint32_t*>(&bd->hdr.bh1.block_status);
        if ((__atomic_load_n(status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) {
            poll(&pfd, 1, 100);
            continue;
        }
        const uint32_t n = bd->hdr.bh1.num_pkts;
        uint32_t off = bd->hdr.bh1.offset_to_first_pkt;
        for (uint32_t i = 0; i < n; ++i) {
            const auto* h = reinterpret_cast<const tpacket3_hdr*>(reinterpret_cast<const uint8_t*>(bd) + off);
            bytes += h->tp_len;
            // Touch the frame like any consumer would (first cache line of the packet).
            touch ^= reinterpret_cast<const uint8_t*>(h)[h->tp_mac];
            off += h->tp_next_offset;
        }
        __atomic_store_n(status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        block = (block + 1) % o.block_count;
        t.frames.fetch_add(n, std::memory_order_relaxed);
        if (o.max_frames && t.frames.load(std::memory_order_relaxed) >= o.max_frames) g_stop.store(true);
    }
    t.bytes.fetch_add(bytes, std::memory_order_relaxed);
    asm volatile("" : : "r"(touch));  // keep the reads
}

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_val = i + 1 < argc;
        if (a == "-i" && has_val) o.iface = argv[++i];
        else if (a == "--fanout" && has_val) o.fanout = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--seconds" && has_val) o.seconds = std::strtod(argv[++i], nullptr);
        else if (a == "--frames" && has_val) o.max_frames = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--ready-file" && has_val) o.ready_file = argv[++i];
        else if (a == "--block-size" && has_val) o.block_size = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--block-count" && has_val) o.block_count = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
        else return false;
    }
    return !o.iface.empty() && o.fanout >= 1 && o.block_count >= 1 && o.block_size >= 4096;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: tpacket_null_reader -i IFACE [--fanout N] [--seconds S] [--frames N] "
                             "[--ready-file PATH] [--block-size B] [--block-count N]\n");
        return 2;
    }
    const unsigned ifindex = if_nametoindex(o.iface.c_str());
    if (ifindex == 0) die(o.iface.c_str());
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    const int fanout_id = static_cast<int>(getpid() & 0xffff);
    std::vector<Member> members;
    for (unsigned i = 0; i < o.fanout; ++i) members.push_back(open_member(o, static_cast<int>(ifindex), fanout_id));
    Totals totals;
    // Packets seen before the reader was ready are not the benchmark's: drop the counts.
    for (const auto& m : members) {
        Totals discard;
        add_kernel_stats(m, discard);
    }
    if (!o.ready_file.empty()) {
        if (FILE* f = std::fopen(o.ready_file.c_str(), "w")) std::fclose(f);
    }
    const double t0 = now_s();
    std::vector<std::thread> threads;
    for (const auto& m : members) threads.emplace_back([&m, &o, &totals] { run_member(m, o, totals); });
    while (!g_stop.load()) {
        timespec ts{0, 20'000'000};
        nanosleep(&ts, nullptr);
        if (o.seconds > 0 && now_s() - t0 >= o.seconds) g_stop.store(true);
    }
    for (auto& t : threads) t.join();
    const double elapsed = now_s() - t0;
    for (const auto& m : members) {
        add_kernel_stats(m, totals);
        munmap(m.ring, m.ring_len);
        close(m.fd);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    std::printf("{\"frames\": %llu, \"bytes\": %llu, \"kernel_packets\": %llu, \"kernel_drops\": %llu, "
                "\"freeze_q\": %llu, \"cpu_user_s\": %.3f, \"cpu_sys_s\": %.3f, \"seconds\": %.3f}\n",
                static_cast<unsigned long long>(totals.frames.load()),
                static_cast<unsigned long long>(totals.bytes.load()),
                static_cast<unsigned long long>(totals.kernel_packets.load()),
                static_cast<unsigned long long>(totals.kernel_drops.load()),
                static_cast<unsigned long long>(totals.freeze_q.load()), secs(ru.ru_utime), secs(ru.ru_stime),
                elapsed);
    std::fflush(stdout);
    return 0;
}
