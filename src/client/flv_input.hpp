#pragma once
// client::FlvInput: an FLV file, or FLV arriving on a pipe (stdin), read
// incrementally and turned into the RTMP messages a publisher sends
// (`sluice publish`, `sluice bench --publish`; REFERENCE.md §7.1–§7.2, §4.3).
//
// Tag → message:
//   audio (8)           → audio message, same payload and timestamp
//   video (9)           → video message, same payload and timestamp
//   script (18)         → data message type 18; an `onMetaData` tag is sent
//                         as `@setDataFrame`, 'onMetaData', {...} (what
//                         FFmpeg and OBS send, and what servers store for
//                         later players); other handlers (onCuePoint,
//                         onTextData, ...) unchanged
//   script AMF3 (15)    → data message type 15, unchanged
//   anything else       → skipped, counted in skipped()
// A script tag whose AMF does not decode is skipped (counted) rather than
// sent: a server would refuse it or, worse, hand it to every player.
//
// Contract:
//  - Blocking reads on a file descriptor (this is the client layer; a
//    publisher has nothing else to do meanwhile). EINTR is handed back to
//    the caller as Interrupted so a SIGINT handler installed without
//    SA_RESTART can stop a publisher waiting on a silent pipe.
//  - Bounded memory: one read buffer (Options::read_bytes) plus the tag
//    being assembled, at most FileReader's max_tag_data_bytes (16 MiB).
//  - next() returns one message at a time in file order, or nullopt once
//    the input ended; ending() then says how (clean, missing final
//    trailer, cut inside a tag...) and describe_ending() says it in words.
//  - Errors throw FlvInputError with a sentence naming the input and what
//    is wrong: input that is not FLV (checked on the first bytes, so a
//    wrong file fails before anything is sent), input that ends before the
//    FLV header is complete (empty stdin), a corrupt tag (size mismatch,
//    tag too large), a read error.
//  - Messages carry stream id 0; the caller sets the stream it publishes on.
//  - Not thread-safe; owns the descriptor when opened by path.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "flv/file_reader.hpp"
#include "rtmp/message.hpp"

namespace sluice::client {

class FlvInputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct FlvInputOptions {
    std::size_t read_bytes = 64 * 1024;  ///< bytes read from the descriptor at a time
    flv::FileReader::Limits limits{};
};

class FlvInput {
public:
    using Options = FlvInputOptions;

    /// Opens `path` for reading; "-" is standard input. Throws FlvInputError
    /// when the file cannot be opened (the message names it and errno's text).
    static FlvInput open(const std::string& path, Options options);
    static FlvInput open(const std::string& path) { return open(path, Options{}); }

    /// Reads from `fd`; closes it on destruction when `owns_fd`. `name` is
    /// used in messages ("clip.flv", "standard input").
    FlvInput(int fd, bool owns_fd, std::string name, Options options = {});
    ~FlvInput();
    FlvInput(FlvInput&& other) noexcept;
    FlvInput& operator=(FlvInput&&) = delete;
    FlvInput(const FlvInput&) = delete;
    FlvInput& operator=(const FlvInput&) = delete;

    /// Raised by next() when a read was interrupted by a signal (EINTR):
    /// the caller checks its stop flag and calls next() again to go on.
    struct Interrupted {};

    /// The next message, or nullopt at the end of the input. Throws
    /// FlvInputError (see the contract) or Interrupted.
    std::optional<rtmp::Message> next();

    /// How the input ended (meaningful once next() returned nullopt).
    flv::FileReader::Finish ending() const noexcept { return reader_.finish(); }
    /// ending() in words, e.g. "cut inside a tag's data (1234 bytes dropped)".
    std::string describe_ending() const;

    const std::string& name() const noexcept { return name_; }
    /// The FLV header, once read.
    const std::optional<flv::FileHeader>& file_header() const noexcept { return reader_.file_header(); }
    std::uint64_t bytes_read() const noexcept { return bytes_read_; }
    std::uint64_t tags() const noexcept { return reader_.tag_count(); }
    /// Tags not turned into messages (unknown types, undecodable script data).
    std::uint64_t skipped() const noexcept { return skipped_; }

private:
    /// One tag as a message; nullopt when it is skipped.
    std::optional<rtmp::Message> convert(flv::Tag&& tag);
    /// Refills buffer_; false at end of input.
    bool fill();

    int fd_ = -1;
    bool owns_fd_ = false;
    std::string name_;
    Options options_;
    flv::FileReader reader_;
    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0;  ///< first byte of buffer_ not yet consumed
    std::size_t end_ = 0;    ///< one past the last byte read into buffer_
    bool eof_ = false;
    std::uint64_t bytes_read_ = 0;
    std::uint64_t skipped_ = 0;
};

}  // namespace sluice::client
