#include "base/byte_writer.hpp"

#include <algorithm>
#include <bit>

namespace sluice::base {

template <class Sink>
void WriterOps<Sink>::f64be(double v) {
    u64be(std::bit_cast<std::uint64_t>(v));
}

template class WriterOps<ByteWriter>;
template class WriterOps<SpanWriter>;

bool ByteWriter::patch(std::size_t offset, Bytes b) {
    if (offset > out_.size() || b.size() > out_.size() - offset) return false;
    std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(offset));
    return true;
}

void SpanWriter::put(Bytes b) noexcept {
    if (overflowed_ || b.size() > out_.size() - pos_) {
        overflowed_ = true;
        return;
    }
    std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += b.size();
}

}  // namespace sluice::base
