#include "tests/cli/gate_lab.h"

#include <signal.h>

#include "absl/strings/str_cat.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/free_port.h"

namespace propwatch::testing {

absl::StatusOr<std::unique_ptr<GateLab>> GateLab::Start() {
  std::unique_ptr<GateLab> lab(new GateLab());
  auto knot = dns::testing::KnotServer::Start({{"example.test", R"(
$TTL 60
@     SOA ns1 hostmaster 1 3600 600 86400 60
@     NS  ns1
ns1   A   127.0.0.1
good  A   127.0.0.2
www   A   127.0.0.2
www   A   127.0.0.3
)"}});
  if (!knot.ok()) return knot.status();
  lab->knot_ = std::move(*knot);
  lab->port_ = FreePort();
  NginxOptions options;
  options.work_dir = lab->dir_.path();
  options.http_config = absl::StrCat(
      "server { listen ", kGoodIp, ":", lab->port_,
      "; location / { return 200 'current'; } }\n", "server { listen ",
      kStaleIp, ":", lab->port_, "; location / { return 404; } }\n");
  options.ready_addresses = {{kGoodIp, static_cast<uint16_t>(lab->port_)},
                             {kStaleIp, static_cast<uint16_t>(lab->port_)}};
  auto nginx = NginxServer::Start(options);
  if (!nginx.ok()) return nginx.status();
  lab->nginx_ = std::move(*nginx);
  lab->address_ = absl::StrCat("127.0.0.1:", FreePort());
  lab->data_dir_ = lab->dir_.File("coordinator-data");
  if (absl::Status s = lab->StartCoordinator(); !s.ok()) return s;
  for (const std::string& region : kRegions) {
    lab->agents_.push_back(StartAgentProcess(
        lab->address_, "edge-" + region, region,
        lab->dir_.File("agent-" + region),
        {"--insecure", "--system-resolver", lab->knot_->address()}));
  }
  if (!WaitFor([&] { return lab->ConnectedAgents() == 3; },
               absl::Seconds(20))) {
    return absl::DeadlineExceededError("agents did not connect: " +
                                       lab->Logs());
  }
  return lab;
}

absl::Status GateLab::StartCoordinator() {
  coordinator_ = std::make_unique<CoordinatorProcess>(
      std::vector<std::string>{"--listen", address_, "--allow-private-targets",
                               "--heartbeat-interval", "1"},
      data_dir_);
  return absl::OkStatus();
}

void GateLab::KillCoordinator() {
  coordinator_->process().Signal(SIGKILL);
  coordinator_->process().Wait(absl::Seconds(10));
  coordinator_.reset();
}

absl::Status GateLab::RestartCoordinator() { return StartCoordinator(); }

int GateLab::ConnectedAgents() {
  auto control = PlaintextControl(address_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  v1::ListAgentsRequest request;
  request.set_connected_only(true);
  v1::ListAgentsResponse response;
  if (!control->ListAgents(&context, request, &response).ok()) return -1;
  return response.agents_size();
}

std::string GateLab::Logs() {
  std::string out;
  if (coordinator_) {
    absl::StrAppend(&out, "--- coordinator\n",
                    coordinator_->process().Stderr());
  }
  for (auto& agent : agents_) {
    absl::StrAppend(&out, "--- agent\n", agent->Stderr());
  }
  return out;
}

std::vector<std::string> GateLab::Ctl(std::vector<std::string> args) const {
  std::vector<std::string> argv = {BuildPath("cli/propwatchctl"), "--insecure",
                                   "--coordinator", address_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> GateLab::VerifyFlags(
    const std::string& host, const std::string& deadline) const {
  return {"verify",
          "--host",
          host,
          "--scheme",
          "http",
          "--port",
          std::to_string(port_),
          "--path",
          "/signin",
          "--record-type",
          "A",
          "--expect-status",
          "200",
          "--interval",
          "1s",
          "--phase-timeout",
          "800ms",
          "--deadline",
          deadline,
          "--pipeline",
          "cli-test"};
}

}  // namespace propwatch::testing
