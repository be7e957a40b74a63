// propwatch-agent-fleet: simulates many agents against one coordinator, each
// on its own AgentService.Connect stream, and measures the agent link:
//   --hold S      connect all, keep them S seconds, report who stayed
//   --fanout R    R RunProbes rounds to all; per-agent command receipt times
//   --ingest M    every agent streams M results; durable results per second
// Modes combine in that order on one set of streams. Prints one JSON line.
// Exit: 0 all agents welcomed and every measurement complete, 1 otherwise,
// 2 bad usage or a failed control call.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/agent_link/fleet.h"
#include "bench/agent_link/synthetic_results.h"
#include "common/replace_file.h"
#include "tests/testing/process_memory.h"

namespace {

// Each HTTP/2 connection costs the tool one fd (plus a few for gRPC's
// pollers); with one stream per connection 1,000 agents need ~1,100.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

bool WriteReadyFile(const std::string& path, int welcomed) {
  return propwatch::ReplaceFile(path, absl::StrCat(welcomed, "\n")).ok();
}

std::string Ms(double v) { return absl::StrFormat("%.3f", v); }

// The fleet sends ResultFactory::Encoded() bytes while the raw RocksDB peer
// stores Make()'s: the comparison holds only if they are the same results.
bool EncodedMatchesMake() {
  const propwatch::bench::ResultFactory factory;
  for (uint64_t sequence : {1, 2, 3, 4, 5, 99999, 100000, 123456789}) {
    propwatch::v1::ProbeResult parsed;
    if (!parsed.ParseFromString(factory.Encoded(sequence)) ||
        parsed.SerializeAsString() !=
            factory.Make(sequence).SerializeAsString()) {
      std::fprintf(stderr, "encoded result %llu differs from Make()\n",
                   static_cast<unsigned long long>(sequence));
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  propwatch::bench::FleetOptions options;
  double connect_timeout_s = 30;
  double hold_s = 0;
  std::string ready_file;
  int fanout_rounds = 0;
  double round_timeout_s = 10;
  uint64_t ingest_per_agent = 0;
  size_t batch = 50;
  size_t window = 100;
  double ingest_timeout_s = 120;

  CLI::App app{"propwatch-agent-fleet: many simulated agents on one process"};
  app.add_option("--coordinator", options.coordinator,
                 "coordinator address host:port (plaintext, --insecure)")
      ->required();
  app.add_option("--agents", options.agents, "simulated agents")
      ->check(CLI::Range(1, 20000))
      ->capture_default_str();
  app.add_option("--streams-per-channel", options.streams_per_channel,
                 "agent streams sharing one HTTP/2 connection")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--agent-prefix", options.agent_prefix,
                 "agent_id prefix; also the value of the agents' 'fleet' "
                 "label")
      ->capture_default_str();
  app.add_option("--connect-timeout", connect_timeout_s,
                 "seconds to wait for every Welcome")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();
  app.add_option("--hold", hold_s, "seconds to keep all streams open")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--ready-file", ready_file,
                 "written (welcomed count) once the connect phase is over");
  app.add_option("--fanout", fanout_rounds, "RunProbes rounds to all agents")
      ->check(CLI::Range(0, 1000));
  app.add_option("--round-timeout", round_timeout_s,
                 "seconds a fan-out round may take")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();
  app.add_option("--ingest", ingest_per_agent,
                 "results each agent streams (0: no ingest run)");
  app.add_option("--batch", batch, "results per ResultBatch message")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--window", window, "unacked results per agent at most")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--ingest-timeout", ingest_timeout_s,
                 "seconds the ingest run may take")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!EncodedMatchesMake()) return 2;
  RaiseFileLimit();
  options.connect_timeout = absl::Seconds(connect_timeout_s);

  std::vector<std::string> json = {
      "\"tool\":\"propwatch-agent-fleet\"",
      absl::StrCat("\"agents\":", options.agents),
      absl::StrCat("\"streams_per_channel\":", options.streams_per_channel)};
  bool complete = true;
  int exit_code = 0;
  {
    propwatch::bench::Fleet fleet(options);
    const propwatch::bench::ConnectReport connect = fleet.Connect();
    json.push_back(absl::StrCat("\"welcomed\":", connect.welcomed,
                                ",\"connect_seconds\":", Ms(connect.seconds)));
    complete = connect.welcomed == connect.agents;
    if (!ready_file.empty() && !WriteReadyFile(ready_file, connect.welcomed)) {
      std::fprintf(stderr, "cannot write %s\n", ready_file.c_str());
      return 2;
    }
    if (hold_s > 0) {
      const auto hold = fleet.Hold(absl::Seconds(hold_s));
      json.push_back(absl::StrCat(
          "\"hold_seconds\":", Ms(hold.seconds),
          ",\"connected_after_hold\":", hold.connected_after_hold));
      complete = complete && hold.connected_after_hold == connect.agents;
    }
    if (fanout_rounds > 0) {
      auto fanout = fleet.Fanout(fanout_rounds, absl::Seconds(round_timeout_s));
      if (!fanout.ok()) {
        std::fprintf(stderr, "fan-out: %s\n",
                     fanout.status().ToString().c_str());
        exit_code = 2;
      } else {
        std::vector<std::string> rounds;
        for (const auto& r : fanout->rounds) {
          rounds.push_back(absl::StrCat(
              "{\"delivered\":", r.delivered, ",\"received\":", r.received,
              ",\"rpc_ms\":", Ms(r.rpc_ms), ",\"p50_ms\":", Ms(r.p50_ms),
              ",\"p99_ms\":", Ms(r.p99_ms), ",\"max_ms\":", Ms(r.max_ms), "}"));
        }
        json.push_back(absl::StrCat("\"fanout\":{\"rounds\":[",
                                    absl::StrJoin(rounds, ","),
                                    "],\"received\":", fanout->received,
                                    ",\"expected\":", fanout->expected,
                                    ",\"p50_ms\":", Ms(fanout->p50_ms),
                                    ",\"p99_ms\":", Ms(fanout->p99_ms),
                                    ",\"max_ms\":", Ms(fanout->max_ms), "}"));
        complete = complete && fanout->received == fanout->expected;
      }
    }
    if (ingest_per_agent > 0 && exit_code == 0) {
      const auto ingest = fleet.Ingest(ingest_per_agent, batch, window,
                                       absl::Seconds(ingest_timeout_s));
      json.push_back(absl::StrCat(
          "\"ingest\":{\"results\":", ingest.results, ",\"expected\":",
          ingest.expected, ",\"batch\":", batch, ",\"window\":", window,
          ",\"seconds\":", Ms(ingest.seconds), ",\"results_per_second\":",
          absl::StrFormat("%.0f", ingest.results_per_second),
          ",\"mean_result_bytes\":",
          absl::StrFormat("%.0f", ingest.mean_result_bytes), "}"));
      complete = complete && ingest.results == ingest.expected;
    }
    json.push_back(absl::StrCat("\"connected_at_end\":", fleet.connected()));
  }
  json.push_back(absl::StrCat(
      "\"fleet_peak_rss_mb\":",
      absl::StrFormat("%.1f", propwatch::testing::PeakRssBytes() / 1048576.0)));
  json.push_back(absl::StrCat("\"complete\":", complete ? "true" : "false"));
  std::printf("{%s}\n", absl::StrJoin(json, ",").c_str());
  std::fflush(stdout);
  if (exit_code != 0) return exit_code;
  return complete ? 0 : 1;
}
