#pragma once
// What crosses threads for one evidence PCAP: a request (stats thread -> every worker) and
// each worker's answer, its part (worker -> writer thread).
#include <cstdint>
#include <vector>

#include "common/ip_addr.hpp"
#include "common/time.hpp"

namespace nms::evidence {

struct EvidenceRequest {
    uint64_t alert_id = 0;
    IpAddr host;                 // packets from or to this address
    TimestampNs since = 0;       // packet time window [since, until]
    TimestampNs until = 0;
    uint32_t parts = 0;          // workers asked: the writer waits for this many parts
};

// One worker's matching packets, in ring order, as PacketRing records would be written
// (16-byte header: ts u64, wirelen u32, caplen u16, link u16; then the bytes; no padding).
struct EvidencePart {
    EvidenceRequest request;
    std::vector<uint8_t> records;
    uint64_t packets = 0;
    bool truncated = false;      // the part reached its byte cap; later packets are missing
    bool gap = false;            // the ring overwrote packets before they were copied
    bool refused = false;        // the worker had too many evidence captures at once
};

}  // namespace nms::evidence
