#pragma once
// Renders findings for people (one block per finding, wrapped, worst first) or for machines (JSON).
#include <string>
#include <vector>

#include "doctor/finding.hpp"

namespace nms::doctor {

struct ReportHeader {
    std::string config;                   // config file, or "" = built-in defaults
    std::vector<std::string> interfaces;  // what was inspected
    std::string eve;                      // EVE file whose stats were read; "" = none
};

std::string render_text(const ReportHeader& header, const Findings& findings);
std::string render_json(const ReportHeader& header, const Findings& findings);

}  // namespace nms::doctor
