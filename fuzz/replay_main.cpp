// Runs every file of the given corpus folders (or single files) through
// LLVMFuzzerTestOneInput once, so the GCC build replays the seed corpora as
// ordinary tests. A crash, a sanitizer report or an abort fails the test; an
// empty or missing corpus fails too, so a target cannot silently test nothing.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

static bool run_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return true;
}

int main(int argc, char** argv) {
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path root(argv[i]);
        std::error_code ec;
        if (fs::is_directory(root, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(root)) {
                if (entry.is_regular_file() && run_file(entry.path())) ++count;
            }
        } else if (run_file(root)) {
            ++count;
        }
    }
    std::printf("replayed %zu corpus inputs\n", count);
    return count == 0 ? 1 : 0;
}
