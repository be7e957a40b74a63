#include "coordinator/ingest/ingest_writer.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
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

IngestRecord IngestWriter::Encode(const v1::ProbeResult& result) {
  const Phase phase = result.has_http() ? Phase::kHttp : Phase::kDns;
  return IngestRecord{ResultKey(result.verification_id(), result.round(), phase,
                                result.agent_id(), result.sequence()),
                      result.SerializeAsString(), result.sequence()};
}

bool IngestWriter::Submit(const std::string& agent_id,
                          const std::vector<v1::ProbeResult>& results,
                          std::weak_ptr<IngestSink> sink) {
  std::vector<IngestRecord> records;
  records.reserve(results.size());
  for (const v1::ProbeResult& r : results) records.push_back(Encode(r));
  return Submit(agent_id, std::move(records), std::move(sink));
}

bool IngestWriter::Submit(const std::string& agent_id,
                          std::vector<IngestRecord> records,
                          std::weak_ptr<IngestSink> sink) {
  // A message larger than a batch is split, so batches stay bounded.
  std::vector<std::vector<IngestRecord>> chunks;
  if (records.size() <= max_batch_) {
    chunks.push_back(std::move(records));
  } else {
    for (size_t i = 0; i < records.size(); i += max_batch_) {
      const size_t end = std::min(records.size(), i + max_batch_);
      chunks.emplace_back(std::make_move_iterator(records.begin() + i),
                          std::make_move_iterator(records.begin() + end));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (std::vector<IngestRecord>& chunk : chunks) {
    queued_results_ += chunk.size();
    queue_.push_back(Item{agent_id, std::move(chunk), sink, {}});
  }
  stats_.queued = queued_results_;
  cv_.notify_one();
  if (queued_results_ <= capacity_) return true;
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

absl::StatusOr<uint64_t> IngestWriter::DurableThrough(
    const std::string& agent_id) {
  auto it = durable_.find(agent_id);
  if (it != durable_.end()) return it->second;
  auto stored = AckedThrough(agent_id);
  if (!stored.ok()) return stored.status();
  durable_.emplace(agent_id, *stored);
  return *stored;
}

absl::Status IngestWriter::WriteBatch(const std::vector<Item>& items) {
  rocksdb::WriteBatch batch;
  std::map<std::string, uint64_t> highest;
  for (const Item& item : items) {
    if (item.marker) continue;
    uint64_t& h = highest[item.agent_id];
    for (const IngestRecord& record : item.records) {
      batch.Put(store_.family(Family::kResults), record.key, record.value);
      h = std::max(h, record.sequence);
    }
  }
  for (auto it = highest.begin(); it != highest.end();) {
    auto current = DurableThrough(it->first);
    if (!current.ok()) return current.status();
    if (it->second > *current) {
      batch.Put(store_.family(Family::kMeta), AgentSequenceKey(it->first),
                EncodeSequence(it->second));
      ++it;
    } else {
      it = highest.erase(it);
    }
  }
  rocksdb::WriteOptions write;
  write.sync = true;
  absl::Status s =
      FromRocksStatus(store_.db().Write(write, &batch), "write result batch");
  if (s.ok()) {
    for (const auto& [agent_id, sequence] : highest) {
      durable_[agent_id] = sequence;
    }
  }
  return s;
}

void IngestWriter::Run() {
  for (;;) {
    std::vector<Item> items;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      size_t results = 0;
      while (!queue_.empty() && (items.empty() || results < max_batch_)) {
        results += queue_.front().records.size();
        queued_results_ -= queue_.front().records.size();
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
          stats_.results_written += item.records.size();
        }
        ++stats_.batches_written;
      } else {
        ++stats_.write_errors;
        // Not acked: the agents keep the results and resend them after
        // their next reconnect, so nothing is lost.
        spdlog::error("ingest: {} results not stored: {}", items.size(),
                      s.ToString());
      }
      stats_.queued = queued_results_;
      if (queued_results_ <= capacity_) resume.swap(paused_);
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
        for (const IngestRecord& record : item.records) {
          acks.back().second.push_back(record.sequence);
        }
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
