#pragma once
// net::RtmptTunnel: the server side of one RTMPT session (RTMP tunnelled in
// HTTP POST bodies, REFERENCE.md §11). The HTTP requests that carry the
// session's bytes may come on any HTTP connection; the RTMP session above
// reads and writes the tunnel through transport(), a net::Transport like
// TCP's, so the same server::Session code serves both (ARCHITECTURE.md).
//
//   client --POST /send/<id>/<seq> (RTMP bytes)--> send()  --> inbound  --> Session reads
//   client <--200: polling byte + RTMP bytes------ reply   <-- outbound <-- Session writes
//   client --POST /idle/<id>/<seq>---------------> idle()  (when it has nothing to send)
//
// Contract:
//  - Threads: everything runs on executor() (the session's worker). The
//    HTTP side calls send()/idle()/close_from_client() there (co_spawn).
//  - send(bytes) queues the client's bytes for the session, then waits
//    until the session has read them all (at most options.settle), so that
//    the answers they cause (S0+S1+S2 after C0+C1, _result after connect)
//    go back in this very response. It returns nullopt, queuing nothing,
//    when more than max_inbound_bytes would wait for the session.
//  - idle() answers at once when output is waiting; otherwise it holds the
//    poll up to options.idle_hold, answering as soon as the session writes.
//    Held polls cost the client nothing and save it a round of requests.
//  - A reply is the polling byte followed by up to max_reply_bytes of the
//    session's output. The polling byte (Red5's scheme, §11.2) is 1 while
//    data flows; after more than 10 empty replies in a row an internal delay
//    doubles (1, 2, 4 ... 32) and the byte is delay + 1. It is 0 once the
//    session has closed and all its output was delivered: the client stops.
//  - The session's writes: write_now() accepts bytes while less than
//    max_outbound_bytes wait for a poll, then would_block; wait_writable()
//    waits until a reply drained some. A client that stops polling thus
//    fills the tunnel like a slow TCP peer fills its socket, and the
//    session's slow-player handling applies unchanged.
//  - close_from_client() (/close, or the gateway's idle expiry) makes the
//    session read EOF after what was queued. The transport's close() (the
//    session ended) keeps undelivered output for the next polls, like TCP
//    delivers what is in the kernel buffer after close().
//  - finished(): the session closed and its output was delivered (or the
//    client closed): the gateway may forget the tunnel. last_request_ms()
//    and finished() may be read from any thread (atomics); the rest may not.
//  - Sequence numbers: accept_sequence() accepts any number not seen
//    before within a 64-wide window below the highest one (gaps and
//    reordering across connections are fine, §11.1); a repeat or one older
//    than the window is refused (a replayed request).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/transport.hpp"

namespace sluice::net {

struct RtmptTunnelOptions {
    std::size_t max_inbound_bytes = 4u << 20;   ///< client bytes the session has not read yet
    std::size_t max_outbound_bytes = 1u << 20;  ///< session bytes waiting for a poll
    std::size_t max_reply_bytes = 256u << 10;   ///< RTMP bytes in one response
    std::chrono::milliseconds settle{50};       ///< a send waits this long at most for the session
    std::chrono::milliseconds idle_hold{50};    ///< an empty idle poll waits this long for output
};

/// A fresh session id: 16 hex digits from the OS's CSPRNG (OpenSSL), so one
/// client cannot guess another's tunnel.
std::string new_rtmpt_session_id();

class RtmptTunnel : public std::enable_shared_from_this<RtmptTunnel> {
public:
    /// `peer` names the client in logs ("127.0.0.1:50312").
    RtmptTunnel(boost::asio::any_io_executor executor, std::string id, std::string peer,
                RtmptTunnelOptions options = {});
    ~RtmptTunnel();

    const std::string& id() const noexcept { return id_; }
    boost::asio::any_io_executor executor() const { return executor_; }

    /// The Transport for the session (call once). It holds the tunnel.
    std::unique_ptr<Transport> transport();

    /// The response body to /send: polling byte + output; nullopt when the
    /// bytes are over max_inbound_bytes (nothing queued).
    boost::asio::awaitable<std::optional<std::vector<std::uint8_t>>> send(std::vector<std::uint8_t> bytes);
    /// The response body to /idle.
    boost::asio::awaitable<std::vector<std::uint8_t>> idle();
    /// /close or expiry: the session reads EOF once the queued bytes are read.
    void close_from_client();

    /// False for a replayed sequence number (see the contract).
    bool accept_sequence(std::uint64_t seq) noexcept;

    bool finished() const noexcept { return finished_.load(); }
    /// steady_clock milliseconds of the last request (any thread).
    std::int64_t last_request_ms() const noexcept { return last_request_ms_.load(); }

private:
    class Endpoint;
    friend class Endpoint;

    void touch() noexcept;
    std::vector<std::uint8_t> take_reply();
    void update_finished() noexcept;

    boost::asio::any_io_executor executor_;
    std::string id_;
    std::string peer_;
    RtmptTunnelOptions options_;

    std::vector<std::uint8_t> inbound_;
    std::size_t inbound_read_ = 0;  ///< bytes of inbound_ the session has read
    std::vector<std::uint8_t> outbound_;
    std::size_t outbound_sent_ = 0;  ///< bytes of outbound_ already in replies

    bool reader_waiting_ = false;
    bool client_closed_ = false;     ///< /close or expiry
    bool transport_closed_ = false;  ///< the session closed its transport
    bool send_shut_ = false;

    unsigned empty_replies_ = 0;
    unsigned delay_ = 0;

    std::uint64_t highest_seq_ = 0;
    std::uint64_t seen_window_ = 0;  ///< bit i: highest_seq_ - i was seen
    bool any_seq_ = false;

    // Wake-ups (a timer's cancel() wakes every waiter on it).
    boost::asio::steady_timer readable_;  ///< the session waits for client bytes
    boost::asio::steady_timer consumed_;  ///< a send waits for the session to read
    boost::asio::steady_timer output_;    ///< an idle poll waits for session bytes
    boost::asio::steady_timer writable_;  ///< the session waits for room

    std::atomic<bool> finished_{false};
    std::atomic<std::int64_t> last_request_ms_{0};
};

}  // namespace sluice::net
