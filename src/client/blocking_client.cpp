#include "client/blocking_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace sluice::client {

namespace asio = boost::asio;

BlockingClient::BlockingClient(ClientOptions options)
    : client_(context_.get_executor(), std::move(options)) {}

BlockingClient::~BlockingClient() {
    try {
        if (client_.connected()) run(client_.close());
    } catch (...) {
        // Closing is best effort: the server may be gone already.
    }
}

template <class T>
T BlockingClient::run(asio::awaitable<T> operation) {
    auto result = asio::co_spawn(context_, std::move(operation), asio::use_future);
    context_.restart();
    context_.run();
    return result.get();
}

ConnectInfo BlockingClient::connect(const rtmp::Url& url) {
    return run(client_.connect(url));
}
rtmp::MessageStreamId BlockingClient::create_stream() {
    return run(client_.create_stream());
}
void BlockingClient::publish(rtmp::MessageStreamId id, const std::string& name, rtmp::PublishMode mode) {
    run(client_.publish(id, name, mode));
}
void BlockingClient::play(rtmp::MessageStreamId id, const rtmp::PlayCommand& command) {
    run(client_.play(id, command));
}
void BlockingClient::play2(rtmp::MessageStreamId id, const rtmp::PlayOptions& options) {
    run(client_.play2(id, options));
}
void BlockingClient::pause(rtmp::MessageStreamId id, bool pause, double milliseconds) {
    run(client_.pause(id, pause, milliseconds));
}
void BlockingClient::seek(rtmp::MessageStreamId id, double milliseconds) {
    run(client_.seek(id, milliseconds));
}
void BlockingClient::receive_audio(rtmp::MessageStreamId id, bool enable) {
    run(client_.receive_audio(id, enable));
}
void BlockingClient::receive_video(rtmp::MessageStreamId id, bool enable) {
    run(client_.receive_video(id, enable));
}
rtmp::CallResult BlockingClient::call(const std::string& procedure, std::vector<amf::Value> arguments) {
    return run(client_.call(procedure, std::move(arguments)));
}
void BlockingClient::delete_stream(rtmp::MessageStreamId id) {
    run(client_.delete_stream(id));
}
void BlockingClient::close() {
    run(client_.close());
}
rtmp::MessageStreamId BlockingClient::open_publish(const rtmp::Url& url, rtmp::PublishMode mode) {
    return run(client_.open_publish(url, mode));
}
rtmp::MessageStreamId BlockingClient::open_play(const rtmp::Url& url, double start, double duration,
                                                bool reset) {
    return run(client_.open_play(url, start, duration, reset));
}
void BlockingClient::send(const rtmp::Message& message) {
    run(client_.send(message));
}
Incoming BlockingClient::next(std::optional<std::chrono::milliseconds> timeout) {
    return run(client_.next(timeout));
}

}  // namespace sluice::client
