#pragma once
// CoreServer: a blocking, single-connection RTMP server made of nothing but
// the sans-I/O core (rtmp::Handshake + rtmp::Connection) over a loopback
// socket, so real peers (FFmpeg, rtmpdump) can judge the core before the
// real server exists. Test code only: one client, no threads, every wait
// bounded by a deadline. It answers the NetConnection/NetStream commands a
// publishing or playing client sends, the way REFERENCE.md §4.5 describes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "interop/interop_support.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/handshake.hpp"

namespace sluice::test {

class CoreServer {
public:
    /// Listens on 127.0.0.1 on a free port.
    CoreServer();
    ~CoreServer();
    CoreServer(const CoreServer&) = delete;
    CoreServer& operator=(const CoreServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    /// Accepts one client and completes the server handshake.
    /// On failure returns false and says why in `error()`.
    bool accept_and_handshake(Clock::time_point deadline);
    const rtmp::Handshake& handshake() const noexcept { return handshake_; }

    /// The next event from the client, reading the socket as needed.
    /// nullopt when the client closed the connection, on a protocol error,
    /// or at the deadline (error() tells which).
    std::optional<rtmp::Event> next_event(Clock::time_point deadline);

    /// Queues a message and writes everything queued (blocking, bounded).
    bool send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream, Clock::time_point deadline);
    bool send_control(const rtmp::ControlMessage& control, Clock::time_point deadline);

    /// Answers connect the way servers do (spec §7.2.1.1 + REFERENCE §4.1):
    /// Window Ack Size, Set Peer Bandwidth (dynamic), StreamBegin 0,
    /// Set Chunk Size 4096, then `_result`.
    bool answer_connect(double transaction_id, Clock::time_point deadline);

    /// Closes the socket (the client sees end of stream).
    void close();

    const std::string& error() const noexcept { return error_; }

private:
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    rtmp::Handshake handshake_;
    rtmp::Connection connection_;
    std::string error_;
    BlockingPump pump_{"client", error_};  ///< the accepted client's socket
};

}  // namespace sluice::test
