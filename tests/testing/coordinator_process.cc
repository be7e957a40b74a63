#include "tests/testing/coordinator_process.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace propwatch::testing {

CoordinatorProcess::CoordinatorProcess(std::vector<std::string> extra_flags,
                                       std::string data_dir)
    : data_dir_(data_dir.empty() ? dir_.File("data") : std::move(data_dir)) {
  const std::string port_file = dir_.File("port");
  std::vector<std::string> argv = {
      BuildPath("coordinator/propwatch-coordinator"), "--data-dir", data_dir_,
      "--port-file", port_file};
  // A free port unless the test pins one (to restart on the same address).
  if (std::find(extra_flags.begin(), extra_flags.end(), "--listen") ==
      extra_flags.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  // Plaintext unless the test brings its own TLS setup.
  if (std::find(extra_flags.begin(), extra_flags.end(), "--tls-cert") ==
      extra_flags.end()) {
    argv.push_back("--insecure");
  }
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  process_ = std::make_unique<Subprocess>(argv, dir_.File("coordinator"));
  // The coordinator writes the port it bound (port 0 lets the kernel pick
  // a free one, race-free) once it listens; a coordinator that exits first
  // failed to start.
  bool exited = false;
  const bool up = WaitFor(
      [&] {
        std::ifstream in(port_file);
        if (in >> port_) return true;
        exited = !process_->running();
        return exited;
      },
      absl::Seconds(20));
  if (!up || exited) {
    throw std::runtime_error(
        std::string(exited ? "coordinator exited at start-up: "
                           : "coordinator did not start in 20 s: ") +
        process_->Stderr());
  }
  address_ = "127.0.0.1:" + std::to_string(port_);
}

}  // namespace propwatch::testing
