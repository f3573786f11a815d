#include "client/errors.hpp"

#include <utility>

namespace sluice::client {

namespace {
constexpr base::ErrorInfo rows[] = {
#define SLUICE_ERROR(name, fatal, description) {#name, fatal, description},
#include "client/errors.def"
#undef SLUICE_ERROR
};
}  // namespace

const base::TableCategory& error_category() noexcept {
    static const base::TableCategory category("client", rows);
    return category;
}

std::string_view to_string(Step step) noexcept {
    switch (step) {
        case Step::resolve:
            return "resolve";
        case Step::tcp_connect:
            return "tcp connect";
        case Step::tls_handshake:
            return "TLS handshake";
        case Step::handshake:
            return "handshake";
        case Step::connect:
            return "connect";
        case Step::create_stream:
            return "createStream";
        case Step::publish:
            return "publish";
        case Step::play:
            return "play";
        case Step::play2:
            return "play2";
        case Step::pause:
            return "pause";
        case Step::seek:
            return "seek";
        case Step::call:
            return "call";
        case Step::send:
            return "send";
        case Step::receive:
            return "receive";
        case Step::close:
            return "close";
    }
    return "step";
}

ClientError::ClientError(Step step, std::error_code code, std::string detail,
                         std::optional<rtmp::StatusObject> status)
    : std::runtime_error(std::string(to_string(step)) + ": " + detail),
      step_(step),
      code_(code),
      detail_(std::move(detail)),
      status_(std::move(status)) {}

}  // namespace sluice::client
