#pragma once
// server::RtmptGateway: the HTTP side of RTMPT (REFERENCE.md §11) - serves
// HTTP connections, opens tunnels and routes each request's bytes to its
// tunnel. Every tunnel carries an ordinary server::Session over a
// net::RtmptTunnel transport, so RTMPT clients reach the same applications
// and streams as RTMP and RTMPS ones.
//
// Contract:
//  - serve() runs one accepted HTTP (or HTTPS, for RTMPTS) connection on
//    its worker until the peer closes it, a request fails, or no complete
//    request arrived for limits.idle_timeout. Requests on one connection
//    are answered in order; a tunnel's requests may come on any connection.
//  - POST /open/1 opens a tunnel on the connection's worker and answers its
//    id + "\n" (application/x-fcs). Refused with 503 when http.max_tunnels
//    tunnels, limits.max_connections sessions or
//    limits.max_connections_per_ip from the address are open, or while the
//    server stops.
//  - POST /send|/idle|/close/<id>/<seq>: answered by the tunnel
//    (net/rtmpt_tunnel.hpp). /close answers a single 00 byte.
//  - Errors close only the HTTP connection they came on, after an answer
//    and a log line naming the peer: an unknown id (404), a replayed
//    sequence number (409), a malformed request (400), a head over 8 KiB
//    (431), a body over http.max_request_bytes (413), or bytes a tunnel's
//    session has not read piling up past its bound (413; the tunnel closes
//    too). Other methods than POST get 405 and unknown paths 404 (the
//    connection stays), /fcs/ident2 included, as Red5 answers it.
//  - expire() closes tunnels without a request for
//    http.tunnel_idle_timeout (their sessions read EOF) and forgets those
//    whose session ended and whose output was delivered. Any thread; the
//    server calls it every second.
//  - TODO(issue 8 follow-up): with our own client publishing over rtmpts://
//    (RTMPT inside TLS), after a few hundred /send requests the HTTPS
//    connection's reader stops: the next request's bytes wait in the
//    socket's receive queue while serve() waits in TlsTransport::read_some,
//    and the publisher hangs. FFmpeg over rtmpts:// and our client over
//    rtmpt:// are not affected. Reproduce: sluice serve with --https, then
//    `sluice publish <6 MB clip> rtmpts://.../live/x --insecure`.
//  - At server stop, tunnel sessions end like TCP ones (Server::stop);
//    their last output goes to polls until the workers stop.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "net/rtmpt_tunnel.hpp"
#include "net/transport.hpp"
#include "server/server_context.hpp"

namespace sluice::server {

class RtmptGateway {
public:
    explicit RtmptGateway(ServerContext& context);

    /// `slot` counts the HTTP connection against its address while it is open.
    boost::asio::awaitable<void> serve(std::unique_ptr<net::Transport> http, std::size_t worker,
                                       boost::asio::ip::address address, PeerSlot slot);
    void expire();
    std::size_t tunnels() const;

private:
    struct Answer;
    boost::asio::awaitable<Answer> answer(std::vector<std::uint8_t> body, const std::string& target,
                                          std::size_t worker, const boost::asio::ip::address& address,
                                          const std::string& peer);
    Answer open(boost::asio::any_io_executor executor, std::size_t worker,
                const boost::asio::ip::address& address, const std::string& peer);
    std::shared_ptr<net::RtmptTunnel> find(const std::string& id) const;
    void forget(const std::string& id);

    ServerContext& context_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<net::RtmptTunnel>> tunnels_;
};

}  // namespace sluice::server
