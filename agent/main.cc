// propwatch-agent: one vantage point. Dials the coordinator, runs the probes
// it is sent, streams results back.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "agent/identity.h"
#include "agent/link/agent_link.h"
#include "common/host_port.h"
#include "common/logging.h"

namespace {

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "propwatch-agent: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::AgentLinkOptions options;
  std::string agent_id, region, provider = "onprem", log_level = "info";
  std::vector<std::string> labels, resolvers;

  CLI::App app{"propwatch-agent: a propwatch vantage point"};
  app.set_version_flag("--version", PROPWATCH_VERSION);
  app.add_option("--coordinator", options.coordinator,
                 "coordinator address host:port")
      ->required();
  app.add_option("--agent-id", agent_id, "stable id of this agent")->required();
  app.add_option("--region", region, "region label, e.g. eu-west")->required();
  app.add_option("--provider", provider, "cloud or hosting provider")
      ->capture_default_str();
  app.add_option("--label", labels, "extra label key=value (repeatable)");
  app.add_option("--system-resolver", resolvers,
                 "system resolver ip[:port] (repeatable); default: "
                 "/etc/resolv.conf");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (absl::Status s = propwatch::SetupLogging("agent", log_level); !s.ok()) {
    return Fail(std::string(s.message()), 3);
  }
  if (auto hp = propwatch::ParseHostPort(options.coordinator, 0);
      !hp.ok() || hp->port == 0) {
    return Fail("--coordinator '" + options.coordinator +
                    "' must be host:port, e.g. 127.0.0.1:7411",
                3);
  }
  auto& identity = options.identity;
  identity.set_agent_id(agent_id);
  identity.set_region(region);
  identity.set_provider(provider);
  identity.set_version(PROPWATCH_VERSION);
  if (absl::Status s = propwatch::ParseLabels(labels, identity); !s.ok()) {
    return Fail(std::string(s.message()), 3);
  }
  if (resolvers.empty()) resolvers = propwatch::SystemResolvers();
  for (const std::string& r : resolvers) {
    auto hp = propwatch::ParseHostPort(r, 53);
    if (!hp.ok() || !propwatch::IsIpLiteral(hp->host)) {
      return Fail("--system-resolver '" + r + "' must be ip[:port]", 3);
    }
    identity.add_system_resolvers(propwatch::FormatHostPort(*hp));
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  propwatch::AgentLink link(
      options, [](const propwatch::v1::CoordinatorMessage& message) {
        spdlog::debug("coordinator message {}",
                      static_cast<int>(message.msg_case()));
      });
  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    spdlog::info("signal {} received; closing the link", signal_number);
    link.Stop();
  });
  spdlog::info("agent {} in region {} dialling {}", agent_id, region,
               options.coordinator);
  absl::Status status = link.Run();
  if (!status.ok()) {
    // Wake the signal thread so it can be joined.
    kill(getpid(), SIGTERM);
  }
  signal_thread.join();
  if (!status.ok()) return Fail(std::string(status.message()), 1);
  spdlog::info("stopped cleanly");
  return 0;
}
