// propwatch-coordinator: holds agents' streams, runs verifications, stores
// results in RocksDB, serves the control API.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/replace_file.h"
#include "coordinator/service/coordinator_server.h"
#include "coordinator/storage/store.h"

namespace {

// Exit codes (docs/OPERATIONS.md): 0 stopped cleanly or --repair succeeded,
// 1 could not start (one line on stderr says why and what to do), 2 usage.
constexpr int kExitStartupFailure = 1;
constexpr int kExitUsage = 2;

// One line, "propwatch-coordinator: <message>", and the start-up failure
// exit code.
int Fail(const absl::Status& status) {
  const std::string line =
      absl::StrReplaceAll(status.message(), {{"\n", " "}, {"\r", " "}});
  std::fprintf(stderr, "propwatch-coordinator: %s\n", line.c_str());
  return kExitStartupFailure;
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::CoordinatorOptions options;
  std::string log_level = "info";
  std::string port_file;
  int heartbeat_seconds = 5;
  int retention_days = 30;

  CLI::App app{
      "propwatch-coordinator: proves routing and DNS changes reached "
      "every region and edge IP"};
  app.set_version_flag("--version", PROPWATCH_VERSION);
  app.add_option("--listen", options.listen,
                 "gRPC listen address host:port (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--data-dir", options.data_dir,
                 "directory of the embedded RocksDB (created if missing)")
      ->required();
  app.add_option("--heartbeat-interval", heartbeat_seconds,
                 "seconds between agent heartbeats; 3 missed mean disconnected")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls.cert,
                 "PEM certificate chain the coordinator presents");
  app.add_option("--tls-key", options.tls.key, "its PEM private key");
  app.add_option("--tls-ca", options.tls.ca,
                 "CA bundle verifying agents' client certificates (mutual "
                 "TLS; a certificate's CN or SAN is the agent_id it may use)");
  app.add_option("--agent-tokens", options.agent_tokens_file,
                 "file of 'agent_id token' lines: per-agent bearer tokens");
  app.add_option("--control-tokens", options.control_tokens_file,
                 "file of 'name token [read|write]' lines: bearer tokens "
                 "for propwatchctl and pipelines (without it the control "
                 "API is open to anyone who reaches --listen)");
  app.add_flag("--insecure", options.insecure,
               "plaintext gRPC; without --agent-tokens any agent may claim "
               "any id (local demos and tests only)");
  app.add_option("--allow-target", options.allowed_targets,
                 "hostname pattern verifications may target, e.g. "
                 "*.example.com (repeatable; default: any hostname)");
  app.add_flag("--allow-private-targets", options.allow_private_targets,
               "let agents probe private, loopback and link-local addresses "
               "(labs and tests)");
  app.add_option("--retention-days", retention_days,
                 "delete finished verifications older than this at start "
                 "(0 keeps everything)")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  app.add_option("--max-message-bytes", options.max_message_bytes,
                 "largest message an agent or client may send; a larger one "
                 "ends its stream with RESOURCE_EXHAUSTED")
      ->check(CLI::Range(size_t{16} << 10, size_t{64} << 20))
      ->capture_default_str();
  std::string expected_region_window = "24h";
  app.add_option("--expected-region-window", expected_region_window,
                 "a verification without --regions expects every region of "
                 "an agent seen within this long (e.g. 24h, 90m); "
                 "propwatchctl agents forget ID retires an agent sooner")
      ->capture_default_str();
  app.add_option("--port-file", port_file,
                 "write the bound port here once listening");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off")
      ->capture_default_str();
  bool repair = false;
  app.add_flag("--repair", repair,
               "rebuild a --data-dir that RocksDB reports corrupt from the "
               "files it still has, then exit; stop the coordinator and copy "
               "the directory first (docs/OPERATIONS.md)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the error
    return code == 0 ? 0 : kExitUsage;
  }
  if (absl::Status s = propwatch::SetupLogging("coordinator", log_level);
      !s.ok()) {
    std::fprintf(stderr, "propwatch-coordinator: %s\n",
                 std::string(s.message()).c_str());
    return kExitUsage;
  }
  if (repair) {
    if (absl::Status s = propwatch::Store::Repair(options.data_dir); !s.ok()) {
      return Fail(s);
    }
    std::fprintf(stderr,
                 "propwatch-coordinator: repaired --data-dir %s; start the "
                 "coordinator without --repair\n",
                 options.data_dir.c_str());
    return 0;
  }
  if (!absl::ParseDuration(expected_region_window,
                           &options.expected_region_window) ||
      options.expected_region_window <= absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "propwatch-coordinator: --expected-region-window %s is not "
                 "a positive duration; write it like 24h or 90m\n",
                 expected_region_window.c_str());
    return kExitUsage;
  }
  options.heartbeat_interval = absl::Seconds(heartbeat_seconds);
  options.retention = absl::Hours(24) * retention_days;

  // Block the stop signals before gRPC starts threads, so only sigwait below
  // ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = propwatch::CoordinatorServer::Start(options);
  if (!server.ok()) return Fail(server.status());
  if (!port_file.empty()) {
    absl::Status written = propwatch::ReplaceFile(
        port_file, absl::StrCat((*server)->port(), "\n"));
    if (!written.ok()) {
      spdlog::warn("--port-file: {}", std::string(written.message()));
    }
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {} received; shutting down", signal_number);
  (*server)->Shutdown(absl::Seconds(5));
  server->reset();
  spdlog::info("stopped cleanly");
  return 0;
}
