// Conversions between absl time types and protobuf well-known types.
#ifndef PROPWATCH_COMMON_TIME_CONVERT_H_
#define PROPWATCH_COMMON_TIME_CONVERT_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace propwatch {

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToProtoDuration(absl::Duration d);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace propwatch

#endif  // PROPWATCH_COMMON_TIME_CONVERT_H_
