#include "interop/core_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rtmp/responses.hpp"

namespace sluice::test {

CoreServer::CoreServer() : handshake_(rtmp::HandshakeRole::server, rtmp::HandshakeOptions{}) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        error_ = std::string("listen failed: ") + std::strerror(errno);
        return;
    }
    port_ = ntohs(addr.sin_port);
}

CoreServer::~CoreServer() {
    close();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void CoreServer::close() {
    pump_.close();
}

bool CoreServer::accept_and_handshake(Clock::time_point deadline) {
    if (!wait_fd(listen_fd_, POLLIN, deadline)) {
        error_ = "no client connected before the deadline";
        return false;
    }
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
        error_ = std::string("accept failed: ") + std::strerror(errno);
        return false;
    }
    pump_.attach(fd);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (handshake_.state() != rtmp::HandshakeState::done) {
        if (handshake_.state() == rtmp::HandshakeState::failed) {
            error_ = "handshake failed: " + handshake_.error().message();
            return false;
        }
        if (!pump_.read_some(deadline)) return false;
        pump_.feed(handshake_);
        const base::Bytes out = handshake_.output();
        if (!pump_.write_all(out, deadline)) return false;
        handshake_.consume_output(out.size());
    }
    return true;
}

std::optional<rtmp::Event> CoreServer::next_event(Clock::time_point deadline) {
    for (;;) {
        if (auto event = connection_.next_event()) {
            pump_.flush(connection_, deadline);  // auto-replies (acks, pongs) go out at once
            return event;
        }
        if (connection_.failed()) {
            error_ = "protocol error: " + connection_.error().message();
            return std::nullopt;
        }
        if (pump_.feed(connection_)) continue;
        if (!pump_.read_some(deadline)) return std::nullopt;
    }
}

bool CoreServer::send(const rtmp::Message& message, rtmp::ChunkStreamId chunk_stream,
                      Clock::time_point deadline) {
    if (std::error_code ec = connection_.send(message, chunk_stream)) {
        error_ = "send: " + ec.message();
        return false;
    }
    return pump_.flush(connection_, deadline);
}

bool CoreServer::send_control(const rtmp::ControlMessage& control, Clock::time_point deadline) {
    if (std::error_code ec = connection_.send_control(control)) {
        error_ = "send_control: " + ec.message();
        return false;
    }
    return pump_.flush(connection_, deadline);
}

bool CoreServer::answer_connect(double transaction_id, Clock::time_point deadline) {
    rtmp::ConnectResult result;
    result.transaction_id = transaction_id;
    return send_control(rtmp::WindowAckSize{2'500'000}, deadline) &&
           send_control(rtmp::SetPeerBandwidth{2'500'000, rtmp::BandwidthLimit::dynamic}, deadline) &&
           send_control(rtmp::UserControl::stream_begin(0), deadline) &&
           send_control(rtmp::SetChunkSize{4096}, deadline) &&
           send(result.encode(), rtmp::csid::net_connection, deadline);
}

}  // namespace sluice::test
