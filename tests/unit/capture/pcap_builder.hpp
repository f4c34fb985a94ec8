#pragma once
// Test helper: writes pcap files byte by byte (little-endian classic format), so each test
// states exactly which header fields and records it feeds the reader.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace nms::capture::test {

class PcapBuilder {
 public:
    static constexpr uint32_t kMicroMagic = 0xa1b2c3d4;
    static constexpr uint32_t kNanoMagic = 0xa1b23c4d;

    explicit PcapBuilder(uint32_t snaplen = 65535, uint32_t linktype = 1, uint32_t magic = kMicroMagic) {
        put32(magic);
        put16(2);
        put16(4);
        put32(0);   // thiszone
        put32(0);   // sigfigs
        put32(snaplen);
        put32(linktype);
    }
    // A record whose header says incl_len/orig_len; `data` holds what actually follows.
    PcapBuilder& record(uint32_t sec, uint32_t frac, uint32_t incl_len, uint32_t orig_len,
                        const std::vector<uint8_t>& data) {
        put32(sec);
        put32(frac);
        put32(incl_len);
        put32(orig_len);
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    // A well-formed record of n bytes filled with `fill`.
    PcapBuilder& frame(uint32_t sec, uint32_t frac, uint32_t n, uint8_t fill = 0xab) {
        return record(sec, frac, n, n, std::vector<uint8_t>(n, fill));
    }
    PcapBuilder& raw(const std::vector<uint8_t>& data) {
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    PcapBuilder& truncate_by(size_t n) {
        bytes_.resize(bytes_.size() > n ? bytes_.size() - n : 0);
        return *this;
    }
    [[nodiscard]] const std::vector<uint8_t>& bytes() const { return bytes_; }

    std::string write(const std::string& name) const {
        const std::string path = temp_dir() + "/" + name;
        FILE* f = std::fopen(path.c_str(), "wb");
        if (f != nullptr) {
            std::fwrite(bytes_.data(), 1, bytes_.size(), f);
            std::fclose(f);
        }
        return path;
    }

    // One private directory per test process, removed at exit.
    static std::string temp_dir() {
        struct Dir {
            std::string path;
            Dir() {
                char tmpl[] = "/tmp/nms-capture-test-XXXXXX";
                const char* d = mkdtemp(tmpl);
                path = d != nullptr ? d : "";
            }
            ~Dir() {
                std::error_code ec;
                if (!path.empty()) std::filesystem::remove_all(path, ec);
            }
        };
        static const Dir dir;
        return dir.path;
    }

 private:
    void put16(uint16_t v) {
        bytes_.push_back(static_cast<uint8_t>(v));
        bytes_.push_back(static_cast<uint8_t>(v >> 8));
    }
    void put32(uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    std::vector<uint8_t> bytes_;
};

}  // namespace nms::capture::test
