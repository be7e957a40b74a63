// Keeps a fixed number of probes in flight on one EventLoop for a bounded
// time and count, and reports throughput and latency. Knows nothing about
// DNS or HTTP: the caller passes a function that starts one probe.
//
// Threading: RunLoad runs the loop on the calling thread until the load is
// done; the starter and its completions run on that thread.
#ifndef PROPWATCH_BENCH_PROBE_ENGINE_LOAD_LOOP_H_
#define PROPWATCH_BENCH_PROBE_ENGINE_LOAD_LOOP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/loop/event_loop.h"

namespace propwatch::bench {

struct LoadOptions {
  // Probes kept in flight: each completion starts the next.
  int concurrency = 64;
  // No new probe starts after this many have started or `duration` passed.
  int64_t max_probes = 10'000'000;
  absl::Duration duration = absl::Seconds(5);
  // Probes still running this long after `duration` are abandoned and the
  // loop stops anyway (report.drained is then false).
  absl::Duration drain_limit = absl::Seconds(15);
};

// What one probe's completion tells the runner.
struct ProbeOutcome {
  bool ok = false;
  std::string error;  // why, when !ok
};

// Starts one probe and arranges for `done` to run exactly once, later, on the
// loop thread (never inside the call). A non-OK status: the probe did not
// start and `done` never runs.
using ProbeStarter =
    std::function<absl::Status(std::function<void(ProbeOutcome)> done)>;

struct LoadReport {
  int64_t started = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  // From the first start to the last completion.
  absl::Duration elapsed;
  // Start-to-completion of every successful probe, sorted ascending.
  std::vector<absl::Duration> latencies;
  std::string first_error;
  bool drained = true;

  double rate() const;  // successful probes per second
  // The q-quantile (0..1) of `latencies`, nearest rank; zero when empty.
  absl::Duration Quantile(double q) const;
};

// Runs the load to completion. REQUIRES: when the report says !drained,
// the caller destroys whatever runs the abandoned probes (the prober, which
// then drops their callbacks) before running `loop` again.
LoadReport RunLoad(EventLoop& loop, const LoadOptions& options,
                   const ProbeStarter& start);

}  // namespace propwatch::bench

#endif  // PROPWATCH_BENCH_PROBE_ENGINE_LOAD_LOOP_H_
