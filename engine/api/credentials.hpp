#pragma once
// Secrets: password hashing with libxcrypt (yescrypt by default; bcrypt accepted), random
// tokens from getrandom(2), and comparisons that take the same time whatever the input.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nms::api {

// crypt(3) string for `password` with a fresh salt: "$y$..." (yescrypt). nullopt on failure.
std::optional<std::string> hash_password(std::string_view password);
// True when `password` matches `hash` ($y$, $2b$ or $2y$). Other schemes are refused.
bool verify_password(std::string_view password, const std::string& hash);
// Equal length and equal bytes, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;
// `bytes` random bytes from getrandom(2) as lowercase hex (2 * bytes characters).
std::string random_hex(size_t bytes);
// A password of `chars` characters from an unambiguous alphabet (no 0/O, 1/l/I).
std::string random_password(size_t chars);

}  // namespace nms::api
