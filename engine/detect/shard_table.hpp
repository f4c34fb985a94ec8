#pragma once
// ShardTable: a worker's fixed-capacity table of per-key detection state for one interval
// (one packet-time second). Set-associative: the key's hash picks a set of kWays slots; a
// miss takes a free slot of the set, or evicts the set's entry with the smallest weight()
// (space-saving: heavy keys survive a flood of one-off keys). Memory is allocated once at
// construction; upsert() never allocates, so it runs on the packet path.
//
// Value: default-constructible, `uint64_t weight() const`.
// Key: `uint64_t hash() const`, operator==.
#include <cstdint>
#include <memory>
#include <vector>

namespace nms::detect {

template <class Key, class Value, uint32_t kWays = 8>
class ShardTable {
 public:
    // `capacity` is rounded up to a power-of-two number of sets.
    explicit ShardTable(uint32_t capacity) {
        uint32_t sets = 1;
        while (sets * kWays < capacity) sets <<= 1;
        set_mask_ = sets - 1;
        slots_ = std::make_unique<Slot[]>(size_t{sets} * kWays);
        used_.reserve(size_t{sets} * kWays);
    }

    // The entry of `key`, created (zeroed) if needed. Never null.
    Value& upsert(const Key& key) noexcept {
        const uint64_t h = key.hash();
        Slot* set = &slots_[(h & set_mask_) * kWays];
        const auto tag = static_cast<uint32_t>(h >> 32) | 1u;  // 0 = free slot
        Slot* victim = nullptr;
        for (uint32_t w = 0; w < kWays; ++w) {
            Slot& s = set[w];
            if (s.tag == tag && s.key == key) return s.value;
            if (s.tag == 0) {
                if (!victim || victim->tag != 0) victim = &s;
            } else if (!victim || (victim->tag != 0 && s.value.weight() < victim->value.weight())) {
                victim = &s;
            }
        }
        if (victim->tag == 0) {
            used_.push_back(static_cast<uint32_t>(victim - slots_.get()));  // reserved: no allocation
        } else {
            ++evicted_;
        }
        victim->tag = tag;
        victim->key = key;
        victim->value = Value{};
        return victim->value;
    }

    template <class F>
    void for_each(F&& f) const {
        for (uint32_t i : used_) f(slots_[i].key, slots_[i].value);
    }
    void clear() noexcept {
        for (uint32_t i : used_) slots_[i].tag = 0;
        used_.clear();
    }
    [[nodiscard]] size_t size() const noexcept { return used_.size(); }
    [[nodiscard]] bool empty() const noexcept { return used_.empty(); }
    // Entries pushed out by other keys since construction (a flood of distinct keys).
    [[nodiscard]] uint64_t evicted() const noexcept { return evicted_; }

 private:
    struct Slot {
        uint32_t tag = 0;
        Key key{};
        Value value{};
    };
    std::unique_ptr<Slot[]> slots_;
    std::vector<uint32_t> used_;
    uint64_t set_mask_ = 0;
    uint64_t evicted_ = 0;
};

}  // namespace nms::detect
