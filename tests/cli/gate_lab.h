// The lab the propwatchctl end-to-end tests run against: a real knotd for
// example.test, a real nginx with a good edge (127.0.0.2, 200 everywhere)
// and a stale one (127.0.0.3, 404 everywhere), a real coordinator and three
// real agents (eu-west, us-east, ap-south) resolving through knotd.
//
//   good.example.test -> 127.0.0.2              (converges)
//   www.example.test  -> 127.0.0.2, 127.0.0.3   (diverges: BAD_IP .3)
#ifndef PROPWATCH_TESTS_CLI_GATE_LAB_H_
#define PROPWATCH_TESTS_CLI_GATE_LAB_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {

inline constexpr char kGoodIp[] = "127.0.0.2";
inline constexpr char kStaleIp[] = "127.0.0.3";
inline const std::vector<std::string> kRegions = {"ap-south", "eu-west",
                                                  "us-east"};

class GateLab {
 public:
  // Starts everything and waits until the three agents are connected.
  static absl::StatusOr<std::unique_ptr<GateLab>> Start();

  const std::string& coordinator_address() const { return address_; }
  // "127.0.0.1:PORT" of the knotd serving example.test (authoritative).
  std::string knot_address() const { return knot_->address(); }
  int http_port() const { return port_; }
  TempDir& dir() { return dir_; }
  CoordinatorProcess& coordinator() { return *coordinator_; }
  // Kills the coordinator with SIGKILL; Restart() brings it back on the same
  // address and data directory.
  void KillCoordinator();
  absl::Status RestartCoordinator();
  // The agents' logs, for failure messages.
  std::string Logs();

  // propwatchctl argv with the global flags pointing at this lab.
  std::vector<std::string> Ctl(std::vector<std::string> args) const;
  // Flags of a short verification of `host` over plain HTTP on the lab port.
  std::vector<std::string> VerifyFlags(const std::string& host,
                                       const std::string& deadline) const;

 private:
  GateLab() = default;
  absl::Status StartCoordinator();
  int ConnectedAgents();

  TempDir dir_;
  std::unique_ptr<dns::testing::KnotServer> knot_;
  std::unique_ptr<NginxServer> nginx_;
  int port_ = 0;
  std::string address_;
  std::string data_dir_;
  std::unique_ptr<CoordinatorProcess> coordinator_;
  std::vector<std::unique_ptr<Subprocess>> agents_;
};

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_CLI_GATE_LAB_H_
