#pragma once
// net::HttpRequestReader: HTTP/1.1 requests out of a byte stream, sans-I/O,
// for the RTMPT tunnel (REFERENCE.md §11). Boost.Beast's parser reads the
// HTTP; this class adds the buffer between reads and the limits, and keeps
// Beast's headers out of every file that includes it.
//
// Contract:
//  - feed() appends bytes as they arrive; next() returns the next complete
//    request, or nullopt when more bytes are needed or the stream failed.
//    Pipelined requests come out one per next() call, in order.
//  - Limits: a request head larger than `header_bytes`, a body larger than
//    `body_bytes` (declared by Content-Length or reached by chunks), or
//    anything Beast does not parse as HTTP/1.x fails the reader: failed()
//    turns true, error() says what was wrong ("request body over the limit
//    of 1048576 bytes"), and status() is the answer to send before
//    closing (400, 413 or 431). A failed reader stays failed.
//  - A declared Content-Length with fewer bytes behind it is not an error
//    here: the request is simply incomplete, and the caller's read timeout
//    ends it. Bytes beyond a declared length start the next request, and
//    fail it when they are not HTTP.
//  - Memory: at most header_bytes + body_bytes are buffered between next()
//    calls, plus the bytes of one feed().
//
// format_response() writes a whole response (head and body) in one string:
// RTMPT bodies are small and clients want exact Content-Length headers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_reader.hpp"

namespace sluice::net {

struct HttpRequest {
    std::string method;  ///< "POST"
    std::string target;  ///< "/send/3F29A1/4"
    std::string content_type;
    std::vector<std::uint8_t> body;
    bool keep_alive = true;  ///< HTTP/1.1 default, or "Connection: keep-alive" on 1.0
};

struct HttpLimits {
    std::size_t header_bytes = 8 * 1024;
    std::size_t body_bytes = 1024 * 1024;
};

class HttpRequestReader {
public:
    explicit HttpRequestReader(HttpLimits limits = {});
    ~HttpRequestReader();
    HttpRequestReader(HttpRequestReader&&) noexcept;
    HttpRequestReader& operator=(HttpRequestReader&&) noexcept;

    void feed(base::Bytes input);
    std::optional<HttpRequest> next();

    bool failed() const noexcept { return !error_.empty(); }
    const std::string& error() const noexcept { return error_; }
    /// The status to answer a failed stream with (0 while not failed).
    unsigned status() const noexcept { return status_; }
    /// Bytes fed and not yet part of a returned request.
    std::size_t buffered() const noexcept { return buffer_.size(); }

private:
    struct Parser;
    void fail(unsigned status, std::string message);

    HttpLimits limits_;
    std::vector<std::uint8_t> buffer_;
    std::unique_ptr<Parser> parser_;  ///< the request being parsed (Beast parsers are single-use)
    std::string error_;
    unsigned status_ = 0;
};

/// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length,
/// Cache-Control: no-cache and Connection: Keep-Alive (or close), then `body`.
std::string format_response(unsigned status, std::string_view content_type, base::Bytes body,
                            bool keep_alive = true);
/// The reason phrase of the statuses we send ("OK", "Not Found", ...).
std::string_view reason_phrase(unsigned status) noexcept;

}  // namespace sluice::net
