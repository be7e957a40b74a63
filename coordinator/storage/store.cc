#include "coordinator/storage/store.h"

#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "absl/strings/str_cat.h"
#include "coordinator/storage/key_codec.h"
#include "coordinator/storage/rocksdb_status.h"

namespace propwatch {

namespace {

// Results are nearly all of the data and arrive as a steady stream of
// write-once records. With the small families' 4 MB memtables this family
// flushed every few thousand results and compacted soon after, taking a core
// away from ingest; 8 MB memtables and a four-file L0 halve that work while
// its memtables stay within the same 24 MB.
void TuneForResults(rocksdb::ColumnFamilyOptions& cf) {
  cf.write_buffer_size = 8 << 20;
  cf.max_write_buffer_number = 3;
  cf.min_write_buffer_number_to_merge = 1;
  cf.level0_file_num_compaction_trigger = 4;
  cf.target_file_size_base = 16 << 20;
  cf.max_bytes_for_level_base = 64 << 20;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Two cores is the reference machine; RocksDB's defaults assume more.
  options.IncreaseParallelism(2);
  options.keep_log_file_num = 5;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    rocksdb::ColumnFamilyOptions cf;
    cf.OptimizeLevelStyleCompaction(16 << 20);
    if (static_cast<Family>(i) == Family::kResults) TuneForResults(cf);
    descriptors.emplace_back(kFamilyNames[i], cf);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(options, dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    return FromRocksStatus(
        s, absl::StrCat("open RocksDB in --data-dir '", dir,
                        "' (is another coordinator using it, or is it not "
                        "writable?)"));
  }
  return std::unique_ptr<Store>(
      new Store(dir, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

Store::Store(std::string dir, std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : dir_(std::move(dir)), db_(std::move(db)), handles_(std::move(handles)) {}

Store::~Store() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

absl::Status Store::PutAgent(const v1::AgentRecord& agent) {
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocksStatus(
      db_->Put(write, family(Family::kAgents),
               AgentKey(agent.identity().agent_id()),
               agent.SerializeAsString()),
      absl::StrCat("store agent '", agent.identity().agent_id(), "'"));
}

absl::StatusOr<v1::AgentRecord> Store::GetAgent(absl::string_view agent_id) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(Family::kAgents),
                               AgentKey(agent_id), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("agent '", agent_id, "' unknown"));
  }
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("read agent ", agent_id));
  v1::AgentRecord agent;
  if (!agent.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored record of agent '", agent_id, "' is corrupt"));
  }
  return agent;
}

absl::StatusOr<std::vector<v1::AgentRecord>> Store::ListAgents() {
  std::vector<v1::AgentRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(Family::kAgents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::AgentRecord agent;
    if (!agent.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("corrupt agent record at key ",
                                              KeyToHex(it->key().ToString())));
    }
    out.push_back(std::move(agent));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "list agents");
  return out;
}

}  // namespace propwatch
