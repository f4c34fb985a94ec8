#pragma once
// WindowTable: the stats thread's sliding window of per-key state. Each key keeps a ring of
// kSlices slices of window_s / kSlices seconds; what the workers report for a packet-time
// second is merged into its slice, and a query merges the slices still inside the window
// (so the window slides in steps of one slice). Bounded: when full, the least recently
// updated eighth of the keys is evicted (counted). Allocates; never used on the packet path.
//
// Slice: default-constructible, `void merge(const Slice&)`, `uint64_t weight() const`.
#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "detect/detect_keys.hpp"

namespace nms::detect {

template <class Key, class Slice, size_t kSlices = 6>
class WindowTable {
    static constexpr int64_t kN = static_cast<int64_t>(kSlices);

 public:
    WindowTable(uint32_t capacity, uint32_t window_s) : capacity_(std::max<uint32_t>(capacity, 8)) {
        set_window(window_s);
    }

    // A new window length takes effect at once; state gathered with the old slicing is dropped.
    void set_window(uint32_t window_s) {
        const int64_t slice = std::max<int64_t>(1, (int64_t{window_s} + kN - 1) / kN);
        if (slice != slice_s_) {
            slice_s_ = slice;
            map_.clear();
        }
    }
    void set_capacity(uint32_t capacity) { capacity_ = std::max<uint32_t>(capacity, 8); }
    [[nodiscard]] int64_t window_s() const noexcept { return slice_s_ * kN; }

    // Merges `s` into the slice of `second` (packet time, seconds). Data older than the window
    // of the newest second seen for this key is dropped.
    void add(const Key& key, int64_t second, const Slice& s) {
        auto it = map_.find(key);
        if (it == map_.end()) {
            if (map_.size() >= capacity_) evict_oldest();
            it = map_.emplace(key, Entry{}).first;
        }
        Entry& e = it->second;
        const int64_t idx = slice_of(second);
        const size_t pos = static_cast<size_t>(idx % kN);
        if (e.idx[pos] != idx) {
            if (e.idx[pos] > idx) return;  // older than what this ring position holds now
            e.slices[pos] = Slice{};
            e.idx[pos] = idx;
        }
        e.slices[pos].merge(s);
        e.last_second = std::max(e.last_second, second);
    }

    // f(key, merged slices of the window ending at `now_second`) for every key with data in
    // the window whose summed Slice::weight() reaches `min_weight` (a cheap bound that spares
    // merging keys that cannot trigger: e.g. distinct ports <= probes); keys without any data
    // in the window are forgotten.
    template <class F>
    void for_each(int64_t now_second, F&& f, uint64_t min_weight = 0) {
        const int64_t cur = slice_of(now_second);
        for (auto it = map_.begin(); it != map_.end();) {
            const Entry& e = it->second;
            uint64_t weight = 0;
            bool any = false;
            for (size_t i = 0; i < kSlices; ++i) {
                if (e.idx[i] > cur - kN && e.idx[i] <= cur) {
                    weight += e.slices[i].weight();
                    any = true;
                }
            }
            if (!any && slice_of(e.last_second) <= cur) {
                it = map_.erase(it);
                continue;
            }
            if (any && weight >= min_weight) {
                Slice sum{};
                for (size_t i = 0; i < kSlices; ++i)
                    if (e.idx[i] > cur - kN && e.idx[i] <= cur) sum.merge(e.slices[i]);
                f(it->first, sum);
            }
            ++it;
        }
    }

    [[nodiscard]] size_t size() const noexcept { return map_.size(); }
    [[nodiscard]] uint64_t evicted() const noexcept { return evicted_; }
    void clear() { map_.clear(); }

 private:
    struct Entry {
        std::array<Slice, kSlices> slices{};
        std::array<int64_t, kSlices> idx{};
        int64_t last_second = 0;
        Entry() { idx.fill(INT64_MIN); }
    };

    [[nodiscard]] int64_t slice_of(int64_t second) const noexcept {
        return second >= 0 ? second / slice_s_ : -((-second + slice_s_ - 1) / slice_s_);
    }

    // Drops the idlest eighth. Keys tied at the cutoff second go only as far as that eighth:
    // in a flood every key may share one last_second, and erasing all ties would empty the table.
    void evict_oldest() {
        std::vector<int64_t> ages;
        ages.reserve(map_.size());
        for (const auto& [k, e] : map_) ages.push_back(e.last_second);
        const size_t n = std::max<size_t>(1, ages.size() / 8);
        std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(n - 1), ages.end());
        const int64_t cutoff = ages[n - 1];
        size_t erased = 0;
        for (bool ties : {false, true}) {
            for (auto it = map_.begin(); it != map_.end() && erased < n;) {
                const int64_t last = it->second.last_second;
                if (ties ? last == cutoff : last < cutoff) {
                    it = map_.erase(it);
                    ++erased;
                    ++evicted_;
                } else {
                    ++it;
                }
            }
        }
    }

    uint32_t capacity_;
    int64_t slice_s_ = 0;
    std::unordered_map<Key, Entry, KeyHasher> map_;
    uint64_t evicted_ = 0;
};

}  // namespace nms::detect
