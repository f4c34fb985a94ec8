// libFuzzer target for the L2-L4 decoder. The first byte picks the link type, the rest is
// the frame, copied to a buffer of exactly its size so ASan sees any read past caplen.
// Build: cmake -DNMS_FUZZ=ON with clang (tests/fuzz/CMakeLists.txt), or by hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iengine \
//     tests/fuzz/fuzz_decode.cpp engine/decode/*.cpp -o fuzz_decode
//   ./fuzz_decode -max_len=2048 CORPUS_DIR   (seed it with the hex fixtures as binary, link
//   index byte first)
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "decode/decode.hpp"

namespace {

constexpr nms::decode::LinkType kLinks[] = {
    nms::decode::LinkType::kEthernet, nms::decode::LinkType::kLinuxSll, nms::decode::LinkType::kLinuxSll2,
    nms::decode::LinkType::kRaw,      nms::decode::LinkType::kIpv4,     nms::decode::LinkType::kIpv6,
    nms::decode::LinkType::kNull,     nms::decode::LinkType::kLoop,     nms::decode::LinkType::kPpp,
    nms::decode::LinkType::kPppHdlc,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const auto link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
    const auto caplen = static_cast<uint32_t>(size - 1);
    auto frame = std::make_unique<uint8_t[]>(caplen == 0 ? 1 : caplen);
    if (caplen != 0) std::memcpy(frame.get(), data + 1, caplen);
    nms::decode::PacketView pv;
    const auto status =
        nms::decode::decode_packet(link, caplen == 0 ? nullptr : frame.get(), caplen, caplen, 0, pv);
    // Invariants the rest of the engine relies on.
    if (status == nms::decode::DecodeStatus::kInvalid && pv.event == nms::decode::DecodeEvent::kNone)
        std::abort();
    if (pv.payload.data != nullptr &&
        (pv.payload.data < frame.get() || pv.payload.data + pv.payload.size > frame.get() + caplen)) {
        std::abort();
    }
    if (status == nms::decode::DecodeStatus::kFlow &&
        std::memcmp(pv.key.addr_lo.bytes.data(), pv.key.addr_hi.bytes.data(), 16) > 0) {
        std::abort();  // the key must be canonical
    }
    return 0;
}
