#pragma once
// ResetPublisher: a publisher of `sluice serve` built from the core alone
// (handshake + rtmp::Connection over a BlockingPump), so that a fault test
// can send the first bytes of a message's chunks and then reset the
// connection (serve_faults_test.cpp). Header-only: one suite uses it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interop/interop_support.hpp"
#include "interop/serve_fixture.hpp"
#include "rtmp/command.hpp"
#include "rtmp/connection.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace sluice::test {

/// A TCP connection to 127.0.0.1:`port`: the socket, or -1.
inline int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
}

/// A publisher built from the core alone (handshake + Connection over a
/// BlockingPump), so a test can send the first bytes of a message's chunks
/// and then reset the connection. Each call is bounded by its deadline.
class ResetPublisher {
public:
    /// TCP connect, handshake, connect("live"), createStream, publish(name):
    /// true on NetStream.Publish.Start.
    bool start(std::uint16_t port, const std::string& name, Clock::time_point deadline) {
        pump_.attach(connect_loopback(port));
        if (pump_.fd() < 0) return false;
        while (!handshake_.done()) {
            const base::Bytes out = handshake_.output();
            if (!pump_.write_all(out, deadline)) return false;
            handshake_.consume_output(out.size());
            if (handshake_.done()) break;
            if (handshake_.failed() || !pump_.read_some(deadline)) return false;
            pump_.feed(handshake_);
        }
        const base::Bytes rest = handshake_.output();
        if (!pump_.write_all(rest, deadline)) return false;
        handshake_.consume_output(rest.size());

        rtmp::ConnectCommand connect;
        connect.transaction_id = 1;
        connect.app = "live";
        connect.tc_url = "rtmp://127.0.0.1/live";
        if (!send(connect.encode(), rtmp::csid::net_connection, deadline)) return false;
        const auto connected = wait_command(1, deadline);
        if (!connected || connected->name != "_result") return false;
        if (!send(rtmp::CreateStreamCommand{2}.encode(), rtmp::csid::net_connection, deadline)) return false;
        const auto created = wait_command(2, deadline);
        if (!created) return false;
        auto result = rtmp::CreateStreamResult::decode(*created);
        if (!result) return false;
        msid_ = static_cast<rtmp::MessageStreamId>(result->stream_id);
        rtmp::PublishCommand publish;
        publish.transaction_id = 0;
        publish.stream_name = name;
        if (!send(publish.encode(rtmp::Encoding::amf0, msid_), rtmp::csid::net_stream, deadline))
            return false;
        const auto status = wait_command(0, deadline);
        const amf::Value* code =
            status && !status->arguments.empty() ? status->arguments[0].find("code") : nullptr;
        if (code == nullptr || code->string() == nullptr || *code->string() != "NetStream.Publish.Start") {
            error_ = "publish not started";
            return false;
        }
        return true;
    }

    /// @setDataFrame onMetaData from the clip's script tag.
    bool send_metadata(const base::Payload& metadata, Clock::time_point deadline) {
        auto data =
            rtmp::decode_data_message(rtmp::Message{rtmp::MessageType::data_amf0, 0, msid_, metadata});
        if (!data) return false;
        auto meta = rtmp::MetaData::decode(*data);
        if (!meta) return false;
        return send(rtmp::encode_data_message(meta->to_set_data_frame(), rtmp::Encoding::amf0, msid_),
                    rtmp::csid::net_stream, deadline);
    }

    bool send_tag(const ClipTag& tag, Clock::time_point deadline) {
        const auto csid = tag.type == rtmp::MessageType::audio ? rtmp::csid::audio : rtmp::csid::video;
        return send(rtmp::Message{tag.type, tag.timestamp, msid_, tag.payload}, csid, deadline);
    }

    /// Encodes `tag` as chunks (chunk size 128) and writes only their first
    /// `bytes` bytes; false when the message is not longer than that.
    bool send_tag_part(const ClipTag& tag, std::size_t bytes, Clock::time_point deadline) {
        const auto csid = tag.type == rtmp::MessageType::audio ? rtmp::csid::audio : rtmp::csid::video;
        if (connection_.send(rtmp::Message{tag.type, tag.timestamp, msid_, tag.payload}, csid)) return false;
        std::vector<std::uint8_t> encoded;
        connection_.output().for_each(
            [&](base::Bytes b) { encoded.insert(encoded.end(), b.begin(), b.end()); });
        connection_.consume_output(encoded.size());
        if (encoded.size() <= bytes) return false;
        return pump_.write_all(base::Bytes(encoded.data(), bytes), deadline);
    }

    /// Closes with SO_LINGER 0: the server gets a TCP reset, not a FIN.
    void reset() {
        const linger abort{1, 0};
        ::setsockopt(pump_.fd(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
        pump_.close();
    }

    const std::string& error() const noexcept { return error_; }

private:
    bool send(const rtmp::Message& message, rtmp::ChunkStreamId csid, Clock::time_point deadline) {
        return !connection_.send(message, csid) && pump_.flush(connection_, deadline);
    }

    /// The next command with `transaction` the server sends (for 0: the next onStatus).
    std::optional<rtmp::Command> wait_command(double transaction, Clock::time_point deadline) {
        for (;;) {
            while (auto event = connection_.next_event()) {
                auto* command = std::get_if<rtmp::CommandReceived>(&*event);
                if (command == nullptr) continue;
                auto decoded = rtmp::decode_command(command->message);
                if (decoded && decoded->transaction_id == transaction &&
                    (transaction != 0 || decoded->name == "onStatus"))
                    return std::move(*decoded);
            }
            if (!pump_.flush(connection_, deadline) || connection_.failed()) return std::nullopt;
            if (pump_.feed(connection_)) continue;
            if (!pump_.read_some(deadline)) return std::nullopt;
        }
    }

    rtmp::Handshake handshake_{rtmp::HandshakeRole::client, rtmp::HandshakeOptions{}};
    rtmp::Connection connection_;
    rtmp::MessageStreamId msid_ = 0;
    std::string error_;
    BlockingPump pump_{"server", error_};
};

}  // namespace sluice::test
