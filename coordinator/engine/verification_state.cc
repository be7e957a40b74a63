#include "coordinator/engine/verification_state.h"

#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/time_convert.h"
#include "coordinator/engine/summary_text.h"
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

// "3 regions (ap-south, eu-west, us-east), 2 IPs and 3 paths": what the
// round's matrix covered.
std::string Coverage(const v1::RoundReport& report) {
  std::set<std::string> regions, ips, paths;
  for (const v1::MatrixCell& cell : report.cells()) {
    regions.insert(cell.region());
    if (!cell.ip().empty()) ips.insert(cell.ip());
    paths.insert(cell.path());
  }
  for (const v1::RegionAgents& r : report.agents_by_region()) {
    regions.insert(r.region());
  }
  return absl::StrCat(Count(regions.size(), "region", "regions"), " (",
                      absl::StrJoin(regions, ", "), "), ",
                      Count(ips.size(), "IP", "IPs"), " and ",
                      Count(paths.size(), "path", "paths"));
}

// " Round 3 covered ..." for a report with a matrix; "" without one.
std::string CoverageSentence(const v1::RoundReport& report) {
  if (report.cells().empty()) return "";
  return absl::StrCat(" Round ", report.round(), " covered ", Coverage(report),
                      ".");
}

bool IsFailing(const v1::Diagnosis& d) {
  return !IsInformational(d.kind()) && d.kind() != v1::DIAGNOSIS_KIND_NO_QUORUM;
}

// What makes two rounds' diagnoses "the same failure": kind and subject.
std::string FailureKey(const v1::Diagnosis& d) {
  return absl::StrCat(
      d.kind(), "|", d.ip(), "|", absl::StrJoin(d.regions(), ","), "|",
      absl::StrJoin(d.paths(), ","), "|", d.resolver(), "|", d.agent_id());
}

// The longest TTL round 1 saw: until it has run out, caches may still hand
// out what they held before the change.
absl::Duration SettlingTime(const v1::RoundReport& first) {
  uint32_t ttl = 0;
  for (const v1::DnsView& view : first.dns())
    ttl = std::max(ttl, view.min_ttl());
  for (const v1::Diagnosis& d : first.diagnoses()) {
    ttl = std::max(ttl, d.ttl_left_seconds());
  }
  return absl::Seconds(ttl);
}

}  // namespace

std::vector<bool> StillConverging(const std::vector<v1::RoundReport>& recent) {
  std::vector<bool> converging(recent.size(), false);
  // (resolver, regions, ip) -> when the stale answer first seen should have
  // left the cache: that round's start plus the TTL it had left then.
  std::map<std::string, absl::Time> expires;
  for (size_t i = 0; i < recent.size(); ++i) {
    const v1::RoundReport& report = recent[i];
    const absl::Time started = FromProtoTime(report.started_at());
    bool any_failing = false;
    bool all_stale_within_ttl = true;
    for (const v1::Diagnosis& d : report.diagnoses()) {
      if (!IsFailing(d)) continue;
      any_failing = true;
      if (d.kind() != v1::DIAGNOSIS_KIND_STALE_RESOLVER) {
        all_stale_within_ttl = false;
        continue;
      }
      const std::string key = FailureKey(d);
      // The first round that reported it fixes when it should be gone.
      const absl::Time expiry =
          expires
              .try_emplace(key, started + absl::Seconds(d.ttl_left_seconds()))
              .first->second;
      if (started >= expiry) all_stale_within_ttl = false;
    }
    converging[i] = report.verdict() == v1::VERDICT_FAIL && any_failing &&
                    all_stale_within_ttl;
  }
  return converging;
}

uint32_t FailAfterRounds(const v1::Schedule& schedule) {
  return schedule.has_fail_after_rounds() ? schedule.fail_after_rounds()
                                          : kDefaultFailAfterRounds;
}

std::optional<std::string> EarlyAnswer(
    const v1::Schedule& schedule, const std::vector<v1::RoundReport>& recent) {
  if (recent.empty()) return std::nullopt;
  const v1::RoundReport& last = recent.back();
  for (const v1::Diagnosis& d : last.diagnoses()) {
    if (d.kind() == v1::DIAGNOSIS_KIND_DNS_FAILURE &&
        d.resolver() == "authoritative") {
      return absl::StrCat("Round ", last.round(), ": ", d.summary(),
                          "; the authoritative answer is final, so the "
                          "verification ends before its deadline.");
    }
  }
  const uint32_t needed = FailAfterRounds(schedule);
  if (needed == 0 || recent.size() < needed) return std::nullopt;
  const absl::Duration settling = SettlingTime(recent.front());
  const absl::Time settled_at =
      FromProtoTime(recent.front().started_at()) + settling;
  // Failures every one of the last `needed` rounds shares.
  std::map<std::string, const v1::Diagnosis*> shared;
  for (const v1::Diagnosis& d : last.diagnoses()) {
    if (IsFailing(d)) shared.emplace(FailureKey(d), &d);
  }
  const std::vector<bool> converging = StillConverging(recent);
  for (size_t i = 0; i < needed; ++i) {
    const v1::RoundReport& report = recent[recent.size() - 1 - i];
    if (report.verdict() != v1::VERDICT_FAIL ||
        converging[recent.size() - 1 - i] ||
        FromProtoTime(report.started_at()) < settled_at) {
      return std::nullopt;
    }
    std::set<std::string> keys;
    for (const v1::Diagnosis& d : report.diagnoses()) {
      if (IsFailing(d)) keys.insert(FailureKey(d));
    }
    for (auto it = shared.begin(); it != shared.end();) {
      it = keys.count(it->first) > 0 ? std::next(it) : shared.erase(it);
    }
  }
  if (shared.empty()) return std::nullopt;
  return absl::StrCat(
      "Rounds ", recent[recent.size() - needed].round(), " to ", last.round(),
      " failed the same way after every TTL of round 1 (",
      absl::FormatDuration(settling), ") had run out (fail_after_rounds ",
      needed, "): ", shared.begin()->second->summary(), ".");
}

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
                     recent.back().round(), ") across ",
                     Coverage(recent.back()), "; time to consistency ",
                     absl::FormatDuration(time_to_consistency), "."));
    return next;
  }

  if (std::optional<std::string> early = EarlyAnswer(next.schedule(), recent)) {
    next.set_state(v1::VERIFICATION_STATE_DIVERGED);
    *next.mutable_finished_at() = ToProtoTime(now);
    next.set_state_reason(
        absl::StrCat(*early, CoverageSentence(recent.back())));
    return next;
  }

  const absl::Duration deadline = Deadline(next.schedule());
  if (now >= created_at + deadline) {
    const std::vector<bool> converging = StillConverging(recent);
    const v1::RoundReport* decisive = nullptr;
    const v1::RoundReport* caches_pending = nullptr;
    for (size_t i = 0; i < recent.size() && i < stable_rounds; ++i) {
      const size_t at = recent.size() - 1 - i;
      const v1::RoundReport& report = recent[at];
      if (converging[at]) {
        // Stale caches within the TTL they had: not yet a failure.
        if (caches_pending == nullptr) caches_pending = &report;
        continue;
      }
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
                                         ".", CoverageSentence(*decisive)));
    } else if (decisive != nullptr) {
      next.set_state(v1::VERIFICATION_STATE_INCONCLUSIVE);
      next.set_state_reason(
          absl::StrCat(passed, " while still converging: ", passing_run, " of ",
                       stable_rounds, " stable rounds."));
    } else if (caches_pending != nullptr) {
      next.set_state(v1::VERIFICATION_STATE_INCONCLUSIVE);
      next.set_state_reason(absl::StrCat(
          passed,
          " while resolvers were still within the TTL of their old "
          "answer (still converging, not yet a failure): ",
          Explanation(*caches_pending), "."));
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
