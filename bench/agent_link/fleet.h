// Many simulated agents in one process, each on its own Connect stream,
// spread over several HTTP/2 connections, plus the measurements the
// agent-link benchmarks take with them (hold, command fan-out, ingest).
//
// Threading: the public methods are called from one thread (main). Agents'
// reactions run on gRPC's threads; a heartbeat thread sends every agent's
// heartbeat at its own phase of the interval, as independent agents would.
// Every wait is bounded by the deadlines in the options.
#ifndef PROPWATCH_BENCH_AGENT_LINK_FLEET_H_
#define PROPWATCH_BENCH_AGENT_LINK_FLEET_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/agent_link/fake_agent.h"
#include "bench/agent_link/synthetic_results.h"
#include "propwatch/v1/agent.grpc.pb.h"
#include "propwatch/v1/control.grpc.pb.h"

namespace propwatch::bench {

struct FleetOptions {
  // "127.0.0.1:PORT" (plaintext).
  std::string coordinator;
  int agents = 1000;
  // Streams sharing one HTTP/2 connection; 1 gives every agent its own.
  int streams_per_channel = 50;
  // agent_id prefix; the agents also carry the label fleet=<prefix> so
  // RunProbes selects only them.
  std::string agent_prefix = "fleet-";
  absl::Duration connect_timeout = absl::Seconds(30);
};

struct ConnectReport {
  int agents = 0;
  int welcomed = 0;
  // From the first Start() until the last Welcome (or the timeout).
  double seconds = 0;
};

struct HoldReport {
  int welcomed = 0;
  // Welcomed and not ended when the hold was over.
  int connected_after_hold = 0;
  double seconds = 0;
};

// Latencies in milliseconds from the RunProbes call to an agent's receipt
// of the ProbeCommand.
struct FanoutRound {
  int delivered = 0;  // as RunProbes reported
  int received = 0;   // agents that got the command before the timeout
  double rpc_ms = 0;  // the RunProbes call itself
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct FanoutReport {
  std::vector<FanoutRound> rounds;
  // Over every sample of every round.
  int received = 0;
  int expected = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct IngestReport {
  uint64_t results = 0;  // acked (durable) during the run
  uint64_t expected = 0;
  double seconds = 0;
  double results_per_second = 0;
  double mean_result_bytes = 0;
};

class Fleet {
 public:
  explicit Fleet(FleetOptions options);
  // Stops every agent (half-close, then cancel), bounded in time.
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Starts every agent's stream and waits for their Welcome.
  ConnectReport Connect();
  // Keeps the streams open for `duration` (heartbeats flowing).
  HoldReport Hold(absl::Duration duration);
  // `rounds` RunProbes calls with one trivial DNS probe to every agent of
  // this fleet; each round waits (up to `round_timeout`) until every agent
  // received the command and its one result is acked.
  absl::StatusOr<FanoutReport> Fanout(int rounds, absl::Duration round_timeout);
  // Every welcomed agent streams `per_agent` results, `batch` per message,
  // at most `window` unacked; waits up to `timeout` for all acks.
  IngestReport Ingest(uint64_t per_agent, size_t batch, size_t window,
                      absl::Duration timeout);
  // Agents still connected (welcomed, not ended).
  int connected() const;

 private:
  void HeartbeatLoop();
  void Shutdown();

  const FleetOptions options_;
  const ResultFactory results_;
  FleetCounters counters_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<FakeAgent>> agents_;
  std::shared_ptr<grpc::Channel> control_channel_;
  std::unique_ptr<v1::ControlService::Stub> control_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread heartbeats_;
};

// Nearest-rank percentile of `values` (sorted in place); 0 when empty.
double Percentile(std::vector<double>& values, double percent);

}  // namespace propwatch::bench

#endif  // PROPWATCH_BENCH_AGENT_LINK_FLEET_H_
