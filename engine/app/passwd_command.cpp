#include "app/passwd_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "api/credentials.hpp"

namespace nms::app {

namespace {

constexpr size_t kMaxPassword = 1024;

// One line from stdin; with `prompt` on a terminal, echo is off while typing.
bool read_secret(const char* prompt, std::string& out) {
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    termios old{};
    if (tty) {
        std::fputs(prompt, stderr);
        std::fflush(stderr);
        if (::tcgetattr(STDIN_FILENO, &old) == 0) {
            termios quiet = old;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
    }
    const bool ok = static_cast<bool>(std::getline(std::cin, out));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        std::fputc('\n', stderr);
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return ok || !out.empty();
}

}  // namespace

int run_passwd() {
    std::string pw;
    if (!read_secret("Password: ", pw) || pw.empty()) {
        std::fputs("netmonsec passwd: no password given (type it, or pipe it on stdin)\n", stderr);
        return 2;
    }
    if (pw.size() > kMaxPassword) {
        std::fputs("netmonsec passwd: password longer than 1024 characters\n", stderr);
        return 2;
    }
    if (::isatty(STDIN_FILENO)) {
        std::string again;
        if (!read_secret("Again: ", again) || !api::constant_time_equal(pw, again)) {
            std::fputs("netmonsec passwd: the passwords differ\n", stderr);
            return 2;
        }
    }
    const auto hash = api::hash_password(pw);
    if (!hash) {
        std::fputs("netmonsec passwd: hashing failed\n", stderr);
        return 2;
    }
    std::printf("%s\n", hash->c_str());
    return 0;
}

}  // namespace nms::app
