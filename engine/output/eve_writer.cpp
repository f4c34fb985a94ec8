#include "output/eve_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nms::output {

EveWriter::EveWriter(const std::string& path) {
    if (path == "-") {
        file_ = stdout;
        return;
    }
    file_ = std::fopen(path.c_str(), "a");
    if (!file_) throw std::runtime_error("cannot open EVE output " + path + ": " + std::strerror(errno));
    owned_ = true;
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 16);
}

EveWriter::~EveWriter() {
    flush();
    if (owned_) std::fclose(file_);
}

void EveWriter::write(const std::string& lines) {
    std::lock_guard lock(mutex_);
    if (std::fwrite(lines.data(), 1, lines.size(), file_) != lines.size()) ++write_errors_;
}

void EveWriter::flush() {
    std::lock_guard lock(mutex_);
    if (std::fflush(file_) != 0) ++write_errors_;
}

}  // namespace nms::output
