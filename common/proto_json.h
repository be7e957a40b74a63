// The JSON every propwatch binary prints for a proto.
#ifndef PROPWATCH_COMMON_PROTO_JSON_H_
#define PROPWATCH_COMMON_PROTO_JSON_H_

#include <google/protobuf/message.h>

#include <string>

namespace propwatch {

// The proto's canonical JSON mapping (field names in lowerCamelCase, enums
// as names, defaults omitted), pretty-printed, ending in a newline.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_PROTO_JSON_H_
