#include "server/rtmpt_gateway.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <string_view>
#include <vector>

#include "net/http_message.hpp"
#include "net/rtmpt_target.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr std::string_view fcs_type = "application/x-fcs";
constexpr std::string_view text_type = "text/plain";

base::Bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Small coroutines run on a tunnel's worker (co_spawn'd there).
asio::awaitable<bool> check_sequence(std::shared_ptr<net::RtmptTunnel> tunnel, std::uint64_t seq) {
    co_return tunnel->accept_sequence(seq);
}

asio::awaitable<void> close_tunnel(std::shared_ptr<net::RtmptTunnel> tunnel) {
    tunnel->close_from_client();
    co_return;
}

}  // namespace

/// One response, and whether the connection ends after it.
struct RtmptGateway::Answer {
    unsigned status = 200;
    std::string_view type = fcs_type;
    std::vector<std::uint8_t> body;
    bool close = false;

    static Answer text(unsigned status, std::string_view message, bool close = false) {
        Answer a{status, text_type, {}, close};
        a.body.assign(message.begin(), message.end());
        return a;
    }
};

RtmptGateway::RtmptGateway(ServerContext& context) : context_(context) {}

std::size_t RtmptGateway::tunnels() const {
    std::lock_guard lock(mutex_);
    return tunnels_.size();
}

std::shared_ptr<net::RtmptTunnel> RtmptGateway::find(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = tunnels_.find(id);
    return it == tunnels_.end() ? nullptr : it->second;
}

void RtmptGateway::forget(const std::string& id) {
    std::lock_guard lock(mutex_);
    tunnels_.erase(id);
}

RtmptGateway::Answer RtmptGateway::open(asio::any_io_executor executor, std::size_t worker,
                                        const asio::ip::address& address, const std::string& peer) {
    const ServerConfig& config = context_.config();
    if (context_.stopping) return Answer::text(503, "the server is stopping\n");
    if (tunnels() >= config.http.max_tunnels) {
        spdlog::warn("RTMPT open from {} refused: {} tunnels open (http.max_tunnels)", peer, tunnels());
        return Answer::text(503, "too many RTMPT sessions\n");
    }
    if (context_.connections.load() >= config.limits.max_connections) {
        spdlog::warn("RTMPT open from {} refused: {} connections open (limits.max_connections)", peer,
                     context_.connections.load());
        return Answer::text(503, "too many connections\n");
    }
    std::optional<PeerSlot> slot = context_.acquire_peer(address);
    if (!slot) {
        spdlog::warn("RTMPT open from {} refused: per-IP limit (limits.max_connections_per_ip)", peer);
        return Answer::text(503, "too many connections from this address\n");
    }
    net::RtmptTunnelOptions options;
    // A session that stops reading holds at most one bound of client bytes
    // beyond the largest request.
    options.max_inbound_bytes = 2 * config.http.max_request_bytes;
    auto tunnel = std::make_shared<net::RtmptTunnel>(executor, net::new_rtmpt_session_id(), peer, options);
    {
        std::lock_guard lock(mutex_);
        tunnels_.emplace(tunnel->id(), tunnel);
    }
    auto session = std::make_shared<Session>(tunnel->transport(), context_, worker, std::move(*slot));
    session->start();
    spdlog::debug("RTMPT session {} opened by {}", tunnel->id(), peer);
    Answer a;
    a.body.assign(tunnel->id().begin(), tunnel->id().end());
    a.body.push_back('\n');
    return a;
}

asio::awaitable<RtmptGateway::Answer> RtmptGateway::answer(std::vector<std::uint8_t> body,
                                                           const std::string& target, std::size_t worker,
                                                           const asio::ip::address& address,
                                                           const std::string& peer) {
    const auto request = net::parse_rtmpt_target(target);
    if (!request) co_return Answer::text(404, "not an RTMPT request\n");
    if (request->command == net::RtmptCommand::ident) co_return Answer::text(404, "no ident\n");
    if (request->command == net::RtmptCommand::open) {
        const asio::any_io_executor executor = co_await asio::this_coro::executor;
        co_return open(executor, worker, address, peer);
    }

    std::shared_ptr<net::RtmptTunnel> tunnel = find(request->session);
    if (!tunnel) {
        spdlog::info("RTMPT: {} asked for unknown session {}; closing its HTTP connection", peer,
                     request->session);
        co_return Answer::text(404, "unknown RTMPT session\n", true);
    }
    // The tunnel's state lives on its worker: hop there for each request.
    // (GCC 12: every awaited operand is a named local.)
    const std::uint64_t seq = request->seq;
    const asio::any_io_executor where = tunnel->executor();
    auto check = check_sequence(tunnel, seq);
    const bool fresh = co_await asio::co_spawn(where, std::move(check), asio::use_awaitable);
    if (!fresh) {
        spdlog::warn("RTMPT: {} replayed sequence number {} of session {}; closing its HTTP connection", peer,
                     seq, request->session);
        co_return Answer::text(409, "sequence number already used\n", true);
    }
    switch (request->command) {
        case net::RtmptCommand::send: {
            auto sending = tunnel->send(std::move(body));
            auto reply = co_await asio::co_spawn(where, std::move(sending), asio::use_awaitable);
            if (!reply) {
                spdlog::warn(
                    "RTMPT: session {} from {} has more unread bytes than allowed (2 x "
                    "http.max_request_bytes); closing it",
                    request->session, peer);
                asio::post(tunnel->executor(), [tunnel] { tunnel->close_from_client(); });
                forget(request->session);
                co_return Answer::text(413, "too many unread bytes\n", true);
            }
            co_return Answer{200, fcs_type, std::move(*reply), false};
        }
        case net::RtmptCommand::idle: {
            auto idling = tunnel->idle();
            auto reply = co_await asio::co_spawn(where, std::move(idling), asio::use_awaitable);
            co_return Answer{200, fcs_type, std::move(reply), false};
        }
        default: {
            auto closing = close_tunnel(tunnel);
            co_await asio::co_spawn(where, std::move(closing), asio::use_awaitable);
            forget(request->session);
            spdlog::debug("RTMPT session {} closed by {}", request->session, peer);
            co_return Answer{200, fcs_type, {0}, false};
        }
    }
}

asio::awaitable<void> RtmptGateway::serve(std::unique_ptr<net::Transport> http, std::size_t worker,
                                          asio::ip::address address, PeerSlot slot) {
    (void)slot;  // held by this frame: the connection counts for its address while it is served
    const ServerConfig& config = context_.config();
    const std::string peer = http->peer();
    net::HttpRequestReader reader({.header_bytes = 8 * 1024, .body_bytes = config.http.max_request_bytes});
    std::vector<std::uint8_t> buffer(16 * 1024);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    // librtmp closes its socket right after its last requests (FCUnpublish,
    // deleteStream, /close) with our answers unread, so the kernel resets
    // the connection and our write fails. The requests it sent before are
    // still served, unanswered, as long as reads give them (Linux hands out
    // data that came before the reset).
    bool peer_gone = false;
    for (;;) {
        while (auto request = reader.next()) {
            Answer a;
            if (request->method != "POST") {
                a = Answer::text(405, "RTMPT uses POST\n");
            } else {
                const std::string target = request->target;
                auto answering = answer(std::move(request->body), target, worker, address, peer);
                a = co_await std::move(answering);
            }
            const bool close = a.close || !request->keep_alive;
            if (!peer_gone) {
                const std::string response = net::format_response(a.status, a.type, a.body, !close);
                auto [ec, n] = co_await net::write_all(*http, asio::buffer(response));
                if (ec) peer_gone = true;
            }
            if (close) {
                http->close();
                co_return;
            }
        }
        if (reader.failed()) {
            spdlog::info("RTMPT: {} from {}; closing its HTTP connection", reader.error(), peer);
            if (!peer_gone) {
                const std::string response =
                    net::format_response(reader.status(), text_type, as_bytes(reader.error() + "\n"), false);
                (void)co_await net::write_all(*http, asio::buffer(response));
            }
            http->close();
            co_return;
        }
        timer.expires_after(config.limits.idle_timeout);
        auto reading = http->read_some(asio::buffer(buffer));
        auto timing = timer.async_wait(asio::as_tuple(asio::use_awaitable));
        auto raced = co_await (std::move(reading) || std::move(timing));
        if (raced.index() == 1) {
            spdlog::debug("RTMPT: HTTP connection from {} sent no complete request for {} ms; closing it",
                          peer, config.limits.idle_timeout.count());
            http->close();
            co_return;
        }
        const net::IoResult r = std::get<0>(raced);
        if (r.error) {
            http->close();
            co_return;
        }
        reader.feed({buffer.data(), r.bytes});
    }
}

void RtmptGateway::expire() {
    const std::int64_t now = now_ms();
    const std::int64_t timeout = context_.config().http.tunnel_idle_timeout.count();
    std::vector<std::shared_ptr<net::RtmptTunnel>> idle;
    {
        std::lock_guard lock(mutex_);
        for (auto it = tunnels_.begin(); it != tunnels_.end();) {
            if (it->second->finished()) {
                it = tunnels_.erase(it);
            } else if (now - it->second->last_request_ms() > timeout) {
                idle.push_back(it->second);
                it = tunnels_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& tunnel : idle) {
        spdlog::info("RTMPT session {}: no request for {} ms (http.tunnel_idle_timeout_ms); closing it",
                     tunnel->id(), timeout);
        asio::post(tunnel->executor(), [tunnel] { tunnel->close_from_client(); });
    }
}

}  // namespace sluice::server
