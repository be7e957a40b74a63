// The CommandTracker's log over the coordinator's RocksDB: open commands in
// the meta family, so a restarted coordinator accepts the results agents
// replay for commands that were still open when it stopped.
//
// Threading: thread-safe (the store is).
#ifndef PROPWATCH_COORDINATOR_DISPATCH_STORED_COMMAND_LOG_H_
#define PROPWATCH_COORDINATOR_DISPATCH_STORED_COMMAND_LOG_H_

#include <vector>

#include "coordinator/dispatch/command_tracker.h"
#include "coordinator/storage/store.h"

namespace propwatch {

class StoredCommandLog : public CommandLog {
 public:
  explicit StoredCommandLog(Store& store) : store_(store) {}

  absl::Status Record(const std::vector<OpenCommand>& commands) override;
  void Forget(const std::vector<uint64_t>& command_ids) override;

  // The commands still open at `now`; deletes the records of the others.
  absl::StatusOr<std::vector<OpenCommand>> LoadOpen(absl::Time now);

 private:
  Store& store_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_DISPATCH_STORED_COMMAND_LOG_H_
