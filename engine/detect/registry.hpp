#pragma once
// The built-in detectors: one DetectorFactory per kind, listed in registry.cpp.
#include <memory>
#include <vector>

#include "detect/detector.hpp"

namespace nms::detect {

struct DetectorFactory {
    AlertKind kind = AlertKind::kCount;
    // Worker half; null when the detector works on the merged view alone (new_device).
    std::unique_ptr<ShardDetector> (*make_shard)(const DetectorSetup&) = nullptr;
    std::unique_ptr<GlobalDetector> (*make_global)(const DetectorSetup&) = nullptr;
};

// In registration order; the index is the detector's slot in every DetectDelta.
const std::vector<DetectorFactory>& builtin_detectors();

// Helper for detector files: DetectorFactory{kind, &make<Shard>, &make<Global>}.
template <class T>
std::unique_ptr<ShardDetector> make_shard(const DetectorSetup& s) {
    return std::make_unique<T>(s);
}
template <class T>
std::unique_ptr<GlobalDetector> make_global(const DetectorSetup& s) {
    return std::make_unique<T>(s);
}

}  // namespace nms::detect
