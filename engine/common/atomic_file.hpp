#pragma once
// Replaces a small text file whole: written to "<path>.tmp", then renamed over `path`, so a
// crash or a full disk leaves the old file, never half of the new one.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

namespace nms {

// False (errno set) when the file cannot be written; the old file is then unchanged.
inline bool write_file_atomically(const std::string& path, std::string_view text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
        if (!out) return false;
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace nms
