// A child process started by a test: argv, output captured to files, killed
// by PID and reaped on destruction. Tests stop only what they started.
#ifndef PROPWATCH_TESTS_TESTING_SUBPROCESS_H_
#define PROPWATCH_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace propwatch::testing {

class Subprocess {
 public:
  // Starts argv[0] (a path) with its stdout and stderr written to
  // `log_prefix`.out / .err. Throws std::runtime_error if fork/exec fails.
  Subprocess(std::vector<std::string> argv, const std::string& log_prefix,
             std::vector<std::string> extra_env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal_number);
  // Waits for exit up to `timeout`; the exit status (as from waitpid) or
  // nullopt on timeout.
  std::optional<int> Wait(absl::Duration timeout);
  bool running();
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_prefix_;
};

// Runs a command to completion (bounded by `timeout`, then SIGKILL) and
// returns its exit code (or -signal) and stdout.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(std::vector<std::string> argv, absl::Duration timeout,
                         std::vector<std::string> extra_env = {});

// $PROPWATCH_BUILD_DIR/<relative>, e.g. BuildPath("agent/propwatch-agent").
std::string BuildPath(const std::string& relative);
std::string SourcePath(const std::string& relative);
// The whole file; "" when it cannot be read.
std::string ReadFile(const std::string& path);

// Polls `predicate` every 20 ms until it holds or `timeout` passes.
template <typename Predicate>
bool WaitFor(Predicate predicate, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (predicate()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return predicate();
}

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_SUBPROCESS_H_
