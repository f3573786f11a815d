#pragma once
// Internal: reading and writing the AMF value sequence of command (20/17)
// and data (18/15) payloads with the REFERENCE.md §3.5 framing rules.
// Shared by command.cpp and data_message.cpp; other modules must not
// include it. The rules are documented on encode_command (command.hpp).
#include <memory>
#include <string_view>
#include <vector>

#include "amf/value.hpp"
#include "base/byte_writer.hpp"
#include "base/payload.hpp"
#include "base/result.hpp"
#include "rtmp/command.hpp"

namespace sluice::rtmp::detail {

/// Reads every AMF value of a command/data payload. `amf3_framing`: the
/// payload starts with the §3.5 format byte (types 15/17), which must be 00.
base::Result<std::vector<amf::Value>> read_amf_values(base::Bytes payload, bool amf3_framing,
                                                      const CommandOptions& options);

/// Builds a command/data payload. amf3 = false: every value in AMF0.
/// amf3 = true: leading 00, then values per the encode_command rules
/// (command.hpp), AMF3 values behind `11` sharing one Writer3.
class AmfPayloadWriter {
public:
    explicit AmfPayloadWriter(bool amf3);
    ~AmfPayloadWriter();
    AmfPayloadWriter(const AmfPayloadWriter&) = delete;
    AmfPayloadWriter& operator=(const AmfPayloadWriter&) = delete;

    void string(std::string_view s);
    void number(double n);
    void value(const amf::Value& v);
    base::Payload finish();

private:
    struct State;
    bool amf3_;
    base::ByteWriter out_;
    std::unique_ptr<State> state_;
};

}  // namespace sluice::rtmp::detail
