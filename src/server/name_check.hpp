#pragma once
// Name checks of `sluice serve`: which application paths (the `app` of
// `connect`) and stream names (of `publish` and `play`) the server accepts.
// Names come from the peer and end up in stream keys, log lines and, with
// recording, file paths; refusing odd ones early keeps every later use
// simple (no traversal, no control bytes in logs, no invalid UTF-8).
//
// Contract (docs/protocol.md, "Names"):
//  - A name is accepted when it is 1..max_bytes bytes long, valid UTF-8
//    (no overlong forms, no surrogates U+D800..U+DFFF, nothing above
//    U+10FFFF, no truncated sequence, no stray continuation byte), has no
//    control character (< 0x20, 0x7F, NUL included), contains no '/' or
//    '\\', does not start with '.' (so neither "." nor ".."), and its ASCII
//    characters are only A-Z a-z 0-9 and - _ . ~ : @ + = , . Any valid
//    non-ASCII UTF-8 character is accepted.
//  - check_stream_name() takes a stream name without its query (the part
//    before '?', see strip_query()); the query is never checked nor used
//    as a path.
//  - check_app_path() takes the application and instance of a parsed
//    `connect` app (see parse_app_path()) and checks each '/'-separated
//    segment of both with the rules above ("live/room1/a" -> "live",
//    "room1", "a"; an empty segment, as in "room1//a", is refused).
//  - Both return why the name is refused (a short English phrase such as
//    "not valid UTF-8 (byte 3)"), or nullopt when it is accepted. They
//    never throw on any input and never read past the view.
//  - escape_name() makes any byte string safe for one log line.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::server {

/// Why `name` (a stream name without its query) is refused, or nullopt.
std::optional<std::string> check_stream_name(std::string_view name, std::size_t max_bytes);

/// Why the application path `app` + "/" + `instance` is refused, or nullopt.
/// `instance` may hold several '/'-separated segments; each is checked.
std::optional<std::string> check_app_path(std::string_view app, std::string_view instance,
                                          std::size_t max_bytes);

/// `name` for a log line: printable ASCII as is except '\\' and '"' (escaped
/// with a backslash), every other byte as \xNN (so UTF-8 shows as bytes).
/// Output beyond `max_bytes` of input is cut and marked with "...".
std::string escape_name(std::string_view name, std::size_t max_bytes = 300);

}  // namespace sluice::server
