#include "coordinator/storage/verification_store.h"

#include <rocksdb/db.h>

#include "common/time_convert.h"
#include "coordinator/storage/key_codec.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

v1::Verification Verification(const std::string& id, const std::string& host,
                              v1::VerificationState state, absl::Time created) {
  v1::Verification v;
  v.set_id(id);
  v.mutable_spec()->add_hostnames(host);
  v.set_state(state);
  *v.mutable_created_at() = ToProtoTime(created);
  return v;
}

void PutResult(Store& store, const std::string& vid, uint32_t round,
               const std::string& agent, uint64_t seq, bool http,
               const std::string& ip) {
  v1::ProbeResult r;
  r.set_verification_id(vid);
  r.set_round(round);
  r.set_agent_id(agent);
  r.set_region(agent.substr(0, 2));
  r.set_sequence(seq);
  if (http) {
    r.mutable_http()->set_pinned_ip(ip);
  } else {
    r.mutable_dns()->add_addresses(ip);
  }
  ASSERT_TRUE(store.db()
                  .Put(rocksdb::WriteOptions(), store.family(Family::kResults),
                       ResultKey(vid, round, http ? Phase::kHttp : Phase::kDns,
                                 agent, seq),
                       r.SerializeAsString())
                  .ok());
}

class VerificationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(dir_.File("db"));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    vs_ = std::make_unique<VerificationStore>(*store_);
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<VerificationStore> vs_;
};

TEST_F(VerificationStoreTest, ListsNewestFirstWithFiltersAndPaging) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  ASSERT_TRUE(vs_->Put(Verification("v001", "a.test",
                                    v1::VERIFICATION_STATE_CONVERGED, t))
                  .ok());
  ASSERT_TRUE(vs_->Put(Verification("v002", "b.test",
                                    v1::VERIFICATION_STATE_RUNNING, t))
                  .ok());
  ASSERT_TRUE(vs_->Put(Verification("v003", "a.test",
                                    v1::VERIFICATION_STATE_DIVERGED, t))
                  .ok());
  auto all = vs_->List("", 10, v1::VERIFICATION_STATE_UNSPECIFIED, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id(), "v003");
  EXPECT_EQ((*all)[2].id(), "v001");
  auto page = vs_->List("v003", 1, v1::VERIFICATION_STATE_UNSPECIFIED, "");
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id(), "v002");
  auto by_host =
      vs_->List("", 10, v1::VERIFICATION_STATE_UNSPECIFIED, "a.test");
  EXPECT_EQ(by_host->size(), 2u);
  auto running = vs_->Running();
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].id(), "v002");
  EXPECT_EQ(vs_->Get("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(VerificationStoreTest, QueryResultsFiltersAndPages) {
  for (uint64_t i = 1; i <= 5; ++i) {
    PutResult(*store_, "v1", 1, "eu-1", i, i > 2,
              i % 2 ? "192.0.2.1" : "192.0.2.2");
  }
  PutResult(*store_, "v1", 2, "us-1", 9, true, "192.0.2.1");
  PutResult(*store_, "v10", 1, "us-1", 10, true, "192.0.2.1");  // other id
  auto round1 = vs_->RoundResults("v1", 1);
  ASSERT_TRUE(round1.ok());
  EXPECT_EQ(round1->results.size(), 5u);
  ASSERT_EQ(round1->keys.size(), 5u);
  EXPECT_EQ(round1->keys[0], ResultKey("v1", 1, Phase::kDns, "eu-1", 1));

  ResultFilter http;
  http.kind = "http";
  auto first = vs_->QueryResults("v1", http, 2, "");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->results.size(), 2u);
  ASSERT_FALSE(first->next_token.empty());
  auto second = vs_->QueryResults("v1", http, 2, first->next_token);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->results.size(), 2u);
  EXPECT_EQ(second->results[1].agent_id(), "us-1");
  EXPECT_TRUE(second->next_token.empty());

  ResultFilter by_ip;
  by_ip.ip = "192.0.2.2";
  EXPECT_EQ(vs_->QueryResults("v1", by_ip, 100, "")->results.size(), 2u);
  ResultFilter by_agent;
  by_agent.agent_id = "us-1";
  EXPECT_EQ(vs_->QueryResults("v1", by_agent, 100, "")->results.size(), 1u);
  EXPECT_EQ(vs_->QueryResults("v1", http, 2, "zz").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VerificationStoreTest, RetentionDeletesWholeFinishedVerifications) {
  const absl::Time old = absl::Now() - absl::Hours(24 * 40);
  ASSERT_TRUE(vs_->Put(Verification("v1", "a.test",
                                    v1::VERIFICATION_STATE_CONVERGED, old))
                  .ok());
  ASSERT_TRUE(vs_->Put(Verification("v2", "a.test",
                                    v1::VERIFICATION_STATE_RUNNING, old))
                  .ok());
  PutResult(*store_, "v1", 1, "eu-1", 1, true, "192.0.2.1");
  PutResult(*store_, "v2", 1, "eu-1", 2, true, "192.0.2.1");
  v1::RoundReport report;
  report.set_verification_id("v1");
  report.set_round(1);
  ASSERT_TRUE(vs_->PutRoundReport(report).ok());
  auto deleted = vs_->DeleteCreatedBefore(absl::Now() - absl::Hours(24 * 30));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1u);
  EXPECT_EQ(vs_->Get("v1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(vs_->RoundReports("v1")->empty());
  EXPECT_TRUE(vs_->RoundResults("v1", 1)->results.empty());
  EXPECT_EQ(vs_->RoundResults("v2", 1)->results.size(), 1u);  // running: kept
}

}  // namespace
}  // namespace propwatch
