// The commands the coordinator has sent and not yet closed: which agents
// were asked, which have finished, and which results may be accepted.
//
// A command is open from Open() until its waiter's Await() returns, its
// verification is cancelled, or (for a command nobody waits on, such as an
// ad-hoc RunProbes) its accept_until time passes. While it is open, and only
// then, a result from an agent it was sent to, carrying its verification id
// and round, is accepted (Accept()); anything else is refused with the
// reason. So one agent cannot file results into a verification or round it
// was not asked about, and a late result never lands in a round already
// evaluated.
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
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "propwatch/v1/agent.pb.h"

namespace propwatch {

// Why a wait for a command ended.
enum class WaitEnd {
  kAllAnswered,  // every agent asked reported CommandDone
  kDeadline,     // the deadline passed first
  kCancelled,    // its verification was cancelled
  kShutdown,     // the coordinator is stopping
};
absl::string_view WaitEndName(WaitEnd end);

struct CommandWait {
  std::set<std::string> done;         // agents that finished
  std::vector<std::string> not_done;  // agents asked that did not
  WaitEnd end = WaitEnd::kDeadline;
};

// An open command and the agents still working on it, as cancelled.
struct CancelledCommand {
  uint64_t command_id = 0;
  std::vector<std::string> agents;
};

// An open command as it is recorded.
struct OpenCommand {
  uint64_t command_id = 0;
  std::string verification_id;
  uint32_t round = 0;
  std::set<std::string> agents;
  absl::Time accept_until;
};

// Where the tracker records the commands it opens, so that a restarted
// coordinator still accepts the results in flight for them (the agents
// replay their outboxes after a reconnect) instead of refusing them as
// unknown. Implemented over the store by StoredCommandLog.
class CommandLog {
 public:
  virtual ~CommandLog() = default;
  // Durably, before the commands are sent.
  virtual absl::Status Record(const std::vector<OpenCommand>& commands) = 0;
  // The commands closed; need not be durable (a leftover expires).
  virtual void Forget(const std::vector<uint64_t>& command_ids) = 0;
};

class CommandTracker {
 public:
  using Clock = std::function<absl::Time()>;
  explicit CommandTracker(
      Clock clock = [] { return absl::Now(); }, CommandLog* log = nullptr);

  // Opens `command` for `agents` (call before sending it, so no result can
  // arrive first) and records it in the log. It closes when its waiter's
  // Await() returns, or at `accept_until` if nobody waits on it.
  void Open(const v1::ProbeCommand& command, std::set<std::string> agents,
            absl::Time accept_until);
  // The same for several commands, recorded in one durable write.
  void OpenMany(
      const std::vector<std::pair<v1::ProbeCommand, std::set<std::string>>>&
          commands,
      absl::Time accept_until);
  // Commands a previous coordinator process opened (from the log): open
  // again until their accept_until, which has not passed.
  void Restore(std::vector<OpenCommand> commands);
  // OK when `result`, from the stream of `agent_id`, answers an open command
  // sent to that agent with the command's verification id and round;
  // otherwise PermissionDenied naming what did not match.
  absl::Status Accept(absl::string_view agent_id,
                      const v1::ProbeResult& result);
  // `agent_id` finished `command_id` (unknown ids and agents are ignored).
  void Done(const std::string& agent_id, uint64_t command_id);
  // Waits until every agent asked is done, `deadline` passes, the command's
  // verification is cancelled or Shutdown(); returns why, with the agents
  // that are done, and closes the command.
  CommandWait Await(uint64_t command_id, absl::Time deadline);
  // Closes every open command of `verification_id`: their waiters return
  // kCancelled, later results for them are refused. Returns those commands
  // with the agents that had not finished them, to be told to stop.
  std::vector<CancelledCommand> CancelVerification(
      absl::string_view verification_id);
  // Wakes every waiter with kShutdown; later Awaits return at once.
  void Shutdown();

  size_t open_count();

 private:
  struct Pending {
    std::string verification_id;
    uint32_t round = 0;
    std::set<std::string> expected;
    std::set<std::string> done;
    absl::Time accept_until;
    bool cancelled = false;
  };
  // Drops commands past accept_until that nobody waits on; their ids go to
  // `closed`.
  void ExpireLocked(absl::Time now, std::vector<uint64_t>& closed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(const std::vector<uint64_t>& closed);

  const Clock clock_;
  CommandLog* const log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::set<uint64_t> awaited_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_DISPATCH_COMMAND_TRACKER_H_
