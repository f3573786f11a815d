#include "flv/metadata.hpp"

#include <cmath>

#include "amf/reader0.hpp"
#include "amf/writer0.hpp"
#include "flv/errors.hpp"

namespace sluice::flv {

std::optional<double> Metadata::number(std::string_view key) const {
    const amf::Value* v = properties.find(key);
    double n = 0;
    if (v == nullptr || !v->number(n)) return std::nullopt;
    return n;
}

std::optional<CodecIdValue> Metadata::codec_id(std::string_view key) const {
    const amf::Value* v = properties.find(key);
    if (v == nullptr) return std::nullopt;
    if (const std::string* s = v->string()) {
        // Some encoders send the FourCC as text ("hvc1").
        if (s->size() != 4) return std::nullopt;
        std::uint32_t code = 0;
        for (const char c : *s) code = (code << 8) | static_cast<std::uint8_t>(c);
        return CodecIdValue{code, true};
    }
    double n = 0;
    if (!v->number(n) || !(n >= 0) || n > 4294967295.0 || std::floor(n) != n) return std::nullopt;
    const auto value = static_cast<std::uint32_t>(n);
    // Legacy ids fit in 4 bits; any FourCC is far above that.
    return CodecIdValue{value, value > 0xFF};
}

std::optional<double> Metadata::audio_channels() const {
    if (auto n = number("audiochannels")) return n;
    if (auto s = stereo()) return *s ? 2.0 : 1.0;
    return std::nullopt;
}

std::optional<bool> Metadata::stereo() const {
    const amf::Value* v = properties.find("stereo");
    if (v == nullptr) return std::nullopt;
    if (const bool* b = v->get_if<bool>()) return *b;
    return std::nullopt;
}

std::optional<std::string> Metadata::encoder() const {
    const amf::Value* v = properties.find("encoder");
    if (v == nullptr || v->string() == nullptr) return std::nullopt;
    return *v->string();
}

base::Result<Metadata> decode_metadata(base::Bytes payload, amf::Limits limits) {
    amf::Reader0 reader(payload, limits);
    Metadata m;
    auto name = reader.read();
    if (!name) return name.error();
    if (name->string() != nullptr && *name->string() == set_data_frame) {
        m.had_set_data_frame = true;
        name = reader.read();
        if (!name) return name.error();
    }
    if (name->string() == nullptr || *name->string() != on_meta_data) return Errc::metadata_not_on_meta_data;
    if (reader.at_end()) return Errc::metadata_value_invalid;
    auto value = reader.read();
    if (!value) return value.error();
    if (auto* array = value->get_if<amf::EcmaArray>()) {
        m.properties = std::move(static_cast<amf::PropertyList&>(*array));
    } else if (auto* object = value->get_if<amf::Object>()) {
        m.properties = std::move(static_cast<amf::PropertyList&>(*object));
        m.was_object = true;
    } else {
        return Errc::metadata_value_invalid;
    }
    return m;
}

base::ByteVector encode_metadata(const Metadata& metadata, bool with_set_data_frame) {
    base::ByteWriter out;
    amf::Writer0 writer(out);
    if (with_set_data_frame) writer.write_string(set_data_frame);
    writer.write_string(on_meta_data);
    amf::EcmaArray array;
    static_cast<amf::PropertyList&>(array) = metadata.properties;
    writer.write(amf::Value(std::move(array)));
    return out.take();
}

}  // namespace sluice::flv
