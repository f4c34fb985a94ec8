#pragma once
// Maps a libpcap DLT_* value (pcap_datalink) to the decoder's LinkType.
#include <optional>

#include "decode/link_type.hpp"

namespace nms::capture {

std::optional<decode::LinkType> link_type_from_dlt(int dlt) noexcept;

}  // namespace nms::capture
