// Which agents have finished which commands.
//
// An agent's CommandDone is reported here only once every result it sent
// before it is durable (the ingest writer orders it behind them), so a
// waiter that wakes up can read the command's results from RocksDB.
//
// Threading: thread-safe.
#ifndef PROPWATCH_COORDINATOR_DISPATCH_COMMAND_TRACKER_H_
#define PROPWATCH_COORDINATOR_DISPATCH_COMMAND_TRACKER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "absl/time/time.h"

namespace propwatch {

class CommandTracker {
 public:
  // Starts tracking `command_id`, expecting `agents`.
  void Expect(uint64_t command_id, std::set<std::string> agents);
  // `agent_id` finished `command_id` (unknown ids are ignored).
  void Done(const std::string& agent_id, uint64_t command_id);
  // Waits until every expected agent is done, `deadline` passes, or
  // Interrupt(); returns the agents that are done and stops tracking.
  std::set<std::string> Await(uint64_t command_id, absl::Time deadline);
  // Wakes every waiter now (cancellation, shutdown).
  void Interrupt();

 private:
  struct Pending {
    std::set<std::string> expected;
    std::set<std::string> done;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Pending> pending_;  // guarded by mu_
  uint64_t interrupts_ = 0;              // guarded by mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_DISPATCH_COMMAND_TRACKER_H_
