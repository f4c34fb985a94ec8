#include "dpi/ndpi_fallback.hpp"

extern "C" {
#include <ndpi/ndpi_api.h>
}

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "dpi/ndpi_arena.hpp"
#include "dpi/registry.hpp"

namespace nms::dpi {
namespace {

// ndpi_init_detection_module() must not run concurrently.
std::mutex& init_mutex() {
    static std::mutex m;
    return m;
}

ndpi_detection_module_struct* new_module() {
    install_ndpi_hooks();  // before nDPI's first allocation: every block must meet the free it expects
    std::lock_guard lock(init_mutex());
    ndpi_detection_module_struct* m = ndpi_init_detection_module(ndpi_no_prefs);
    if (!m) return nullptr;
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(m, &all);
    ndpi_finalize_initialization(m);
    return m;
}

// nDPI's protocol name as our app_proto: lower case, and our family names where nDPI splits
// a protocol we name once ("SMBv23" -> "smb", "FTP_DATA" -> "ftp-data").
std::string normalise(const char* ndpi_name) {
    std::string s = ndpi_name ? ndpi_name : "";
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    static const std::pair<const char*, const char*> kAlias[] = {
        {"smbv1", "smb"}, {"smbv23", "smb"}, {"ftp_control", "ftp"}, {"ftp_data", "ftp-data"},
        {"mail_pop", "pop3"}, {"mail_smtp", "smtp"}, {"mail_imap", "imap"}, {"mail_pops", "pop3s"},
        {"mail_smtps", "smtps"}, {"mail_imaps", "imaps"}, {"dhcpv6", "dhcpv6"}};
    for (auto [from, to] : kAlias)
        if (s == from) return to;
    for (char& c : s)
        if (c == ' ') c = '_';
    return s;
}

class NdpiFallback final : public FallbackClassifier {
 public:
    NdpiFallback(ndpi_detection_module_struct* mod, const Registry& registry, uint32_t contexts, uint32_t pool)
        : mod_(mod),
          flow_size_(ndpi_detection_get_sizeof_ndpi_flow_struct()),
          flow_of_ctx_(contexts, nullptr),
          storage_(std::make_unique<uint8_t[]>(size_t{pool} * flow_size_)),
          arena_(pool) {
        free_.reserve(pool);
        for (uint32_t i = pool; i-- > 0;) free_.push_back(storage_.get() + size_t{i} * flow_size_);
        std::memset(storage_.get(), 0, size_t{pool} * flow_size_);
        const u_int n = ndpi_get_num_supported_protocols(mod_);
        app_of_.resize(n, kAppUnknown);
        for (u_int id = 1; id < n; ++id) {
            const std::string name = normalise(ndpi_get_proto_name(mod_, static_cast<u_int16_t>(id)));
            if (name.empty() || name == "unknown") continue;
            AppId a = registry.id_of(name);
            if (a == kAppUnknown) a = registry.extra_id_of(name);
            app_of_[id] = a;
        }
    }
    ~NdpiFallback() override {
        const ArenaScope scope(&arena_);  // blocks nDPI took while classifying go back to the arena
        for (auto* f : flow_of_ctx_)
            if (f) ndpi_free_flow_data(f);
        ndpi_exit_detection_module(mod_);
    }
    NdpiFallback(const NdpiFallback&) = delete;
    NdpiFallback& operator=(const NdpiFallback&) = delete;

    FallbackResult offer(uint32_t ctx, const decode::PacketView& pkt) noexcept override {
        if (ctx >= flow_of_ctx_.size() || pkt.l3 == decode::L3::kNone || pkt.l3_off >= pkt.caplen) return {0, true};
        const ArenaScope scope(&arena_);
        ndpi_flow_struct* f = flow_of_ctx_[ctx];
        if (!f) {
            if (free_.empty()) {
                ++exhausted_;
                return {0, true};
            }
            f = reinterpret_cast<ndpi_flow_struct*>(free_.back());
            free_.pop_back();
            flow_of_ctx_[ctx] = f;
        }
        // nDPI reads the packet from its IP header; the payload ends the bytes we have.
        const uint8_t* l3 = pkt.data + pkt.l3_off;
        const uint8_t* end = pkt.payload.data ? pkt.payload.data + pkt.payload.size : pkt.data + pkt.caplen;
        const size_t len = static_cast<size_t>(end - l3);
        const ndpi_protocol p = ndpi_detection_process_packet(mod_, f, l3, static_cast<unsigned short>(len > 0xffff ? 0xffff : len),
                                                              pkt.ts_ns / 1'000'000);
        const AppId a = decided(p, f);
        if (a != kAppUnknown) {
            release(ctx);
            return {a, true};
        }
        return {0, false};
    }

    AppId finish(uint32_t ctx) noexcept override {
        if (ctx >= flow_of_ctx_.size() || !flow_of_ctx_[ctx]) return kAppUnknown;
        const ArenaScope scope(&arena_);
        ndpi_flow_struct* f = flow_of_ctx_[ctx];
        u_int8_t guessed = 0;
        const ndpi_protocol p = ndpi_detection_giveup(mod_, f, 0, &guessed);
        const AppId a = guessed ? kAppUnknown : decided(p, f);
        release(ctx);
        return a;
    }

    void release(uint32_t ctx) noexcept override {
        if (ctx >= flow_of_ctx_.size() || !flow_of_ctx_[ctx]) return;
        const ArenaScope scope(&arena_);
        ndpi_flow_struct* f = flow_of_ctx_[ctx];
        ndpi_free_flow_data(f);  // what nDPI allocated inside (host names, certificates): back to the arena
        std::memset(static_cast<void*>(f), 0, flow_size_);
        free_.push_back(reinterpret_cast<uint8_t*>(f));
        flow_of_ctx_[ctx] = nullptr;
    }

    size_t memory_bytes() const noexcept override {
        return (free_.capacity()) * flow_size_ + flow_of_ctx_.size() * sizeof(void*) + app_of_.size() * sizeof(AppId) +
               arena_.memory_bytes();
    }
    uint64_t pool_exhausted() const noexcept override { return exhausted_; }

 private:
    AppId decided(const ndpi_protocol& p, const ndpi_flow_struct* f) const noexcept {
        // Only content-based verdicts: port and address matches are what our own fallback does.
        if (f->confidence != NDPI_CONFIDENCE_DPI && f->confidence != NDPI_CONFIDENCE_DPI_CACHE) return kAppUnknown;
        const u_int16_t id = p.master_protocol != NDPI_PROTOCOL_UNKNOWN ? p.master_protocol : p.app_protocol;
        return id < app_of_.size() ? app_of_[id] : kAppUnknown;
    }

    ndpi_detection_module_struct* mod_;
    size_t flow_size_;
    std::vector<ndpi_flow_struct*> flow_of_ctx_;
    std::unique_ptr<uint8_t[]> storage_;
    std::vector<uint8_t*> free_;
    std::vector<AppId> app_of_;    // nDPI protocol id -> our AppId
    NdpiArena arena_;              // nDPI's allocations inside its flows, while we call it
    uint64_t exhausted_ = 0;
};

}  // namespace

std::unique_ptr<FallbackClassifier> make_ndpi_fallback(const Registry& registry, uint32_t contexts, uint32_t pool) {
    ndpi_detection_module_struct* m = new_module();
    if (!m) return nullptr;
    return std::make_unique<NdpiFallback>(m, registry, contexts, pool);
}

void register_fallback_names(Registry& registry) {
    ndpi_detection_module_struct* m = new_module();
    if (!m) return;
    const u_int n = ndpi_get_num_supported_protocols(m);
    for (u_int id = 1; id < n; ++id) {
        const std::string name = normalise(ndpi_get_proto_name(m, static_cast<u_int16_t>(id)));
        if (!name.empty() && name != "unknown" && registry.id_of(name) == kAppUnknown) registry.add_name(name);
    }
    std::lock_guard lock(init_mutex());
    ndpi_exit_detection_module(m);
}

}  // namespace nms::dpi
