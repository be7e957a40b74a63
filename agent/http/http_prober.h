// Pinned HTTP probes on the agent's event loop.
#ifndef PROPWATCH_AGENT_HTTP_HTTP_PROBER_H_
#define PROPWATCH_AGENT_HTTP_HTTP_PROBER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/http/curl_multi.h"
#include "agent/http/http_probe_plan.h"
#include "agent/http/http_transfer.h"
#include "agent/loop/event_loop.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

struct HttpProberOptions {
  // Probes running at once; the rest wait in a FIFO queue.
  size_t max_in_flight = 256;
  // Probes waiting at most; Start() fails with ResourceExhausted beyond.
  size_t max_queued = 100000;
  HttpProbeLimits limits;
  // The loop deadline fires this long after total_timeout, so libcurl's own
  // timeout, with its more precise message, normally ends the probe first.
  // Tests set it negative to exercise the loop deadline alone.
  absl::Duration deadline_grace = absl::Milliseconds(50);
  std::string user_agent = "propwatch-agent/" PROPWATCH_VERSION;
};

// Runs HttpProbeSpecs: each request goes to the spec's pinned IP only
// (CURLOPT_CONNECT_TO) over a fresh connection, with the URL's host for Host,
// SNI and certificate checks, and yields one HttpResult with expectations
// already checked. Many probes run at once on one curl multi handle; each has
// a loop deadline at total_timeout (+ grace) that always ends it, whatever
// the peer does.
//
// Redirects: recorded, not followed, unless the spec asks for
// REDIRECT_POLICY_FOLLOW_SAME_HOST; then at most kMaxRedirects redirects to
// the same scheme, host and port are followed, on the same pin, within the
// same deadline. A redirect elsewhere ends the probe with its 3xx recorded.
//
// Threading: loop thread only. REQUIRES: the loop outlives the prober.
// Callbacks run on the loop thread and may Start() and Cancel() probes, but
// must not destroy the prober. Destroying the prober drops unfinished probes
// without calling their callbacks.
class HttpProber {
 public:
  using ProbeId = uint64_t;
  using DoneCallback = std::function<void(v1::HttpResult result)>;

  static absl::StatusOr<std::unique_ptr<HttpProber>> Create(
      EventLoop* loop, HttpProberOptions options = {});
  ~HttpProber();
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  // Validates `spec` and starts the probe, or queues it when max_in_flight
  // probes are running. `done` runs exactly once, later, on the loop thread,
  // never from inside Start(). Errors: InvalidArgument for a bad spec (see
  // PlanHttpProbe), ResourceExhausted when the queue is full; `done` is then
  // never called.
  absl::StatusOr<ProbeId> Start(const v1::HttpProbeSpec& spec,
                                DoneCallback done);

  // Stops a queued or running probe; its callback runs before Cancel returns
  // with ERROR_CLASS_CANCELLED and whatever had been measured. False when
  // `id` is unknown or already finished.
  bool Cancel(ProbeId id);

  size_t in_flight() const { return in_flight_; }
  size_t queued() const { return queue_.size(); }

 private:
  struct Probe {
    ProbeId id = 0;
    HttpProbePlan plan;
    DoneCallback done;
    HttpTransferPtr transfer;  // the current request; null while queued
    absl::Time started;
    absl::Time request_started;
    int redirects_followed = 0;
    bool launched = false;
    EventLoop::TimerId deadline_timer = 0;
  };

  HttpProber(EventLoop* loop, CurlMultiPtr multi, HttpProberOptions options);

  void Launch(Probe& probe);
  absl::Status StartRequest(Probe& probe, absl::string_view url);
  void OnRequestDone(ProbeId id, CURLcode code);
  void OnDeadline(ProbeId id);
  // Ends `id`: detaches its transfer, fills the result from it (with
  // `code` / `abort`), checks expectations, starts queued probes and runs the
  // callback.
  // `failure`, when given, replaces the error the outcome maps to.
  void Finish(ProbeId id, CURLcode code, LocalAbort abort,
              std::optional<CurlFailure> failure = std::nullopt);
  // Ends `id` with ERROR_CLASS_INTERNAL from a zero-delay timer, so a probe
  // that cannot start still completes asynchronously.
  void FailSoon(Probe& probe, const absl::Status& status);
  void StartQueued();

  EventLoop* const loop_;
  HttpProberOptions options_;
  // Declared before probes_ so it is destroyed after the transfers it runs;
  // ~HttpProber detaches them first anyway.
  CurlMultiPtr multi_;
  std::map<ProbeId, std::unique_ptr<Probe>> probes_;
  std::deque<ProbeId> queue_;
  size_t in_flight_ = 0;
  ProbeId next_id_ = 1;
  bool starting_queued_ = false;
};

using HttpProberPtr = std::unique_ptr<HttpProber>;

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_HTTP_PROBER_H_
