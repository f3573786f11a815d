#pragma once
// The flags every client subcommand shares: how to connect, as librtmp's
// (rtmpdump) and FFmpeg's users know them.
//
//   --simple-handshake     the spec's simple handshake (librtmp, OBS) instead of the digest one
//   --flash-ver TEXT       connect's flashVer (default: the command's own)
//   --swf-url URL          connect's swfUrl          --page-url URL   connect's pageUrl
//   --object-encoding 0|3  connect's objectEncoding (AMF0 or AMF3 commands)
//   --conn TYPE:VALUE      an extra connect argument, repeatable, librtmp's conn= syntax
//                          (client/connect_arguments.hpp): B:1, N:3.5, S:text, Z:, O:1 ... O:0
//   --swf-hash HEX         SWF verification: SHA-256 of the decompressed player SWF (64 hex digits)
//   --swf-size N           ... and its size in bytes (librtmp's -w/-x; both or neither)
//   --ca-file FILE         rtmps://: trust these CA certificates instead of the system's
//   --insecure             rtmps://: check neither certificate nor host name (warned on stderr)
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

struct ConnectFlags {
    bool simple_handshake = false;
    std::string flash_ver;  ///< empty: the command's default
    std::string swf_url;
    std::string page_url;
    int object_encoding = 0;
    std::vector<std::string> conn;
    std::string swf_hash;        ///< empty: no SWF verification
    std::uint64_t swf_size = 0;  ///< 0: not given
    std::string ca_file;
    bool insecure = false;
};

/// Registers the flags on `cmd`, writing into `flags`.
void add_connect_flags(CLI::App& cmd, ConnectFlags& flags);

/// Copies the flags into `options` (whose flash_ver is the command's default
/// and stays so without --flash-ver). False, with `error` set, when a --conn
/// item does not parse or --swf-hash/--swf-size are malformed or not given
/// together: a usage error (exit 1).
bool apply_connect_flags(const ConnectFlags& flags, client::ClientOptions& options, std::string& error);

/// The URL a client subcommand was given, which must name a stream. On a bad
/// URL prints "sluice COMMAND: bad URL ..." (or that it names no stream) to
/// stderr and returns nullopt: a usage error (exit 1).
std::optional<rtmp::Url> parse_stream_url(std::string_view command, const std::string& text);

}  // namespace sluice::app
