#pragma once
// UserStore: the API's users, from [api] users in the configuration plus
// <data_dir>/api_users.toml. With none anywhere, bootstrap() creates "admin" with a random
// password, stores only its hash (file mode 0600) and hands the password back once.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace nms::api {

enum class Role : uint8_t { kViewer, kAdmin };

struct User {
    std::string name;
    Role role = Role::kViewer;
    std::string password_hash;
};

class UserStore {
 public:
    // Loads both sources; a user in the configuration wins over one of the same name in the file.
    // On error (unreadable or invalid file) returns a message for the operator.
    std::optional<std::string> load(const config::Config& cfg);
    // No users at all: create admin in <data_dir>/api_users.toml. Returns the cleartext
    // password (to print once) or an error message in `error`.
    std::optional<std::string> bootstrap(const std::string& data_dir, std::string& error);

    [[nodiscard]] const User* find(std::string_view name) const;
    [[nodiscard]] bool empty() const noexcept { return users_.empty(); }
    [[nodiscard]] size_t size() const noexcept { return users_.size(); }
    void add(User u) { users_.push_back(std::move(u)); }

    static std::string users_file(const std::string& data_dir) { return data_dir + "/api_users.toml"; }

 private:
    std::vector<User> users_;
};

}  // namespace nms::api
