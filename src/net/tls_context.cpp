#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/ssl/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sluice::net {

namespace {

SslContextPtr new_context(const SSL_METHOD* method) {
    SslContextPtr context(SSL_CTX_new(method));
    if (!context) return context;
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    // No renegotiation: TlsTransport relies on SSL_read never waiting for a
    // write (and SSL_write never for a read) once the handshake is done.
    // RELEASE_BUFFERS: idle players should not pin 2 x 16 KiB of record buffers.
    SSL_CTX_set_options(context.get(), SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(context.get(), SSL_MODE_RELEASE_BUFFERS);
    // No TLS 1.3 session tickets (a server setting): librtmp over GnuTLS
    // (rtmpdump, GStreamer's rtmpsrc) fails its RTMP handshake when a ticket
    // record arrives among S0/S1/S2, and an RTMP session is long-lived, so
    // resumption saves nothing worth having.
    SSL_CTX_set_num_tickets(context.get(), 0);
    return context;
}

/// fopen() first, so a missing or unreadable file is reported with errno's
/// words rather than OpenSSL's "system library" wrapper.
TlsError check_readable(const std::string& path, std::string_view what) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        const int error = errno;
        return {{error, boost::system::system_category()},
                "cannot read " + std::string(what) + " " + path + ": " + std::strerror(error)};
    }
    std::fclose(file);
    return {};
}

}  // namespace

void SslContextDeleter::operator()(ssl_ctx_st* context) const noexcept {
    SSL_CTX_free(context);
}

TlsError take_openssl_error(std::string_view what) {
    const unsigned long error = ERR_get_error();
    ERR_clear_error();
    if (error == 0) return {boost::asio::ssl::error::unspecified_system_error, std::string(what)};
    char text[256];
    ERR_error_string_n(error, text, sizeof text);
    const char* reason = ERR_reason_error_string(error);
    return {{static_cast<int>(error), boost::asio::error::get_ssl_category()},
            std::string(what) + ": " + (reason ? reason : text)};
}

TlsResult<std::shared_ptr<const TlsServerContext>> TlsServerContext::load(const std::string& cert_chain_file,
                                                                          const std::string& key_file,
                                                                          bool tls13_only) {
    ERR_clear_error();
    if (TlsError e = check_readable(cert_chain_file, "certificate file"); e.code) return e;
    if (TlsError e = check_readable(key_file, "key file"); e.code) return e;
    SslContextPtr context = new_context(TLS_server_method());
    if (!context) return take_openssl_error("cannot create a TLS server context");
    if (tls13_only) SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_chain_file(context.get(), cert_chain_file.c_str()) != 1)
        return take_openssl_error("cannot load the certificate chain from " + cert_chain_file);
    if (SSL_CTX_use_PrivateKey_file(context.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL checks the key against the certificate here already; its
        // words for that ("key values mismatch") do not say which files.
        const int reason = ERR_GET_REASON(ERR_peek_error());
        if (reason == X509_R_KEY_VALUES_MISMATCH || reason == X509_R_KEY_TYPE_MISMATCH)
            return take_openssl_error("the private key in " + key_file +
                                      " does not match the certificate in " + cert_chain_file);
        return take_openssl_error("cannot load the private key from " + key_file);
    }
    if (SSL_CTX_check_private_key(context.get()) != 1)
        return take_openssl_error("the private key in " + key_file + " does not match the certificate in " +
                                  cert_chain_file);
    return std::shared_ptr<const TlsServerContext>(new TlsServerContext(std::move(context), cert_chain_file));
}

TlsResult<std::shared_ptr<const TlsClientContext>> TlsClientContext::create(
    const TlsClientSettings& settings) {
    ERR_clear_error();
    SslContextPtr context = new_context(TLS_client_method());
    if (!context) return take_openssl_error("cannot create a TLS client context");
    if (settings.insecure) {
        SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
        if (settings.ca_file.empty()) {
            if (SSL_CTX_set_default_verify_paths(context.get()) != 1)
                return take_openssl_error("cannot use the system's CA certificates");
        } else {
            if (TlsError e = check_readable(settings.ca_file, "CA file"); e.code) return e;
            if (SSL_CTX_load_verify_locations(context.get(), settings.ca_file.c_str(), nullptr) != 1)
                return take_openssl_error("cannot load CA certificates from " + settings.ca_file);
        }
    }
    return std::shared_ptr<const TlsClientContext>(
        new TlsClientContext(std::move(context), !settings.insecure));
}

}  // namespace sluice::net
