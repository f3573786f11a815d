#pragma once
// client::Errc and client::ClientError: how a client step fails.
//
// Every Client step throws ClientError (exceptions are allowed above `net`,
// STYLE.md §3.2). It names the step that failed, a client::Errc or a system
// error (resolve, connect refused, reset), a one-line detail, and the info
// object the server answered with when there was one (`_error` or an
// error-level onStatus), so a tool can print, for example:
//
//   play: NetStream.Play.StreamNotFound: "no stream named cam9" (stream_not_found)
//   connect: server answered NetConnection.Connect.Rejected: "unknown app" (rejected)
//   handshake: no answer within 10 s (timed_out)
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "base/error.hpp"
#include "rtmp/responses.hpp"

namespace sluice::client {

enum class Errc {
    ok = 0,
#define SLUICE_ERROR(name, fatal, description) name,
#include "client/errors.def"
#undef SLUICE_ERROR
};

const base::TableCategory& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// The client steps, for error messages and logs.
enum class Step : std::uint8_t {
    resolve,
    tcp_connect,
    tls_handshake,
    handshake,
    connect,
    create_stream,
    publish,
    play,
    play2,
    pause,
    seek,
    call,
    send,
    receive,
    close,
};
std::string_view to_string(Step step) noexcept;

class ClientError : public std::runtime_error {
public:
    ClientError(Step step, std::error_code code, std::string detail,
                std::optional<rtmp::StatusObject> status = std::nullopt);

    Step step() const noexcept { return step_; }
    std::error_code code() const noexcept { return code_; }
    const std::string& detail() const noexcept { return detail_; }
    /// The server's info object (from `_error` or an error onStatus), if any.
    const std::optional<rtmp::StatusObject>& status() const noexcept { return status_; }

private:
    Step step_;
    std::error_code code_;
    std::string detail_;
    std::optional<rtmp::StatusObject> status_;
};

}  // namespace sluice::client

template <>
struct std::is_error_code_enum<sluice::client::Errc> : std::true_type {};
