#pragma once
// AlertCandidate / AlertSink: what a detector reports when its condition holds at an
// evaluation. A candidate is not an alert: the AlertManager folds candidates into episodes
// (open, update, end), applies suppressions and allowlists, and assigns ids.
#include <string>
#include <vector>

#include "detect/alert.hpp"

namespace nms::detect {

struct AlertCandidate {
    AlertKind kind = AlertKind::kCount;
    Severity severity = Severity::kInfo;   // the kind's default (or the config override) is applied by the
                                           // engine; a detector may set a higher one to escalate
    bool has_src = false;
    IpAddr src;
    std::string src_mac;                   // "aa:bb:.." when the detector knows it
    bool has_victim = false;
    IpAddr victim;
    uint32_t victim_count = 0;
    // Many-source kinds (random-source floods, DDoS): the episode is keyed by the victim.
    bool key_by_victim = false;
    std::vector<Contributor> top_peers;    // at most 10, busiest first
    Explanation explanation;
    std::vector<EvidenceField> evidence;
    TimestampNs ts = 0;                    // packet time of the evaluation that raised it
};

class AlertSink {
 public:
    virtual ~AlertSink() = default;
    virtual void raise(AlertCandidate&& c) = 0;
};

}  // namespace nms::detect
