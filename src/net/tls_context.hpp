#pragma once
// net::TlsServerContext and net::TlsClientContext: the OpenSSL 3 settings a
// TlsTransport handshake starts from (RTMPS: plain RTMP inside TLS, so the
// contexts carry nothing RTMP-specific).
//
// Contract:
//  - Both contexts are immutable once built and handed out as
//    shared_ptr<const ...>: any number of connections may use one at once,
//    and a configuration reload (SIGHUP) builds a new one and swaps the
//    pointer while connections made with the old one keep it (OpenSSL also
//    holds its own reference from every connection, so dropping the last
//    shared_ptr never pulls settings from under a live connection).
//  - Protocol versions: TLS 1.2 and 1.3 only; renegotiation is refused
//    (SSL_OP_NO_RENEGOTIATION), so a read never needs a write and back.
//  - Use them from one thread at a time per connection; building a context
//    is thread-safe (no global state besides OpenSSL's own).
//  - Errors come as TlsError: a code (OpenSSL's packed error in
//    boost::asio::error::get_ssl_category(), whose message() is OpenSSL's
//    reason text, or a system/asio code) plus one sentence for the log that
//    names the file, the host or the verification failure. Error codes alone
//    cannot carry such per-call detail, hence the pair.
//
// OpenSSL types appear only as forward declarations: including this header
// pulls in no OpenSSL or Asio SSL header.
#include <boost/system/errc.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace sluice::net {

/// Why a context could not be built or a handshake failed.
struct TlsError {
    boost::system::error_code code;
    std::string message;  ///< one sentence for logs, e.g. "cannot read key file /etc/x.pem: ..."
};

/// A value or a TlsError (base::Result with a message attached).
template <class T>
class [[nodiscard]] TlsResult {
public:
    /// An error ("the operation did not complete"): asio's co_spawn and the
    /// `||` operator need a default value for a coroutine that threw.
    TlsResult()
        : state_(std::in_place_index<1>,
                 TlsError{boost::system::errc::make_error_code(boost::system::errc::operation_canceled),
                          "the TLS operation did not complete"}) {}
    TlsResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    TlsResult(TlsError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    /// The value; only valid when ok().
    T& value() & { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    T* operator->() { return &value(); }

    /// The error; only valid when !ok().
    const TlsError& error() const { return std::get<1>(state_); }

private:
    std::variant<T, TlsError> state_;
};

/// Frees an SSL_CTX (drops this owner's reference).
struct SslContextDeleter {
    void operator()(ssl_ctx_st* context) const noexcept;
};
using SslContextPtr = std::unique_ptr<ssl_ctx_st, SslContextDeleter>;

/// The server side: a certificate chain and its private key.
class TlsServerContext {
public:
    /// Loads `cert_chain_file` (PEM: the leaf first, then intermediates) and
    /// `key_file` (PEM private key, unencrypted) and checks the key belongs
    /// to the certificate. Errors name the file and OpenSSL's reason:
    /// missing/unreadable file, PEM that holds no certificate or key, key
    /// not matching the certificate. `tls13_only` refuses TLS 1.2 clients.
    static TlsResult<std::shared_ptr<const TlsServerContext>> load(const std::string& cert_chain_file,
                                                                   const std::string& key_file,
                                                                   bool tls13_only = false);

    /// The SSL_CTX connections are made from (owned by this object).
    ssl_ctx_st* native() const noexcept { return context_.get(); }
    const std::string& cert_chain_file() const noexcept { return cert_chain_file_; }

private:
    TlsServerContext(SslContextPtr context, std::string cert_chain_file)
        : context_(std::move(context)), cert_chain_file_(std::move(cert_chain_file)) {}

    SslContextPtr context_;
    std::string cert_chain_file_;
};

/// How a client checks the server it connects to.
struct TlsClientSettings {
    /// Verify the server's certificate chain and host name (the default).
    /// insecure = true turns both checks off (self-signed test servers);
    /// the connection is still encrypted but anyone in the path can read it.
    bool insecure = false;
    /// PEM file of trusted CA certificates; empty: the system's default
    /// store (OpenSSL's default verify paths, e.g. /etc/ssl/certs).
    std::string ca_file;
};

/// The client side: trust anchors and verification settings.
class TlsClientContext {
public:
    /// Builds the context; fails when `ca_file` cannot be loaded (the error
    /// names the file) or the default store cannot be set up.
    static TlsResult<std::shared_ptr<const TlsClientContext>> create(const TlsClientSettings& settings);

    ssl_ctx_st* native() const noexcept { return context_.get(); }
    /// True unless settings.insecure.
    bool verify() const noexcept { return verify_; }

private:
    TlsClientContext(SslContextPtr context, bool verify) : context_(std::move(context)), verify_(verify) {}

    SslContextPtr context_;
    bool verify_;
};

/// The oldest error in this thread's OpenSSL error queue as a TlsError
/// {ssl category code, "<what>: <OpenSSL reason>"}, and clears the queue.
/// With an empty queue: {ssl::error::unspecified_system_error, "<what>"}.
TlsError take_openssl_error(std::string_view what);

}  // namespace sluice::net
