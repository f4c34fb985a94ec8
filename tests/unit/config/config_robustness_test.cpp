// Garbage in, error list out: loading never throws, hangs or crashes.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "config/config_loader.hpp"
#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;
namespace fs = std::filesystem;

namespace {

// A private scratch directory, removed when the test ends.
struct TempDir {
    fs::path path = fs::temp_directory_path() / ("nms-config-test-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        const fs::path p = path / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
};

std::string random_blob(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
}

}  // namespace

TEST_CASE("a TOML syntax error reports its line and column", "[config]") {
    const ConfigError e = load_one_error("[capture]\nsnaplen = 100\nblock_size = = 3\n");
    CHECK(e.line == 3);
    CHECK(e.file == "t.toml");
    CHECK(contains(e.message, "TOML syntax error at column"));
    CHECK(e.to_string().rfind("t.toml:3: TOML syntax error at column ", 0) == 0);
}

TEST_CASE("duplicate keys and tables are syntax errors on the second definition", "[config]") {
    CHECK(load_one_error("[capture]\nsnaplen = 100\nsnaplen = 200\n").line == 3);
    CHECK(load_one_error("[capture]\n\n[pipeline]\n\n[capture]\n").line == 5);
}

TEST_CASE("invalid UTF-8 is a syntax error and not a crash", "[config]") {
    const ConfigError e = load_one_error("[capture]\nbpf = \"\xff\xfe\xc3\"\n");
    CHECK(e.line == 2);
    CHECK(contains(e.message, "TOML syntax error"));
    CHECK(load_one_error("# comment \xc0\xaf\n").line == 1);  // overlong encoding in a comment
}

TEST_CASE("a 1 MB random blob gives errors from text and from a file", "[config]") {
    TempDir dir;
    for (uint32_t seed : {1u, 2u, 3u}) {
        const std::string blob = random_blob(1u << 20, seed);
        CHECK_FALSE(load_bad(blob).empty());
        const std::string path = dir.write("blob.toml", blob);
        const ConfigErrors errs = expect_errors(load_config_file(path));
        CHECK(errs.front().file == path);
    }
    // Printable noise too: gets further into the parser.
    std::string text = random_blob(1u << 20, 9);
    for (char& c : text) c = static_cast<char>(' ' + (static_cast<unsigned char>(c) % 95));
    CHECK_FALSE(load_bad(text).empty());
}

TEST_CASE("deep nesting is refused or rejected as unknown without stack overflow", "[config]") {
    CHECK(load_bad("x = " + std::string(100000, '[') + std::string(100000, ']') + "\n").size() == 1);
    std::string inl = "x = ";
    for (int i = 0; i < 5000; ++i) inl += "{a = ";
    inl += "1" + std::string(5000, '}') + "\n";
    CHECK(load_bad(inl).size() == 1);
    // A header 30 levels deep: parsed, then rejected as an unknown key at its top.
    std::string header = "[a";
    for (int i = 0; i < 30; ++i) header += ".a";
    const ConfigError e = load_one_error(header + "]\nk = 1\n");
    CHECK(e.message == "unknown key 'a'");
    std::string known = "[capture";
    for (int i = 0; i < 30; ++i) known += ".b";
    CHECK(load_one_error(known + "]\n").key == "capture.b");
}

TEST_CASE("keys with huge numbers of dotted parts are refused before parsing", "[config]") {
    std::string header = "\n\n[a";
    for (int i = 0; i < 1000000; ++i) header += ".a";  // toml++ alone overflows the stack on this
    ConfigError e = load_one_error(header + "]\n");
    CHECK(e.line == 3);
    CHECK(e.message == "key nested too deeply (no key here has more than 32 dotted parts)");
    std::string inl = "x = { a";
    for (int i = 0; i < 100000; ++i) inl += " . \"q\"";
    CHECK(load_one_error(inl + " = 1 }\n").line == 1);

    // Dots inside values, strings and comments do not count.
    std::string ips;
    for (int i = 0; i < 40; ++i) ips += (i != 0 ? " or host 10.0.0." : "host 10.0.0.") + std::to_string(i);
    const std::string comment = " # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h\n";
    CHECK(load_ok("[capture]\nbpf = \"" + ips + "\"" + comment).capture.bpf == ips);
    CHECK(load_ok("[capture]\nbpf = \"\"\"\n" + ips + "\n" + ips + "\"\"\"\n").capture.bpf ==
          ips + "\n" + ips);
    CHECK(load_ok("[capture]\nbpf = '''\n" + ips + "'''\n").capture.bpf == ips);
    std::string floats = "[capture]\ncpus = [";
    for (int i = 0; i < 100; ++i) floats += "1.5, ";
    const ConfigErrors type_errors = load_bad(floats + "]\n");  // one per element, not "too deeply"
    CHECK(type_errors.size() == 100);
    CHECK(type_errors.back().key == "capture.cpus[99]");
    std::string quoted = "[capture]\n\"";
    for (int i = 0; i < 100; ++i) quoted += "a.";
    CHECK(contains(load_one_error(quoted + "\" = 1\n").message, "unknown key 'capture.a.a.a."));
}

TEST_CASE("file problems are errors naming the path", "[config]") {
    TempDir dir;
    ConfigErrors errs = expect_errors(load_config_file((dir.path / "missing.toml").string()));
    CHECK(errs.size() == 1);
    CHECK(errs[0].line == 0);
    CHECK(errs[0].to_string() ==
          (dir.path / "missing.toml").string() + ": cannot open config file: No such file or directory");

    errs = expect_errors(load_config_file(dir.path.string()));
    CHECK(errs[0].message == "is a directory, not a config file");

    const std::string fifo = (dir.path / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    errs = expect_errors(load_config_file(fifo));  // must not block waiting for a writer
    CHECK(errs[0].message == "is not a regular file");

    errs = expect_errors(load_config_file(""));
    CHECK(contains(errs[0].message, "cannot open config file"));

    const std::string empty = dir.write("empty.toml", "");
    Config c = expect_ok(load_config_file(empty));
    CHECK(c.path == empty);
    c.path.clear();
    CHECK(c == Config{});

    // Over the size limit: refused before reading.
    const std::string big = (dir.path / "big.toml").string();
    {
        std::ofstream out(big, std::ios::binary);
        out.seekp(static_cast<std::streamoff>(kMaxConfigBytes) + 1);
        out.put('\n');
    }
    errs = expect_errors(load_config_file(big));
    CHECK(contains(errs[0].message, "config file is too large"));
}

TEST_CASE("a UTF-8 BOM and CRLF line ends are accepted", "[config]") {
    const Config c = load_ok("\xEF\xBB\xBF[capture]\r\nsnaplen = 4096\r\n");
    CHECK(c.capture.snaplen == 4096);
    const ConfigError e = load_one_error("[capture]\r\n\r\nsnaplen = 1\r\n");
    CHECK(e.line == 3);
}
