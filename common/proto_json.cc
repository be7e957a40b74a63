#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace propwatch {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  std::string out;
  // Only fails for messages with unresolvable Any types, which v1 has none of.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace propwatch
