#pragma once
// Remote method calls on the NetConnection (RTMP 1.0 §7.2.1.2): the
// methods an application offers its clients, and what a method may do
// with the connection that called it (call the client back).
//
// A client's `call(name, txn, null, args...)` runs the handler registered
// under `name` in its application's MethodTable. The handler answers with
// values (`_result, txn, null, values...`) or a MethodError (`_error, txn,
// null, {level error, code NetConnection.Call.Failed, description}`),
// either at once (MethodReply) or later from a coroutine on the calling
// connection's worker (boost::asio::awaitable<MethodReply>). A call with
// transaction id 0 runs its handler but gets no answer. Unknown names get
// `_error` "Method 'x' is not found.".
//
// The server's own methods are registered the same way when an
// Application is made (add_builtin_methods): getStreamLength (the length
// of a recording or media file, 0 for a live stream), _checkbw (answered
// `_result null null`; the bandwidth check's onBWDone follows connect),
// and releaseStream, FCPublish, FCSubscribe (`_result undefined`, as SRS:
// FFmpeg and librtmp ignore the answer). An application may replace them.
//
// Bounds (limits.max_calls_in_flight, limits.call_timeout_ms): a
// connection runs at most max_calls_in_flight handler coroutines and
// waits for at most as many answers to server-to-client calls; beyond
// that a call gets `_error` ("too many calls in flight") and
// call_client() a MethodError at once. call_client() gives up after
// call_timeout with a MethodError, and at once when the connection closes.
//
// Threads: a MethodTable is filled before the server starts (or while it
// runs: it locks); handlers run on the calling connection's worker.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "amf/value.hpp"

namespace sluice::server {

class Application;
struct ServerConfig;

/// A refused or failed call: the description of its `_error`.
struct MethodError {
    std::string description;
    friend bool operator==(const MethodError&, const MethodError&) = default;
};

/// The values of `_result` (after its null command object), or an error.
using MethodReply = std::variant<std::vector<amf::Value>, MethodError>;

/// What a handler returns: the reply now, or a coroutine that makes it.
using MethodOutcome = std::variant<MethodReply, boost::asio::awaitable<MethodReply>>;

/// The calling connection, as a handler sees it.
class CallContext {
public:
    virtual std::uint64_t connection_id() const noexcept = 0;
    virtual Application& application() noexcept = 0;
    /// The application instance ("_definst_" by default).
    virtual const std::string& instance() const noexcept = 0;
    virtual const ServerConfig& server_config() const noexcept = 0;
    /// Calls `method` on the client (a `call` with a transaction id): its
    /// `_result` values, or a MethodError for its `_error` (the info
    /// object's description), a timeout, too many calls or a closed
    /// connection. Run on the connection's worker.
    virtual boost::asio::awaitable<MethodReply> call_client(std::string method,
                                                            std::vector<amf::Value> arguments) = 0;

protected:
    ~CallContext() = default;
};

using MethodHandler =
    std::function<MethodOutcome(std::shared_ptr<CallContext> caller, std::vector<amf::Value> arguments)>;

class MethodTable {
public:
    /// Registers (or replaces) `name`.
    void add(std::string name, MethodHandler handler);
    void remove(const std::string& name);
    /// A copy of the handler, or nullopt.
    std::optional<MethodHandler> find(const std::string& name) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, MethodHandler, std::less<>> handlers_;
};

/// getStreamLength, _checkbw, releaseStream, FCPublish, FCSubscribe (above).
void add_builtin_methods(MethodTable& table);

}  // namespace sluice::server
