#include "demux/byte_source.hpp"

#include <algorithm>
#include <cstring>

#include "demux/errors.hpp"

namespace sluice::demux {

base::Status read_exact(ByteSource& source, std::uint64_t offset, std::span<std::uint8_t> out) {
    std::size_t done = 0;
    // A source may legally return short reads before its end (a pread
    // interrupted by a signal); keep asking until it returns 0.
    while (done < out.size()) {
        auto n = source.read_at(offset + done, out.subspan(done));
        if (!n) return n.error();
        if (*n == 0 || *n > out.size() - done) return Errc::source_truncated;
        done += *n;
    }
    return {};
}

base::Result<std::size_t> MemorySource::read_at(std::uint64_t offset, std::span<std::uint8_t> out) {
    ++read_count_;
    if (out.empty()) return std::size_t{0};
    if (offset >= bytes_.size()) return std::size_t{0};
    if (offset + out.size() > fail_offset_) return fail_error_;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), bytes_.size() - offset));
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
}

}  // namespace sluice::demux
