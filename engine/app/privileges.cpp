#include "app/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/log.hpp"

namespace nms::app {

namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Sets the process's capabilities to CAP_NET_ADMIN (permitted + effective) or to nothing.
std::optional<std::string> set_capabilities(bool keep_net_admin) {
    cap_t caps = cap_init();  // all sets empty
    if (caps == nullptr) return errno_text("cap_init");
    if (keep_net_admin) {
        const cap_value_t keep[] = {CAP_NET_ADMIN};
        if (cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET) != 0 ||
            cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET) != 0) {
            cap_free(caps);
            return errno_text("cap_set_flag");
        }
    }
    const int rc = cap_set_proc(caps);
    cap_free(caps);
    if (rc != 0)
        return errno_text(keep_net_admin ? "keeping only cap_net_admin (cap_set_proc)"
                                         : "dropping capabilities (cap_set_proc)");
    return std::nullopt;
}

std::optional<std::string> switch_user(const config::ProcessConfig& cfg, bool keep_net_admin) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* pwp = nullptr;
    if (::getpwnam_r(cfg.user.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 || pwp == nullptr)
        return "process.user = \"" + cfg.user + "\" is not a user of this system (create it, or clear process.user)";
    gid_t gid = pw.pw_gid;
    if (!cfg.group.empty()) {
        std::vector<char> gbuf(16384);
        group gr{};
        group* grp = nullptr;
        if (::getgrnam_r(cfg.group.c_str(), &gr, gbuf.data(), gbuf.size(), &grp) != 0 || grp == nullptr)
            return "process.group = \"" + cfg.group + "\" is not a group of this system";
        gid = gr.gr_gid;
    }
    // Order matters: supplementary groups and gid while still root, uid last.
    if (::setgroups(1, &gid) != 0) return errno_text("setgroups");
    if (::setresgid(gid, gid, gid) != 0) return errno_text("setresgid");
    // Keeping a capability across the uid change needs KEEPCAPS; it keeps them all, so
    // reduce the set to cap_net_admin before the "can we become root again" check.
    if (keep_net_admin && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return errno_text("prctl(PR_SET_KEEPCAPS)");
    if (::setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0) return errno_text("setresuid");
    if (keep_net_admin) {
        ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        if (auto err = set_capabilities(true)) return err;
    }
    if (::setuid(0) == 0) return std::string("could still regain root after switching user; refusing to run");
    log::info("running as user %s (uid %u, gid %u)", cfg.user.c_str(), pw.pw_uid, gid);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> drop_privileges(const config::ProcessConfig& cfg, bool keep_net_admin) {
    if (!cfg.user.empty()) {
        if (::geteuid() != 0) {
            log::warn("process.user = \"%s\" ignored: not started as root", cfg.user.c_str());
        } else if (auto err = switch_user(cfg, keep_net_admin)) {
            return err;
        }
    } else if (::geteuid() == 0) {
        log::warn("running as root: set [process] user to run unprivileged after start");
    }
    // Whatever we were given (file capabilities, root's set, systemd ambient set), keep none
    // but what live mitigation needs.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (auto err = set_capabilities(keep_net_admin)) return err;
    if (keep_net_admin) log::info("privileges: keeping only cap_net_admin (live mitigation edits nftables)");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno_text("prctl(PR_SET_NO_NEW_PRIVS)");
    return std::nullopt;
}

}  // namespace nms::app
