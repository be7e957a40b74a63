// Typed RocksDB reads and writes for verifications, their round reports and
// their results.
//
// Thread-safety: every method may be called from any thread.
#ifndef PROPWATCH_COORDINATOR_STORAGE_VERIFICATION_STORE_H_
#define PROPWATCH_COORDINATOR_STORAGE_VERIFICATION_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "coordinator/storage/store.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct ResultFilter {
  uint32_t round = 0;  // 0: every round
  std::string region;
  std::string agent_id;
  std::string ip;    // HTTP: the pinned IP; DNS: one of the addresses
  std::string kind;  // "dns", "http" or "" for both
};

struct ResultPage {
  std::vector<v1::ProbeResult> results;
  // Raw storage key of each result, parallel to `results`.
  std::vector<std::string> keys;
  // Hex key to resume after; empty at the end.
  std::string next_token;
};

class VerificationStore {
 public:
  explicit VerificationStore(Store& store) : store_(store) {}

  // Durable.
  absl::Status Put(const v1::Verification& verification);
  // NotFound names the id.
  absl::StatusOr<v1::Verification> Get(absl::string_view id);
  // Newest first (ids sort by creation time), strictly older than
  // `before_id` when given, at most `limit`.
  absl::StatusOr<std::vector<v1::Verification>> List(
      absl::string_view before_id, size_t limit, v1::VerificationState state,
      absl::string_view hostname);
  // Every verification in state RUNNING (to resume after a restart).
  absl::StatusOr<std::vector<v1::Verification>> Running();

  // Durable.
  absl::Status PutRoundReport(const v1::RoundReport& report);
  // Oldest first; `round` 0 means all.
  absl::StatusOr<std::vector<v1::RoundReport>> RoundReports(
      absl::string_view id, uint32_t round = 0);

  // Durable. The round's who and when.
  absl::Status PutRound(const v1::RoundRecord& round);
  absl::StatusOr<v1::RoundRecord> GetRound(absl::string_view id,
                                           uint32_t round);

  // Every stored result of one round, with its key.
  absl::StatusOr<ResultPage> RoundResults(absl::string_view id, uint32_t round);
  // Results in key order, filtered, at most `limit`, from `page_token`.
  absl::StatusOr<ResultPage> QueryResults(absl::string_view id,
                                          const ResultFilter& filter,
                                          size_t limit,
                                          absl::string_view page_token);

  // Deletes verifications created before `cutoff`, with their rounds,
  // reports and results (range deletes). Returns how many.
  absl::StatusOr<size_t> DeleteCreatedBefore(absl::Time cutoff);

 private:
  Store& store_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_STORAGE_VERIFICATION_STORE_H_
