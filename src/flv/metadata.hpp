#pragma once
// flv::Metadata: onMetaData script data (REFERENCE.md §7.5, §8.5, §1.7).
//
// Payload forms accepted (AMF0 values, one after another):
//   02 'onMetaData' | 08 ECMA array (or 03 Object)                 file tag / data message
//   02 '@setDataFrame' | 02 'onMetaData' | 08 ECMA array (or 03)   publisher's data message
// Values after the properties are ignored. A type 15 (AMF3 data) message
// must have its leading format byte removed by the caller first.
//
// Contract:
//  - decode_metadata() borrows the payload only during the call; the
//    Metadata owns its properties, kept in wire order (STYLE.md §2 item 4).
//  - Errors: the amf::Errc of an AMF decode failure (amf::Limits apply);
//    Errc::metadata_not_on_meta_data when the handler name is something
//    else (or @setDataFrame names another handler); Errc::metadata_value_invalid
//    when no object or ECMA array follows.
//  - The accessors read the common keys from `properties` (the single
//    source of truth) and return nullopt when a key is absent or has
//    another type. To change a field, set the property.
//  - encode_metadata() writes "onMetaData" and an ECMA array of the
//    properties (optionally behind "@setDataFrame"); the wire order of
//    `properties` is kept.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "amf/limits.hpp"
#include "amf/value.hpp"
#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"

namespace sluice::flv {

inline constexpr std::string_view on_meta_data = "onMetaData";
inline constexpr std::string_view set_data_frame = "@setDataFrame";

/// videocodecid / audiocodecid: a legacy CodecID or SoundFormat number, or
/// an Enhanced RTMP FourCC (sent as a number, e.g. 'av01' = 1635135537, or
/// by some encoders as a 4-character string).
struct CodecIdValue {
    std::uint32_t value = 0;
    bool is_fourcc = false;
    friend bool operator==(const CodecIdValue&, const CodecIdValue&) = default;
};

struct Metadata {
    amf::PropertyList properties;
    bool had_set_data_frame = false;  ///< the payload came wrapped in @setDataFrame
    bool was_object = false;          ///< the properties came as an Object rather than an ECMA array

    /// A Number property (an AMF3 integer counts), or nullopt.
    std::optional<double> number(std::string_view key) const;
    std::optional<double> duration() const { return number("duration"); }
    std::optional<double> width() const { return number("width"); }
    std::optional<double> height() const { return number("height"); }
    std::optional<double> framerate() const { return number("framerate"); }
    std::optional<double> video_data_rate() const { return number("videodatarate"); }
    std::optional<double> audio_data_rate() const { return number("audiodatarate"); }
    std::optional<double> audio_sample_rate() const { return number("audiosamplerate"); }
    std::optional<double> audio_sample_size() const { return number("audiosamplesize"); }
    std::optional<double> file_size() const { return number("filesize"); }
    std::optional<CodecIdValue> video_codec_id() const { return codec_id("videocodecid"); }
    std::optional<CodecIdValue> audio_codec_id() const { return codec_id("audiocodecid"); }
    /// "audiochannels" when present, else 2 / 1 from the "stereo" Boolean.
    std::optional<double> audio_channels() const;
    std::optional<bool> stereo() const;
    std::optional<std::string> encoder() const;

private:
    std::optional<CodecIdValue> codec_id(std::string_view key) const;
};

base::Result<Metadata> decode_metadata(base::Bytes payload, amf::Limits limits = {});

/// "onMetaData" + ECMA array of `metadata.properties`, prefixed with
/// "@setDataFrame" when `with_set_data_frame`.
base::ByteVector encode_metadata(const Metadata& metadata, bool with_set_data_frame = false);

}  // namespace sluice::flv
