#include "agent/http/http_prober.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/http/http_expectation.h"

namespace propwatch {

absl::StatusOr<std::unique_ptr<HttpProber>> HttpProber::Create(
    EventLoop* loop, HttpProberOptions options) {
  if (options.max_in_flight == 0) {
    return absl::InvalidArgumentError("max_in_flight must be at least 1");
  }
  absl::StatusOr<CurlMultiPtr> multi = CurlMulti::Create(loop);
  if (!multi.ok()) return multi.status();
  return std::unique_ptr<HttpProber>(
      new HttpProber(loop, *std::move(multi), std::move(options)));
}

HttpProber::HttpProber(EventLoop* loop, CurlMultiPtr multi,
                       HttpProberOptions options)
    : loop_(loop), options_(std::move(options)), multi_(std::move(multi)) {}

HttpProber::~HttpProber() {
  for (auto& [id, probe] : probes_) {
    if (probe->transfer != nullptr) multi_->Remove(probe->transfer->easy());
    if (probe->deadline_timer != 0) loop_->CancelTimer(probe->deadline_timer);
  }
  probes_.clear();
  multi_.reset();
}

absl::StatusOr<HttpProber::ProbeId> HttpProber::Start(
    const v1::HttpProbeSpec& spec, DoneCallback done) {
  absl::StatusOr<HttpProbePlan> plan = PlanHttpProbe(spec, options_.limits);
  if (!plan.ok()) return plan.status();
  const bool can_run = in_flight_ < options_.max_in_flight;
  if (!can_run && queue_.size() >= options_.max_queued) {
    return absl::ResourceExhaustedError(
        absl::StrCat("HTTP probe queue is full (", options_.max_queued,
                     " waiting, ", in_flight_, " running)"));
  }
  const ProbeId id = next_id_++;
  auto probe = std::make_unique<Probe>();
  probe->id = id;
  probe->plan = *std::move(plan);
  probe->done = std::move(done);
  Probe& ref = *probe;
  probes_.emplace(id, std::move(probe));
  if (can_run) {
    Launch(ref);
  } else {
    queue_.push_back(id);
  }
  return id;
}

bool HttpProber::Cancel(ProbeId id) {
  if (!probes_.contains(id)) return false;
  Finish(id, CURLE_ABORTED_BY_CALLBACK, LocalAbort::kCancelled);
  return true;
}

void HttpProber::Launch(Probe& probe) {
  ++in_flight_;
  probe.launched = true;
  probe.started = loop_->Now();
  const ProbeId id = probe.id;
  // libcurl's timeouts should end the probe; this one ends it regardless.
  probe.deadline_timer = loop_->RunAt(
      probe.started + probe.plan.total_timeout + options_.deadline_grace,
      [this, id] { OnDeadline(id); });
  if (absl::Status s = StartRequest(probe, probe.plan.url); !s.ok()) {
    FailSoon(probe, s);
  }
}

absl::Status HttpProber::StartRequest(Probe& probe, absl::string_view url) {
  const absl::Duration time_left =
      probe.started + probe.plan.total_timeout - loop_->Now();
  absl::StatusOr<HttpTransferPtr> transfer =
      HttpTransfer::Create(&probe.plan, url, time_left, options_.user_agent);
  if (!transfer.ok()) return transfer.status();
  probe.transfer = *std::move(transfer);
  probe.request_started = loop_->Now();
  const ProbeId id = probe.id;
  return multi_->Add(probe.transfer->easy(),
                     [this, id](CURLcode code) { OnRequestDone(id, code); });
}

void HttpProber::FailSoon(Probe& probe, const absl::Status& status) {
  if (probe.deadline_timer != 0) loop_->CancelTimer(probe.deadline_timer);
  CurlFailure failure;
  failure.error_class = v1::ERROR_CLASS_INTERNAL;
  failure.message = absl::StrCat("cannot start the request for ",
                                 probe.plan.url, ": ", status.message());
  const ProbeId id = probe.id;
  probe.deadline_timer =
      loop_->RunAfter(absl::ZeroDuration(), [this, id, failure] {
        auto it = probes_.find(id);
        if (it != probes_.end()) it->second->deadline_timer = 0;
        Finish(id, CURLE_FAILED_INIT, LocalAbort::kNone, failure);
      });
}

void HttpProber::OnRequestDone(ProbeId id, CURLcode code) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  Probe& probe = *it->second;
  const long status = probe.transfer->status();
  const bool follow =
      code == CURLE_OK && status >= 300 && status < 400 &&
      probe.plan.spec.redirects() == v1::REDIRECT_POLICY_FOLLOW_SAME_HOST;
  const std::string target = follow ? probe.transfer->RedirectUrl() : "";
  if (target.empty() || !IsSameOrigin(probe.plan, target)) {
    Finish(id, code, LocalAbort::kNone);
    return;
  }
  if (probe.redirects_followed >= kMaxRedirects) {
    CurlFailure failure;
    failure.error_class = v1::ERROR_CLASS_PROTOCOL;
    failure.message =
        absl::StrCat("stopped after ", kMaxRedirects, " redirects for ",
                     probe.plan.url, " pinned to ", probe.plan.pinned_ip);
    Finish(id, code, LocalAbort::kNone, failure);
    return;
  }
  if (probe.started + probe.plan.total_timeout <= loop_->Now()) {
    Finish(id, CURLE_OPERATION_TIMEDOUT, LocalAbort::kDeadline);
    return;
  }
  ++probe.redirects_followed;
  // The finished request's handle is already detached; replacing it frees it.
  if (absl::Status s = StartRequest(probe, target); !s.ok()) {
    FailSoon(probe, s);
  }
}

void HttpProber::OnDeadline(ProbeId id) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  it->second->deadline_timer = 0;
  Finish(id, CURLE_OPERATION_TIMEDOUT, LocalAbort::kDeadline);
}

void HttpProber::Finish(ProbeId id, CURLcode code, LocalAbort abort,
                        std::optional<CurlFailure> failure) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  std::unique_ptr<Probe> probe = std::move(it->second);
  probes_.erase(it);
  if (probe->deadline_timer != 0) loop_->CancelTimer(probe->deadline_timer);
  if (probe->launched) {
    --in_flight_;
  } else {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
  }

  const HttpProbePlan& plan = probe->plan;
  v1::HttpResult result;
  absl::string_view body;
  if (probe->transfer != nullptr) {
    multi_->Remove(probe->transfer->easy());
    if (abort != LocalAbort::kNone) probe->transfer->set_local_abort(abort);
    std::optional<absl::Duration> total;
    if (abort != LocalAbort::kNone) total = loop_->Now() - probe->started;
    probe->transfer->FillResult(code, probe->request_started - probe->started,
                                total, plan.total_timeout, &result);
    body = probe->transfer->kept_body();
  } else {
    result.set_url(plan.url);
    result.set_pinned_ip(plan.pinned_ip);
    CurlFailureContext context;
    context.url = plan.url;
    context.pinned_ip = plan.pinned_ip;
    context.port = plan.dial_port;
    context.pinned_ipv6 = plan.pinned_ipv6;
    context.local_abort = abort;
    const CurlFailure mapped = MapCurlError(code, context);
    result.set_error_class(mapped.error_class);
    result.set_error_message(mapped.message);
  }
  if (failure.has_value()) {
    result.set_error_class(failure->error_class);
    result.set_error_message(failure->message);
  }
  if (result.error_class() != v1::ERROR_CLASS_CANCELLED) {
    for (v1::ExpectationFailure& f :
         CheckHttpExpectation(plan.spec.expect(), result, body, absl::Now())) {
      *result.add_failures() = std::move(f);
    }
  }
  DoneCallback done = std::move(probe->done);
  probe.reset();
  StartQueued();
  done(std::move(result));
}

void HttpProber::StartQueued() {
  // Launch can finish a probe synchronously only via FailSoon's timer, but
  // stay non-reentrant so a callback chain never nests this loop.
  if (starting_queued_) return;
  starting_queued_ = true;
  while (in_flight_ < options_.max_in_flight && !queue_.empty()) {
    const ProbeId id = queue_.front();
    queue_.pop_front();
    auto it = probes_.find(id);
    if (it != probes_.end()) Launch(*it->second);
  }
  starting_queued_ = false;
}

}  // namespace propwatch
