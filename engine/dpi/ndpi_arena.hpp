#pragma once
// NdpiArena: the memory nDPI allocates inside a flow (host names, certificate fields, ...)
// comes from fixed blocks sized at start-up instead of malloc, while one worker's fallback
// is inside an nDPI call (ArenaScope). nDPI's allocation hooks are process-wide, so the hooks
// route by a thread-local "current arena": outside a scope, and for blocks the arena cannot
// hold, nDPI gets malloc/free as before (counted when it happens inside a scope).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace nms::dpi {

class NdpiArena {
 public:
    // `flows` = the fallback's flow pool: blocks per size class scale with it.
    explicit NdpiArena(uint32_t flows);
    NdpiArena(const NdpiArena&) = delete;
    NdpiArena& operator=(const NdpiArena&) = delete;

    void* alloc(size_t n) noexcept;                  // null when no block fits or is free
    [[nodiscard]] bool owns(const void* p) const noexcept {
        const auto* b = static_cast<const uint8_t*>(p);
        return b >= storage_.get() && b < storage_.get() + bytes_;
    }
    void free(void* p) noexcept;                     // p from alloc()
    [[nodiscard]] size_t memory_bytes() const noexcept { return bytes_; }

 private:
    static constexpr size_t kClasses = 4;
    static constexpr size_t kBlock[kClasses] = {64, 256, 1024, 4096};
    struct FreeBlock {
        FreeBlock* next;
    };
    std::unique_ptr<uint8_t[]> storage_;
    size_t bytes_ = 0;
    uint8_t* begin_[kClasses + 1] = {};              // class c occupies [begin_[c], begin_[c+1])
    FreeBlock* free_[kClasses] = {};
};

// Installs nDPI's malloc/free hooks (once per process, before the first nDPI module).
void install_ndpi_hooks() noexcept;

// While alive, nDPI allocations on this thread come from `arena` (nesting restores the outer one).
class ArenaScope {
 public:
    explicit ArenaScope(NdpiArena* arena) noexcept;
    ~ArenaScope();
    ArenaScope(const ArenaScope&) = delete;
    ArenaScope& operator=(const ArenaScope&) = delete;

 private:
    NdpiArena* prev_;
};

// nDPI allocations that went to the heap inside an ArenaScope (arena full or block too big).
uint64_t ndpi_heap_allocations() noexcept;
// nDPI allocations the arenas served (process-wide).
uint64_t ndpi_arena_allocations() noexcept;

}  // namespace nms::dpi
