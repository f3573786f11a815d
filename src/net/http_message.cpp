#include "net/http_message.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/vector_body.hpp>

#include <utility>

namespace sluice::net {

namespace http = boost::beast::http;

struct HttpRequestReader::Parser {
    http::request_parser<http::vector_body<std::uint8_t>> beast;
};

HttpRequestReader::HttpRequestReader(HttpLimits limits) : limits_(limits) {}
HttpRequestReader::~HttpRequestReader() = default;
HttpRequestReader::HttpRequestReader(HttpRequestReader&&) noexcept = default;
HttpRequestReader& HttpRequestReader::operator=(HttpRequestReader&&) noexcept = default;

void HttpRequestReader::fail(unsigned status, std::string message) {
    status_ = status;
    error_ = std::move(message);
    parser_.reset();
    buffer_.clear();
}

void HttpRequestReader::feed(base::Bytes input) {
    if (failed()) return;
    buffer_.insert(buffer_.end(), input.begin(), input.end());
}

std::optional<HttpRequest> HttpRequestReader::next() {
    if (failed() || buffer_.empty()) return std::nullopt;
    if (!parser_) {
        parser_ = std::make_unique<Parser>();
        parser_->beast.header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
        parser_->beast.body_limit(limits_.body_bytes);
        // The body in the same put() as the head: a small POST is one call.
        parser_->beast.eager(true);
    }
    auto& beast = parser_->beast;
    std::size_t used = 0;
    while (used < buffer_.size() && !beast.is_done()) {
        boost::system::error_code ec;
        const std::size_t n =
            beast.put(boost::asio::buffer(buffer_.data() + used, buffer_.size() - used), ec);
        used += n;
        if (ec == http::error::need_more) break;
        if (ec == http::error::header_limit) {
            fail(431, "request head over the limit of " + std::to_string(limits_.header_bytes) + " bytes");
            return std::nullopt;
        }
        if (ec == http::error::body_limit) {
            fail(413, "request body over the limit of " + std::to_string(limits_.body_bytes) + " bytes");
            return std::nullopt;
        }
        if (ec) {
            fail(400, "malformed HTTP request: " + ec.message());
            return std::nullopt;
        }
        if (n == 0) break;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(used));
    // In eager mode Beast takes every body byte it can: what stays behind a
    // finished head is an unfinished chunk line or trailer, bounded alike.
    if (!beast.is_done() && buffer_.size() > limits_.header_bytes) {
        if (!beast.is_header_done()) {
            fail(431, "request head over the limit of " + std::to_string(limits_.header_bytes) + " bytes");
        } else {
            fail(400, "chunk header or trailer over the limit of " + std::to_string(limits_.header_bytes) +
                          " bytes");
        }
        return std::nullopt;
    }
    if (!beast.is_done()) return std::nullopt;
    auto message = beast.release();
    parser_.reset();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.keep_alive = message.keep_alive();
    request.body = std::move(message.body());
    return request;
}

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 413:
            return "Payload Too Large";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

std::string format_response(unsigned status, std::string_view content_type, base::Bytes body,
                            bool keep_alive) {
    std::string out;
    out.reserve(160 + body.size());
    out += "HTTP/1.1 " + std::to_string(status) + " ";
    out += reason_phrase(status);
    out += "\r\nContent-Type: ";
    out += content_type;
    out += "\r\nContent-Length: " + std::to_string(body.size());
    out += "\r\nCache-Control: no-cache\r\nServer: sluice\r\nConnection: ";
    out += keep_alive ? "Keep-Alive" : "close";
    out += "\r\n\r\n";
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    return out;
}

}  // namespace sluice::net
