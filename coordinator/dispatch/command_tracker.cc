#include "coordinator/dispatch/command_tracker.h"

namespace propwatch {

void CommandTracker::Expect(uint64_t command_id, std::set<std::string> agents) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_[command_id].expected = std::move(agents);
}

void CommandTracker::Done(const std::string& agent_id, uint64_t command_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(command_id);
  if (it == pending_.end() || it->second.expected.count(agent_id) == 0) return;
  it->second.done.insert(agent_id);
  cv_.notify_all();
}

std::set<std::string> CommandTracker::Await(uint64_t command_id,
                                            absl::Time deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t interrupts = interrupts_;
  cv_.wait_until(lock, absl::ToChronoTime(deadline), [&] {
    const Pending& p = pending_[command_id];
    return p.done.size() == p.expected.size() || interrupts_ != interrupts;
  });
  std::set<std::string> done = std::move(pending_[command_id].done);
  pending_.erase(command_id);
  return done;
}

void CommandTracker::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  ++interrupts_;
  cv_.notify_all();
}

}  // namespace propwatch
