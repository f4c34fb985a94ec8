#pragma once
// One factory per detector file (detectors/<kind>.cpp); registry.cpp lists them.
#include "detect/registry.hpp"

namespace nms::detect {

DetectorFactory port_scan_vertical_detector();

}  // namespace nms::detect
