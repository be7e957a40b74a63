#include "coordinator/storage/store.h"

#include <fcntl.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/describe_process.h"
#include "common/unique_fd.h"
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

// The first existing component of `path` that is not a directory, or "".
std::string FileInTheWay(const std::filesystem::path& path) {
  std::filesystem::path prefix;
  for (const auto& part : path) {
    prefix /= part;
    struct stat st;
    if (stat(prefix.c_str(), &st) != 0) return "";
    if (!S_ISDIR(st.st_mode)) return prefix.string();
  }
  return "";
}

// Makes sure `dir` is a directory the coordinator can write, creating it
// (and missing parents) if needed. Errors say what is wrong and what to do.
absl::Status PrepareDataDir(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--data-dir ", dir,
                       " is a file, not a directory: move the file away or "
                       "choose another --data-dir"));
    }
    // Root passes this check except on a read-only file system.
    if (access(dir.c_str(), W_OK | X_OK) != 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          "--data-dir ", dir, " is not writable (", std::strerror(errno),
          "): give the coordinator's user write access to it or choose "
          "another --data-dir"));
    }
    return absl::OkStatus();
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (!error) return absl::OkStatus();
  if (std::string file = FileInTheWay(dir); !file.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--data-dir ", dir, " cannot be created: ", file,
                     " is a file, not a directory: choose another --data-dir"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("--data-dir ", dir, " cannot be created (", error.message(),
                   "): create it for the coordinator's user or choose another "
                   "--data-dir"));
}

// The pid holding RocksDB's lock on `dir`, 0 when the holder is unknown, or
// nullopt when nobody holds it. RocksDB locks LOCK with a process-associated
// fcntl lock, which F_GETLK reports with its owner.
// REQUIRES: this process does not hold the lock (closing our descriptor
// would release it).
std::optional<pid_t> LockHolder(const std::string& dir) {
  UniqueFd fd(open(absl::StrCat(dir, "/LOCK").c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fcntl(fd.get(), F_GETLK, &lock) != 0) return 0;
  if (lock.l_type == F_UNLCK) return std::nullopt;
  return lock.l_pid;
}

// Why RocksDB would not open the database in `dir`, and what to do.
absl::Status ExplainOpenFailure(const std::string& dir,
                                const rocksdb::Status& s) {
  const std::string detail = absl::StrReplaceAll(s.ToString(), {{"\n", " "}});
  if (s.IsCorruption()) {
    return absl::DataLossError(absl::StrCat(
        "--data-dir ", dir, " is corrupt (", detail,
        "): restore it from a backup, or salvage what is left with "
        "propwatch-coordinator --repair --data-dir ",
        dir));
  }
  if (s.IsIOError()) {
    // RocksDB refuses a second open in one process without touching the
    // file; only another process's lock is worth looking up.
    if (absl::StrContains(detail, "current process")) {
      return absl::FailedPreconditionError(
          absl::StrCat("--data-dir ", dir, " is already open in this process"));
    }
    std::optional<pid_t> holder = LockHolder(dir);
    if (holder.has_value() || absl::StrContains(detail, "lock file")) {
      return absl::FailedPreconditionError(
          absl::StrCat("--data-dir ", dir, " is locked by ",
                       DescribeProcess(holder.value_or(0)),
                       ": stop it or choose another --data-dir"));
    }
  }
  return absl::Status(
      FromRocksStatus(s, dir).code(),
      absl::StrCat("--data-dir ", dir, " cannot be opened (", detail,
                   "): check the disk and the directory's permissions"));
}

rocksdb::DBOptions DbOptions() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Two cores is the reference machine; RocksDB's defaults assume more.
  options.IncreaseParallelism(2);
  options.keep_log_file_num = 5;
  options.paranoid_checks = true;
  // A torn last WAL record (a crash mid-write, never acked) is dropped; a
  // damaged record anywhere else refuses the open, so the operator learns
  // of it (ExplainOpenFailure points to --repair and backups) instead of
  // RocksDB's default quietly replaying only up to the damage and losing
  // every acked write after it.
  options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors() {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    rocksdb::ColumnFamilyOptions cf;
    cf.OptimizeLevelStyleCompaction(16 << 20);
    if (static_cast<Family>(i) == Family::kResults) TuneForResults(cf);
    descriptors.emplace_back(kFamilyNames[i], cf);
  }
  return descriptors;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir) {
  if (absl::Status usable = PrepareDataDir(dir); !usable.ok()) return usable;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(DbOptions(), dir, FamilyDescriptors(), &handles, &raw);
  if (!s.ok()) return ExplainOpenFailure(dir, s);
  return std::unique_ptr<Store>(
      new Store(dir, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

absl::Status Store::Repair(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat(
        "--data-dir ", dir, " is not a directory: nothing to repair"));
  }
  rocksdb::ColumnFamilyOptions unknown;
  unknown.OptimizeLevelStyleCompaction(16 << 20);
  rocksdb::Status s =
      rocksdb::RepairDB(dir, DbOptions(), FamilyDescriptors(), unknown);
  if (s.ok()) return absl::OkStatus();
  if (s.IsCorruption()) {
    return absl::DataLossError(
        absl::StrCat("--data-dir ", dir, " cannot be repaired (",
                     absl::StrReplaceAll(s.ToString(), {{"\n", " "}}),
                     "): restore it from a backup"));
  }
  return ExplainOpenFailure(dir, s);
}

Store::Store(std::string dir, std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : dir_(std::move(dir)), db_(std::move(db)), handles_(std::move(handles)) {}

Store::~Store() {
  // Everything acked is already in the WAL; flushing it into table files
  // as well is what lets Repair() keep it: RepairDB recreates a family only
  // from a table file that names it, and drops the WAL records of families
  // it has not recreated. Best effort: what a failed flush leaves in the
  // WAL, Open() replays.
  db_->Flush(rocksdb::FlushOptions(), handles_).PermitUncheckedError();
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

absl::Status Store::DeleteAgent(absl::string_view agent_id) {
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocksStatus(
      db_->Delete(write, family(Family::kAgents), AgentKey(agent_id)),
      absl::StrCat("delete agent '", agent_id, "'"));
}

absl::Status Store::PutOpenCommands(
    const std::vector<OpenCommandRecord>& commands) {
  rocksdb::WriteBatch batch;
  for (const OpenCommandRecord& c : commands) {
    KeyWriter value(KeyTag::kOpenCommand);
    value.String(c.verification_id)
        .U32(c.round)
        .U64(static_cast<uint64_t>(absl::ToUnixMillis(c.accept_until)))
        .U32(static_cast<uint32_t>(c.agents.size()));
    for (const std::string& agent : c.agents) value.String(agent);
    batch.Put(family(Family::kMeta), OpenCommandKey(c.command_id),
              value.Release());
  }
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocksStatus(db_->Write(write, &batch), "store open commands");
}

absl::Status Store::DeleteOpenCommands(
    const std::vector<uint64_t>& command_ids) {
  rocksdb::WriteBatch batch;
  for (uint64_t id : command_ids) {
    batch.Delete(family(Family::kMeta), OpenCommandKey(id));
  }
  return FromRocksStatus(db_->Write(rocksdb::WriteOptions(), &batch),
                         "forget closed commands");
}

absl::StatusOr<std::vector<Store::OpenCommandRecord>>
Store::ListOpenCommands() {
  std::vector<OpenCommandRecord> out;
  const std::string prefix(1, static_cast<char>(KeyTag::kOpenCommand));
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(Family::kMeta)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    KeyReader key(absl::string_view(it->key().data(), it->key().size()));
    KeyReader value(absl::string_view(it->value().data(), it->value().size()));
    OpenCommandRecord c;
    auto tag = key.Tag();
    auto id = key.U64();
    auto value_tag = value.Tag();
    auto verification = value.String();
    auto round = value.U32();
    auto until = value.U64();
    auto count = value.U32();
    if (!tag.ok() || !id.ok() || !value_tag.ok() || !verification.ok() ||
        !round.ok() || !until.ok() || !count.ok()) {
      return absl::DataLossError("a stored open command is corrupt");
    }
    c.command_id = *id;
    c.verification_id = *std::move(verification);
    c.round = *round;
    c.accept_until = absl::FromUnixMillis(static_cast<int64_t>(*until));
    for (uint32_t i = 0; i < *count; ++i) {
      auto agent = value.String();
      if (!agent.ok()) {
        return absl::DataLossError("a stored open command is corrupt");
      }
      c.agents.push_back(*std::move(agent));
    }
    out.push_back(std::move(c));
  }
  if (!it->status().ok()) {
    return FromRocksStatus(it->status(), "list open commands");
  }
  return out;
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
