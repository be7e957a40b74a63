#include "cli/verification_follower.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/names.h"
#include "common/time_convert.h"

namespace propwatch {

absl::Time VerificationFollower::GiveUpAt(const v1::Verification& v) const {
  // Unset fields mean the documented defaults (control.proto Schedule).
  const absl::Duration deadline =
      v.schedule().has_deadline() ? FromProtoDuration(v.schedule().deadline())
                                  : absl::Minutes(10);
  const absl::Duration interval =
      v.schedule().has_round_interval()
          ? FromProtoDuration(v.schedule().round_interval())
          : absl::Seconds(10);
  const absl::Time created =
      v.has_created_at() ? FromProtoTime(v.created_at()) : absl::Now();
  // A round started just before the deadline still ends after it.
  return created + deadline + 2 * interval + options_.grace;
}

void VerificationFollower::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  interrupted_ = true;
  if (stream_ != nullptr) stream_->Cancel();
  interrupted_cv_.notify_all();
}

absl::StatusOr<v1::VerificationEvent> VerificationFollower::Follow(
    const v1::Verification& start, const EventCallback& on_event,
    const ReconnectCallback& on_reconnect) {
  const absl::Time give_up = GiveUpAt(start);
  int failures = 0;
  absl::Duration backoff = options_.first_backoff;
  const absl::Status interrupted =
      absl::CancelledError("interrupted while following the verification");
  while (true) {
    auto stream = client_.WatchVerification(start.id(), give_up);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (interrupted_) return interrupted;
      stream_ = stream.get();
    }
    v1::VerificationEvent event;
    bool progressed = false;
    while (stream->Read(&event)) {
      progressed = true;
      on_event(event);
      if (IsFinal(event.verification().state())) {
        // The server ends the stream after the final state; cancelling
        // only saves waiting for its trailers.
        stream->Cancel();
        (void)stream->Finish();
        std::lock_guard<std::mutex> lock(mu_);
        stream_ = nullptr;
        return event;
      }
    }
    absl::Status status = stream->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream_ = nullptr;
      if (interrupted_) return interrupted;
    }
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "verification ", start.id(), " did not reach a final state by ",
          absl::FormatTime("%H:%M:%S", give_up, absl::LocalTimeZone()),
          " (its deadline plus ", absl::FormatDuration(options_.grace),
          "); the coordinator at ", client_.address(), " may be stuck"));
    }
    if (status.code() == absl::StatusCode::kNotFound ||
        status.code() == absl::StatusCode::kPermissionDenied ||
        status.code() == absl::StatusCode::kInvalidArgument ||
        status.code() == absl::StatusCode::kUnimplemented) {
      return status;
    }
    if (status.ok()) {
      status = absl::UnavailableError(
          absl::StrCat("the coordinator at ", client_.address(),
                       " ended the watch before a final state"));
    }
    if (progressed) {
      failures = 0;
      backoff = options_.first_backoff;
    }
    if (++failures > options_.max_reconnects && options_.max_reconnects > 0) {
      return absl::UnavailableError(
          absl::StrCat(status.message(), " (gave up after ",
                       options_.max_reconnects, " reconnect attempts)"));
    }
    on_reconnect(failures, status);
    {
      std::unique_lock<std::mutex> lock(mu_);
      interrupted_cv_.wait_for(
          lock,
          absl::ToChronoMilliseconds(std::min(backoff, give_up - absl::Now())),
          [this] { return interrupted_; });
      if (interrupted_) return interrupted;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace propwatch
