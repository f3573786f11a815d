// Session: remote method calls (methods.hpp). A client's call runs the
// application's handler; a handler may call the client back through
// call_client(), whose answers come here as `_result` / `_error`.
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rtmp/responses.hpp"
#include "server/name_check.hpp"
#include "server/session.hpp"

namespace sluice::server {

namespace asio = boost::asio;

namespace {

/// The description of an `_error`'s info object, or a stand-in.
std::string error_description(const rtmp::Command& command) {
    for (const amf::Value& value : command.arguments) {
        if (const amf::Value* d = value.find("description"); d && d->string()) return *d->string();
    }
    return "the client answered _error";
}

}  // namespace

void Session::on_call(const rtmp::Command& command) {
    const std::optional<MethodHandler> handler = app_->methods().find(command.name);
    if (!handler) {
        if (command.transaction_id == 0) {
            spdlog::debug("#{} call '{}' without a transaction ignored", id_, escape_name(command.name));
            return;
        }
        send_error(command.transaction_id, rtmp::Status::call_failed,
                   "Method '" + command.name + "' is not found.");
        return;
    }
    if (methods_running_ >= limits_.max_calls_in_flight) {
        if (command.transaction_id != 0) {
            send_error(
                command.transaction_id, rtmp::Status::call_failed,
                "Too many calls in flight (limit " + std::to_string(limits_.max_calls_in_flight) + ").");
        }
        return;
    }
    MethodOutcome outcome = (*handler)(shared_from_this(), command.arguments);
    if (auto* now = std::get_if<MethodReply>(&outcome)) {
        answer_call(command.transaction_id, command.name, *now);
        return;
    }
    ++methods_running_;
    auto running = run_method(std::get<asio::awaitable<MethodReply>>(std::move(outcome)),
                              command.transaction_id, command.name);
    asio::co_spawn(wake_.get_executor(), std::move(running), asio::detached);
}

asio::awaitable<void> Session::run_method(asio::awaitable<MethodReply> running, double transaction_id,
                                          std::string name) {
    // The coroutine may outlive the connection's reader; the session stays
    // alive until it ends.
    const auto self = shared_from_this();
    MethodReply reply;
    try {
        reply = co_await std::move(running);
    } catch (const std::exception& e) {
        spdlog::warn("#{} method '{}' failed: {}", id_, escape_name(name), e.what());
        reply = MethodError{"The method failed."};
    }
    --methods_running_;
    if (!closed_ && !closing_) answer_call(transaction_id, name, reply);
}

void Session::answer_call(double transaction_id, const std::string& name, const MethodReply& reply) {
    if (transaction_id == 0) return;
    if (const auto* values = std::get_if<std::vector<amf::Value>>(&reply)) {
        send_result(transaction_id, *values);
    } else {
        const auto& error = std::get<MethodError>(reply);
        spdlog::debug("#{} call '{}' answered _error: {}", id_, escape_name(name), error.description);
        send_error(transaction_id, rtmp::Status::call_failed, error.description);
    }
    player_has_frames();  // a coroutine's answer: write it now if the writer sleeps
}

asio::awaitable<MethodReply> Session::call_client(std::string method, std::vector<amf::Value> arguments) {
    const auto self = shared_from_this();
    if (closed_ || closing_) co_return MethodError{"the connection is closed"};
    if (client_calls_.size() >= limits_.max_calls_in_flight) {
        co_return MethodError{"too many calls to the client in flight"};
    }
    const double transaction_id = next_call_transaction_++;
    auto call = std::make_shared<ClientCall>(wake_.get_executor());
    call->timer.expires_after(limits_.call_timeout);
    client_calls_.emplace(transaction_id, call);

    rtmp::Command command;
    command.name = std::move(method);
    command.transaction_id = transaction_id;
    command.command_object = amf::Null{};
    command.arguments = std::move(arguments);
    send(rtmp::encode_command(command, encoding_, 0), rtmp::csid::net_connection);
    player_has_frames();

    boost::system::error_code ignored;
    auto wait = call->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_await std::move(wait);
    client_calls_.erase(transaction_id);
    if (call->reply) co_return std::move(*call->reply);
    if (closed_ || closing_) co_return MethodError{"the connection closed before the client answered"};
    co_return MethodError{"the client did not answer within " + std::to_string(limits_.call_timeout.count()) +
                          " ms"};
}

void Session::on_call_answer(const rtmp::Command& command) {
    const auto it = client_calls_.find(command.transaction_id);
    if (it == client_calls_.end()) return;  // e.g. an answer to onBWDone, or one that came too late
    ClientCall& call = *it->second;
    if (call.reply) return;
    if (command.name == rtmp::command_name::result) {
        call.reply = MethodReply(command.arguments);
    } else {
        call.reply = MethodReply(MethodError{error_description(command)});
    }
    call.timer.cancel();
}

void Session::cancel_client_calls() {
    for (auto& [id, call] : client_calls_) call->timer.cancel();
}

}  // namespace sluice::server
