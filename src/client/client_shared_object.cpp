// Client's shared-object messages (types 19 and 16): sending them and
// filing what the server sends for next(). Kept apart from client.cpp,
// which holds the NetConnection and NetStream steps.
#include <utility>

#include "client/client.hpp"

namespace sluice::client {

namespace asio = boost::asio;

asio::awaitable<void> Client::send_shared_object(rtmp::SharedObjectMessage message) {
    require_connected(Step::send);
    // The server answers in the encoding the connect command announced; a
    // peer that said objectEncoding 3 is expected to send type 16 too.
    const auto encoding = options_.object_encoding == 3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0;
    const rtmp::Message wire = rtmp::encode_shared_object(message, encoding, 0);
    if (auto ec = connection_.send(wire, rtmp::csid::net_connection))
        fail(Step::send, ec, "could not queue the shared-object message: " + ec.message());
    if (inbox_.size() < options_.max_inbox) co_await read_some(Step::send, std::nullopt, true);
    if (peer_closed_)
        fail(Step::send, make_error_code(Errc::connection_closed), "the server closed the connection");
    co_await flush(Step::send, step_deadline());
}

void Client::file_shared_object(rtmp::Message&& message) {
    Incoming in;
    // A message that does not decode is still the caller's to see (as
    // `other`): dropping it would hide a server bug.
    auto decoded = rtmp::decode_shared_object(message);
    if (decoded) {
        in.kind = Incoming::Kind::shared_object;
        in.shared_object = std::move(*decoded);
    } else {
        in.kind = Incoming::Kind::other;
    }
    in.message = std::move(message);
    inbox_.push_back(std::move(in));
}

}  // namespace sluice::client
