#include "doctor/finding.hpp"

#include <algorithm>

namespace nms::doctor {

const char* to_string(Severity s) noexcept {
    switch (s) {
        case Severity::kOk:
            return "ok";
        case Severity::kInfo:
            return "info";
        case Severity::kWarn:
            return "warn";
        case Severity::kProblem:
            return "problem";
    }
    return "unknown";
}

Severity worst(const Findings& findings) noexcept {
    Severity w = Severity::kOk;
    for (const auto& f : findings) w = std::max(w, f.severity);
    return w;
}

}  // namespace nms::doctor
