#include "coordinator/dispatch/stored_command_log.h"

#include <spdlog/spdlog.h>

namespace propwatch {

absl::Status StoredCommandLog::Record(
    const std::vector<OpenCommand>& commands) {
  std::vector<Store::OpenCommandRecord> records;
  records.reserve(commands.size());
  for (const OpenCommand& c : commands) {
    Store::OpenCommandRecord& r = records.emplace_back();
    r.command_id = c.command_id;
    r.verification_id = c.verification_id;
    r.round = c.round;
    r.accept_until = c.accept_until;
    r.agents.assign(c.agents.begin(), c.agents.end());
  }
  return store_.PutOpenCommands(records);
}

void StoredCommandLog::Forget(const std::vector<uint64_t>& command_ids) {
  if (absl::Status s = store_.DeleteOpenCommands(command_ids); !s.ok()) {
    spdlog::warn("forget closed commands: {}", s.ToString());
  }
}

absl::StatusOr<std::vector<OpenCommand>> StoredCommandLog::LoadOpen(
    absl::Time now) {
  auto records = store_.ListOpenCommands();
  if (!records.ok()) return records.status();
  std::vector<OpenCommand> open;
  std::vector<uint64_t> expired;
  for (Store::OpenCommandRecord& r : *records) {
    if (r.accept_until <= now) {
      expired.push_back(r.command_id);
      continue;
    }
    OpenCommand& c = open.emplace_back();
    c.command_id = r.command_id;
    c.verification_id = std::move(r.verification_id);
    c.round = r.round;
    c.agents.insert(r.agents.begin(), r.agents.end());
    c.accept_until = r.accept_until;
  }
  Forget(expired);
  return open;
}

}  // namespace propwatch
