#include "capture/capture_errors.hpp"

#include <unistd.h>

#include <climits>

namespace nms::capture {

std::string self_exe_path() {
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0) return "netmonsec";
    return std::string(buf, static_cast<size_t>(n));
}

std::string permission_error(const std::string& iface) {
    return "no permission to capture on " + iface +
           ": run as root or grant capabilities with: setcap cap_net_raw,cap_net_admin+eip " +
           self_exe_path();
}

std::string no_such_interface_error(const std::string& iface) {
    return "no such interface: " + iface + " (netmonsec --list shows the available ones)";
}

}  // namespace nms::capture
