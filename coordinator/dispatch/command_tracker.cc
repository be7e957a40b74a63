#include "coordinator/dispatch/command_tracker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::string_view WaitEndName(WaitEnd end) {
  switch (end) {
    case WaitEnd::kAllAnswered:
      return "all answered";
    case WaitEnd::kDeadline:
      return "deadline";
    case WaitEnd::kCancelled:
      return "cancelled";
    case WaitEnd::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

CommandTracker::CommandTracker(Clock clock, CommandLog* log)
    : clock_(std::move(clock)), log_(log) {}

void CommandTracker::ExpireLocked(absl::Time now,
                                  std::vector<uint64_t>& closed) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.accept_until < now && awaited_.count(it->first) == 0) {
      closed.push_back(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

void CommandTracker::Forget(const std::vector<uint64_t>& closed) {
  if (log_ != nullptr && !closed.empty()) log_->Forget(closed);
}

void CommandTracker::Open(const v1::ProbeCommand& command,
                          std::set<std::string> agents,
                          absl::Time accept_until) {
  OpenMany({{command, std::move(agents)}}, accept_until);
}

void CommandTracker::OpenMany(
    const std::vector<std::pair<v1::ProbeCommand, std::set<std::string>>>&
        commands,
    absl::Time accept_until) {
  std::vector<OpenCommand> opened;
  opened.reserve(commands.size());
  for (const auto& [command, agents] : commands) {
    OpenCommand& c = opened.emplace_back();
    c.command_id = command.command_id();
    c.verification_id = command.verification_id();
    c.round = command.round();
    c.agents = agents;
    c.accept_until = accept_until;
  }
  // Outside the lock: a synced write must not stall Accept() on the
  // streams' threads.
  if (log_ != nullptr) {
    if (absl::Status s = log_->Record(opened); !s.ok()) {
      spdlog::warn(
          "could not record {} open commands ({}); a coordinator "
          "restart would refuse their results in flight",
          opened.size(), s.ToString());
    }
  }
  Restore(std::move(opened));
}

void CommandTracker::Restore(std::vector<OpenCommand> commands) {
  std::vector<uint64_t> closed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked(clock_(), closed);
    for (OpenCommand& c : commands) {
      Pending& p = pending_[c.command_id];
      p.verification_id = std::move(c.verification_id);
      p.round = c.round;
      p.expected = std::move(c.agents);
      p.accept_until = c.accept_until;
    }
  }
  Forget(closed);
}

absl::Status CommandTracker::Accept(absl::string_view agent_id,
                                    const v1::ProbeResult& result) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(result.command_id());
  if (it == pending_.end() || it->second.cancelled ||
      (it->second.accept_until < clock_() &&
       awaited_.count(result.command_id()) == 0)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "result for command ", result.command_id(),
        ", which is not open (never sent, finished, or cancelled)"));
  }
  const Pending& p = it->second;
  if (p.expected.count(std::string(agent_id)) == 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("result for command ", result.command_id(),
                     ", which was not sent to agent ", agent_id));
  }
  if (result.verification_id() != p.verification_id ||
      result.round() != p.round) {
    return absl::PermissionDeniedError(absl::StrCat(
        "result for command ", result.command_id(), " claims verification ",
        result.verification_id(), " round ", result.round(),
        "; the command is for verification ", p.verification_id, " round ",
        p.round));
  }
  return absl::OkStatus();
}

void CommandTracker::Done(const std::string& agent_id, uint64_t command_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(command_id);
  if (it == pending_.end() || it->second.expected.count(agent_id) == 0) return;
  it->second.done.insert(agent_id);
  cv_.notify_all();
}

CommandWait CommandTracker::Await(uint64_t command_id, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  awaited_.insert(command_id);
  CommandWait wait;
  auto ended = [&]() -> bool {
    if (shutdown_) {
      wait.end = WaitEnd::kShutdown;
      return true;
    }
    auto it = pending_.find(command_id);
    if (it == pending_.end()) {  // never opened: nothing to wait for
      wait.end = WaitEnd::kAllAnswered;
      return true;
    }
    if (it->second.cancelled) {
      wait.end = WaitEnd::kCancelled;
      return true;
    }
    if (it->second.done.size() >= it->second.expected.size()) {
      wait.end = WaitEnd::kAllAnswered;
      return true;
    }
    return false;
  };
  if (!cv_.wait_until(lock, absl::ToChronoTime(deadline), ended)) {
    wait.end = WaitEnd::kDeadline;
  }
  auto it = pending_.find(command_id);
  const bool closed = it != pending_.end();
  if (closed) {
    for (const std::string& agent : it->second.expected) {
      if (it->second.done.count(agent) == 0) wait.not_done.push_back(agent);
    }
    wait.done = std::move(it->second.done);
    pending_.erase(it);
  }
  awaited_.erase(command_id);
  lock.unlock();
  if (closed) Forget({command_id});
  return wait;
}

std::vector<CancelledCommand> CommandTracker::CancelVerification(
    absl::string_view verification_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CancelledCommand> cancelled;
  for (auto& [command_id, p] : pending_) {
    if (p.verification_id != verification_id || p.cancelled) continue;
    p.cancelled = true;
    // Kept a while so a waiter that has not started yet still learns it was
    // cancelled; ExpireLocked() drops it later if nobody comes.
    p.accept_until = std::min(p.accept_until, clock_() + absl::Minutes(1));
    CancelledCommand& c = cancelled.emplace_back();
    c.command_id = command_id;
    for (const std::string& agent : p.expected) {
      if (p.done.count(agent) == 0) c.agents.push_back(agent);
    }
  }
  cv_.notify_all();
  return cancelled;
}

void CommandTracker::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

size_t CommandTracker::open_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

}  // namespace propwatch
