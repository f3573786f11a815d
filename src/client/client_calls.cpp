// Client: answering the server's calls (on_call). Kept apart from
// client.cpp, which holds the NetConnection and NetStream steps.
#include "client/client.hpp"

namespace sluice::client {

void Client::on_call(std::string name, CallHandler handler) {
    call_handlers_[std::move(name)] = std::move(handler);
}

bool Client::answer_server_call(const rtmp::Command& command) {
    if (command.transaction_id == 0) return false;
    const auto it = call_handlers_.find(command.name);
    if (it == call_handlers_.end()) return false;
    const CallReply reply = it->second(command.arguments);
    rtmp::Message answer;
    const auto encoding = options_.object_encoding == 3 ? rtmp::Encoding::amf3 : rtmp::Encoding::amf0;
    if (const auto* values = std::get_if<std::vector<amf::Value>>(&reply)) {
        rtmp::CallResult result;
        result.transaction_id = command.transaction_id;
        result.values = *values;
        answer = result.encode(encoding);
    } else {
        rtmp::ErrorResponse error;
        error.transaction_id = command.transaction_id;
        error.information = rtmp::StatusObject::from(rtmp::Status::call_failed, std::get<std::string>(reply));
        answer = error.encode(encoding);
    }
    // Queued here, written by the read loop's flush (as pings are answered).
    (void)connection_.send(answer, rtmp::csid::net_connection);
    return true;
}

}  // namespace sluice::client
