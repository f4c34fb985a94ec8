#pragma once
// TableDelta: the common shape of a detector's per-second part -- the entries of its
// per-worker ShardTable -- and the helpers that move a table into one and back out.
#include <memory>
#include <utility>
#include <vector>

#include "detect/detect_delta.hpp"
#include "detect/shard_table.hpp"
#include "detect/window_table.hpp"

namespace nms::detect {

template <class Key, class Value>
struct TableDelta final : DetectorDelta {
    std::vector<std::pair<Key, Value>> entries;
};

// Moves the table's entries into a delta (null when empty) and clears the table.
template <class Key, class Value, uint32_t W>
std::unique_ptr<DetectorDelta> drain_table(ShardTable<Key, Value, W>& t) {
    if (t.empty()) return nullptr;
    auto d = std::make_unique<TableDelta<Key, Value>>();
    d->entries.reserve(t.size());
    t.for_each([&](const Key& k, const Value& v) { d->entries.emplace_back(k, v); });
    t.clear();
    return d;
}

// Merges a worker's part into the stats-side window (parts of another type are ignored).
template <class Key, class Value, size_t S>
void absorb_table(const DetectorDelta& part, int64_t second, WindowTable<Key, Value, S>& window) {
    if (const auto* d = dynamic_cast<const TableDelta<Key, Value>*>(&part))
        for (const auto& [k, v] : d->entries) window.add(k, second, v);
}

}  // namespace nms::detect
