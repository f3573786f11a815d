#include "rtmp/detail/amf_payload.hpp"

#include <cstdint>
#include <utility>

#include "amf/reader0.hpp"
#include "amf/reader3.hpp"
#include "amf/writer0.hpp"
#include "amf/writer3.hpp"
#include "rtmp/errors.hpp"

namespace sluice::rtmp::detail {

namespace {
constexpr std::uint8_t amf3_format_byte = 0x00;
constexpr std::uint8_t avmplus_switch = 0x11;

// Values with an exact AMF0 form stay AMF0 even in an AMF3 session: the
// name/txn rule of §3.5 extends naturally to scalars, and Date (time zone),
// ECMA arrays (AMF3 would turn them into mixed arrays) and Unsupported
// would not survive a trip through AMF3 unchanged.
bool keep_amf0(const amf::Value& v) noexcept {
    return v.is<amf::Undefined>() || v.is<amf::Null>() || v.is<amf::Unsupported>() || v.is<bool>() ||
           v.is<double>() || v.is<std::string>() || v.is<amf::Date>() || v.is<amf::XmlDocument>() ||
           v.is<amf::EcmaArray>();
}
}  // namespace

base::Result<std::vector<amf::Value>> read_amf_values(base::Bytes payload, bool amf3_framing,
                                                      const CommandOptions& options) {
    if (amf3_framing) {
        if (payload.empty() || payload[0] != amf3_format_byte) return Errc::command_malformed;
        payload = payload.subspan(1);
        if (options.amf3_whole_message_after_switch && !payload.empty() && payload[0] == avmplus_switch) {
            amf::Reader3 reader(payload.subspan(1), options.amf);
            auto values = reader.read_all();
            if (!values) return values.error();
            return std::move(*values);
        }
    }
    amf::Reader0 reader(payload, options.amf);
    auto values = reader.read_all();
    if (!values) return values.error();
    return std::move(*values);
}

struct AmfPayloadWriter::State {
    explicit State(base::ByteWriter& out) : writer3(out) {}
    amf::Writer3 writer3;  // one set of AMF3 tables per message, as Reader0 keeps them
};

AmfPayloadWriter::AmfPayloadWriter(bool amf3) : amf3_(amf3), out_(128) {
    if (amf3_) out_.u8(amf3_format_byte);
}
AmfPayloadWriter::~AmfPayloadWriter() = default;

void AmfPayloadWriter::string(std::string_view s) {
    amf::Writer0(out_).write_string(s);
}
void AmfPayloadWriter::number(double n) {
    amf::Writer0(out_).write_number(n);
}

void AmfPayloadWriter::value(const amf::Value& v) {
    if (!amf3_ || keep_amf0(v)) {
        amf::Writer0(out_).write(v);
        return;
    }
    if (!state_) state_ = std::make_unique<State>(out_);
    out_.u8(avmplus_switch);
    state_->writer3.write(v);
}

base::Payload AmfPayloadWriter::finish() {
    return base::Payload::from(out_.take());
}

}  // namespace sluice::rtmp::detail
