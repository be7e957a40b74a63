// propwatchctl: drives and queries the coordinator; its exit code gates
// deployment pipelines (see cli/exit_codes.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/agents_command.h"
#include "cli/coordinator_client.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace {

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::ClientOptions client_options;
  client_options.coordinator =
      EnvOr("PROPWATCH_COORDINATOR", client_options.coordinator);
  std::string output = "table";
  double timeout_seconds = 10;

  CLI::App app{
      "propwatchctl: verify that routing and DNS changes reached "
      "every region and edge IP"};
  app.set_version_flag("--version", PROPWATCH_VERSION);
  app.require_subcommand(1);
  // Global flags may also follow the subcommand: `propwatchctl agents -o json`.
  app.fallthrough();
  app.add_option("--coordinator", client_options.coordinator,
                 "coordinator host:port (env PROPWATCH_COORDINATOR)")
      ->capture_default_str();
  app.add_option("-o,--output", output, "table or json")->capture_default_str();
  app.add_option("--tls-ca", client_options.tls.ca,
                 "CA bundle that verifies the coordinator (default: system)");
  app.add_option("--tls-cert", client_options.tls.cert,
                 "client certificate, for mutual TLS");
  app.add_option("--tls-key", client_options.tls.key, "its private key");
  app.add_flag("--insecure", client_options.insecure,
               "plaintext, for a local coordinator started with --insecure "
               "(env PROPWATCH_INSECURE=1)")
      ->envname("PROPWATCH_INSECURE");
  app.add_option("--timeout", timeout_seconds, "seconds per call")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  propwatch::AgentsCommandOptions agents_options;
  CLI::App* agents = app.add_subcommand("agents", "list the agents");
  agents->add_option("--region", agents_options.regions,
                     "only these regions (repeatable)");
  agents->add_flag("--connected", agents_options.connected_only,
                   "only connected agents");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : propwatch::kExitUsage;
  }
  auto format = propwatch::ParseOutputFormat(output);
  if (!format.ok()) {
    std::fprintf(stderr, "propwatchctl: %s\n",
                 std::string(format.status().message()).c_str());
    return propwatch::kExitUsage;
  }
  client_options.timeout = absl::Seconds(timeout_seconds);
  auto client = propwatch::CoordinatorClient::Create(client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "propwatchctl: %s\n",
                 std::string(client.status().message()).c_str());
    return propwatch::kExitUsage;
  }
  if (agents->parsed()) {
    return propwatch::RunAgentsCommand(**client, agents_options, *format);
  }
  return propwatch::kExitUsage;
}
