#include "coordinator/ingest/ingest_writer.h"

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "coordinator/storage/key_codec.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

// Records what the writer reports, from its thread.
class RecordingSink : public IngestSink {
 public:
  void OnDurable(std::vector<uint64_t> sequences) override {
    std::lock_guard<std::mutex> lock(mu_);
    acked_.insert(acked_.end(), sequences.begin(), sequences.end());
  }
  void OnResume() override { ++resumes_; }
  void OnWriteFailed() override { ++failures_; }

  std::vector<uint64_t> acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int resumes() const { return resumes_; }

 private:
  std::mutex mu_;
  std::vector<uint64_t> acked_;
  std::atomic<int> resumes_{0};
  std::atomic<int> failures_{0};
};

std::vector<v1::ProbeResult> Results(uint64_t first, uint64_t count) {
  std::vector<v1::ProbeResult> out;
  for (uint64_t seq = first; seq < first + count; ++seq) {
    v1::ProbeResult r;
    r.set_verification_id("v1");
    r.set_round(1);
    r.set_agent_id("agent-a");
    r.set_sequence(seq);
    r.mutable_dns()->set_hostname("www.example.test");
    out.push_back(std::move(r));
  }
  return out;
}

bool WaitUntil(const std::function<bool()>& done) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

size_t CountResults(Store& store) {
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(
      rocksdb::ReadOptions(), store.family(Family::kResults)));
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

TEST(IngestWriterTest, AcksOnlyWhatIsDurableAndRecordsHighestSequence) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok()) << store.status();
  auto sink = std::make_shared<RecordingSink>();
  {
    IngestWriter writer(**store, 1000);
    EXPECT_TRUE(writer.Submit("agent-a", Results(1, 50), sink));
    ASSERT_TRUE(WaitUntil([&] { return sink->acked().size() == 50; }));
    std::vector<uint64_t> acked = sink->acked();
    for (uint64_t i = 0; i < 50; ++i) EXPECT_EQ(acked[i], i + 1);
    auto through = writer.AckedThrough("agent-a");
    ASSERT_TRUE(through.ok());
    EXPECT_EQ(*through, 50u);
    EXPECT_EQ(*writer.AckedThrough("agent-b"), 0u);
  }
  EXPECT_EQ(CountResults(**store), 50u);

  // Each stored value decodes back to the result, under the key of its fields.
  std::unique_ptr<rocksdb::Iterator> it((*store)->db().NewIterator(
      rocksdb::ReadOptions(), (*store)->family(Family::kResults)));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  auto fields = DecodeResultKey(it->key().ToString());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->agent_id, "agent-a");
  EXPECT_EQ(fields->sequence, 1u);
  v1::ProbeResult stored;
  ASSERT_TRUE(stored.ParseFromString(it->value().ToString()));
  EXPECT_EQ(stored.dns().hostname(), "www.example.test");
}

TEST(IngestWriterTest, ResentResultsLandOnTheSameKeys) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok());
  auto sink = std::make_shared<RecordingSink>();
  IngestWriter writer(**store, 1000);
  writer.Submit("agent-a", Results(1, 20), sink);
  writer.Submit("agent-a", Results(11, 20), sink);  // 11..20 sent twice
  ASSERT_TRUE(WaitUntil([&] { return sink->acked().size() == 40; }));
  EXPECT_EQ(CountResults(**store), 30u);
  EXPECT_EQ(*writer.AckedThrough("agent-a"), 30u);
}

TEST(IngestWriterTest, HighestSequenceNeverMovesBackwards) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok());
  auto sink = std::make_shared<RecordingSink>();
  IngestWriter writer(**store, 1000);
  writer.Submit("agent-a", Results(100, 1), sink);
  ASSERT_TRUE(WaitUntil([&] { return sink->acked().size() == 1; }));
  writer.Submit("agent-a", Results(5, 1), sink);
  ASSERT_TRUE(WaitUntil([&] { return sink->acked().size() == 2; }));
  EXPECT_EQ(*writer.AckedThrough("agent-a"), 100u);
}

TEST(IngestWriterTest, FullQueuePausesTheSessionAndResumesItAfterDraining) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok());
  auto sink = std::make_shared<RecordingSink>();
  IngestWriter writer(**store, /*capacity=*/10, /*max_batch=*/5);
  // One submission larger than the capacity must ask the caller to pause.
  EXPECT_FALSE(writer.Submit("agent-a", Results(1, 500), sink));
  ASSERT_TRUE(WaitUntil([&] { return sink->acked().size() == 500; }));
  ASSERT_TRUE(WaitUntil([&] { return sink->resumes() == 1; }));
  EXPECT_EQ(CountResults(**store), 500u);
  IngestStats stats = writer.stats();
  EXPECT_EQ(stats.results_written, 500u);
  EXPECT_GE(stats.batches_written, 100u);  // max_batch 5
  EXPECT_EQ(stats.queued, 0u);
}

TEST(IngestWriterTest, AGoneSessionIsNotCalledButItsResultsAreStored) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok());
  IngestWriter writer(**store, 1000);
  {
    auto sink = std::make_shared<RecordingSink>();
    writer.Submit("agent-a", Results(1, 30), sink);
  }  // sink destroyed before (or while) the writer stores the results
  ASSERT_TRUE(WaitUntil([&] { return writer.stats().results_written == 30; }));
  EXPECT_EQ(*writer.AckedThrough("agent-a"), 30u);
}

}  // namespace
}  // namespace propwatch
