// A real propwatch-coordinator process on a free loopback port with its own
// RocksDB directory, for end-to-end tests.
#ifndef PROPWATCH_TESTS_TESTING_COORDINATOR_PROCESS_H_
#define PROPWATCH_TESTS_TESTING_COORDINATOR_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {

class CoordinatorProcess {
 public:
  // Starts the coordinator and waits until it listens. `data_dir` empty means
  // a fresh directory inside this object's temp dir. Listens on 127.0.0.1:0
  // and learns the port the kernel chose from --port-file, unless
  // `extra_flags` has --listen; plaintext (--insecure) unless it has
  // --tls-cert. Throws std::runtime_error, with the coordinator's stderr,
  // when it exits or does not listen within 20 s.
  explicit CoordinatorProcess(std::vector<std::string> extra_flags = {},
                              std::string data_dir = "");
  // "127.0.0.1:PORT"
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  Subprocess& process() { return *process_; }
  const std::string& data_dir() const { return data_dir_; }
  TempDir& dir() { return dir_; }

 private:
  TempDir dir_;
  std::string data_dir_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
  std::string address_;
};

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_TESTING_COORDINATOR_PROCESS_H_
