// A server process started by a test: spawned by PID with its output in a
// log file, stopped with SIGTERM (SIGKILL after a grace period) and reaped.
// Only the PID started here is ever signalled.
#ifndef PROPWATCH_TESTS_AGENT_DNS_CHILD_PROCESS_H_
#define PROPWATCH_TESTS_AGENT_DNS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace propwatch::dns::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is the program path. stdout and stderr go to `log_path`.
  absl::Status Spawn(const std::vector<std::string>& argv,
                     const std::string& log_path);
  // True once the process has exited (and been reaped).
  bool Exited();
  // SIGTERM, wait up to `grace`, then SIGKILL and wait. Idempotent.
  void Stop(absl::Duration grace = absl::Seconds(5));
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Sends `name` SOA (RD=0) over UDP to 127.0.0.x:port until a reply arrives
// or `timeout` passes; also gives up when `process` exits.
absl::Status WaitForDnsServer(const std::string& ip, uint16_t port,
                              const std::string& name, ChildProcess* process,
                              absl::Duration timeout = absl::Seconds(10));

// The file's contents, for failure messages.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_CHILD_PROCESS_H_
