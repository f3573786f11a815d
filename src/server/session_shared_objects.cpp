// Session: shared object messages (types 19 and 16; REFERENCE.md §6). The
// application's SharedObjectRegistry holds the objects; this file turns a
// peer's message into registry calls and queues what the registry sends.
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "server/name_check.hpp"
#include "server/session.hpp"
#include "server/shared_object_file.hpp"

namespace sluice::server {

using EventType = rtmp::SharedObjectEventType;

SharedObjectUser Session::shared_object_user() {
    return SharedObjectUser{id_, std::weak_ptr<SharedObjectSubscriber>(shared_from_this()), encoding_};
}

void Session::on_shared_object(const rtmp::Message& message) {
    rtmp::SharedObjectOptions options;
    options.amf = command_options_.amf;
    auto decoded = rtmp::decode_shared_object(message, options);
    if (!decoded) {
        close("malformed shared object message: " + decoded.error().message());
        return;
    }
    rtmp::SharedObjectMessage& so = *decoded;
    SharedObjectRegistry& registry = app_->shared_objects();
    const SharedObjectUser user = shared_object_user();
    if (auto why = check_shared_object_name(so.name, limits_.max_name_bytes)) {
        spdlog::debug("#{} shared object name \"{}\" refused: {}", id_, escape_name(so.name), *why);
        deliver_shared_object(rtmp::encode_shared_object(
            shared_object_status(so.name, so.persistent(), "SharedObject.ObjectCreationFailed"), encoding_));
        return;
    }

    // Use and Release act on the whole object; the other events go to the
    // registry in runs, keeping the message's order.
    std::vector<rtmp::SharedObjectEvent> run;
    auto flush_run = [&] {
        if (run.empty()) return;
        registry.request(user, app_instance_, so.name, run);
        run.clear();
    };
    for (rtmp::SharedObjectEvent& event : so.events) {
        if (event.is(EventType::use)) {
            flush_run();
            // A second Use of an object in use is answered with its state again.
            const std::size_t max_in_use = app_->shared_objects().limits().max_per_connection;
            if (!shared_objects_.contains(so.name) && shared_objects_.size() >= max_in_use) {
                spdlog::debug(
                    "#{} shared object \"{}\" refused: {} in use (shared_objects.max_per_connection)", id_,
                    escape_name(so.name), shared_objects_.size());
                deliver_shared_object(rtmp::encode_shared_object(
                    shared_object_status(so.name, so.persistent(), "SharedObject.ObjectCreationFailed"),
                    encoding_));
                continue;
            }
            if (registry.use(user, app_instance_, so.name, so.persistent())) shared_objects_.insert(so.name);
        } else if (event.is(EventType::release)) {
            flush_run();
            if (shared_objects_.erase(so.name) != 0) registry.release(id_, app_instance_, so.name);
        } else {
            run.push_back(std::move(event));
        }
    }
    flush_run();
}

void Session::deliver_shared_object(rtmp::Message message) {
    // Called under the object's lock, from any worker: the outbox keeps the
    // order of the calls (a post from this session's own worker could
    // otherwise run after posts made later by another worker).
    bool first = false;
    {
        const std::lock_guard lock(shared_object_mutex_);
        first = shared_object_outbox_.empty();
        shared_object_outbox_.push_back(std::move(message));
    }
    if (first) {
        boost::asio::post(wake_.get_executor(), [self = shared_from_this()] { self->send_shared_objects(); });
    }
}

void Session::send_shared_objects() {
    std::vector<rtmp::Message> batch;
    {
        const std::lock_guard lock(shared_object_mutex_);
        batch.swap(shared_object_outbox_);
    }
    if (closed_ || closing_) return;
    // A subscriber that does not read would make the object's traffic
    // pile up here; past the player's hard limit it is cut off.
    if (connection_.output().size_bytes() > limits_.player_disconnect_bytes) {
        close("shared object subscriber too slow (output over limits.player_disconnect_bytes)");
        return;
    }
    for (const rtmp::Message& message : batch) send(message, rtmp::csid::net_connection);
    player_has_frames();
}

void Session::release_shared_objects() {
    if (!app_) return;
    for (const std::string& name : shared_objects_) app_->shared_objects().release(id_, app_instance_, name);
    shared_objects_.clear();
}

}  // namespace sluice::server
