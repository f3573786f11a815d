#pragma once
// Persistent shared objects on disk: one file per object,
// <dir>/<app>/<instance>/<name>.so ("_definst_" for the default instance),
// written so that a crash (SIGKILL, power loss) leaves either the previous
// file or the new one, never a torn one: the bytes go to "<file>.tmp",
// which is fsync'd and renamed over the file, and the folder is fsync'd.
//
// Format: "SLUICESO" (8 bytes), U32 length (big-endian), then a type-19
// shared object message payload (REFERENCE.md §6.1) with the object's
// name, version, persistence flag and one Change holding every slot. The
// reader is rtmp::decode_shared_object, limits included, so a damaged or
// hostile file is refused like a hostile peer's message.
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "server/shared_object.hpp"

namespace sluice::server {

/// Where the persistent object `name` of `app`/`instance` lives. `name`
/// and `instance` must have passed check_shared_object_name() /
/// check_app_path() ('/'-separated safe segments).
std::filesystem::path shared_object_path(const std::filesystem::path& dir, std::string_view app,
                                         std::string_view instance, std::string_view name);

/// Writes `object` atomically (see above), creating the folders. Returns
/// the failing step's error (errno) or success.
base::Status save_shared_object(const std::filesystem::path& path, const SharedObject& object);

/// Reads the object saved at `path`. A missing file is
/// std::errc::no_such_file_or_directory; a damaged one, a decode error;
/// more slots than limits.max_properties, std::errc::file_too_large.
base::Result<SharedObject> load_shared_object(const std::filesystem::path& path,
                                              const SharedObjectLimits& limits);

/// Why `name` (a shared object name from a peer) is refused, or nullopt:
/// 1..max_bytes bytes of '/'-separated segments, each accepted by
/// check_stream_name() (name_check.hpp).
std::optional<std::string> check_shared_object_name(std::string_view name, std::size_t max_bytes);

}  // namespace sluice::server
