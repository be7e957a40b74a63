// kill -9 the agent and then the coordinator while results stream: every
// result the agent numbered ends up in RocksDB exactly once, except those
// the agent reports as dropped for a full outbox.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "agent/link/outbox.h"
#include "gtest/gtest.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/free_port.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

constexpr char kAgentId[] = "edge-eu-1";

// Keeps asking the agent for probes until stopped, whatever the state of
// the processes; counts the commands that were delivered.
class ProbeLoad {
 public:
  explicit ProbeLoad(std::string address) : address_(std::move(address)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ProbeLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int delivered() const { return delivered_; }

 private:
  void Run() {
    auto control = PlaintextControl(address_);
    const int closed_port = FreePort();
    // Bounded: at most 2000 commands, and the test stops it far sooner.
    for (int i = 0; i < 2000 && !stop_; ++i) {
      auto r = RunRefusedProbes(*control, 20, closed_port);
      if (r.ok() && r->delivered_size() == 1) ++delivered_;
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  }
  const std::string address_;
  std::atomic<bool> stop_{false};
  std::atomic<int> delivered_{0};
  std::thread thread_;
};

bool WaitForDelivered(const ProbeLoad& load, int at_least) {
  return WaitFor([&] { return load.delivered() >= at_least; },
                 absl::Seconds(30));
}

TEST(ExactlyOnceTest, KillNineAgentThenCoordinatorMidStream) {
  TempDir dir;
  const std::string state_dir = dir.File("agent-state");
  ASSERT_EQ(mkdir(state_dir.c_str(), 0700), 0);
  const std::string data_dir = dir.File("coordinator-data");
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  const std::vector<std::string> agent_flags = {
      "--insecure", "--state-dir", state_dir, "--outbox-capacity", "100000"};

  auto coordinator = std::make_unique<CoordinatorProcess>(
      std::vector<std::string>{"--listen", address, "--heartbeat-interval", "1",
                               "--allow-private-targets"},
      data_dir);
  auto agent = StartAgentProcess(address, kAgentId, "eu-west",
                                 dir.File("agent-1"), agent_flags);
  ProbeLoad load(address);
  ASSERT_TRUE(WaitForDelivered(load, 10)) << agent->Stderr();

  // 1. The agent dies mid-stream and comes back with its journal.
  agent->Signal(SIGKILL);
  agent->Wait(absl::Seconds(10));
  agent = StartAgentProcess(address, kAgentId, "eu-west", dir.File("agent-2"),
                            agent_flags);
  const int before_coordinator_kill = load.delivered();
  ASSERT_TRUE(WaitForDelivered(load, before_coordinator_kill + 10))
      << agent->Stderr();

  // 2. The coordinator dies mid-stream and comes back on its RocksDB.
  coordinator->process().Signal(SIGKILL);
  coordinator->process().Wait(absl::Seconds(10));
  coordinator.reset();
  coordinator = std::make_unique<CoordinatorProcess>(
      std::vector<std::string>{"--listen", address, "--heartbeat-interval", "1",
                               "--allow-private-targets"},
      data_dir);
  const int after_restart = load.delivered();
  ASSERT_TRUE(WaitForDelivered(load, after_restart + 10)) << agent->Stderr();
  load.Stop();

  // 3. A graceful stop flushes the rest; then compare.
  agent->Signal(SIGTERM);
  auto agent_status = agent->Wait(absl::Seconds(30));
  ASSERT_TRUE(agent_status.has_value()) << agent->Stderr();
  EXPECT_TRUE(WIFEXITED(*agent_status) && WEXITSTATUS(*agent_status) == 0)
      << agent->Stderr();
  coordinator->process().Signal(SIGTERM);
  ASSERT_TRUE(coordinator->process().Wait(absl::Seconds(30)).has_value());

  auto journal = Outbox::Open(100000, state_dir + "/outbox.journal");
  ASSERT_TRUE(journal.ok()) << journal.status();
  const OutboxStats agent_view = (*journal)->stats();
  auto stored = StoredSequences(data_dir, kAgentId);
  ASSERT_TRUE(stored.ok()) << stored.status();

  ASSERT_GE(agent_view.last_sequence, 400u);  // ~30 commands of 20 probes
  EXPECT_EQ(agent_view.size, 0u) << "results left unacked after the flush";
  EXPECT_EQ(agent_view.dropped, 0u);
  const std::set<uint64_t> unique(stored->begin(), stored->end());
  EXPECT_EQ(unique.size(), stored->size()) << "a sequence stored twice";
  EXPECT_EQ(stored->size() + agent_view.dropped, agent_view.last_sequence);
  EXPECT_EQ(*unique.begin(), 1u);
  EXPECT_EQ(*unique.rbegin(), agent_view.last_sequence);
}

TEST(ExactlyOnceTest, FullOutboxDropsAreCountedNotSilent) {
  TempDir dir;
  const std::string state_dir = dir.File("agent-state");
  ASSERT_EQ(mkdir(state_dir.c_str(), 0700), 0);
  const std::string data_dir = dir.File("coordinator-data");
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  auto coordinator = std::make_unique<CoordinatorProcess>(
      std::vector<std::string>{"--listen", address, "--allow-private-targets"},
      data_dir);
  auto agent = StartAgentProcess(
      address, kAgentId, "eu-west", dir.File("agent-1"),
      {"--insecure", "--state-dir", state_dir, "--outbox-capacity", "50"});
  auto control = PlaintextControl(address);
  ASSERT_TRUE(
      WaitFor([&] { return RunRefusedProbes(*control, 1, FreePort()).ok(); },
              absl::Seconds(20)))
      << agent->Stderr();
  // The coordinator goes away; the agent keeps probing into its outbox.
  // Probes are sent while it is up, so stop it only after delivery.
  ASSERT_TRUE(RunRefusedProbes(*control, 200, FreePort()).ok());
  coordinator->process().Signal(SIGKILL);
  coordinator->process().Wait(absl::Seconds(10));
  coordinator.reset();
  // Give the agent time to finish the refused probes (instant) offline.
  absl::SleepFor(absl::Seconds(1));
  agent->Signal(SIGTERM);
  ASSERT_TRUE(agent->Wait(absl::Seconds(30)).has_value()) << agent->Stderr();

  auto journal = Outbox::Open(50, state_dir + "/outbox.journal");
  ASSERT_TRUE(journal.ok()) << journal.status();
  const OutboxStats agent_view = (*journal)->stats();
  auto stored = StoredSequences(data_dir, kAgentId);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const std::set<uint64_t> unique(stored->begin(), stored->end());
  EXPECT_EQ(unique.size(), stored->size());
  // Everything numbered is stored, waiting in the journal, or counted as
  // dropped. A result may be both stored and waiting (durable, but the ack
  // died with the coordinator): its resend lands on the same key.
  std::set<uint64_t> accounted = unique;
  for (const v1::ProbeResult& r : (*journal)->TakeUnsent(1000)) {
    accounted.insert(r.sequence());
  }
  // A result can also be durable and then dropped from the full outbox
  // before its ack arrived, so drops may exceed what is missing, never the
  // other way round: nothing goes missing without being counted.
  ASSERT_LE(accounted.size(), agent_view.last_sequence);
  const uint64_t missing = agent_view.last_sequence - accounted.size();
  EXPECT_LE(missing, agent_view.dropped);
  EXPECT_GT(agent_view.dropped, 0u) << "200 results into an outbox of 50";
  EXPECT_GE(agent_view.last_sequence, 201u);  // more if a timed-out call landed
  EXPECT_LE(agent_view.size, 50u);
}

}  // namespace
}  // namespace propwatch::testing
