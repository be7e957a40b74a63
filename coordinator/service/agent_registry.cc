#include "coordinator/service/agent_registry.h"

#include <spdlog/spdlog.h>

#include "common/time_convert.h"

namespace propwatch {

AgentRegistry::AgentRegistry(Store& store, absl::Duration heartbeat_timeout)
    : store_(store), heartbeat_timeout_(heartbeat_timeout) {
  // Agents recorded as connected by a previous coordinator process are not
  // connected to this one.
  auto agents = store_.ListAgents();
  if (agents.ok()) {
    for (v1::AgentRecord& agent : *agents) {
      if (agent.state() != v1::AGENT_STATE_CONNECTED) continue;
      agent.set_state(v1::AGENT_STATE_DISCONNECTED);
      *agent.mutable_disconnected_at() = ToProtoTime(absl::Now());
      absl::Status s = store_.PutAgent(agent);
      if (!s.ok()) spdlog::warn("reset agent state: {}", s.ToString());
    }
  } else {
    spdlog::warn("list agents at start-up: {}", agents.status().ToString());
  }
  watchdog_ = std::thread([this] { WatchdogLoop(); });
}

AgentRegistry::~AgentRegistry() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  watchdog_.join();
}

absl::Status AgentRegistry::Connect(const v1::AgentIdentity& identity,
                                    const std::string& peer,
                                    uint64_t dropped_results,
                                    AgentConnection* connection) {
  const absl::Time now = absl::Now();
  v1::AgentRecord record;
  *record.mutable_identity() = identity;
  record.set_state(v1::AGENT_STATE_CONNECTED);
  *record.mutable_connected_at() = ToProtoTime(now);
  *record.mutable_last_seen() = ToProtoTime(now);
  record.set_peer(peer);
  record.set_dropped_results(dropped_results);

  std::lock_guard<std::mutex> lock(mu_);
  Live& live = live_[identity.agent_id()];
  AgentConnection* replaced = live.connection;
  live.connection = connection;
  live.identity = identity;
  live.last_seen = now;
  live.stored_last_seen = now;
  live.stored_dropped_results = dropped_results;
  // Written under the lock so a racing Disconnect of the replaced stream
  // cannot overwrite the new record with "disconnected".
  absl::Status s = store_.PutAgent(record);
  if (!s.ok()) {
    live_.erase(identity.agent_id());
    return s;
  }
  if (replaced != nullptr) {
    spdlog::info("agent {} reconnected from {}; closing its older stream",
                 identity.agent_id(), peer);
    // Safe under mu_: Close() only schedules the stream's end; the session
    // calls back into Disconnect() later from another reaction.
    replaced->Close(absl::AbortedError(
        "replaced by a newer connection with the same agent_id"));
  }
  return absl::OkStatus();
}

void AgentRegistry::Touch(const std::string& agent_id,
                          AgentConnection* connection,
                          uint64_t dropped_results) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(agent_id);
  if (it == live_.end() || it->second.connection != connection) return;
  Live& live = it->second;
  live.last_seen = absl::Now();
  if (dropped_results == live.stored_dropped_results &&
      live.last_seen - live.stored_last_seen < kStoredLastSeenRefresh) {
    return;
  }
  auto record = store_.GetAgent(agent_id);
  if (!record.ok()) return;
  *record->mutable_last_seen() = ToProtoTime(live.last_seen);
  record->set_dropped_results(dropped_results);
  absl::Status s = store_.PutAgent(*record);
  if (!s.ok()) {
    spdlog::warn("update last-seen of {}: {}", agent_id, s.ToString());
    return;
  }
  live.stored_last_seen = live.last_seen;
  live.stored_dropped_results = dropped_results;
}

void AgentRegistry::Disconnect(const std::string& agent_id,
                               AgentConnection* connection) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(agent_id);
  if (it == live_.end() || it->second.connection != connection) return;
  live_.erase(it);
  MarkDisconnected(agent_id);
}

void AgentRegistry::MarkDisconnected(const std::string& agent_id) {
  auto record = store_.GetAgent(agent_id);
  if (!record.ok()) {
    spdlog::warn("mark {} disconnected: {}", agent_id,
                 record.status().ToString());
    return;
  }
  record->set_state(v1::AGENT_STATE_DISCONNECTED);
  *record->mutable_disconnected_at() = ToProtoTime(absl::Now());
  absl::Status s = store_.PutAgent(*record);
  if (!s.ok()) spdlog::warn("mark {} disconnected: {}", agent_id, s.ToString());
  spdlog::info("agent {} disconnected", agent_id);
}

size_t AgentRegistry::connected_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.size();
}

std::vector<v1::AgentIdentity> AgentRegistry::Connected() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::AgentIdentity> out;
  out.reserve(live_.size());
  for (const auto& [id, live] : live_) out.push_back(live.identity);
  return out;
}

bool AgentRegistry::SendTo(const std::string& agent_id,
                           v1::CoordinatorMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(agent_id);
  if (it == live_.end()) return false;
  return it->second.connection->Send(std::move(message));
}

void AgentRegistry::CloseAll(const absl::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, live] : live_) live.connection->Close(status);
}

void AgentRegistry::WatchdogLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    const absl::Time cutoff = absl::Now() - heartbeat_timeout_;
    for (auto& [id, live] : live_) {
      if (live.last_seen >= cutoff) continue;
      spdlog::warn("agent {} sent no heartbeat for {}; closing its stream", id,
                   absl::FormatDuration(heartbeat_timeout_));
      // Connections stay registered until their session's OnDone calls
      // Disconnect(), so the pointer is valid while mu_ is held.
      live.connection->Close(absl::DeadlineExceededError(
          "no heartbeat within the heartbeat timeout"));
    }
  }
}

}  // namespace propwatch
