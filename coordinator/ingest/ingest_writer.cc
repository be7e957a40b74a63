#include "coordinator/ingest/ingest_writer.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <map>

#include "coordinator/storage/key_codec.h"
#include "coordinator/storage/rocksdb_status.h"

namespace propwatch {
namespace {

std::string EncodeSequence(uint64_t v) {
  KeyWriter w(KeyTag::kAgentSequence);
  w.U64(v);
  return w.key().substr(1);  // the tag byte is not part of the value
}

uint64_t DecodeSequence(const std::string& value) {
  uint64_t v = 0;
  for (char c : value) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

IngestWriter::IngestWriter(Store& store, size_t capacity, size_t max_batch)
    : store_(store), capacity_(capacity), max_batch_(max_batch) {
  thread_ = std::thread([this] { Run(); });
}

IngestWriter::~IngestWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool IngestWriter::Submit(const std::string& agent_id,
                          std::vector<v1::ProbeResult> results,
                          std::weak_ptr<IngestSink> sink) {
  std::lock_guard<std::mutex> lock(mu_);
  for (v1::ProbeResult& r : results) {
    queue_.push_back(Item{agent_id, std::move(r), sink, {}});
  }
  stats_.queued = queue_.size();
  cv_.notify_one();
  if (queue_.size() <= capacity_) return true;
  paused_.push_back(std::move(sink));
  return false;
}

void IngestWriter::SubmitMarker(std::function<void()> after_durable) {
  std::lock_guard<std::mutex> lock(mu_);
  Item item;
  item.marker = std::move(after_durable);
  queue_.push_back(std::move(item));
  cv_.notify_one();
}

absl::StatusOr<uint64_t> IngestWriter::AckedThrough(
    const std::string& agent_id) {
  std::string value;
  rocksdb::Status s =
      store_.db().Get(rocksdb::ReadOptions(), store_.family(Family::kMeta),
                      AgentSequenceKey(agent_id), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksStatus(s, "read acked sequence of " + agent_id);
  return DecodeSequence(value);
}

IngestStats IngestWriter::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

absl::Status IngestWriter::WriteBatch(std::vector<Item>& items) {
  rocksdb::WriteBatch batch;
  std::map<std::string, uint64_t> highest;
  for (const Item& item : items) {
    if (item.marker) continue;
    const v1::ProbeResult& r = item.result;
    const Phase phase = r.has_http() ? Phase::kHttp : Phase::kDns;
    batch.Put(store_.family(Family::kResults),
              ResultKey(r.verification_id(), r.round(), phase, item.agent_id,
                        r.sequence()),
              r.SerializeAsString());
    uint64_t& h = highest[item.agent_id];
    h = std::max(h, r.sequence());
  }
  for (const auto& [agent_id, sequence] : highest) {
    auto current = AckedThrough(agent_id);
    if (!current.ok()) return current.status();
    if (sequence > *current) {
      batch.Put(store_.family(Family::kMeta), AgentSequenceKey(agent_id),
                EncodeSequence(sequence));
    }
  }
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocksStatus(store_.db().Write(write, &batch),
                         "write result batch");
}

void IngestWriter::Run() {
  for (;;) {
    std::vector<Item> items;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && items.size() < max_batch_) {
        items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    absl::Status s = WriteBatch(items);
    std::vector<std::weak_ptr<IngestSink>> resume;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        for (const Item& item : items) {
          if (!item.marker) ++stats_.results_written;
        }
        ++stats_.batches_written;
      } else {
        ++stats_.write_errors;
        // Not acked: the agents keep the results and resend them after
        // their next reconnect, so nothing is lost.
        spdlog::error("ingest: {} results not stored: {}", items.size(),
                      s.ToString());
      }
      stats_.queued = queue_.size();
      if (queue_.size() <= capacity_) resume.swap(paused_);
    }
    if (s.ok()) {
      // One Ack per sink, in arrival order.
      std::vector<std::pair<std::shared_ptr<IngestSink>, std::vector<uint64_t>>>
          acks;
      for (const Item& item : items) {
        if (item.marker) continue;
        std::shared_ptr<IngestSink> sink = item.sink.lock();
        if (sink == nullptr) continue;
        if (acks.empty() || acks.back().first != sink) {
          acks.emplace_back(sink, std::vector<uint64_t>{});
        }
        acks.back().second.push_back(item.result.sequence());
      }
      for (auto& [sink, sequences] : acks) {
        sink->OnDurable(std::move(sequences));
      }
      for (const Item& item : items) {
        if (item.marker) item.marker();
      }
    } else {
      for (const Item& item : items) {
        if (auto sink = item.sink.lock()) sink->OnWriteFailed();
      }
    }
    for (auto& weak : resume) {
      if (auto sink = weak.lock()) sink->OnResume();
    }
  }
}

}  // namespace propwatch
