// The coordinator's embedded RocksDB: one fixed, ordered list of column
// families and typed reads and writes on top. Values are serialized protos.
//
// Thread-safety: every method may be called from any thread (RocksDB is
// internally synchronized). Writes marked "durable" are synced to the WAL
// before they return.
#ifndef PROPWATCH_COORDINATOR_STORAGE_STORE_H_
#define PROPWATCH_COORDINATOR_STORAGE_STORE_H_

#include <rocksdb/db.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Column families, in the order they are opened. Never reorder or remove an
// entry: RocksDB refuses to open a database whose families are not all named.
enum class Family : size_t {
  kDefault = 0,
  kAgents,
  kVerifications,
  kRounds,
  kResults,
  kReports,
  kMeta,
  kCount,
};
inline constexpr std::array<const char*, static_cast<size_t>(Family::kCount)>
    kFamilyNames = {"default", "agents",  "verifications", "rounds",
                    "results", "reports", "meta"};

class Store {
 public:
  // Opens (creating if missing, with its parents) the database in `dir`
  // with every family. Errors are one line that starts with "--data-dir
  // <dir>" and says what to do: FailedPrecondition when `dir` is a file or
  // under one, or another process holds the database's lock (named by pid
  // when the kernel reports it); PermissionDenied when it cannot be written
  // or created; DataLoss when RocksDB finds it corrupt.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir);
  // Rebuilds the database in `dir` from the table and log files it still
  // has (rocksdb::RepairDB), for when Open() reports DataLoss, e.g. a
  // corrupt MANIFEST. Whatever sat only in damaged files is lost.
  // REQUIRES: no process has the database open.
  static absl::Status Repair(const std::string& dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Durable write of an agent record, keyed by its agent_id.
  absl::Status PutAgent(const v1::AgentRecord& agent);
  // NotFound when the agent was never seen.
  absl::StatusOr<v1::AgentRecord> GetAgent(absl::string_view agent_id);
  // Every agent ever seen, in agent_id order.
  absl::StatusOr<std::vector<v1::AgentRecord>> ListAgents();
  // Durable delete of an agent record (a no-op for an unknown agent).
  absl::Status DeleteAgent(absl::string_view agent_id);

  // Commands sent to agents and not closed yet, so that a restarted
  // coordinator still accepts the results in flight for them.
  struct OpenCommandRecord {
    uint64_t command_id = 0;
    std::string verification_id;
    uint32_t round = 0;
    absl::Time accept_until;
    std::vector<std::string> agents;
  };
  // Durable (one synced batch for all of them).
  absl::Status PutOpenCommands(const std::vector<OpenCommandRecord>& commands);
  // Not synced: a record that survives a crash only expires later.
  absl::Status DeleteOpenCommands(const std::vector<uint64_t>& command_ids);
  absl::StatusOr<std::vector<OpenCommandRecord>> ListOpenCommands();

  // Raw access for the typed layers built on top (ingest, rounds).
  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(Family f) {
    return handles_[static_cast<size_t>(f)];
  }
  const std::string& dir() const { return dir_; }

 private:
  Store(std::string dir, std::unique_ptr<rocksdb::DB> db,
        std::vector<rocksdb::ColumnFamilyHandle*> handles);

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  // Owned; destroyed through db_->DestroyColumnFamilyHandle before db_.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_STORAGE_STORE_H_
