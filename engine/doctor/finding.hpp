#pragma once
// One result of `netmonsec doctor`: what was checked, what was found (with the numbers), how
// bad it is, and what to change. Checks produce these; report.cpp renders them as text or JSON.
#include <cstdint>
#include <string>
#include <vector>

namespace nms::doctor {

enum class Severity : uint8_t { kOk, kInfo, kWarn, kProblem };

const char* to_string(Severity s) noexcept;

struct Finding {
    std::string id;       // stable machine name, e.g. "offload.gro"
    std::string subject;  // interface name, "host", "config" or "engine"
    std::string checked;  // what was looked at, in words
    Severity severity = Severity::kOk;
    std::string found;   // what was found, with the numbers
    std::string advice;  // what to change and why; empty when nothing needs doing
};

using Findings = std::vector<Finding>;

// Worst severity in the list (kOk when empty).
Severity worst(const Findings& findings) noexcept;

}  // namespace nms::doctor
