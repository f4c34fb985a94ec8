#pragma once
// EveWriter: appends EVE lines to a file or stdout. Thread-safe (the output thread writes
// flows, the stats thread writes stats); each event is written whole, so lines never mix.
#include <cstdio>
#include <mutex>
#include <string>

namespace nms::output {

class EveWriter {
 public:
    // path "-" = stdout. Throws std::runtime_error naming the path when it cannot be opened.
    explicit EveWriter(const std::string& path);
    ~EveWriter();
    EveWriter(const EveWriter&) = delete;
    EveWriter& operator=(const EveWriter&) = delete;

    // Writes already-rendered lines (each ending in '\n').
    void write(const std::string& lines);
    void flush();
    [[nodiscard]] uint64_t write_errors() const noexcept { return write_errors_; }

 private:
    std::mutex mutex_;
    FILE* file_ = nullptr;
    bool owned_ = false;
    uint64_t write_errors_ = 0;
};

}  // namespace nms::output
