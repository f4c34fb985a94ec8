#pragma once
// Least privilege: once capture sockets and the API port are open, the daemon needs no
// privilege at all, except CAP_NET_ADMIN when live mitigation edits its nftables table.
// drop_privileges() switches to [process] user/group (when set and running as root) and
// clears every capability (effective, permitted, inheritable, ambient) but that one when
// asked to keep it, then sets no_new_privs. Must run before any thread starts: capabilities
// are per thread, and threads started later inherit the reduced set.
#include <optional>
#include <string>

#include "config/config.hpp"

namespace nms::app {

// nullopt on success; otherwise a message for the operator (exit 2).
// `keep_net_admin`: mitigation is enabled and not a dry run.
std::optional<std::string> drop_privileges(const config::ProcessConfig& cfg, bool keep_net_admin = false);

}  // namespace nms::app
