#pragma once
// server::FileSource: a demux::ByteSource over a file on disk, read with
// pread() (no shared file position, so seeks cost nothing).
//
// Contract:
//  - open(path): refuses what is not a regular file (a FIFO, a device, a
//    directory: std::errc::invalid_argument) before reading a byte; opened
//    O_NONBLOCK so a FIFO planted at the path cannot block the worker.
//    Missing file: std::errc::no_such_file_or_directory (ENOENT), which the
//    server maps to NetStream.Play.StreamNotFound.
//  - size() is the size at open; a file that shrinks afterwards reads
//    short, which the demuxers report as Errc::source_truncated.
//  - read_at() is blocking I/O on the caller's thread (the session's
//    worker): reads are one tag or one index span at a time.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.hpp"
#include "demux/byte_source.hpp"

namespace sluice::server {

class FileSource final : public demux::ByteSource {
public:
    static base::Result<std::unique_ptr<FileSource>> open(const std::string& path);
    ~FileSource() override;
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    std::uint64_t size() const noexcept override { return size_; }
    base::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override;

private:
    FileSource(int fd, std::uint64_t size) noexcept : fd_(fd), size_(size) {}

    int fd_;
    std::uint64_t size_;
};

}  // namespace sluice::server
