// Fuzzes decode_command / decode_data_message and every typed decoder.
// Input: selector byte + message payload. Selector bits 0-1: message type
// (0: 20, 1: 17, 2: 18, 3: 15); bit 2: AMF3 legacy leniency off; bit 3:
// tight AMF limits. Whatever decodes must re-encode (AMF0 and AMF3) to
// bytes that decode again, and encoding reaches a fixed point after one
// trip (bytes compared, so NaN numbers compare equal).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rtmp/command.hpp"
#include "rtmp/data_message.hpp"
#include "rtmp/errors.hpp"
#include "rtmp/net_connection_commands.hpp"
#include "rtmp/net_stream_commands.hpp"
#include "rtmp/responses.hpp"

namespace {

using namespace sluice;
using namespace sluice::rtmp;

rtmp::CommandOptions options;

void check(bool ok) {
    if (!ok) std::abort();
}

// encode(decode(encode(x))) == encode(x') for the generic command.
void command_fixed_point(const Command& c, Encoding e) {
    const Message m1 = encode_command(c, e, 1);
    auto c1 = decode_command(m1, options);
    if (!c1) return;  // e.g. a depth limit hit by the extra AVM+ switch level
    const Message m2 = encode_command(*c1, e, 1);
    auto c2 = decode_command(m2, options);
    check(c2.ok());
    check(encode_command(*c2, e, 1).payload == m2.payload);
}

template <class T>
void typed(const Command& c) {
    std::string why;
    auto t = T::decode(c, &why);
    if (!t) {
        check(!why.empty() || t.error() == rtmp::Errc::command_malformed);
        return;
    }
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        const Message m1 = t->encode(e, 1);
        auto c1 = decode_command(m1, options);
        if (!c1) continue;
        auto t1 = T::decode(*c1, &why);
        check(t1.ok());
        const Message m2 = t1->encode(e, 1);
        auto c2 = decode_command(m2, options);
        check(c2.ok());
        auto t2 = T::decode(*c2, &why);
        check(t2.ok());
        check(t2->encode(e, 1).payload == m2.payload);
    }
}

void all_typed(const Command& c) {
    typed<ConnectCommand>(c);
    typed<CallCommand>(c);
    typed<CloseCommand>(c);
    typed<CreateStreamCommand>(c);
    typed<CheckBandwidthCommand>(c);
    typed<CloseStreamCommand>(c);
    typed<ReleaseStreamCommand>(c);
    typed<FcPublishCommand>(c);
    typed<FcUnpublishCommand>(c);
    typed<FcSubscribeCommand>(c);
    typed<GetStreamLengthCommand>(c);
    typed<PlayCommand>(c);
    typed<Play2Command>(c);
    typed<DeleteStreamCommand>(c);
    typed<ReceiveMediaCommand>(c);
    typed<PublishCommand>(c);
    typed<SeekCommand>(c);
    typed<PauseCommand>(c);
    typed<ConnectResult>(c);
    typed<ErrorResponse>(c);
    typed<CreateStreamResult>(c);
    typed<CallResult>(c);
    typed<OnStatus>(c);
    typed<OnFcStatus>(c);
    typed<OnBwDone>(c);
}

template <class T>
void typed_data(const DataMessage& d) {
    std::string why;
    auto t = T::decode(d, &why);
    if (!t) return;
    const DataMessage d1 = t->to_data();
    auto t1 = T::decode(d1, &why);
    check(t1.ok());
    for (Encoding e : {Encoding::amf0, Encoding::amf3}) {
        auto back = decode_data_message(encode_data_message(t1->to_data(), e, 1), options);
        if (!back) continue;
        check(T::decode(*back, &why).ok());
    }
}

void data_fixed_point(const DataMessage& d, Encoding e) {
    const Message m1 = encode_data_message(d, e, 1);
    auto d1 = decode_data_message(m1, options);
    if (!d1) return;
    const Message m2 = encode_data_message(*d1, e, 1);
    auto d2 = decode_data_message(m2, options);
    check(d2.ok());
    check(encode_data_message(*d2, e, 1).payload == m2.payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t selector = data[0];
    static constexpr MessageType types[] = {MessageType::command_amf0, MessageType::command_amf3,
                                            MessageType::data_amf0, MessageType::data_amf3};
    options = CommandOptions{};
    options.amf3_whole_message_after_switch = (selector & 4) == 0;
    if (selector & 8) {
        options.amf.max_depth = 4;
        options.amf.max_elements = 64;
        options.amf.max_string_bytes = 64;
    }
    Message m;
    m.type = types[selector & 3];
    m.stream_id = 1;
    m.payload = base::Payload::copy_of(base::Bytes(data + 1, size - 1));
    if (is_command(m.type)) {
        auto c = decode_command(m, options);
        if (!c) return 0;
        (void)debug_string(*c);
        command_fixed_point(*c, Encoding::amf0);
        command_fixed_point(*c, Encoding::amf3);
        all_typed(*c);
    } else {
        auto d = decode_data_message(m, options);
        if (!d) return 0;
        (void)debug_string(*d);
        data_fixed_point(*d, Encoding::amf0);
        data_fixed_point(*d, Encoding::amf3);
        typed_data<MetaData>(*d);
        typed_data<SampleAccess>(*d);
        typed_data<OnPlayStatus>(*d);
        (void)strip_set_data_frame(*d);
    }
    return 0;
}
