#pragma once
// A copy of some bytes placed so that the byte after the last one is the
// first byte of an inaccessible page: any over-read faults at once, even in
// a build without AddressSanitizer (picohttpparser's test trick).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "base/byte_reader.hpp"

namespace sluice::test {

class GuardPageBuffer {
public:
    explicit GuardPageBuffer(base::Bytes bytes) {
        const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        const std::size_t data_pages = (bytes.size() + page - 1) / page;
        total_ = (data_pages + 1) * page;
        void* map = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED) throw std::runtime_error("GuardPageBuffer: mmap failed");
        base_ = static_cast<std::uint8_t*>(map);
        std::uint8_t* guard = base_ + data_pages * page;
        if (mprotect(guard, page, PROT_NONE) != 0)
            throw std::runtime_error("GuardPageBuffer: mprotect failed");
        data_ = guard - bytes.size();
        if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
        size_ = bytes.size();
    }
    ~GuardPageBuffer() { munmap(base_, total_); }
    GuardPageBuffer(const GuardPageBuffer&) = delete;
    GuardPageBuffer& operator=(const GuardPageBuffer&) = delete;

    base::Bytes bytes() const noexcept { return {data_, size_}; }

private:
    std::uint8_t* base_ = nullptr;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t total_ = 0;
};

}  // namespace sluice::test
