#include "coordinator/service/agent_registry.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
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

absl::StatusOr<std::vector<v1::AgentIdentity>> AgentRegistry::SeenSince(
    absl::Time since) {
  auto records = store_.ListAgents();
  if (!records.ok()) return records.status();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::AgentIdentity> out;
  for (const v1::AgentRecord& record : *records) {
    const bool live = live_.count(record.identity().agent_id()) > 0;
    if (live || FromProtoTime(record.last_seen()) >= since) {
      out.push_back(record.identity());
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::AgentRecord>> AgentRegistry::Records() {
  auto records = store_.ListAgents();
  if (!records.ok()) return records.status();
  std::lock_guard<std::mutex> lock(mu_);
  for (v1::AgentRecord& record : *records) {
    auto it = refused_.find(record.identity().agent_id());
    if (it != refused_.end()) record.set_refused_results(it->second);
  }
  return records;
}

absl::StatusOr<v1::AgentRecord> AgentRegistry::Forget(
    const std::string& agent_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (live_.count(agent_id) > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agent ", agent_id,
        " is connected; stop it first, then forget it (a running agent "
        "would register again)"));
  }
  auto record = store_.GetAgent(agent_id);
  if (!record.ok()) return record.status();
  if (absl::Status s = store_.DeleteAgent(agent_id); !s.ok()) return s;
  refused_.erase(agent_id);
  spdlog::info("agent {} ({}) forgotten", agent_id,
               record->identity().region());
  return record;
}

void AgentRegistry::CountRefused(const std::string& agent_id, uint64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  refused_[agent_id] += count;
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

absl::Status AgentRegistry::AddPending(AgentConnection* connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.size() >= max_pending_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        max_pending_,
        " agent streams are waiting for their Hello; try again later"));
  }
  pending_[connection] = absl::Now();
  return absl::OkStatus();
}

void AgentRegistry::RemovePending(AgentConnection* connection) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.erase(connection);
}

size_t AgentRegistry::pending_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

void AgentRegistry::SetHelloLimits(absl::Duration hello_timeout,
                                   size_t max_pending) {
  std::lock_guard<std::mutex> lock(mu_);
  hello_timeout_ = hello_timeout;
  max_pending_ = max_pending;
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
    // Streams are removed from pending_ by their session before it is
    // deleted (under mu_), so these pointers are valid here.
    const absl::Time hello_cutoff = absl::Now() - hello_timeout_;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second >= hello_cutoff) {
        ++it;
        continue;
      }
      spdlog::warn("an agent stream sent no Hello within {}; closing it",
                   absl::FormatDuration(hello_timeout_));
      it->first->Close(absl::DeadlineExceededError(absl::StrCat(
          "no Hello within ", absl::FormatDuration(hello_timeout_))));
      it = pending_.erase(it);
    }
  }
}

}  // namespace propwatch
