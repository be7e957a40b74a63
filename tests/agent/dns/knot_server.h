// A real authoritative server for tests: knotd with a generated config and
// zone files in a temporary directory, listening on loopback addresses at a
// free port. Reusable by the later network lab.
#ifndef PROPWATCH_TESTS_AGENT_DNS_KNOT_SERVER_H_
#define PROPWATCH_TESTS_AGENT_DNS_KNOT_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/agent/dns/child_process.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::dns::testing {

struct KnotZone {
  std::string origin;  // "example.test", no trailing dot
  std::string text;    // zone file contents (RFC 1035 master file)
};

class KnotServer {
 public:
  // Starts knotd serving `zones` on every address in `listen_ips` (each in
  // 127.0.0.0/8) at one free port, and waits until it answers SOA for the
  // first zone. Retries with another port if the chosen one was taken.
  static absl::StatusOr<std::unique_ptr<KnotServer>> Start(
      std::vector<KnotZone> zones,
      std::vector<std::string> listen_ips = {"127.0.0.1"});
  ~KnotServer() = default;  // stops and reaps knotd (ChildProcess)

  uint16_t port() const { return port_; }
  // "127.0.0.1:port" for the first listen address.
  std::string address() const;
  pid_t pid() const { return process_.pid(); }

 private:
  KnotServer() = default;

  ::propwatch::testing::TempDir dir_;
  ChildProcess process_;
  uint16_t port_ = 0;
  std::vector<std::string> listen_ips_;
};

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_KNOT_SERVER_H_
