// Adapter from rocksdb::Status to absl::Status.
#ifndef PROPWATCH_COORDINATOR_STORAGE_ROCKSDB_STATUS_H_
#define PROPWATCH_COORDINATOR_STORAGE_ROCKSDB_STATUS_H_

#include <rocksdb/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace propwatch {

// `what` says which operation on which input failed ("open /var/lib/pw").
absl::Status FromRocksStatus(const rocksdb::Status& status,
                             absl::string_view what);

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_STORAGE_ROCKSDB_STATUS_H_
