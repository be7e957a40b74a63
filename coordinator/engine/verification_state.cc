#include "coordinator/engine/verification_state.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "coordinator/engine/verdict.h"

namespace propwatch {
namespace {

bool IsTerminal(v1::VerificationState state) {
  return state == v1::VERIFICATION_STATE_CONVERGED ||
         state == v1::VERIFICATION_STATE_DIVERGED ||
         state == v1::VERIFICATION_STATE_INCONCLUSIVE ||
         state == v1::VERIFICATION_STATE_CANCELLED;
}

// The sentence that best explains a report that did not pass.
std::string Explanation(const v1::RoundReport& report) {
  // NO_QUORUM first for an INCONCLUSIVE round; else the first failing
  // diagnosis (they are sorted, so this is deterministic).
  for (const v1::Diagnosis& d : report.diagnoses()) {
    if (report.verdict() == v1::VERDICT_INCONCLUSIVE &&
        d.kind() == v1::DIAGNOSIS_KIND_NO_QUORUM) {
      return d.summary();
    }
  }
  for (const v1::Diagnosis& d : report.diagnoses()) {
    if (!IsInformational(d.kind()) &&
        d.kind() != v1::DIAGNOSIS_KIND_NO_QUORUM) {
      return d.summary();
    }
  }
  return report.verdict() == v1::VERDICT_FAIL
             ? "some cells failed without a single diagnosed cause"
             : "a hostname was not measured";
}

std::string RoundWord(const v1::RoundReport& report) {
  switch (report.verdict()) {
    case v1::VERDICT_PASS:
      return "passed";
    case v1::VERDICT_FAIL:
      return "failed";
    default:
      return "was inconclusive";
  }
}

}  // namespace

uint32_t StableRounds(const v1::Schedule& schedule) {
  return schedule.stable_rounds() > 0 ? schedule.stable_rounds()
                                      : kDefaultStableRounds;
}

absl::Duration Deadline(const v1::Schedule& schedule) {
  if (!schedule.has_deadline()) return kDefaultDeadline;
  absl::Duration deadline = FromProtoDuration(schedule.deadline());
  return deadline > absl::ZeroDuration() ? deadline : kDefaultDeadline;
}

v1::Verification AdvanceVerification(const v1::Verification& verification,
                                     const std::vector<v1::RoundReport>& recent,
                                     absl::Time now) {
  v1::Verification next = verification;
  if (IsTerminal(next.state())) return next;
  next.set_state(v1::VERIFICATION_STATE_RUNNING);
  next.set_rounds_completed(recent.size());

  for (const v1::RoundReport& report : recent) {
    if (report.verdict() != v1::VERDICT_FAIL) continue;
    if (!next.has_first_inconsistency_at() ||
        FromProtoTime(report.finished_at()) <
            FromProtoTime(next.first_inconsistency_at())) {
      *next.mutable_first_inconsistency_at() = report.finished_at();
    }
    break;
  }

  const uint32_t stable_rounds = StableRounds(next.schedule());
  size_t passing_run = 0;
  while (passing_run < recent.size() &&
         recent[recent.size() - 1 - passing_run].verdict() ==
             v1::VERDICT_PASS) {
    ++passing_run;
  }
  const absl::Time created_at = FromProtoTime(next.created_at());

  if (passing_run >= stable_rounds) {
    const v1::RoundReport& first = recent[recent.size() - passing_run];
    absl::Duration time_to_consistency = std::max(
        absl::ZeroDuration(), FromProtoTime(first.finished_at()) - created_at);
    next.set_state(v1::VERIFICATION_STATE_CONVERGED);
    *next.mutable_time_to_consistency() = ToProtoDuration(time_to_consistency);
    *next.mutable_finished_at() = ToProtoTime(now);
    next.set_state_reason(
        absl::StrCat("Every region and IP was consistent in ", passing_run,
                     " consecutive rounds (rounds ", first.round(), " to ",
                     recent.back().round(), "); time to consistency ",
                     absl::FormatDuration(time_to_consistency), "."));
    return next;
  }

  const absl::Duration deadline = Deadline(next.schedule());
  if (now >= created_at + deadline) {
    const v1::RoundReport* decisive = nullptr;
    for (size_t i = 0; i < recent.size() && i < stable_rounds; ++i) {
      const v1::RoundReport& report = recent[recent.size() - 1 - i];
      if (report.verdict() == v1::VERDICT_PASS ||
          report.verdict() == v1::VERDICT_FAIL) {
        decisive = &report;
        break;
      }
    }
    std::string passed =
        absl::StrCat("Deadline of ", absl::FormatDuration(deadline), " passed");
    *next.mutable_finished_at() = ToProtoTime(now);
    if (decisive != nullptr && decisive->verdict() == v1::VERDICT_FAIL) {
      next.set_state(v1::VERIFICATION_STATE_DIVERGED);
      next.set_state_reason(absl::StrCat(passed, "; round ", decisive->round(),
                                         " failed: ", Explanation(*decisive),
                                         "."));
    } else if (decisive != nullptr) {
      next.set_state(v1::VERIFICATION_STATE_INCONCLUSIVE);
      next.set_state_reason(
          absl::StrCat(passed, " while still converging: ", passing_run, " of ",
                       stable_rounds, " stable rounds."));
    } else {
      next.set_state(v1::VERIFICATION_STATE_INCONCLUSIVE);
      next.set_state_reason(
          recent.empty() ? absl::StrCat(passed, " before any round completed.")
                         : absl::StrCat(passed, " without a decisive round: ",
                                        Explanation(recent.back()), "."));
    }
    return next;
  }

  if (recent.empty()) {
    next.set_state_reason("No round completed yet.");
  } else if (recent.back().verdict() == v1::VERDICT_PASS) {
    next.set_state_reason(
        absl::StrCat("Round ", recent.back().round(), " passed; ", passing_run,
                     " of ", stable_rounds, " stable rounds so far."));
  } else {
    next.set_state_reason(absl::StrCat("Round ", recent.back().round(), " ",
                                       RoundWord(recent.back()), ": ",
                                       Explanation(recent.back()), "."));
  }
  return next;
}

}  // namespace propwatch
