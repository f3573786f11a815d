#pragma once
// A reference table that keeps its first N entries inline and spills to the
// heap only past them. Most RTMP messages have a handful of complex values
// and strings, so a reader usually allocates nothing for its tables (the
// connect command decode is on every connection's path). Private to amf.
#include <array>
#include <cstddef>
#include <vector>

namespace sluice::amf::detail {

template <class T, std::size_t N>
class SmallTable {
public:
    std::size_t size() const noexcept { return size_; }
    void push_back(T value) {
        if (size_ < N) {
            fixed_[size_] = std::move(value);
        } else {
            more_.push_back(std::move(value));
        }
        ++size_;
    }
    T& operator[](std::size_t i) noexcept { return i < N ? fixed_[i] : more_[i - N]; }
    const T& operator[](std::size_t i) const noexcept { return i < N ? fixed_[i] : more_[i - N]; }

private:
    std::array<T, N> fixed_{};
    std::vector<T> more_;
    std::size_t size_ = 0;
};

}  // namespace sluice::amf::detail
