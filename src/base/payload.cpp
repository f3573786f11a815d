#include "base/payload.hpp"

#include <algorithm>

namespace sluice::base {

Payload Payload::from(ByteVector&& bytes) {
    if (bytes.empty()) return {};
    auto owner = std::make_shared<const ByteVector>(std::move(bytes));
    const std::size_t size = owner->size();
    // Aliasing constructor: the counted owner is the vector, the pointer its first byte.
    std::shared_ptr<const std::uint8_t> data(owner, owner->data());
    return {std::move(data), size};
}

Payload Payload::copy_of(Bytes bytes) {
    if (bytes.empty()) return {};
    std::shared_ptr<std::uint8_t[]> storage = std::make_shared_for_overwrite<std::uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), storage.get());
    std::shared_ptr<const std::uint8_t> data(storage, storage.get());
    return {std::move(data), bytes.size()};
}

Payload Payload::copy_of(std::string_view chars) {
    return copy_of(Bytes{reinterpret_cast<const std::uint8_t*>(chars.data()), chars.size()});
}

Payload Payload::slice(std::size_t offset, std::size_t length) const noexcept {
    if (offset >= size_) return {};
    const std::size_t n = std::min(length, size_ - offset);
    return {std::shared_ptr<const std::uint8_t>(data_, data_.get() + offset), n};
}

bool operator==(const Payload& a, const Payload& b) noexcept {
    return std::ranges::equal(a.bytes(), b.bytes());
}

}  // namespace sluice::base
