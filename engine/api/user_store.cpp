#include "api/user_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "api/credentials.hpp"
#include "config/config_loader.hpp"

namespace nms::api {

namespace {

User to_user(const config::ApiUser& u) {
    return User{u.name, u.role == "admin" ? Role::kAdmin : Role::kViewer, u.password_hash};
}

}  // namespace

std::optional<std::string> UserStore::load(const config::Config& cfg) {
    users_.clear();
    for (const auto& u : cfg.api.users) users_.push_back(to_user(u));
    const std::string path = users_file(cfg.storage.data_dir);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::nullopt;
        return "cannot read " + path + ": " + std::strerror(errno);
    }
    if ((st.st_mode & 0077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
        return path + " is open to other users (mode " + mode + "): chmod 600 " + path;
    }
    // The file has the configuration's shape ([[api.users]] tables), so it gets the same checks.
    auto loaded = config::load_config_file(path);
    if (auto* errs = std::get_if<config::ConfigErrors>(&loaded)) return config::to_string(*errs);
    for (const auto& u : std::get<config::Config>(loaded).api.users)
        if (find(u.name) == nullptr) users_.push_back(to_user(u));
    return std::nullopt;
}

std::optional<std::string> UserStore::bootstrap(const std::string& data_dir, std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        error = "cannot create data directory " + data_dir + ": " + ec.message() + " (set --data-dir)";
        return std::nullopt;
    }
    const std::string password = random_password(20);
    const auto hash = hash_password(password);
    if (!hash) {
        error = "cannot hash a password (libxcrypt without yescrypt?)";
        return std::nullopt;
    }
    const std::string path = users_file(data_dir);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    const std::string text =
        "# API users of netmonsec, created on first start. Add users here or in [api] users;\n"
        "# make hashes with `netmonsec passwd`. Roles: admin, viewer.\n"
        "[[api.users]]\nname = \"admin\"\nrole = \"admin\"\npassword_hash = \"" + *hash + "\"\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool closed = ::close(fd) == 0;
    if (!ok || !closed) {
        error = "cannot write " + path;
        ::unlink(path.c_str());
        return std::nullopt;
    }
    users_.push_back(User{"admin", Role::kAdmin, *hash});
    return password;
}

const User* UserStore::find(std::string_view name) const {
    for (const auto& u : users_)
        if (u.name == name) return &u;
    return nullptr;
}

}  // namespace nms::api
