#include "dpi/ndpi_arena.hpp"

extern "C" {
#include <ndpi/ndpi_api.h>
}

#include <cstdlib>
#include <mutex>

namespace nms::dpi {
namespace {

thread_local NdpiArena* t_arena = nullptr;
std::atomic<uint64_t> g_heap_allocs{0};
std::atomic<uint64_t> g_arena_allocs{0};

void* hook_malloc(size_t n) {
    if (NdpiArena* a = t_arena) {
        if (void* p = a->alloc(n)) {
            g_arena_allocs.fetch_add(1, std::memory_order_relaxed);  // a few per thousand flows
            return p;
        }
        // Rare by construction (the arena is sized for the flow pool): a plain RMW is fine.
        g_heap_allocs.fetch_add(1, std::memory_order_relaxed);
    }
    return std::malloc(n);
}

void hook_free(void* p) {
    // Arena blocks are only ever freed inside a scope of the same arena (release/finish/
    // destruction of the fallback that allocated them).
    if (NdpiArena* a = t_arena; a && p && a->owns(p)) {
        a->free(p);
        return;
    }
    std::free(p);
}

}  // namespace

NdpiArena::NdpiArena(uint32_t flows) {
    // Blocks per flow in the pool: many small strings, a few larger buffers.
    static constexpr size_t kPerFlow4[kClasses] = {16, 8, 4, 1};  // quarters of a block per flow
    size_t counts[kClasses];
    for (size_t c = 0; c < kClasses; ++c) {
        counts[c] = (size_t{flows} * kPerFlow4[c] + 3) / 4;
        bytes_ += counts[c] * kBlock[c];
    }
    storage_ = std::make_unique<uint8_t[]>(bytes_);
    uint8_t* p = storage_.get();
    for (size_t c = 0; c < kClasses; ++c) {
        begin_[c] = p;
        for (size_t i = counts[c]; i-- > 0;) {
            auto* b = reinterpret_cast<FreeBlock*>(p + i * kBlock[c]);
            b->next = free_[c];
            free_[c] = b;
        }
        p += counts[c] * kBlock[c];
    }
    begin_[kClasses] = p;
}

void* NdpiArena::alloc(size_t n) noexcept {
    for (size_t c = 0; c < kClasses; ++c) {
        if (n > kBlock[c] || !free_[c]) continue;  // too big, or this class is used up: try the next
        FreeBlock* b = free_[c];
        free_[c] = b->next;
        return b;
    }
    return nullptr;
}

void NdpiArena::free(void* p) noexcept {
    const auto* u = static_cast<const uint8_t*>(p);
    for (size_t c = 0; c < kClasses; ++c) {
        if (u >= begin_[c + 1]) continue;
        auto* b = static_cast<FreeBlock*>(p);
        b->next = free_[c];
        free_[c] = b;
        return;
    }
}

void install_ndpi_hooks() noexcept {
    static std::once_flag once;
    std::call_once(once, [] {
        set_ndpi_malloc(hook_malloc);
        set_ndpi_free(hook_free);
    });
}

ArenaScope::ArenaScope(NdpiArena* arena) noexcept : prev_(t_arena) { t_arena = arena; }
ArenaScope::~ArenaScope() { t_arena = prev_; }

uint64_t ndpi_heap_allocations() noexcept { return g_heap_allocs.load(std::memory_order_relaxed); }
uint64_t ndpi_arena_allocations() noexcept { return g_arena_allocs.load(std::memory_order_relaxed); }

}  // namespace nms::dpi
