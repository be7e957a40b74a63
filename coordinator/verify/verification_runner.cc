#include "coordinator/verify/verification_runner.h"

#include <spdlog/spdlog.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/time_convert.h"
#include "coordinator/engine/engine.h"
#include "coordinator/verify/spec_validation.h"

namespace propwatch {
namespace {

// Time-ordered, so the store lists newest first by key order.
std::string NewVerificationId(absl::Time now) {
  static std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("v%013x%04x", absl::ToUnixMillis(now),
                         static_cast<uint32_t>(rng() & 0xffff));
}

std::string Url(const v1::VerificationSpec& spec, const std::string& host,
                const std::string& path) {
  std::string url = absl::StrCat(spec.scheme(), "://", host);
  if (spec.port() != 0) absl::StrAppend(&url, ":", spec.port());
  absl::StrAppend(&url, path);
  return url;
}

// Extra time after a phase deadline for results in flight to land.
constexpr absl::Duration kPhaseGrace = absl::Milliseconds(500);
// After a coordinator restart, how long a resumed verification waits for
// agents of its expected regions to reconnect before its next round (a
// round run before they are back would only be inconclusive).
constexpr absl::Duration kResumeGrace = absl::Seconds(15);

}  // namespace

VerificationRunner::VerificationRunner(
    VerificationStore& store, AgentRegistry& registry,
    CommandDispatcher& dispatcher, CommandTracker& tracker,
    VerificationEvents& events, TargetPolicy policy,
    absl::Duration expected_region_window, size_t max_running)
    : store_(store),
      registry_(registry),
      dispatcher_(dispatcher),
      tracker_(tracker),
      events_(events),
      policy_(std::move(policy)),
      expected_region_window_(expected_region_window),
      max_running_(max_running) {}

VerificationRunner::~VerificationRunner() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, run] : runs_) {
    std::lock_guard<std::mutex> run_lock(run->mu);
    run->stop = true;
    run->cv.notify_all();
  }
  tracker_.Shutdown();
  for (auto& [id, run] : runs_) {
    if (run->thread.joinable()) run->thread.join();
  }
}

void VerificationRunner::ReapLocked() {
  for (auto it = runs_.begin(); it != runs_.end();) {
    bool finished;
    {
      std::lock_guard<std::mutex> lock(it->second->mu);
      finished = it->second->finished;
    }
    if (!finished) {
      ++it;
      continue;
    }
    if (it->second->thread.joinable()) it->second->thread.join();
    it = runs_.erase(it);
  }
}

void VerificationRunner::StartLocked(v1::Verification verification,
                                     bool resumed) {
  auto run = std::make_unique<Run>();
  run->resumed = resumed;
  run->verification = std::move(verification);
  Run* raw = run.get();
  const std::string id = raw->verification.id();
  runs_[id] = std::move(run);
  raw->thread = std::thread([this, raw] { Loop(*raw); });
}

absl::Status VerificationRunner::ResumeRunning() {
  auto running = store_.Running();
  if (!running.ok()) return running.status();
  std::lock_guard<std::mutex> lock(mu_);
  for (v1::Verification& v : *running) {
    spdlog::info("resuming verification {} after round {}", v.id(),
                 v.rounds_started());
    StartLocked(std::move(v), /*resumed=*/true);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Verification> VerificationRunner::Create(
    const v1::CreateVerificationRequest& request) {
  auto valid = ValidateVerificationRequest(request, policy_);
  if (!valid.ok()) return valid.status();
  if (SelectAgents(valid->selector(), registry_.Connected()).empty()) {
    return absl::FailedPreconditionError(
        "selector: no connected agent matches (propwatchctl agents "
        "--connected shows who is there)");
  }
  const absl::Time now = absl::Now();
  auto expected = ExpectedRegions(valid->selector(), now);
  if (!expected.ok()) return expected.status();
  v1::Verification v;
  for (const std::string& region : *expected) v.add_expected_regions(region);
  v.set_id(NewVerificationId(now));
  *v.mutable_spec() = valid->spec();
  *v.mutable_selector() = valid->selector();
  *v.mutable_schedule() = valid->schedule();
  *v.mutable_source() = valid->source();
  v.set_state(v1::VERIFICATION_STATE_RUNNING);
  *v.mutable_created_at() = ToProtoTime(now);
  std::lock_guard<std::mutex> lock(mu_);
  ReapLocked();
  if (runs_.size() >= max_running_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        max_running_, " verifications are running; wait for one to end"));
  }
  if (absl::Status s = store_.Put(v); !s.ok()) return s;
  spdlog::info("verification {} created for {}", v.id(),
               absl::StrJoin(v.spec().hostnames(), ", "));
  StartLocked(v);
  return v;
}

absl::StatusOr<std::set<std::string>> VerificationRunner::ExpectedRegions(
    const v1::AgentSelector& selector, absl::Time now) {
  if (!selector.regions().empty()) {
    return std::set<std::string>(selector.regions().begin(),
                                 selector.regions().end());
  }
  auto seen = registry_.SeenSince(now - expected_region_window_);
  if (!seen.ok()) return seen.status();
  std::set<std::string> regions;
  for (const v1::AgentIdentity& agent : SelectAgents(selector, *seen)) {
    regions.insert(agent.region());
  }
  std::set<std::string> connected;
  for (const v1::AgentIdentity& agent :
       SelectAgents(selector, registry_.Connected())) {
    connected.insert(agent.region());
  }
  for (const std::string& region : regions) {
    if (connected.count(region) > 0) continue;
    spdlog::warn(
        "region {} is expected (an agent of it was seen within {}) but has no "
        "connected agent: rounds will be inconclusive until one reconnects "
        "(propwatchctl agents forget ID retires an agent)",
        region, absl::FormatDuration(expected_region_window_));
  }
  return regions;
}

absl::StatusOr<v1::Verification> VerificationRunner::Cancel(
    const std::string& id, const std::string& reason) {
  Run* run = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runs_.find(id);
    if (it != runs_.end()) run = it->second.get();
  }
  if (run == nullptr) return store_.Get(id);  // finished, unknown: as stored
  v1::Verification v;
  {
    std::lock_guard<std::mutex> lock(run->mu);
    if (IsFinalState(run->verification.state())) return run->verification;
    run->verification.set_state(v1::VERIFICATION_STATE_CANCELLED);
    run->verification.set_state_reason(
        reason.empty() ? "cancelled" : absl::StrCat("cancelled: ", reason));
    *run->verification.mutable_finished_at() = ToProtoTime(absl::Now());
    run->stop = true;
    v = run->verification;
    if (absl::Status s = store_.Put(v); !s.ok()) return s;
    run->cv.notify_all();
  }
  // Only this verification's phase waits end; agents stop its probes.
  dispatcher_.Cancel(tracker_.CancelVerification(id),
                     reason.empty() ? "verification cancelled"
                                    : absl::StrCat("cancelled: ", reason));
  spdlog::info("verification {} cancelled: {}", id, reason);
  Publish(v, nullptr);
  return v;
}

bool VerificationRunner::Stopped(Run& run) {
  std::lock_guard<std::mutex> lock(run.mu);
  return run.stop;
}

void VerificationRunner::Publish(const v1::Verification& v,
                                 const v1::RoundReport* report) {
  v1::VerificationEvent event;
  *event.mutable_verification() = v;
  if (report != nullptr) *event.mutable_round() = *report;
  events_.Publish(event);
}

bool VerificationRunner::ExpectedRegionsConnected(const v1::Verification& v) {
  std::set<std::string> connected;
  for (const v1::AgentIdentity& agent :
       SelectAgents(v.selector(), registry_.Connected())) {
    connected.insert(agent.region());
  }
  for (const std::string& region : v.expected_regions()) {
    if (connected.count(region) == 0) return false;
  }
  return !connected.empty();
}

void VerificationRunner::AwaitAgentsAfterResume(Run& run) {
  v1::Verification v;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    v = run.verification;
  }
  const absl::Time until = absl::Now() + kResumeGrace;
  while (!ExpectedRegionsConnected(v) && absl::Now() < until) {
    std::unique_lock<std::mutex> lock(run.mu);
    run.cv.wait_for(lock, std::chrono::milliseconds(200),
                    [&] { return run.stop; });
    if (run.stop) return;
  }
  spdlog::info("verification {} resumes with {} connected agents", v.id(),
               SelectAgents(v.selector(), registry_.Connected()).size());
}

void VerificationRunner::Loop(Run& run) {
  if (run.resumed) AwaitAgentsAfterResume(run);
  for (;;) {
    const absl::Time round_start = absl::Now();
    if (!RunRound(run)) break;
    absl::Duration interval;
    absl::Time deadline;
    {
      std::lock_guard<std::mutex> lock(run.mu);
      interval =
          FromProtoDuration(run.verification.schedule().round_interval());
      deadline = FromProtoTime(run.verification.created_at()) +
                 FromProtoDuration(run.verification.schedule().deadline());
    }
    const absl::Time next = std::min(round_start + interval, deadline);
    std::unique_lock<std::mutex> lock(run.mu);
    run.cv.wait_until(lock, absl::ToChronoTime(next), [&] { return run.stop; });
    if (run.stop) break;
  }
  std::lock_guard<std::mutex> lock(run.mu);
  run.finished = true;
}

WaitEnd VerificationRunner::AwaitPhase(uint64_t command_id,
                                       absl::Time deadline) {
  CommandWait wait = tracker_.Await(command_id, deadline + kPhaseGrace);
  if (wait.end == WaitEnd::kDeadline && !wait.not_done.empty()) {
    // The phase is over: agents still probing for it should stop, their
    // results would be refused anyway.
    dispatcher_.Cancel({CancelledCommand{command_id, wait.not_done}},
                       "phase deadline passed");
  }
  return wait.end;
}

WaitEnd VerificationRunner::RunPhase(Run& run, const v1::ProbeCommand& command,
                                     const std::vector<std::string>& agents,
                                     absl::Time deadline) {
  tracker_.Open(command, {agents.begin(), agents.end()},
                deadline + kPhaseGrace);
  // A Cancel() between the round's start and Open() found nothing open.
  if (Stopped(run)) tracker_.CancelVerification(command.verification_id());
  dispatcher_.Send(agents, command);
  return AwaitPhase(command.command_id(), deadline);
}

bool VerificationRunner::RunRound(Run& run) {
  v1::Verification v;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    if (run.stop) return false;
    v = run.verification;
  }
  const absl::Time started = absl::Now();
  const absl::Time deadline = FromProtoTime(v.created_at()) +
                              FromProtoDuration(v.schedule().deadline());
  if (started >= deadline) {
    // No time left for another round: the engine decides the final state
    // from the rounds there are.
    auto reports = store_.RoundReports(v.id());
    std::lock_guard<std::mutex> lock(run.mu);
    if (run.stop) return false;
    run.verification = AdvanceVerification(
        run.verification,
        reports.ok() ? *reports : std::vector<v1::RoundReport>{}, started);
    if (!IsFinalState(run.verification.state())) {
      run.verification.set_state(v1::VERIFICATION_STATE_DIVERGED);
      run.verification.set_state_reason("deadline passed before convergence");
      *run.verification.mutable_finished_at() = ToProtoTime(started);
    }
    (void)store_.Put(run.verification);
    Publish(run.verification, nullptr);
    return false;
  }

  const uint32_t round = v.rounds_started() + 1;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    if (run.stop) return false;
    run.verification.set_rounds_started(round);
    if (absl::Status s = store_.Put(run.verification); !s.ok()) {
      spdlog::error("verification {}: {}", v.id(), s.ToString());
    }
  }
  const v1::VerificationSpec& spec = v.spec();
  const absl::Duration phase = FromProtoDuration(v.schedule().phase_timeout());

  std::map<std::string, std::string> participants;
  for (const v1::AgentIdentity& a :
       SelectAgents(v.selector(), registry_.Connected())) {
    participants[a.agent_id()] = a.region();
  }
  std::vector<std::string> agent_ids;
  for (const auto& [id, region] : participants) agent_ids.push_back(id);

  // Phase 1: DNS from every agent.
  v1::ProbeCommand dns;
  dns.set_command_id(dispatcher_.NextCommandId());
  dns.set_verification_id(v.id());
  dns.set_round(round);
  for (const std::string& host : spec.hostnames()) {
    for (const v1::ResolverSpec& resolver : spec.resolvers()) {
      v1::DnsProbeSpec& probe = *dns.add_dns();
      probe.set_hostname(host);
      *probe.mutable_types() = spec.record_types();
      *probe.mutable_resolver() = resolver;
      *probe.mutable_timeout() = ToProtoDuration(phase);
      *probe.mutable_expect() = spec.dns_expect();
    }
  }
  const absl::Time dns_deadline = absl::Now() + phase;
  *dns.mutable_deadline() = ToProtoTime(dns_deadline);
  const WaitEnd dns_end = RunPhase(run, dns, agent_ids, dns_deadline);
  if (dns_end == WaitEnd::kCancelled || dns_end == WaitEnd::kShutdown) {
    spdlog::info(
        "verification {} round {}: DNS phase ended ({}); round not "
        "scored",
        v.id(), round, std::string(WaitEndName(dns_end)));
    return false;
  }

  // Phase 2: HTTP, each agent on the IPs its pin mode gives it.
  auto dns_results = store_.RoundResults(v.id(), round);
  if (!dns_results.ok()) {
    spdlog::error("verification {} round {}: {}", v.id(), round,
                  dns_results.status().ToString());
    dns_results = ResultPage{};
  }
  const auto targets =
      PlanHttpTargets(spec, participants, dns_results->results);
  const absl::Time http_deadline = absl::Now() + phase;
  std::vector<std::pair<v1::ProbeCommand, std::set<std::string>>> http;
  // IPs the target policy refused, with its reason: told to the user in the
  // verification's state, not only in this log.
  std::map<std::string, std::string> refused_by_policy;
  for (const std::string& agent_id : agent_ids) {
    if (Stopped(run)) break;
    v1::ProbeCommand command;
    command.set_command_id(dispatcher_.NextCommandId());
    command.set_verification_id(v.id());
    command.set_round(round);
    *command.mutable_deadline() = ToProtoTime(http_deadline);
    for (const auto& [host, per_agent] : targets) {
      auto it = per_agent.find(agent_id);
      if (it == per_agent.end()) continue;
      for (const std::string& ip : it->second) {
        if (absl::Status s = policy_.CheckAddress(ip); !s.ok()) {
          if (refused_by_policy
                  .emplace(absl::StrCat(host, " -> ", ip),
                           std::string(s.message()))
                  .second) {
            spdlog::warn("verification {}: {} resolves to {}: not probed: {}",
                         v.id(), host, ip, s.ToString());
          }
          continue;
        }
        for (const std::string& path : spec.paths()) {
          v1::HttpProbeSpec& probe = *command.add_http();
          probe.set_url(Url(spec, host, path));
          probe.set_pinned_ip(ip);
          *probe.mutable_connect_timeout() = ToProtoDuration(phase);
          *probe.mutable_total_timeout() = ToProtoDuration(phase);
          probe.set_insecure_skip_verify(spec.insecure_skip_verify());
          *probe.mutable_record_headers() = spec.fingerprint_headers();
          *probe.mutable_expect() = spec.http_expect();
        }
      }
    }
    if (command.http().empty()) continue;
    http.emplace_back(std::move(command), std::set<std::string>{agent_id});
  }
  // One durable record for the whole phase, then the sends.
  tracker_.OpenMany(http, http_deadline + kPhaseGrace);
  if (Stopped(run)) tracker_.CancelVerification(v.id());
  std::vector<uint64_t> http_commands;
  for (const auto& [command, agents] : http) {
    dispatcher_.Send({*agents.begin()}, command);
    http_commands.push_back(command.command_id());
  }
  for (uint64_t command_id : http_commands) {
    const WaitEnd end = AwaitPhase(command_id, http_deadline);
    if (end == WaitEnd::kCancelled || end == WaitEnd::kShutdown) {
      spdlog::info(
          "verification {} round {}: HTTP phase ended ({}); round "
          "not scored",
          v.id(), round, std::string(WaitEndName(end)));
      return false;
    }
  }
  if (Stopped(run)) return false;

  // Evaluate what the round stored.
  auto results = store_.RoundResults(v.id(), round);
  if (!results.ok()) {
    spdlog::error("verification {} round {}: {}", v.id(), round,
                  results.status().ToString());
    return true;  // try again next round
  }
  RoundInput input;
  input.verification = &v;
  input.round = round;
  input.started_at = started;
  input.finished_at = absl::Now();
  input.participants = participants;
  v1::RoundRecord record;
  record.set_verification_id(v.id());
  record.set_round(round);
  *record.mutable_started_at() = ToProtoTime(started);
  *record.mutable_finished_at() = ToProtoTime(input.finished_at);
  record.mutable_participants()->insert(participants.begin(),
                                        participants.end());
  if (absl::Status s = store_.PutRound(record); !s.ok()) {
    spdlog::error("verification {}: {}", v.id(), s.ToString());
  }
  input.results = std::move(results->results);
  input.result_keys = std::move(results->keys);
  v1::RoundReport report = EvaluateRound(input);
  if (absl::Status s = store_.PutRoundReport(report); !s.ok()) {
    spdlog::error("verification {}: {}", v.id(), s.ToString());
    return true;
  }
  auto reports = store_.RoundReports(v.id());
  if (!reports.ok()) return true;

  v1::Verification updated;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    if (run.stop) return false;
    run.verification =
        AdvanceVerification(run.verification, *reports, input.finished_at);
    if (!refused_by_policy.empty() &&
        run.verification.state() != v1::VERIFICATION_STATE_CONVERGED) {
      std::vector<std::string> refused;
      for (const auto& [target, why] : refused_by_policy) {
        refused.push_back(absl::StrCat(target, " (", why, ")"));
      }
      run.verification.set_state_reason(
          absl::StrCat(run.verification.state_reason(),
                       " Not probed, refused by the coordinator's target "
                       "policy: ",
                       absl::StrJoin(refused, "; "), "."));
    }
    updated = run.verification;
    if (absl::Status s = store_.Put(updated); !s.ok()) {
      spdlog::error("verification {}: {}", v.id(), s.ToString());
    }
  }
  spdlog::info("verification {} round {}: {} ({} results, {} diagnoses)",
               v.id(), round, v1::Verdict_Name(report.verdict()),
               input.results.size(), report.diagnoses_size());
  Publish(updated, &report);
  return !IsFinalState(updated.state());
}

}  // namespace propwatch
