#include "coordinator/storage/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "coordinator/dispatch/stored_command_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

v1::AgentRecord Agent(const std::string& id, const std::string& region) {
  v1::AgentRecord agent;
  agent.mutable_identity()->set_agent_id(id);
  agent.mutable_identity()->set_region(region);
  (*agent.mutable_identity()->mutable_labels())["tier"] = "edge";
  agent.set_state(v1::AGENT_STATE_CONNECTED);
  return agent;
}

TEST(StoreTest, AgentsSurviveReopen) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.File("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutAgent(Agent("b", "us")).ok());
    ASSERT_TRUE((*store)->PutAgent(Agent("a", "eu")).ok());
    ASSERT_TRUE((*store)->PutAgent(Agent("a", "eu-west")).ok());
  }
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok()) << store.status();
  auto agents = (*store)->ListAgents();
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].identity().agent_id(), "a");
  EXPECT_EQ((*agents)[0].identity().region(), "eu-west");
  EXPECT_EQ((*agents)[1].identity().labels().at("tier"), "edge");
  auto missing = (*store)->GetAgent("zz");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(StoreTest, OpenCommandsSurviveReopenAndLoadOnlyUnexpired) {
  testing::TempDir dir;
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  {
    auto store = Store::Open(dir.File("db"));
    ASSERT_TRUE(store.ok()) << store.status();
    Store::OpenCommandRecord a;
    a.command_id = 17;
    a.verification_id = "v0001";
    a.round = 3;
    a.accept_until = now + absl::Seconds(30);
    a.agents = {"eu-1", "us-1"};
    Store::OpenCommandRecord b = a;
    b.command_id = 18;
    b.accept_until = now - absl::Seconds(1);
    ASSERT_TRUE((*store)->PutOpenCommands({a, b}).ok());
    ASSERT_TRUE((*store)->DeleteOpenCommands({99}).ok());  // unknown: fine
  }
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok()) << store.status();
  StoredCommandLog log(**store);
  auto open = log.LoadOpen(now);
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].command_id, 17u);
  EXPECT_EQ((*open)[0].verification_id, "v0001");
  EXPECT_EQ((*open)[0].round, 3u);
  EXPECT_EQ((*open)[0].accept_until, now + absl::Seconds(30));
  EXPECT_EQ((*open)[0].agents, (std::set<std::string>{"eu-1", "us-1"}));
  // The expired one was deleted while loading.
  auto left = (*store)->ListOpenCommands();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 1u);
}

TEST(StoreTest, DamageInTheMiddleOfTheWalRefusesTheOpen) {
  // RocksDB's default recovery replays the WAL up to the damage and drops
  // everything after it, acked or not, without a word. The store must
  // refuse instead and say what to do.
  testing::TempDir dir;
  const std::string db = dir.File("db");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A coordinator killed -9: its writes are only in the WAL.
    auto store = Store::Open(db);
    if (!store.ok()) _exit(2);
    for (int i = 0; i < 200; ++i) {
      if (!(*store)->PutAgent(Agent("agent-" + std::to_string(i), "eu")).ok()) {
        _exit(3);
      }
    }
    _exit(0);  // no destructor, no flush
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::string wal;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().extension() == ".log" &&
        std::filesystem::file_size(entry.path()) > 4096) {
      wal = entry.path();
    }
  }
  ASSERT_FALSE(wal.empty());
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(wal) / 2));
    f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
  }
  auto store = Store::Open(db);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss)
      << store.status();
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr("--repair"));
}

TEST(StoreTest, OpensEveryColumnFamily) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("db"));
  ASSERT_TRUE(store.ok());
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    EXPECT_EQ((*store)->family(static_cast<Family>(i))->GetName(),
              kFamilyNames[i]);
  }
}

TEST(StoreTest, SecondOpenOfTheSameDirFailsWithAHint) {
  testing::TempDir dir;
  auto first = Store::Open(dir.File("db"));
  ASSERT_TRUE(first.ok());
  auto second = Store::Open(dir.File("db"));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("--data-dir"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace propwatch
