// The detectors the engine runs: one line each (DESIGN 2.5). Order = slot in DetectDelta.
#include "detect/registry.hpp"

#include "detect/detectors/detectors.hpp"

namespace nms::detect {

const std::vector<DetectorFactory>& builtin_detectors() {
    static const std::vector<DetectorFactory> kDetectors = [] {
        std::vector<DetectorFactory> r;
        r.push_back(port_scan_vertical_detector());
        return r;
    }();
    return kDetectors;
}

}  // namespace nms::detect
