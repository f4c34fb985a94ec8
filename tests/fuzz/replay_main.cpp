// Corpus replay for a libFuzzer target built without libFuzzer: runs
// LLVMFuzzerTestOneInput on every file named on the command line (directories: every file
// in them). Prints how many inputs ran; exit 1 when none could be read.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    size_t ran = 0;
    auto run_file = [&](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        ++ran;
    };
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path p(argv[i]);
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            for (const auto& e : std::filesystem::directory_iterator(p, ec))
                if (e.is_regular_file()) run_file(e.path());
        } else if (std::filesystem::is_regular_file(p, ec)) {
            run_file(p);
        }
    }
    std::printf("replayed %zu inputs\n", ran);
    return ran ? 0 : 1;
}
