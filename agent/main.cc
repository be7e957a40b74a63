// propwatch-agent: one vantage point. Dials the coordinator, runs the probes
// it is sent, streams results back.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "agent/daemon/agent_daemon.h"
#include "agent/identity.h"
#include "agent/probe_tool/adhoc_probe.h"
#include "common/host_port.h"
#include "common/logging.h"
#include "common/proto_json.h"
#include "common/tls_credentials.h"
#include "common/token_file.h"

namespace {

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "propwatch-agent: %s\n", message.c_str());
  return code;
}

// Flags of `propwatch-agent probe`.
void AddProbeFlags(CLI::App& probe, propwatch::AdHocProbeFlags& f,
                   double& timeout_seconds) {
  probe.add_option("--dns", f.dns_host, "hostname to resolve");
  probe.add_option("--type", f.types,
                   "record types, e.g. A,AAAA (default A, AAAA and CNAME)");
  probe
      .add_option("--resolver", f.resolver,
                  "system, ip[:port], or authoritative (ask the zone's name "
                  "servers directly, recursion off)")
      ->capture_default_str();
  probe.add_option("--bootstrap", f.bootstrap,
                   "authoritative mode: resolver ip[:port] used to find the "
                   "NS set (default: system resolvers)");
  probe.add_option("--ns-port", f.ns_port,
                   "authoritative mode: port the name servers listen on");
  probe.add_option("--expect-addresses", f.expect_addresses,
                   "the answer must be exactly these IPs (comma list)");
  probe.add_option("--expect-within", f.expect_within,
                   "every answered IP must lie in these IPs/CIDRs");
  probe.add_option("--expect-cname", f.expect_cname,
                   "the CNAME chain must reach this name");
  probe.add_option("--expect-rcode", f.expect_rcode, "e.g. NOERROR");
  probe.add_option("--http", f.http_url, "URL to request once per --pin IP");
  probe.add_option("--pin", f.pins,
                   "IPs to send the request to, comma list; Host and SNI "
                   "stay the URL's host");
  probe.add_option("--method", f.method, "HTTP method (default GET)");
  probe.add_option("--header", f.headers, "request header 'Name: value'");
  probe.add_option("--record-header", f.record_headers,
                   "response header to include in the result");
  probe.add_flag("--insecure", f.insecure,
                 "skip TLS verification (recorded in the result)");
  probe.add_option("--ca-bundle", f.ca_bundle, "PEM CA bundle path");
  probe.add_option("--body-cap", f.body_cap_bytes,
                   "body bytes read at most (default 1 MiB)");
  probe.add_flag("--follow-redirects", f.follow_redirects,
                 "follow redirects that stay on the pinned IP and host");
  probe
      .add_option("--expect-status", f.expect_status,
                  "acceptable status codes, e.g. 200 or 200,301")
      ->delimiter(',');
  probe.add_option("--expect-header", f.expect_headers,
                   "Name=regex the whole header value must match");
  probe.add_option("--expect-body-regex", f.expect_body_regex,
                   "regex the body must contain a match of");
  probe.add_option("--expect-body-sha256", f.expect_body_sha256,
                   "lowercase hex SHA-256 of the body");
  probe.add_option("--expect-tls-days", f.expect_tls_days,
                   "TLS must verify with at least this many days left");
  probe.add_option("--timeout", timeout_seconds, "per-probe deadline, seconds")
      ->capture_default_str();
}

// Runs the probe subcommand: exit 0 when every result passed, 1 when any
// failed, 3 for bad flags.
int RunProbeTool(propwatch::AdHocProbeFlags flags, double timeout_seconds,
                 const std::vector<std::string>& resolvers) {
  flags.timeout = absl::Seconds(timeout_seconds);
  auto command = propwatch::BuildAdHocCommand(flags);
  if (!command.ok()) return Fail(std::string(command.status().message()), 3);
  auto run = propwatch::RunAdHocCommand(*command, resolvers);
  if (!run.ok()) return Fail(std::string(run.status().message()), 3);
  std::fputs(propwatch::ToJson(*run).c_str(), stdout);
  return run->failed() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::AgentDaemonOptions daemon_options;
  propwatch::AgentLinkOptions& options = daemon_options.link;
  std::string agent_id, region, provider = "onprem", log_level = "info";
  std::vector<std::string> labels, resolvers;
  propwatch::TlsFiles tls;
  bool insecure = false;
  std::string token_file;
  double shutdown_grace_seconds = 10;

  CLI::App app{"propwatch-agent: a propwatch vantage point"};
  app.set_version_flag("--version", PROPWATCH_VERSION);
  app.add_option("--coordinator", options.coordinator,
                 "coordinator address host:port");
  app.add_option("--agent-id", agent_id, "stable id of this agent");
  app.add_option("--region", region, "region label, e.g. eu-west");
  app.add_option("--provider", provider, "cloud or hosting provider")
      ->capture_default_str();
  app.add_option("--label", labels, "extra label key=value (repeatable)");
  app.add_option("--system-resolver", resolvers,
                 "system resolver ip[:port] (repeatable); default: "
                 "/etc/resolv.conf");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--tls-ca", tls.ca,
                 "CA bundle verifying the coordinator (default: system)");
  app.add_option("--tls-cert", tls.cert,
                 "client certificate naming this agent_id (mutual TLS)");
  app.add_option("--tls-key", tls.key, "its private key");
  app.add_option("--token-file", token_file,
                 "file holding this agent's bearer token");
  app.add_flag("--insecure", insecure,
               "plaintext link (only to a coordinator started with "
               "--insecure, for local demos and tests)");
  app.add_option("--state-dir", daemon_options.state_dir,
                 "directory for the outbox journal: unacked results survive "
                 "restarts and crashes");
  app.add_option("--status-file", options.status_file,
                 "keep 'connected COORDINATOR UNIXTIME' (refreshed every 5 s) "
                 "or 'disconnected ...' here, for health checks");
  app.add_option("--outbox-capacity", daemon_options.outbox_capacity,
                 "results kept until acked; beyond it the oldest are dropped "
                 "and counted")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(10000000)))
      ->capture_default_str();
  app.add_option("--max-in-flight", daemon_options.runner.max_in_flight,
                 "DNS queries and HTTP requests running at once (each)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(100000)))
      ->capture_default_str();
  app.add_option("--shutdown-grace", shutdown_grace_seconds,
                 "on SIGTERM: seconds to let probes finish, then as long to "
                 "flush results")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  propwatch::AdHocProbeFlags probe_flags;
  double probe_timeout_seconds = 5;
  CLI::App* probe = app.add_subcommand(
      "probe",
      "run DNS and pinned HTTP probes once, here, and print the results as "
      "JSON; exit 1 when any fails");
  probe->fallthrough();  // --system-resolver and --log-level work after it
  AddProbeFlags(*probe, probe_flags, probe_timeout_seconds);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // A peer closing a socket mid-write must be an error on that probe or
  // stream, not the end of the process.
  signal(SIGPIPE, SIG_IGN);
  if (absl::Status s = propwatch::SetupLogging("agent", log_level); !s.ok()) {
    return Fail(std::string(s.message()), 3);
  }
  if (probe->parsed()) {
    return RunProbeTool(probe_flags, probe_timeout_seconds, resolvers);
  }
  for (const auto& [flag, value] : {std::pair<const char*, const std::string*>{
                                        "--coordinator", &options.coordinator},
                                    {"--agent-id", &agent_id},
                                    {"--region", &region}}) {
    if (value->empty()) {
      return Fail(std::string(flag) +
                      " is required (or run `propwatch-agent probe ...`)",
                  3);
    }
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
  daemon_options.runner.system_resolvers = resolvers;

  // Blocked before gRPC or the probe loop start threads, so only the
  // sigwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto credentials = propwatch::ClientCredentials(tls, insecure);
  if (!credentials.ok())
    return Fail(std::string(credentials.status().message()), 3);
  options.credentials = *credentials;
  if (!token_file.empty()) {
    // Trimmed (CRLF files included) and checked here: gRPC aborts the
    // process on a metadata value it cannot send.
    auto token = propwatch::ReadTokenFile(token_file, "--token-file");
    if (!token.ok()) return Fail(std::string(token.status().message()), 3);
    options.token = *std::move(token);
  }

  const std::string coordinator = options.coordinator;
  auto daemon = propwatch::AgentDaemon::Create(std::move(daemon_options));
  if (!daemon.ok()) return Fail(std::string(daemon.status().message()), 1);
  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    spdlog::info("signal {} received; finishing probes and flushing results",
                 signal_number);
    (*daemon)->Shutdown(absl::Seconds(shutdown_grace_seconds));
  });
  spdlog::info("agent {} in region {} dialling {}", agent_id, region,
               coordinator);
  absl::Status status = (*daemon)->Run();
  if (!status.ok()) {
    // Wake the signal thread so it can be joined.
    kill(getpid(), SIGTERM);
  }
  signal_thread.join();
  daemon->reset();
  if (!status.ok()) return Fail(std::string(status.message()), 1);
  spdlog::info("stopped cleanly");
  return 0;
}
