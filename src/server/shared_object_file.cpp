#include "server/shared_object_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "base/byte_writer.hpp"
#include "server/name_check.hpp"

namespace sluice::server {

namespace {

constexpr std::string_view magic = "SLUICESO";
/// A file is never larger than what max_properties slots of max_value_bytes
/// could take; this stops a damaged length from reserving gigabytes.
constexpr std::size_t max_file_bytes = 256u << 20;

std::error_code last_error() {
    return {errno, std::system_category()};
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
base::Status write_all(int fd, base::Bytes bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return last_error();
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

base::Status fsync_folder(const std::filesystem::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_error();
    const int rc = ::fsync(fd);
    const std::error_code error = rc == 0 ? std::error_code{} : last_error();
    ::close(fd);
    return error;
}

}  // namespace

std::filesystem::path shared_object_path(const std::filesystem::path& dir, std::string_view app,
                                         std::string_view instance, std::string_view name) {
    std::filesystem::path path =
        dir / std::string(app) / std::string(instance.empty() ? "_definst_" : instance);
    path /= std::string(name) + ".so";
    return path;
}

std::optional<std::string> check_shared_object_name(std::string_view name, std::size_t max_bytes) {
    if (name.empty()) return "empty";
    if (name.size() > max_bytes) return "longer than " + std::to_string(max_bytes) + " bytes";
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = name.find('/', start);
        const std::string_view segment =
            name.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (auto why = check_stream_name(segment, max_bytes)) return *why;
        if (slash == std::string_view::npos) return std::nullopt;
        start = slash + 1;
    }
}

base::Status save_shared_object(const std::filesystem::path& path, const SharedObject& object) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) return error;

    rtmp::SharedObjectMessage snapshot = object.message({object.change_all()});
    const rtmp::Message encoded = rtmp::encode_shared_object(snapshot, rtmp::Encoding::amf0);
    base::ByteWriter w;
    w.chars(magic);
    w.u32be(static_cast<std::uint32_t>(encoded.payload.size()));
    w.bytes(encoded.payload.bytes());

    std::filesystem::path temp = path;
    temp += ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return last_error();
    const base::ByteVector bytes = w.take();
    error = write_all(fd, bytes);
    if (!error && ::fsync(fd) != 0) error = last_error();
    if (::close(fd) != 0 && !error) error = last_error();
    if (!error && ::rename(temp.c_str(), path.c_str()) != 0) error = last_error();
    if (error) {
        ::unlink(temp.c_str());
        return error;
    }
    return fsync_folder(path.parent_path());
}

base::Result<SharedObject> load_shared_object(const std::filesystem::path& path,
                                              const SharedObjectLimits& limits) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::make_error_code(std::errc::no_such_file_or_directory);
    std::string head(magic.size() + 4, '\0');
    if (!in.read(head.data(), static_cast<std::streamsize>(head.size())) ||
        std::string_view(head).substr(0, magic.size()) != magic) {
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    const auto* h = reinterpret_cast<const std::uint8_t*>(head.data()) + magic.size();
    const std::size_t length =
        (std::size_t{h[0]} << 24) | (std::size_t{h[1]} << 16) | (std::size_t{h[2]} << 8) | std::size_t{h[3]};
    if (length > max_file_bytes) return std::make_error_code(std::errc::file_too_large);
    base::ByteVector body(length);
    if (!in.read(reinterpret_cast<char*>(body.data()), static_cast<std::streamsize>(length)) ||
        in.peek() != std::char_traits<char>::eof()) {
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }

    rtmp::Message message;
    message.type = rtmp::MessageType::shared_object_amf0;
    message.payload = base::Payload::from(std::move(body));
    rtmp::SharedObjectOptions options;
    options.keep_unknown_events = false;
    auto decoded = rtmp::decode_shared_object(message, options);
    if (!decoded) return decoded.error();
    if (decoded->events.size() != 1 || !decoded->events[0].is(rtmp::SharedObjectEventType::change)) {
        return std::make_error_code(std::errc::illegal_byte_sequence);
    }
    std::vector<amf::Property>& slots = decoded->events[0].slots;
    if (slots.size() > limits.max_properties) return std::make_error_code(std::errc::file_too_large);
    std::map<std::string, amf::Value> map;
    for (auto& slot : slots) map[std::move(slot.name)] = std::move(slot.value);
    return SharedObject(decoded->name, decoded->persistent(), decoded->version, std::move(map));
}

}  // namespace sluice::server
