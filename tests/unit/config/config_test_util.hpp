#pragma once
// Helpers shared by the config tests.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "config/config_loader.hpp"

namespace nms::config::test {

inline Config expect_ok(const LoadResult& r) {
    if (const auto* errs = std::get_if<ConfigErrors>(&r)) {
        FAIL("unexpected config errors:\n" << to_string(*errs));
    }
    return std::get<Config>(r);
}

inline ConfigErrors expect_errors(const LoadResult& r) {
    REQUIRE(std::holds_alternative<ConfigErrors>(r));
    const ConfigErrors errs = std::get<ConfigErrors>(r);
    REQUIRE_FALSE(errs.empty());
    return errs;
}

inline Config load_ok(std::string_view toml) {
    return expect_ok(load_config_string(toml, "t.toml"));
}
inline ConfigErrors load_bad(std::string_view toml) {
    return expect_errors(load_config_string(toml, "t.toml"));
}

// The single error of a one-mistake document.
inline ConfigError load_one_error(std::string_view toml) {
    const ConfigErrors errs = load_bad(toml);
    INFO(to_string(errs));
    REQUIRE(errs.size() == 1);
    return errs.front();
}

inline bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace nms::config::test
