#pragma once
// The user-facing error texts shared by the live sources; each names the fix.
#include <string>

namespace nms::capture {

// "no permission to capture on IFACE: run as root or grant capabilities with: setcap ..."
std::string permission_error(const std::string& iface);
// "no such interface: IFACE (netmonsec --list shows the available ones)"
std::string no_such_interface_error(const std::string& iface);
// Path of the running executable (for the setcap hint); "netmonsec" if unknown.
std::string self_exe_path();

}  // namespace nms::capture
