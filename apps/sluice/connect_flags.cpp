#include "connect_flags.hpp"

#include <cstdio>

#include "client/connect_arguments.hpp"
#include "rtmp/swf_verification.hpp"

namespace sluice::app {

void add_connect_flags(CLI::App& cmd, ConnectFlags& flags) {
    cmd.add_flag("--simple-handshake", flags.simple_handshake,
                 "Use the spec's simple handshake (as librtmp and OBS do) instead of the digest one "
                 "(FFmpeg's, Flash Player's)");
    cmd.add_option(
        "--flash-ver", flags.flash_ver,
        "connect's flashVer, e.g. \"FMLE/3.0 (compatible; FMSc/1.0)\" (servers key behaviour off it)");
    cmd.add_option("--swf-url", flags.swf_url, "connect's swfUrl (not sent when empty)");
    cmd.add_option("--page-url", flags.page_url, "connect's pageUrl (not sent when empty)");
    cmd.add_option("--object-encoding", flags.object_encoding,
                   "connect's objectEncoding: 0 (AMF0, default) or 3 (AMF3 commands)")
        ->check(CLI::IsMember({0, 3}));
    cmd.add_option(
        "--conn", flags.conn,
        "An extra connect argument, repeatable, in librtmp's conn= syntax: B:1, N:3.5, S:text, Z:, "
        "O:1 ... O:0 for an object with named items NB:name:1, NN:, NS:, NZ:, NO: (e.g. "
        "--conn S:secret)");
    cmd.add_option("--swf-hash", flags.swf_hash,
                   "SWF verification: SHA-256 of the decompressed player SWF, 64 hex digits (librtmp's -w); "
                   "answers the server's SWFVerify request. Needs --swf-size");
    cmd.add_option("--swf-size", flags.swf_size,
                   "SWF verification: size in bytes of the decompressed player SWF (librtmp's -x)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{0xFFFFFFFF}));
    cmd.add_option(
           "--ca-file", flags.ca_file,
           "rtmps:// and rtmpts://: PEM file of the CA certificates to trust (default: the system's store)")
        ->check(CLI::ExistingFile);
    cmd.add_flag(
        "--insecure", flags.insecure,
        "rtmps:// and rtmpts://: accept any certificate for any host name (test servers); the stream is "
        "still encrypted but not protected from whoever sits in between");
}

bool apply_connect_flags(const ConnectFlags& flags, client::ClientOptions& options, std::string& error) {
    auto arguments = client::parse_connect_arguments(flags.conn, &error);
    if (!arguments) return false;
    options.connect_arguments = std::move(*arguments);
    if (flags.swf_hash.empty() != (flags.swf_size == 0)) {
        error = "--swf-hash and --swf-size go together";
        return false;
    }
    if (!flags.swf_hash.empty()) {
        const auto hash = rtmp::parse_swf_hash(flags.swf_hash);
        if (!hash) {
            error = "--swf-hash: '" + flags.swf_hash + "' is not 64 hex digits";
            return false;
        }
        options.swf = rtmp::SwfFile{*hash, static_cast<std::uint32_t>(flags.swf_size)};
    }
    options.digest_handshake = !flags.simple_handshake;
    if (!flags.flash_ver.empty()) options.flash_ver = flags.flash_ver;
    options.swf_url = flags.swf_url;
    options.page_url = flags.page_url;
    options.object_encoding = flags.object_encoding;
    options.tls.ca_file = flags.ca_file;
    options.tls.insecure = flags.insecure;
    static bool warned = false;  // bench applies the flags once per player
    if (flags.insecure && !warned) {
        warned = true;
        std::fprintf(stderr,
                     "sluice: WARNING: --insecure: the server's certificate and host name are NOT checked; "
                     "anyone between you and the server can pose as it and read or change the stream\n");
    }
    return true;
}

std::optional<rtmp::Url> parse_stream_url(std::string_view command, const std::string& text) {
    const std::string name(command);
    std::string why;
    auto url = rtmp::Url::parse(text, &why);
    if (!url) {
        std::fprintf(stderr, "sluice %s: bad URL '%s': %s\n", name.c_str(), text.c_str(), why.c_str());
        return std::nullopt;
    }
    if (url->stream.empty()) {
        std::fprintf(stderr, "sluice %s: the URL names no stream: use rtmp://host[:port]/app/STREAM\n",
                     name.c_str());
        return std::nullopt;
    }
    return *url;
}

}  // namespace sluice::app
