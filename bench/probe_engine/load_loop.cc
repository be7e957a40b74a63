#include "bench/probe_engine/load_loop.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace propwatch::bench {
namespace {

// State of one RunLoad call, on RunLoad's stack. The loop stops once nothing
// is outstanding, or at the drain limit with probes still running; their
// completions must then never run (see RunLoad's REQUIRES).
class LoadState {
 public:
  LoadState(EventLoop& loop, const LoadOptions& options,
            const ProbeStarter& start)
      : loop_(loop), options_(options), start_(start) {}

  void Begin() {
    began_ = absl::Now();
    last_done_ = began_;
    for (int i = 0; i < options_.concurrency && MayStart(); ++i) StartOne();
    StopIfIdle();
  }

  void StopStarting() { stop_starting_ = true; }
  void Abandon() {
    report_.drained = outstanding_ == 0;
    finished_ = true;
    loop_.Stop();
  }

  LoadReport TakeReport() {
    finished_ = true;
    report_.elapsed = last_done_ - began_;
    std::sort(report_.latencies.begin(), report_.latencies.end());
    return std::move(report_);
  }

 private:
  bool MayStart() const {
    return !stop_starting_ && !finished_ &&
           report_.started < options_.max_probes;
  }

  void StartOne() {
    const absl::Time started = absl::Now();
    absl::Status status = start_([this, started](ProbeOutcome outcome) {
      OnDone(started, std::move(outcome));
    });
    if (!status.ok()) {
      // A probe that cannot even start will not start next time either:
      // stop the run rather than spin.
      NoteError(std::string(status.message()));
      ++report_.failed;
      stop_starting_ = true;
      return;
    }
    ++report_.started;
    ++outstanding_;
  }

  void OnDone(absl::Time started, ProbeOutcome outcome) {
    if (finished_) return;
    --outstanding_;
    last_done_ = absl::Now();
    if (outcome.ok) {
      ++report_.succeeded;
      report_.latencies.push_back(last_done_ - started);
    } else {
      ++report_.failed;
      NoteError(std::move(outcome.error));
    }
    if (MayStart()) StartOne();
    StopIfIdle();
  }

  void StopIfIdle() {
    if (outstanding_ == 0 && !MayStart()) {
      finished_ = true;
      loop_.Stop();
    }
  }

  void NoteError(std::string error) {
    if (report_.first_error.empty()) report_.first_error = std::move(error);
  }

  EventLoop& loop_;
  const LoadOptions& options_;
  const ProbeStarter& start_;
  LoadReport report_;
  absl::Time began_;
  absl::Time last_done_;
  int64_t outstanding_ = 0;
  bool stop_starting_ = false;
  bool finished_ = false;
};

}  // namespace

double LoadReport::rate() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(succeeded) / seconds : 0.0;
}

absl::Duration LoadReport::Quantile(double q) const {
  if (latencies.empty()) return absl::ZeroDuration();
  const double rank = std::ceil(q * static_cast<double>(latencies.size()));
  const size_t index =
      std::clamp<size_t>(static_cast<size_t>(rank), 1, latencies.size()) - 1;
  return latencies[index];
}

LoadReport RunLoad(EventLoop& loop, const LoadOptions& options,
                   const ProbeStarter& start) {
  LoadState state(loop, options, start);
  const EventLoop::TimerId window =
      loop.RunAfter(options.duration, [&state] { state.StopStarting(); });
  const EventLoop::TimerId limit = loop.RunAfter(
      options.duration + options.drain_limit, [&state] { state.Abandon(); });
  // Posted so that the first completions already find the loop running.
  loop.Post([&state] { state.Begin(); });
  loop.Run();
  loop.CancelTimer(window);
  loop.CancelTimer(limit);
  return state.TakeReport();
}

}  // namespace propwatch::bench
