// propwatchctl: drives and queries the coordinator; its exit code gates
// deployment pipelines (see cli/exit_codes.h). This file only maps flags to
// the commands in cli/commands/.
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/commands/agents_command.h"
#include "cli/commands/command_context.h"
#include "cli/commands/health_command.h"
#include "cli/commands/results_command.h"
#include "cli/commands/verification_commands.h"
#include "cli/commands/verify_command.h"
#include "cli/commands/watch_command.h"
#include "cli/coordinator_client.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/terminal.h"

namespace {

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

int TerminalColumns(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return std::atoi(EnvOr("COLUMNS", "0").c_str());
}

void AddVerifyFlags(CLI::App& verify, propwatch::VerifyFlags& f) {
  verify.add_option("-f,--file", f.spec_file,
                    "YAML spec (the proto's fields; - for stdin)");
  verify.add_option("--host", f.hosts, "hostname to verify (repeatable)")
      ->delimiter(',');
  verify.add_option("--path", f.paths, "path to request (repeatable)")
      ->delimiter(',');
  verify.add_option("--record-type", f.record_types, "A, AAAA, CNAME...")
      ->delimiter(',');
  verify
      .add_option("--resolver", f.resolvers,
                  "system, authoritative or ip[:port] (repeatable)")
      ->delimiter(',');
  verify.add_option("--scheme", f.scheme, "https (default) or http");
  verify.add_option("--port", f.port, "port (default: the scheme's)");
  verify.add_option("--pin", f.pin,
                    "how HTTP probes pick IPs: all_observed (default), "
                    "resolved, explicit");
  verify.add_option("--dns-consistency", f.dns_consistency,
                    "geo (default: regions may get different answers) or "
                    "strict (one answer everywhere)");
  verify
      .add_option("--pin-ip", f.pin_ips,
                  "IPs to probe (implies --pin explicit)")
      ->delimiter(',');
  verify
      .add_option("--expect-status", f.expect_status,
                  "acceptable HTTP statuses, e.g. 200,301")
      ->delimiter(',');
  verify
      .add_option("--expect-address", f.expect_addresses,
                  "DNS answers must lie within these IPs/CIDRs")
      ->delimiter(',');
  verify
      .add_option("--fingerprint-header", f.fingerprint_headers,
                  "header added to the agreement fingerprint")
      ->delimiter(',');
  verify.add_flag("--fingerprint-body", f.fingerprint_body,
                  "add the body hash to the agreement fingerprint");
  verify.add_flag("--insecure-skip-verify", f.insecure_skip_verify,
                  "agents skip TLS verification of the target");
  verify.add_option("--regions", f.regions, "regions to verify from")
      ->delimiter(',');
  verify.add_option("--label", f.labels,
                    "agents must carry key=value (repeatable)");
  verify.add_option("--min-agents", f.min_agents,
                    "agents that must answer per region (quorum)");
  verify.add_option("--interval", f.interval, "round interval, e.g. 10s");
  verify.add_option("--deadline", f.deadline, "give up after, e.g. 10m");
  verify.add_option("--phase-timeout", f.phase_timeout,
                    "per-phase deadline, e.g. 2s");
  verify.add_option("--stable-rounds", f.stable_rounds,
                    "consistent rounds in a row that mean converged");
  verify.add_option("--source", f.source, "free text: what changed");
  verify.add_option("--pipeline", f.pipeline, "pipeline or job name");
  verify.add_option("--release", f.release, "release name or version");
  verify.add_option("--commit", f.commit, "commit id");
  verify.add_flag("--wait", f.wait,
                  "follow to the final state; exit 0 converged, 1 diverged, "
                  "2 inconclusive; Ctrl-C or SIGTERM cancels the "
                  "verification and exits 130 or 143");
  verify.add_flag("--dry-run", f.dry_run,
                  "check the spec and print the request; contact nobody");
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::ClientOptions client_options;
  client_options.coordinator =
      EnvOr("PROPWATCH_COORDINATOR", client_options.coordinator);
  client_options.token = EnvOr("PROPWATCH_TOKEN", "");
  std::string output = "table";
  double timeout_seconds = 10;

  CLI::App app{
      "propwatchctl: verify that routing and DNS changes reached "
      "every region and edge IP.\nExit codes: 0 converged/pass, 1 "
      "diverged/fail, 2 inconclusive, 3 usage or bad spec, 4 coordinator "
      "unreachable or not authorised, 130/143 interrupted while waiting."};
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
  app.add_option("--token", client_options.token,
                 "bearer token sent on every call (env PROPWATCH_TOKEN)");
  app.add_option("--token-file", client_options.token_file,
                 "file holding the bearer token, e.g. a mounted Secret (env "
                 "PROPWATCH_TOKEN_FILE)")
      ->envname("PROPWATCH_TOKEN_FILE");
  app.add_option("--timeout", timeout_seconds, "seconds per call")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  propwatch::VerifyFlags verify_flags;
  CLI::App* verify = app.add_subcommand(
      "verify", "create a verification (from flags or -f spec.yaml)");
  AddVerifyFlags(*verify, verify_flags);

  std::string id;
  CLI::App* watch = app.add_subcommand(
      "watch",
      "follow a verification to its final state (exit code as "
      "verify --wait)");
  watch->add_option("id", id, "verification id")->required();

  uint32_t report_round = 0;
  CLI::App* report =
      app.add_subcommand("report", "matrix, DNS view, diagnosis, timings");
  report->add_option("id", id, "verification id")->required();
  report->add_option("--round", report_round,
                     "show this round (default: the latest)");

  propwatch::ListCommandOptions list_options;
  CLI::App* list = app.add_subcommand("list", "verifications, newest first");
  list->add_option("--limit", list_options.limit, "page size (default 100)");
  list->add_option("--before", list_options.before_id,
                   "ids older than this one (paging)");
  list->add_option("--state", list_options.state,
                   "running, converged, diverged, inconclusive, cancelled");
  list->add_option("--host", list_options.hostname,
                   "only verifications of this hostname");

  CLI::App* get = app.add_subcommand("get", "one verification's state");
  get->add_option("id", id, "verification id")->required();

  std::string cancel_reason = "cancelled with propwatchctl";
  CLI::App* cancel = app.add_subcommand("cancel", "stop a verification");
  cancel->add_option("id", id, "verification id")->required();
  cancel->add_option("--reason", cancel_reason, "recorded as the reason")
      ->capture_default_str();

  propwatch::AgentsCommandOptions agents_options;
  CLI::App* agents = app.add_subcommand("agents", "list the agents");
  agents->add_option("--region", agents_options.regions,
                     "only these regions (repeatable)");
  agents->add_flag("--connected", agents_options.connected_only,
                   "only connected agents");
  std::string forget_id;
  CLI::App* forget = agents->add_subcommand(
      "forget",
      "retire a disconnected agent: new verifications no longer expect its "
      "region");
  forget->add_option("id", forget_id, "agent id")->required();

  std::string health_service;
  CLI::App* health = app.add_subcommand(
      "health",
      "is the coordinator serving? (grpc.health.v1; needs no token; exit 0 "
      "serving, 1 not serving, 4 unreachable)");
  health->add_option("--service", health_service,
                     "a service name (default: the whole server)");

  propwatch::ResultsCommandOptions results_options;
  CLI::App* results =
      app.add_subcommand("results", "the raw probe results of a verification");
  results->add_option("id", id, "verification id")->required();
  results->add_option("--round", results_options.round, "only this round");
  results->add_option("--region", results_options.region, "only this region");
  results->add_option("--ip", results_options.ip, "only this IP");
  results->add_option("--kind", results_options.kind, "dns or http");
  results->add_option("--agent", results_options.agent_id, "only this agent");
  results->add_option("--limit", results_options.limit, "results at most")
      ->capture_default_str();
  results->add_option("--page-token", results_options.page_token,
                      "resume after a previous call");

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
  propwatch::CommandContext ctx{**client};
  ctx.format = *format;
  ctx.stdout_ansi = propwatch::AnsiAllowed(STDOUT_FILENO);
  ctx.stderr_ansi = propwatch::AnsiAllowed(STDERR_FILENO);
  ctx.columns =
      TerminalColumns(ctx.stdout_ansi ? STDOUT_FILENO : STDERR_FILENO);

  if (verify->parsed()) return propwatch::RunVerifyCommand(ctx, verify_flags);
  if (watch->parsed()) return propwatch::RunWatchCommand(ctx, id);
  if (report->parsed()) {
    return propwatch::RunReportCommand(ctx, id, report_round);
  }
  if (list->parsed()) return propwatch::RunListCommand(ctx, list_options);
  if (get->parsed()) return propwatch::RunGetCommand(ctx, id);
  if (cancel->parsed()) {
    return propwatch::RunCancelCommand(ctx, id, cancel_reason);
  }
  if (forget->parsed()) {
    return propwatch::RunForgetAgentCommand(ctx, forget_id);
  }
  if (agents->parsed()) {
    return propwatch::RunAgentsCommand(ctx, agents_options);
  }
  if (health->parsed()) {
    return propwatch::RunHealthCommand(ctx, health_service);
  }
  if (results->parsed()) {
    return propwatch::RunResultsCommand(ctx, id, results_options);
  }
  return propwatch::kExitUsage;
}
