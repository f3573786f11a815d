#include "flv/file_header.hpp"

#include <algorithm>

#include "base/byte_writer.hpp"
#include "flv/errors.hpp"

namespace sluice::flv {

namespace {
constexpr std::uint8_t signature[3] = {'F', 'L', 'V'};
}  // namespace

bool could_be_flv(base::Bytes input) noexcept {
    const std::size_t n = std::min<std::size_t>(input.size(), 3);
    return std::equal(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(n), signature);
}

base::Result<FileHeader> FileHeader::decode(base::Bytes input) {
    if (!could_be_flv(input) || input.size() < size) return Errc::file_signature_invalid;
    base::ByteReader in(input);
    in.skip(3);
    FileHeader h;
    h.version = in.u8();
    const std::uint8_t flags = in.u8();
    h.has_audio = (flags & 0x04) != 0;
    h.has_video = (flags & 0x01) != 0;
    h.data_offset = in.u32be();
    if (h.version != 1) return Errc::file_version_unsupported;
    if (h.data_offset < size || h.data_offset > max_data_offset) return Errc::file_data_offset_invalid;
    return h;
}

std::array<std::uint8_t, FileHeader::size_with_first_trailer> FileHeader::encode() const noexcept {
    std::array<std::uint8_t, size_with_first_trailer> out{};
    base::SpanWriter w(out);
    w.bytes(signature);
    w.u8(version);
    w.u8(static_cast<std::uint8_t>((has_audio ? 0x04 : 0) | (has_video ? 0x01 : 0)));
    w.u32be(static_cast<std::uint32_t>(size));
    w.u32be(0);
    return out;
}

}  // namespace sluice::flv
