#include "server/methods.hpp"

#include <filesystem>

#include "rtmp/command.hpp"
#include "server/app_path.hpp"
#include "server/application.hpp"
#include "server/name_check.hpp"
#include "server/recorder.hpp"
#include "server/vod_file.hpp"

namespace sluice::server {

namespace cn = rtmp::command_name;

void MethodTable::add(std::string name, MethodHandler handler) {
    const std::lock_guard lock(mutex_);
    handlers_[std::move(name)] = std::move(handler);
}

void MethodTable::remove(const std::string& name) {
    const std::lock_guard lock(mutex_);
    handlers_.erase(name);
}

std::optional<MethodHandler> MethodTable::find(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    const auto it = handlers_.find(name);
    if (it == handlers_.end()) return std::nullopt;
    return it->second;
}

namespace {

/// getStreamLength(name): the file's length in seconds; 0 for a live stream
/// (FFmpeg asks unless told it is live), a name that does not check, or a
/// file that does not open.
double stream_length(CallContext& caller, const std::vector<amf::Value>& arguments) {
    const std::string* raw = arguments.empty() ? nullptr : arguments.front().string();
    if (!raw) return 0;
    Application& app = caller.application();
    const ServerConfig& config = caller.server_config();
    const std::string name(strip_query(*raw));
    if (check_stream_name(name, config.limits.max_name_bytes)) return 0;
    std::optional<std::string> path;
    VodContainer container = VodContainer::flv;
    if (app.config().kind == AppKind::vod) {
        if (const auto vod_name = parse_vod_name(name)) {
            container = vod_name->container;
            if (auto p = media_file_path(config.media, vod_name->file)) path = std::move(*p);
        }
    } else if (!app.hub().published(Application::stream_key(caller.instance(), name))) {
        std::error_code error;
        const std::string app_dir =
            caller.instance() == default_instance ? app.name() : app.name() + "/" + caller.instance();
        if (auto p = recording_path(config.recordings, app_dir, name);
            p && std::filesystem::is_regular_file(*p, error))
            path = std::move(*p);
    }
    if (!path) return 0;
    auto file = VodFile::open(*path, container);
    return file ? static_cast<double>((*file)->duration_ms()) / 1000.0 : 0;
}

}  // namespace

void add_builtin_methods(MethodTable& table) {
    table.add(std::string(cn::get_stream_length),
              [](std::shared_ptr<CallContext> caller, std::vector<amf::Value> args) {
                  return MethodOutcome(MethodReply(std::vector<amf::Value>{stream_length(*caller, args)}));
              });
    table.add(std::string(cn::check_bw), [](std::shared_ptr<CallContext>, std::vector<amf::Value>) {
        return MethodOutcome(MethodReply(std::vector<amf::Value>{amf::Null{}}));
    });
    for (std::string_view name : {cn::release_stream, cn::fc_publish, cn::fc_subscribe}) {
        table.add(std::string(name), [](std::shared_ptr<CallContext>, std::vector<amf::Value>) {
            return MethodOutcome(MethodReply(std::vector<amf::Value>{amf::Undefined{}}));
        });
    }
}

}  // namespace sluice::server
