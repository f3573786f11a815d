#pragma once
// client::parse_connect_arguments: extra `connect` arguments written the way
// librtmp's `conn=` option (rtmpdump -C) and FFmpeg's -rtmp_conn write them,
// so that a server's authentication arguments can be given on the command
// line (`sluice play --conn S:secret --conn O:1 --conn NS:user:bob --conn O:0`).
//
//   B:0 | B:1        Boolean            NB:name:1       named Boolean
//   N:1.5            Number             NN:name:1.5     named Number
//   S:text           String             NS:name:text    named String
//   Z:               Null               NZ:name:        named Null
//   O:1 ... O:0      an Object          NO:name:1 ...   a named Object
//
// Named items (N prefix) go inside an object; unnamed ones are arguments
// after the command object. Objects nest (at most 16 deep).
//
// Contract: never throws; errors are Errc::connect_argument_invalid with
// `why` naming the item and what is wrong (an unknown type, a value that is
// not a number or 0/1, a name outside an object, an unclosed or unopened
// object, too deep).
#include <string>
#include <vector>

#include "amf/value.hpp"
#include "base/result.hpp"

namespace sluice::client {

base::Result<std::vector<amf::Value>> parse_connect_arguments(const std::vector<std::string>& items,
                                                              std::string* why = nullptr);

}  // namespace sluice::client
