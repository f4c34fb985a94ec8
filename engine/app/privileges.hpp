#pragma once
// Least privilege: once capture sockets and the API port are open, the daemon needs no
// privilege at all. drop_privileges() switches to [process] user/group (when set and running
// as root) and clears every capability (effective, permitted, inheritable, ambient), then sets
// no_new_privs. Must run before any thread starts: capabilities are per thread.
#include <optional>
#include <string>

#include "config/config.hpp"

namespace nms::app {

// nullopt on success; otherwise a message for the operator (exit 2).
std::optional<std::string> drop_privileges(const config::ProcessConfig& cfg);

}  // namespace nms::app
