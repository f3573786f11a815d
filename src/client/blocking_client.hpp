#pragma once
// client::BlockingClient: the small synchronous facade over client::Client
// for tools and tests that want one call per step (ARCHITECTURE.md).
//
// It owns an io_context and runs it on the calling thread for the length of
// each call; nothing runs between calls (server pings wait until the next
// call reads them, which is fine for the seconds a script pauses).
// Same contract as Client: ClientError on failure, step timeouts, one call
// at a time, not thread-safe.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/client.hpp"

namespace sluice::client {

class BlockingClient {
public:
    explicit BlockingClient(ClientOptions options = {});
    ~BlockingClient();
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;

    ConnectInfo connect(const rtmp::Url& url);
    rtmp::MessageStreamId create_stream();
    void publish(rtmp::MessageStreamId id, const std::string& name,
                 rtmp::PublishMode mode = rtmp::PublishMode::live);
    void play(rtmp::MessageStreamId id, const rtmp::PlayCommand& command);
    void play2(rtmp::MessageStreamId id, const rtmp::PlayOptions& options);
    void pause(rtmp::MessageStreamId id, bool pause, double milliseconds);
    void seek(rtmp::MessageStreamId id, double milliseconds);
    void receive_audio(rtmp::MessageStreamId id, bool enable);
    void receive_video(rtmp::MessageStreamId id, bool enable);
    rtmp::CallResult call(const std::string& procedure, std::vector<amf::Value> arguments);
    void delete_stream(rtmp::MessageStreamId id);
    void close();
    rtmp::MessageStreamId open_publish(const rtmp::Url& url,
                                       rtmp::PublishMode mode = rtmp::PublishMode::live);
    rtmp::MessageStreamId open_play(const rtmp::Url& url, double start = -2, double duration = -1,
                                    bool reset = true);

    void send(const rtmp::Message& message);
    Incoming next(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    Client& client() noexcept { return client_; }
    const ConnectInfo& info() const noexcept { return client_.info(); }

private:
    template <class T>
    T run(boost::asio::awaitable<T> operation);

    boost::asio::io_context context_;
    Client client_;
};

}  // namespace sluice::client
