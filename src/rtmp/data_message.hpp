#pragma once
// rtmp::DataMessage: data messages, types 18 (AMF0) and 15 (AMF3)
// (RTMP 1.0 §7.1.2; REFERENCE.md §1.7, §3.5, §4.3, §7.5).
//
// Wire layout of the payload (no transaction id):
//
//   type 18:  handler(String) | value*
//   type 15:  00 | the same in AMF0, values may be `11` + one AMF3 value
//
// Handlers seen in practice: `@setDataFrame` (publisher -> server, wraps
// 'onMetaData' + array), `@clearDataFrame`, `onMetaData` (server -> player),
// `|RtmpSampleAccess`, `onPlayStatus`, `onStatus` (NetStream.Data.Start),
// onTextData / onCuePoint / onCaption / onFI and any custom handler, which
// are kept as name + values and relayed unchanged.
//
// Contract: decode_data_message() never throws on peer input. Errors:
// data_message_malformed (wrong message type, empty payload, leading byte
// of a type-15 payload not 00, first value not a String) and
// the AMF reader's own amf::Errc (bad AMF). Limits come from CommandOptions::amf.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amf/value.hpp"
#include "base/result.hpp"
#include "rtmp/command.hpp"
#include "rtmp/responses.hpp"

namespace sluice::rtmp {

namespace data_handler {
inline constexpr std::string_view set_data_frame = "@setDataFrame";
inline constexpr std::string_view clear_data_frame = "@clearDataFrame";
inline constexpr std::string_view on_meta_data = "onMetaData";
inline constexpr std::string_view sample_access = "|RtmpSampleAccess";
inline constexpr std::string_view on_play_status = "onPlayStatus";
inline constexpr std::string_view on_status = "onStatus";
inline constexpr std::string_view on_text_data = "onTextData";
inline constexpr std::string_view on_cue_point = "onCuePoint";
}  // namespace data_handler

/// One data message: a handler name and its values.
struct DataMessage {
    std::string handler;
    std::vector<amf::Value> values;
    friend bool operator==(const DataMessage&, const DataMessage&) = default;
};

constexpr bool is_data(MessageType t) noexcept {
    return t == MessageType::data_amf0 || t == MessageType::data_amf3;
}

base::Result<DataMessage> decode_data_message(const Message& message, const CommandOptions& options = {});
/// Encodes as type 18 (amf0) or 15 (amf3, leading 00, complex values behind `11`).
Message encode_data_message(const DataMessage& data, Encoding encoding, MessageStreamId stream_id,
                            base::Timestamp timestamp = 0);
/// `handler [values...]` via amf::debug_string, for logs and transcripts.
std::string debug_string(const DataMessage& data);

/// `@setDataFrame`, 'onMetaData', array -> 'onMetaData', array: what a
/// server stores and sends to players (REFERENCE.md §4.3). Returns nullopt
/// when `data` is not an @setDataFrame with a String second name.
std::optional<DataMessage> strip_set_data_frame(const DataMessage& data);

/// Metadata (`onMetaData`, or `@setDataFrame` + 'onMetaData'): the
/// properties as an ECMA array (an Object or AMF3 mixed array is accepted
/// and converted to an ECMA array, keeping order).
struct MetaData {
    amf::EcmaArray properties;

    /// Accepts `onMetaData, array` and `@setDataFrame, onMetaData, array`.
    /// Errors: command_malformed (other handler), command_argument_missing /
    /// command_argument_type (no property list).
    static base::Result<MetaData> decode(const DataMessage& d, std::string* why = nullptr);
    /// 'onMetaData', ECMA array (what players receive).
    DataMessage to_data() const;
    /// '@setDataFrame', 'onMetaData', ECMA array (what publishers send; §4.3 worked bytes).
    DataMessage to_set_data_frame() const;
    friend bool operator==(const MetaData&, const MetaData&) = default;
};

/// `@clearDataFrame`, 'onMetaData' (publisher drops the stored metadata).
DataMessage make_clear_data_frame();
bool is_clear_data_frame(const DataMessage& d) noexcept;

/// 'onStatus', {code:"NetStream.Data.Start"} as a data message (type 18),
/// which SRS can send to players after NetStream.Play.Start (off by default
/// there: FFmpeg then opens an empty data stream; REFERENCE.md §4.3).
DataMessage make_data_start();

/// `|RtmpSampleAccess`, Boolean, Boolean. Servers send both true
/// (nginx-rtmp); Red5 orders audio-then-video, SRS video-then-audio.
struct SampleAccess {
    bool first = true;
    bool second = true;
    static base::Result<SampleAccess> decode(const DataMessage& d, std::string* why = nullptr);
    DataMessage to_data() const;
    friend bool operator==(const SampleAccess&, const SampleAccess&) = default;
};

/// `onPlayStatus` (data message): {code, level, [duration], [bytes],
/// [details], [clientid]} with NetStream.Play.Complete / Switch /
/// TransitionComplete (Red5 PlayEngine). Info-object properties other than
/// level/code/description/details/clientid are in other_properties; this
/// struct puts duration and bytes there via the builder.
struct OnPlayStatus {
    StatusObject information;

    static OnPlayStatus make(Status s, std::optional<double> duration = std::nullopt,
                             std::optional<double> bytes = std::nullopt);
    static base::Result<OnPlayStatus> decode(const DataMessage& d, std::string* why = nullptr);
    DataMessage to_data() const;
    friend bool operator==(const OnPlayStatus&, const OnPlayStatus&) = default;
};

}  // namespace sluice::rtmp
