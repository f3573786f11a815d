#pragma once
// Typed NetConnection commands sent by clients (RTMP 1.0 §7.2.1;
// REFERENCE.md §4.1–§4.4) and the de facto ones real clients add.
//
// Every struct has the same shape:
//   static base::Result<T> decode(const Command&, std::string* why = nullptr);
//   Command to_command() const;
//   Message encode(Encoding = amf0, MessageStreamId = 0) const;
// decode() checks the command name, then the arguments; a wrong or absent
// required argument is command_argument_type / command_argument_missing and,
// when `why` is given, a detail string naming the command and the argument.
// Optional arguments that are absent, null or undefined take the spec
// default. decode() never throws on peer input.
//
// Transaction ids are kept as the Number sent (clients count up from 1;
// connect is normally 1). NetConnection commands travel on msid 0.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "amf/value.hpp"
#include "base/result.hpp"
#include "rtmp/command.hpp"

namespace sluice::rtmp {

/// E-RTMP v2 FourCC capability map (REFERENCE.md §8.7): FourCC string or
/// "*" -> mask (CanDecode 1, CanEncode 2, CanForward 4), in wire order.
using FourCcInfoMap = std::vector<std::pair<std::string, double>>;

/// E-RTMP bits.
namespace fourcc_info {
inline constexpr double can_decode = 1, can_encode = 2, can_forward = 4;
}
namespace caps_ex {
inline constexpr double reconnect = 1, multitrack = 2, mod_ex = 4, timestamp_nano_offset = 8;
}

/// `connect` (§7.2.1.1): 'connect', txn (1), command object, [user args...].
///
/// Known command-object properties are typed (absent = not sent); E-RTMP
/// fourCcList / videoFourCcInfoMap / audioFourCcInfoMap / capsEx are parsed.
/// Every other property is kept, in wire order, in `other_properties`, and
/// every argument after the command object (librtmp/FFmpeg `conn=` options,
/// auth strings) in `user_arguments`. encode() writes the typed properties
/// in the order app, fourCcList, type, flashVer, swfUrl, tcUrl, fpad,
/// capabilities, audioCodecs, videoCodecs, videoFunction, pageUrl,
/// objectEncoding, videoFourCcInfoMap, audioFourCcInfoMap, capsEx, then the
/// others. Required: a command object with properties and a String `app`.
struct ConnectCommand {
    double transaction_id = 1;
    std::string app;
    std::optional<std::string> flash_ver;  ///< e.g. "LNX 9,0,124,2", "FMLE/3.0 (compatible; FMSc/1.0)"
    std::optional<std::string> swf_url;
    std::optional<std::string> tc_url;  ///< rtmp://host[:port]/app[/instance]
    std::optional<bool> fpad;
    std::optional<double> capabilities;    ///< 15 from FFmpeg and librtmp players
    std::optional<double> audio_codecs;    ///< bit flags, FFmpeg 4071
    std::optional<double> video_codecs;    ///< bit flags, 252 common
    std::optional<double> video_function;  ///< 1 = client seek
    std::optional<std::string> page_url;
    std::optional<double> object_encoding;  ///< 0 = AMF0, 3 = AMF3 (§3.5)
    std::optional<std::string> type;        ///< "nonprivate" from publishing clients (not in the spec)
    std::optional<std::vector<std::string>> fourcc_list;  ///< E-RTMP v1
    std::optional<FourCcInfoMap> video_fourcc_info_map;   ///< E-RTMP v2
    std::optional<FourCcInfoMap> audio_fourcc_info_map;   ///< E-RTMP v2
    std::optional<double> caps_ex;                        ///< E-RTMP v2
    amf::Object other_properties;                         ///< unknown properties, wire order
    std::vector<amf::Value> user_arguments;

    static base::Result<ConnectCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const ConnectCommand&, const ConnectCommand&) = default;
};

/// `call` (§7.2.1.2): any procedure name, txn (0 = no reply), command
/// object or null, arguments. decode() accepts any name.
struct CallCommand {
    std::string procedure_name;
    double transaction_id = 0;
    amf::Value command_object = amf::Null{};
    std::vector<amf::Value> arguments;

    static base::Result<CallCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const;
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const CallCommand&, const CallCommand&) = default;
};

/// A command with only a name, a transaction id and a null command object:
/// `close` (§7.2.1.3), `createStream` (§7.2.1.3, txn > 0, answered by
/// CreateStreamResult), `_checkbw` (de facto, §4.3), `closeStream` (§7.2.2).
template <class Tag>
struct BareCommand {
    static constexpr std::string_view name = Tag::name;
    double transaction_id = Tag::default_transaction_id;

    static base::Result<BareCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const { return Command{std::string(name), transaction_id, amf::Null{}, {}}; }
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const BareCommand&, const BareCommand&) = default;
};

/// A command whose one argument is a stream name (de facto, REFERENCE.md
/// §4.3): 'name', txn, null, streamName. `releaseStream`, `FCPublish`,
/// `FCUnpublish` (publishers, msid 0), `FCSubscribe` and `getStreamLength`
/// (players). Required: the String stream name.
template <class Tag>
struct StreamNameCommand {
    static constexpr std::string_view name = Tag::name;
    double transaction_id = 0;
    std::string stream_name;

    static base::Result<StreamNameCommand> decode(const Command& c, std::string* why = nullptr);
    Command to_command() const {
        return Command{std::string(name), transaction_id, amf::Null{}, {amf::Value(stream_name)}};
    }
    Message encode(Encoding e = Encoding::amf0, MessageStreamId id = 0) const {
        return encode_command(to_command(), e, id);
    }
    friend bool operator==(const StreamNameCommand&, const StreamNameCommand&) = default;
};

namespace detail {
struct close_tag {
    static constexpr std::string_view name = command_name::close;
    static constexpr double default_transaction_id = 0;
};
struct create_stream_tag {
    static constexpr std::string_view name = command_name::create_stream;
    static constexpr double default_transaction_id = 2;
};
struct check_bw_tag {
    static constexpr std::string_view name = command_name::check_bw;
    static constexpr double default_transaction_id = 0;
};
struct close_stream_tag {
    static constexpr std::string_view name = command_name::close_stream;
    static constexpr double default_transaction_id = 0;
};
struct release_stream_tag {
    static constexpr std::string_view name = command_name::release_stream;
};
struct fc_publish_tag {
    static constexpr std::string_view name = command_name::fc_publish;
};
struct fc_unpublish_tag {
    static constexpr std::string_view name = command_name::fc_unpublish;
};
struct fc_subscribe_tag {
    static constexpr std::string_view name = command_name::fc_subscribe;
};
struct get_stream_length_tag {
    static constexpr std::string_view name = command_name::get_stream_length;
};

std::error_code decode_bare(const Command& c, std::string_view name, double& txn, std::string* why);
std::error_code decode_stream_name(const Command& c, std::string_view name, double& txn, std::string& stream,
                                   std::string* why);
}  // namespace detail

using CloseCommand = BareCommand<detail::close_tag>;
using CreateStreamCommand = BareCommand<detail::create_stream_tag>;
using CheckBandwidthCommand = BareCommand<detail::check_bw_tag>;
/// `closeStream` (§7.2.2): stop play/publish on this msid, keep the id. Sent on the stream's msid.
using CloseStreamCommand = BareCommand<detail::close_stream_tag>;
using ReleaseStreamCommand = StreamNameCommand<detail::release_stream_tag>;
using FcPublishCommand = StreamNameCommand<detail::fc_publish_tag>;
using FcUnpublishCommand = StreamNameCommand<detail::fc_unpublish_tag>;
using FcSubscribeCommand = StreamNameCommand<detail::fc_subscribe_tag>;
using GetStreamLengthCommand = StreamNameCommand<detail::get_stream_length_tag>;

template <class Tag>
base::Result<BareCommand<Tag>> BareCommand<Tag>::decode(const Command& c, std::string* why) {
    BareCommand out;
    if (auto ec = detail::decode_bare(c, name, out.transaction_id, why)) return ec;
    return out;
}

template <class Tag>
base::Result<StreamNameCommand<Tag>> StreamNameCommand<Tag>::decode(const Command& c, std::string* why) {
    StreamNameCommand out;
    if (auto ec = detail::decode_stream_name(c, name, out.transaction_id, out.stream_name, why)) return ec;
    return out;
}

}  // namespace sluice::rtmp
