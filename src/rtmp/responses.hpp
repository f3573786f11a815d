#pragma once
// Server replies and status notifications (RTMP 1.0 §7.2.1.1, §7.2.1.3,
// §7.2.2; REFERENCE.md §4.1, §4.3, §4.5, §5): `_result` / `_error`,
// `onStatus`, and the de facto onFCPublish / onFCUnpublish / onFCSubscribe,
// onBWDone. Same shape as the command structs: decode(const Command&, why),
// to_command(), encode(Encoding, MessageStreamId). Clients use decode() to
// read a server's answer; servers use the builders.
//
// Exact content (REFERENCE.md §4.1, §4.3):
//   connect _result:  '_result', txn, {fmsVer, capabilities[, mode]
//                     [, videoFourCcInfoMap, audioFourCcInfoMap, capsEx]},
//                     {level, code, description, objectEncoding[, data]}
//   connect _error:   '_error', txn, null, {level:"error", code, description}
//   createStream:     '_result', txn, null, Number stream id
//   onStatus:         'onStatus', 0, null, {level, code, description
//                     [, details][, clientid]...}
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amf/value.hpp"
#include "base/result.hpp"
#include "rtmp/command.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/status.hpp"

namespace sluice::rtmp {

/// An info object: {level, code, description[, details][, clientid], ...}.
/// Level and code stay strings so a peer's unknown codes survive.
struct StatusObject {
    std::string level = "status";
    std::string code;
    std::string description;
    std::optional<std::string> details;   ///< e.g. the stream name on Play.Start
    std::optional<amf::Value> client_id;  ///< "clientid" (String or Number, server-chosen)
    amf::Object other_properties;         ///< anything else, wire order (encoded last)

    /// Level, code and (unless `description` is non-empty) the default
    /// description from the catalogue.
    static StatusObject from(Status s, std::string_view description = {});
    /// The catalogue entry for `code`, or nullopt when the code is not in it.
    std::optional<Status> status() const noexcept { return find_status(code); }
    /// Parses an info object; `code` is required (String), the rest optional.
    static base::Result<StatusObject> from_value(const amf::Value& v, std::string_view command,
                                                 std::string* why = nullptr);
    amf::Object to_object() const;
    friend bool operator==(const StatusObject&, const StatusObject&) = default;
};

/// connect `_result` (§7.2.1.1; REFERENCE.md §4.1). Defaults are FFmpeg's
/// listen mode (fmsVer FMS/3,0,1,123, capabilities 31) with SRS's mode 1.
/// objectEncoding echoes the client's value; E-RTMP fields are the server's
/// own support (sent only when set). Any information property other than
/// level/code/description/details/clientid/objectEncoding/data lands in
/// information.other_properties.
struct ConnectResult {
    double transaction_id = 1;
    std::string fms_ver = "FMS/3,0,1,123";
    double capabilities = 31;
    std::optional<double> mode = 1;
    std::optional<FourCcInfoMap> video_fourcc_info_map;
    std::optional<FourCcInfoMap> audio_fourcc_info_map;
    std::optional<double> caps_ex;
    StatusObject information = StatusObject::from(Status::connect_success);
    std::optional<double> object_encoding = 0;
    std::optional<amf::Value> data;  ///< SRS: ECMA array {version, ...}

    static base::Result<ConnectResult> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const ConnectResult&, const ConnectResult&) = default;
};

/// `_error` carrying an info object: connect rejection (Rejected /
/// InvalidApp / Failed, with the description a client shows; FFmpeg parses
/// `authmod=` challenges out of it, §4.7) or any failed call.
struct ErrorResponse {
    double transaction_id = 1;
    StatusObject information = StatusObject::from(Status::connect_rejected);

    static ErrorResponse connect_error(Status s, std::string_view description = {},
                                       double transaction_id = 1);
    static base::Result<ErrorResponse> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;
};

/// createStream `_result` (§7.2.1.3): '_result', txn, null, Number stream id.
struct CreateStreamResult {
    double transaction_id = 2;
    double stream_id = 1;

    static base::Result<CreateStreamResult> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const CreateStreamResult&, const CreateStreamResult&) = default;
};

/// Any `_result` / `_error`: txn, command object (usually null), values.
/// Builders for the de facto answers of REFERENCE.md §4.3:
///   releaseStream / FCPublish / FCUnpublish:  '_result', txn, null, undefined (SRS)
///   _checkbw and unknown calls:               '_result', txn, null, null (SRS)
///   getStreamLength:                          '_result', txn, null, Number seconds
struct CallResult {
    bool is_error = false;
    double transaction_id = 0;
    amf::Value command_object = amf::Null{};
    std::vector<amf::Value> values;

    static CallResult undefined_result(double transaction_id);
    static CallResult check_bw_result(double transaction_id);
    static CallResult stream_length(double transaction_id, double seconds);
    static base::Result<CallResult> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const CallResult&, const CallResult&) = default;
};

/// `onStatus` (§7.2.2): 'onStatus', 0, null, info object. NetConnection
/// codes go on msid 0, NetStream codes on the stream's msid.
/// Example (REFERENCE.md §4.3): OnStatus::make(Status::publish_start, "ok").
struct OnStatus {
    double transaction_id = 0;
    StatusObject information;

    static OnStatus make(Status s, std::string_view description = {},
                         std::optional<std::string> details = std::nullopt,
                         std::optional<amf::Value> client_id = std::nullopt);
    static base::Result<OnStatus> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 1) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const OnStatus&, const OnStatus&) = default;
};

/// `onFCPublish` / `onFCUnpublish` / `onFCSubscribe` (de facto, §4.3):
/// 'name', 0, null[, {code, description}]. FFmpeg's listener sends no
/// object; SRS sends {code:"NetStream.Publish.Start", description}.
struct OnFcStatus {
    enum class Kind : std::uint8_t { publish, unpublish, subscribe };
    Kind kind = Kind::publish;
    std::optional<std::string> code;
    std::optional<std::string> description;

    static OnFcStatus make(Kind kind, std::string_view stream_name);  ///< SRS-style with code + description
    static base::Result<OnFcStatus> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const OnFcStatus&, const OnFcStatus&) = default;
};

/// `onBWDone` (de facto, §4.3): 'onBWDone', 0, null[, Number kbps].
/// FFmpeg's listener adds 8192; SRS sends none. Clients answer `_checkbw`.
struct OnBwDone {
    double transaction_id = 0;
    std::optional<double> kbps;

    static base::Result<OnBwDone> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const OnBwDone&, const OnBwDone&) = default;
};

}  // namespace sluice::rtmp
