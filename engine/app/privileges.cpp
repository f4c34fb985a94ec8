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

std::optional<std::string> switch_user(const config::ProcessConfig& cfg) {
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
    if (::setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0) return errno_text("setresuid");
    if (::setuid(0) == 0) return std::string("could still regain root after switching user; refusing to run");
    log::info("running as user %s (uid %u, gid %u)", cfg.user.c_str(), pw.pw_uid, gid);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> drop_privileges(const config::ProcessConfig& cfg) {
    if (!cfg.user.empty()) {
        if (::geteuid() != 0) {
            log::warn("process.user = \"%s\" ignored: not started as root", cfg.user.c_str());
        } else if (auto err = switch_user(cfg)) {
            return err;
        }
    } else if (::geteuid() == 0) {
        log::warn("running as root: set [process] user to run unprivileged after start");
    }
    // Whatever we were given (file capabilities, root's set, systemd ambient set), keep none.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    cap_t none = cap_init();
    if (none == nullptr) return errno_text("cap_init");
    const int rc = cap_set_proc(none);
    cap_free(none);
    if (rc != 0) return errno_text("dropping capabilities (cap_set_proc)");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno_text("prctl(PR_SET_NO_NEW_PRIVS)");
    return std::nullopt;
}

}  // namespace nms::app
