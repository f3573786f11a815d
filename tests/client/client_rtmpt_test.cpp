// client::Client over rtmpt:// against an in-process `sluice serve`
// (server::Server on a loopback port) reached through a minimal RTMPT relay
// written here: it answers /open/1, writes /send bodies to a TCP connection
// to the server and returns what the server sent in every answer. So the
// whole client (handshake, connect, publish, play, close) runs through
// net::RtmptClientTransport against a peer written independently of the
// server's RTMPT gateway; then the same against the server's own RTMPT
// listener (publisher over rtmpt, player over rtmp, and back). Also: how a
// server that is not RTMPT (404) or says nothing fails connect().
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/blocking_client.hpp"
#include "client/in_process_server.hpp"
#include "net/rtmpt_client_transport.hpp"
#include "rtmp/data_message.hpp"
#include "server/server.hpp"

namespace sluice::client {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using Bytes = std::vector<std::uint8_t>;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

/// The server's own RTMPT listener on a free port.
void with_rtmpt(server::ServerConfig& config) {
    config.http.listen = {"127.0.0.1:0"};
}

/// A tiny RTMPT server on its own thread: one session per HTTP connection,
/// relayed to 127.0.0.1:upstream_port over TCP (or every request answered
/// 404 with `not_found`).
class RtmptRelay {
public:
    explicit RtmptRelay(std::uint16_t upstream_port, bool not_found = false)
        : upstream_port_(upstream_port),
          not_found_(not_found),
          acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        asio::co_spawn(io_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~RtmptRelay() {
        asio::post(io_, [this] { io_.stop(); });
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    rtmp::Url url(const std::string& path) const {
        return *rtmp::Url::parse("rtmpt://127.0.0.1:" + std::to_string(port()) + "/" + path);
    }
    /// "POST /send/1/0 Host: 127.0.0.1:5555" for every request so far.
    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    struct Upstream {
        explicit Upstream(asio::io_context& io) : socket(io) {}
        tcp::socket socket;
        Bytes pending;  ///< from the server, for the next answer
        bool eof = false;
    };

    asio::awaitable<void> accept_loop() {
        for (int id = 1;; ++id) {
            auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
            if (ec) co_return;
            asio::co_spawn(io_, serve(std::move(socket), std::to_string(id)), asio::detached);
        }
    }

    static asio::awaitable<void> read_upstream(std::shared_ptr<Upstream> up) {
        Bytes buffer(64 * 1024);
        for (;;) {
            auto [ec, n] = co_await up->socket.async_read_some(asio::buffer(buffer), use_nothrow);
            if (ec) break;
            up->pending.insert(up->pending.end(), buffer.begin(),
                               buffer.begin() + static_cast<std::ptrdiff_t>(n));
        }
        up->eof = true;
    }

    asio::awaitable<void> serve(tcp::socket socket, std::string id) {
        boost::beast::flat_buffer buffer;
        std::shared_ptr<Upstream> up;
        for (;;) {
            http::request<http::vector_body<std::uint8_t>> request;
            auto [ec, n] = co_await http::async_read(socket, buffer, request, use_nothrow);
            if (ec) break;
            const std::string target(request.target());
            {
                std::lock_guard lock(mutex_);
                requests_.push_back("POST " + target + " Host: " + std::string(request[http::field::host]));
            }
            http::response<http::vector_body<std::uint8_t>> response{http::status::ok, 11};
            response.set(http::field::content_type, "application/x-fcs");
            Bytes body;
            if (not_found_) {
                response.result(http::status::not_found);
            } else if (target == "/open/1") {
                up = std::make_shared<Upstream>(io_);
                auto [connect_error] = co_await up->socket.async_connect(
                    {asio::ip::make_address("127.0.0.1"), upstream_port_}, use_nothrow);
                if (connect_error) co_return;
                asio::co_spawn(io_, read_upstream(up), asio::detached);
                body.assign(id.begin(), id.end());
                body.push_back('\n');
            } else if (up) {
                if (target.rfind("/send/", 0) == 0)
                    co_await asio::async_write(up->socket, asio::buffer(request.body()), use_nothrow);
                const bool closing = target.rfind("/close/", 0) == 0;
                body.assign(1, (closing || (up->eof && up->pending.empty())) ? 0 : 1);
                body.insert(body.end(), up->pending.begin(), up->pending.end());
                up->pending.clear();
                if (closing) {
                    boost::system::error_code ignored;
                    up->socket.shutdown(tcp::socket::shutdown_send, ignored);
                }
            }
            response.body() = std::move(body);
            response.prepare_payload();
            auto [write_error, written] = co_await http::async_write(socket, response, use_nothrow);
            if (write_error) break;
        }
        if (up) up->socket.close();
    }

    std::uint16_t upstream_port_;
    bool not_found_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
};

ClientOptions quick() {
    ClientOptions options;
    options.step_timeout = 5s;
    return options;
}

rtmp::Message video(std::uint32_t timestamp, Bytes bytes) {
    return rtmp::Message{rtmp::MessageType::video, timestamp, 1,
                         base::Payload::copy_of(base::Bytes(bytes.data(), bytes.size()))};
}

Bytes bytes_of(const rtmp::Message& message) {
    const base::Bytes bytes = message.payload.bytes();
    return {bytes.begin(), bytes.end()};
}

/// Next video message, skipping signalling and data.
Incoming next_video(BlockingClient& client) {
    for (;;) {
        Incoming in = client.next(5s);
        if (in.kind == Incoming::Kind::video || in.kind == Incoming::Kind::closed) return in;
    }
}

const Bytes avc_header{0x17, 0x00, 0,    0,    0,    0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00,
                       0x04, 0x67, 0x64, 0x00, 0x1f, 0x01, 0x00, 0x04, 0x68, 0xee, 0x3c, 0x80};
const Bytes avc_key{0x17, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x65, 0x88, 0x84};
const Bytes avc_inter{0x27, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x41, 0x9a, 0x02};

std::size_t count_prefix(const std::vector<std::string>& requests, const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& r : requests) n += r.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

TEST(ClientRtmpt, PublishAndPlayThroughTheTunnel) {
    InProcessServer server(with_rtmpt);
    RtmptRelay relay(server.port());
    BlockingClient publisher(quick());
    const auto pub_id = publisher.open_publish(relay.url("live/tunnel"));
    EXPECT_EQ(publisher.info().url.scheme, rtmp::UrlScheme::rtmpt);
    EXPECT_EQ(publisher.info().result.information.code, "NetConnection.Connect.Success");
    EXPECT_LE(publisher.info().tcp_connected, publisher.info().handshake_done);
    publisher.send(video(0, avc_header));
    publisher.send(video(0, avc_key));

    BlockingClient player(quick());
    player.open_play(relay.url("live/tunnel"));
    Incoming in = next_video(player);
    ASSERT_EQ(in.kind, Incoming::Kind::video);
    EXPECT_EQ(bytes_of(in.message), avc_header);
    in = next_video(player);
    EXPECT_EQ(bytes_of(in.message), avc_key);
    publisher.send(video(40, avc_inter));
    in = next_video(player);
    ASSERT_EQ(in.kind, Incoming::Kind::video);
    EXPECT_EQ(in.message.timestamp, 40u);
    EXPECT_EQ(bytes_of(in.message), avc_inter);
    EXPECT_GT(pub_id, 0u);

    publisher.close();
    player.close();
    const auto requests = relay.requests();
    const std::string host = " Host: 127.0.0.1:" + std::to_string(relay.port());
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.front(), "POST /open/1" + host);
    EXPECT_EQ(count_prefix(requests, "POST /open/1"), 2u);
    EXPECT_EQ(count_prefix(requests, "POST /send/1/0" + host), 1u);  // the publisher's C0+C1
    EXPECT_EQ(count_prefix(requests, "POST /close/1/"), 1u);
    EXPECT_EQ(count_prefix(requests, "POST /close/2/"), 1u);
}

TEST(ClientRtmpt, PublishOverRtmptPlayOverRtmpAgainstSluiceServe) {
    InProcessServer server(with_rtmpt);
    const std::string tunnel = "rtmpt://127.0.0.1:" + std::to_string(server.http_port()) + "/live/gw";
    const std::string plain = "rtmp://127.0.0.1:" + std::to_string(server.port()) + "/live/gw";
    for (const bool publish_tunnelled : {true, false}) {
        SCOPED_TRACE(publish_tunnelled ? "publisher on rtmpt" : "player on rtmpt");
        BlockingClient publisher(quick());
        publisher.open_publish(*rtmp::Url::parse(publish_tunnelled ? tunnel : plain));
        publisher.send(video(0, avc_header));
        publisher.send(video(0, avc_key));
        BlockingClient player(quick());
        player.open_play(*rtmp::Url::parse(publish_tunnelled ? plain : tunnel));
        Incoming in = next_video(player);
        ASSERT_EQ(in.kind, Incoming::Kind::video);
        EXPECT_EQ(bytes_of(in.message), avc_header);
        in = next_video(player);
        EXPECT_EQ(bytes_of(in.message), avc_key);
        publisher.send(video(40, avc_inter));
        in = next_video(player);
        ASSERT_EQ(in.kind, Incoming::Kind::video);
        EXPECT_EQ(bytes_of(in.message), avc_inter);
        publisher.close();
        player.close();
    }
}

TEST(ClientRtmpt, AServerThatIsNotRtmptFailsTheHandshakeStepWithItsStatus) {
    InProcessServer server(with_rtmpt);
    RtmptRelay relay(server.port(), true);
    BlockingClient client(quick());
    try {
        client.connect(relay.url("live/x"));
        FAIL() << "connect should fail";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::handshake);
        EXPECT_EQ(e.code(), std::error_code(net::make_error_code(net::RtmptErrc::http_status)));
        EXPECT_NE(e.detail().find("404 Not Found"), std::string::npos) << e.detail();
    }
    EXPECT_FALSE(client.client().connected());
}

TEST(ClientRtmpt, ASilentServerTimesTheOpenOut) {
    asio::io_context context;
    tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    // The kernel completes the TCP handshake from the backlog; nobody answers /open/1.
    ClientOptions options = quick();
    options.step_timeout = 300ms;
    BlockingClient client(options);
    try {
        client.connect(*rtmp::Url::parse(
            "rtmpt://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/live"));
        FAIL() << "connect should time out";
    } catch (const ClientError& e) {
        EXPECT_EQ(e.step(), Step::handshake);
        EXPECT_EQ(e.code(), make_error_code(Errc::timed_out));
        EXPECT_NE(e.detail().find("POST /open/1"), std::string::npos) << e.detail();
    }
}

}  // namespace
}  // namespace sluice::client
