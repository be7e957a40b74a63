#include "agent/link/outbox.h"

#include <fstream>
#include <limits>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

v1::ProbeResult Result(const std::string& host) {
  v1::ProbeResult r;
  r.set_verification_id("v");
  r.mutable_dns()->set_hostname(host);
  return r;
}

std::vector<uint64_t> Sequences(const std::vector<v1::ProbeResult>& results) {
  std::vector<uint64_t> out;
  for (const auto& r : results) out.push_back(r.sequence());
  return out;
}

TEST(OutboxTest, NumbersSendsOnceAndForgetsWhatIsAcked) {
  Outbox outbox(10);
  EXPECT_EQ(outbox.Add(Result("a")), 1u);
  EXPECT_EQ(outbox.Add(Result("b")), 2u);
  EXPECT_EQ(outbox.Add(Result("c")), 3u);
  EXPECT_EQ(Sequences(outbox.TakeUnsent(2)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Sequences(outbox.TakeUnsent(10)), (std::vector<uint64_t>{3}));
  EXPECT_FALSE(outbox.HasUnsent());
  outbox.Ack({1, 3});
  EXPECT_EQ(outbox.stats().size, 1u);
  // A new stream: what is unacked goes out again, with its number.
  outbox.OnWelcome(0);
  EXPECT_EQ(Sequences(outbox.TakeUnsent(10)), (std::vector<uint64_t>{2}));
}

TEST(OutboxTest, FullOutboxDropsTheOldestAndCountsIt) {
  Outbox outbox(3);
  for (int i = 0; i < 5; ++i) outbox.Add(Result("x"));
  OutboxStats stats = outbox.stats();
  EXPECT_EQ(stats.size, 3u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(stats.last_sequence, 5u);
  EXPECT_EQ(Sequences(outbox.TakeUnsent(10)), (std::vector<uint64_t>{3, 4, 5}));
}

TEST(OutboxTest, WelcomeAcksWhatTheCoordinatorHoldsAndRaisesTheFloor) {
  Outbox outbox(10);
  for (int i = 0; i < 4; ++i) outbox.Add(Result("x"));
  outbox.OnWelcome(2);
  EXPECT_EQ(Sequences(outbox.TakeUnsent(10)), (std::vector<uint64_t>{3, 4}));
  // An agent that lost its state must not reuse numbers already stored.
  Outbox fresh(10);
  fresh.OnWelcome(500);
  EXPECT_EQ(fresh.Add(Result("y")), 501u);
}

TEST(OutboxTest, AForgedAckedThroughNeitherDropsNorWraps) {
  // A coordinator that stored a forged UINT64_MAX once told the agent so on
  // its next Welcome: the agent dropped all unacked results and its
  // numbering wrapped to 0.
  Outbox outbox(10);
  for (int i = 0; i < 5; ++i) outbox.Add(Result("x"));
  outbox.OnWelcome(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Sequences(outbox.TakeUnsent(10)),
            (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(outbox.Add(Result("x")), 6u);
  EXPECT_EQ(outbox.stats().dropped, 0u);
}

TEST(OutboxTest, JournalSurvivesACrashWithAcksAndCounters) {
  testing::TempDir dir;
  const std::string path = dir.File("outbox.journal");
  {
    auto outbox = Outbox::Open(3, path);
    ASSERT_TRUE(outbox.ok()) << outbox.status();
    for (int i = 0; i < 5; ++i) (*outbox)->Add(Result("h" + std::to_string(i)));
    (*outbox)->Ack({4});
    // No clean shutdown: the object just goes away, like kill -9.
  }
  auto reopened = Outbox::Open(3, path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  OutboxStats stats = (*reopened)->stats();
  EXPECT_EQ(stats.last_sequence, 5u);
  EXPECT_EQ(stats.dropped, 2u);
  std::vector<v1::ProbeResult> unsent = (*reopened)->TakeUnsent(10);
  EXPECT_EQ(Sequences(unsent), (std::vector<uint64_t>{3, 5}));
  EXPECT_EQ(unsent[1].dns().hostname(), "h4");
  EXPECT_EQ((*reopened)->Add(Result("next")), 6u);
}

TEST(OutboxTest, TornLastRecordIsIgnored) {
  testing::TempDir dir;
  const std::string path = dir.File("outbox.journal");
  {
    auto outbox = Outbox::Open(10, path);
    ASSERT_TRUE(outbox.ok());
    (*outbox)->Add(Result("a"));
    (*outbox)->Add(Result("b"));
  }
  {
    // Half a record, as a crash in the middle of write() leaves it.
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out.write("R\x40\x00\x00\x00partial", 12);
  }
  auto reopened = Outbox::Open(10, path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Sequences((*reopened)->TakeUnsent(10)),
            (std::vector<uint64_t>{1, 2}));
}

// Replaces the first occurrence of `from` in the file at `path`.
void Damage(const std::string& path, const std::string& from,
            const std::string& to) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  const size_t at = data.find(from);
  ASSERT_NE(at, std::string::npos);
  data.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(OutboxTest, ADamagedRecordIsDroppedAndCountedNeverReplayed) {
  // One flipped byte in a result's payload used to be replayed as a real
  // result; one in a length field lost every record after it unseen.
  testing::TempDir dir;
  const std::string path = dir.File("outbox.journal");
  {
    auto outbox = Outbox::Open(10, path);
    ASSERT_TRUE(outbox.ok());
    (*outbox)->Add(Result("first.example"));
    (*outbox)->Add(Result("second.example"));
    (*outbox)->Add(Result("third.example"));
  }
  Damage(path, "second.example", "secoNd.example");
  auto reopened = Outbox::Open(10, path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Sequences((*reopened)->TakeUnsent(10)),
            (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ((*reopened)->stats().dropped, 1u);
  EXPECT_EQ((*reopened)->stats().last_sequence, 3u);
  reopened->reset();
  // The rewrite at open left a clean journal: nothing is counted twice.
  auto again = Outbox::Open(10, path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->stats().dropped, 1u);
  EXPECT_EQ(Sequences((*again)->TakeUnsent(10)), (std::vector<uint64_t>{1, 3}));
}

TEST(OutboxTest, AJournalWithoutChecksumsIsStillRead) {
  // The format before checksums: [kind][u32 length][payload].
  testing::TempDir dir;
  const std::string path = dir.File("outbox.journal");
  v1::ProbeResult r = Result("old.example");
  r.set_sequence(7);
  const std::string payload = r.SerializeAsString();
  std::string record = "R";
  const uint32_t n = static_cast<uint32_t>(payload.size());
  record.append(reinterpret_cast<const char*>(&n), 4);  // little-endian here
  record += payload;
  std::ofstream(path, std::ios::binary) << record;
  auto outbox = Outbox::Open(10, path);
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  EXPECT_EQ(Sequences((*outbox)->TakeUnsent(10)), (std::vector<uint64_t>{7}));
  EXPECT_EQ((*outbox)->Add(Result("x")), 8u);
}

TEST(OutboxTest, JournalIsCompactedSoItStaysBounded) {
  testing::TempDir dir;
  const std::string path = dir.File("outbox.journal");
  auto outbox = Outbox::Open(100, path);
  ASSERT_TRUE(outbox.ok());
  for (int i = 0; i < 20000; ++i) {
    const uint64_t seq = (*outbox)->Add(Result("steady-state-hostname"));
    (*outbox)->Ack({seq});
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  // 20000 results and acks uncompacted would be ~1 MB.
  EXPECT_LT(in.tellg(), 300000);
  auto reopened = Outbox::Open(100, path);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->stats().size, 0u);
  EXPECT_EQ((*reopened)->stats().last_sequence, 20000u);
}

TEST(OutboxTest, UnwritableJournalIsAClearError) {
  auto outbox = Outbox::Open(10, "/nonexistent-dir/outbox.journal");
  ASSERT_FALSE(outbox.ok());
  EXPECT_NE(outbox.status().message().find("--state-dir"),
            absl::string_view::npos)
      << outbox.status();
}

TEST(OutboxTest, SentThroughCountsTakenAckedAndDroppedResults) {
  Outbox outbox(3);
  EXPECT_TRUE(outbox.SentThrough(0));
  outbox.Add(Result("a"));
  outbox.Add(Result("b"));
  EXPECT_FALSE(outbox.SentThrough(1));
  outbox.TakeUnsent(1);
  EXPECT_TRUE(outbox.SentThrough(1));
  EXPECT_FALSE(outbox.SentThrough(2));
  outbox.TakeUnsent(1);
  EXPECT_TRUE(outbox.SentThrough(2));
  // A reconnect marks what is unacked unsent again.
  outbox.OnWelcome(1);
  EXPECT_FALSE(outbox.SentThrough(2));
  outbox.TakeUnsent(5);
  // Results dropped for a full outbox are not waited for.
  for (int i = 0; i < 5; ++i) outbox.Add(Result("c"));  // 3..7, keeps 5..7
  EXPECT_TRUE(outbox.SentThrough(4));
  EXPECT_FALSE(outbox.SentThrough(5));
}

}  // namespace
}  // namespace propwatch
