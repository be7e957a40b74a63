// Turns SIGINT and SIGTERM into a call on a thread of its own while the
// object lives, so a blocking wait (a WatchVerification stream) can be ended
// cleanly and the command can say what it leaves behind. The handler only
// writes the signal number to a pipe, the one thing a handler may safely do;
// the watcher thread reads it, puts the default disposition back (a second
// Ctrl-C kills the process as usual) and runs the callback.
//
// One instance at a time per process. Destroying it restores the previous
// handlers.
#ifndef PROPWATCH_CLI_INTERRUPT_WATCH_H_
#define PROPWATCH_CLI_INTERRUPT_WATCH_H_

#include <signal.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace propwatch {

class InterruptWatch {
 public:
  // `on_signal` runs on the watcher thread with the signal number, at most
  // once.
  static absl::StatusOr<std::unique_ptr<InterruptWatch>> Start(
      std::function<void(int)> on_signal);
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // The signal received, or 0.
  int signal_number() const { return signal_.load(); }

 private:
  InterruptWatch(UniqueFd read_end, UniqueFd write_end,
                 std::function<void(int)> on_signal);
  void Run();

  UniqueFd read_end_;
  UniqueFd write_end_;
  std::function<void(int)> on_signal_;
  std::atomic<int> signal_{0};
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::thread thread_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_INTERRUPT_WATCH_H_
