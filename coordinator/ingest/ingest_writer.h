// The single RocksDB writer for probe results.
//
// Agent sessions hand over result batches; one thread writes them in synced
// WriteBatches (so they survive a crash), records each agent's highest
// durable sequence, and only then acks the results to their session. The
// queue is bounded: while it holds more than `capacity` results, sessions
// stop reading from their agents (HTTP/2 flow control then slows the agents)
// and are resumed as the writer drains it.
//
// Threading: Submit() and AckedThrough() are thread-safe; callbacks on
// IngestSink run on the writer thread and must not block.
#ifndef PROPWATCH_COORDINATOR_INGEST_INGEST_WRITER_H_
#define PROPWATCH_COORDINATOR_INGEST_INGEST_WRITER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/storage/store.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch {

// Where acks and resume signals for one agent stream go. Held weakly by the
// writer, so a session that ended simply stops receiving them.
class IngestSink {
 public:
  virtual ~IngestSink() = default;
  // `sequences` are durable in RocksDB.
  virtual void OnDurable(std::vector<uint64_t> sequences) = 0;
  // The queue has room again; the session may read its next message.
  virtual void OnResume() = 0;
  // Results of this stream could not be stored. The session should close the
  // stream: the agent keeps unacked results and resends them on reconnect.
  virtual void OnWriteFailed() = 0;
};

// One result ready to store: its RocksDB key and bytes. Encoded on the
// caller's thread (a gRPC thread), so the single writer thread only writes.
struct IngestRecord {
  std::string key;
  std::string value;
  uint64_t sequence = 0;
};

struct IngestStats {
  uint64_t results_written = 0;
  uint64_t batches_written = 0;
  uint64_t write_errors = 0;
  size_t queued = 0;
};

class IngestWriter {
 public:
  // `capacity`: queued results above which sessions are paused.
  // `max_batch`: results per RocksDB WriteBatch.
  IngestWriter(Store& store, size_t capacity, size_t max_batch = 1000);
  ~IngestWriter();
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  // The record of `result` (already stamped with its agent_id).
  static IngestRecord Encode(const v1::ProbeResult& result);

  // Queues `records` of `agent_id`. Returns true when the caller may keep
  // reading; false means "pause": `sink` gets OnResume() once the queue has
  // drained below capacity.
  bool Submit(const std::string& agent_id, std::vector<IngestRecord> records,
              std::weak_ptr<IngestSink> sink);
  // Encodes each result, then Submit()s them.
  bool Submit(const std::string& agent_id,
              const std::vector<v1::ProbeResult>& results,
              std::weak_ptr<IngestSink> sink);

  // Runs `after_durable` on the writer thread once everything submitted
  // before it is durable (skipped if that write fails). Never pauses.
  void SubmitMarker(std::function<void()> after_durable);

  // Highest sequence of `agent_id` known durable (0 if none).
  absl::StatusOr<uint64_t> AckedThrough(const std::string& agent_id);

  IngestStats stats();

 private:
  // One agent message's results, or a marker.
  struct Item {
    std::string agent_id;
    std::vector<IngestRecord> records;
    std::weak_ptr<IngestSink> sink;
    // Set for markers, which carry no result.
    std::function<void()> marker;
  };
  void Run();
  // Writes `items` in one synced batch; on success `durable_` holds each
  // agent's new highest sequence.
  absl::Status WriteBatch(const std::vector<Item>& items);
  // Highest durable sequence of `agent_id`, read once from RocksDB and then
  // kept by the writer thread (the only one that advances it).
  absl::StatusOr<uint64_t> DurableThrough(const std::string& agent_id);

  Store& store_;
  const size_t capacity_;
  const size_t max_batch_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;                         // guarded by mu_
  size_t queued_results_ = 0;                      // guarded by mu_
  std::vector<std::weak_ptr<IngestSink>> paused_;  // guarded by mu_
  bool stopping_ = false;                          // guarded by mu_
  IngestStats stats_;                              // guarded by mu_
  std::map<std::string, uint64_t> durable_;        // writer thread only
  std::thread thread_;
};

}  // namespace propwatch

#endif  // PROPWATCH_COORDINATOR_INGEST_INGEST_WRITER_H_
