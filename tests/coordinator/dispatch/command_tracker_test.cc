// Which results a command accepts, and why a wait for it ends: per command
// and per verification, so cancelling one verification never cuts another's
// phase short.
#include "coordinator/dispatch/command_tracker.h"

#include <future>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::ProbeCommand Command(uint64_t id, const std::string& verification,
                         uint32_t round) {
  v1::ProbeCommand command;
  command.set_command_id(id);
  command.set_verification_id(verification);
  command.set_round(round);
  return command;
}

v1::ProbeResult Result(uint64_t command_id, const std::string& verification,
                       uint32_t round) {
  v1::ProbeResult result;
  result.set_command_id(command_id);
  result.set_verification_id(verification);
  result.set_round(round);
  return result;
}

absl::Time Later() { return absl::Now() + absl::Seconds(30); }

TEST(CommandTrackerTest,
     AcceptsOnlyAnOpenCommandsOwnAgentsVerificationAndRound) {
  CommandTracker tracker;
  tracker.Open(Command(7, "v-eu", 3), {"eu-1"}, Later());
  EXPECT_TRUE(tracker.Accept("eu-1", Result(7, "v-eu", 3)).ok());

  absl::Status other_agent = tracker.Accept("us-1", Result(7, "v-eu", 3));
  EXPECT_TRUE(absl::IsPermissionDenied(other_agent));
  EXPECT_THAT(other_agent.message(), HasSubstr("not sent to agent us-1"));

  absl::Status future_round = tracker.Accept("eu-1", Result(7, "v-eu", 4));
  EXPECT_TRUE(absl::IsPermissionDenied(future_round));
  EXPECT_THAT(future_round.message(), HasSubstr("round 4"));

  EXPECT_FALSE(tracker.Accept("eu-1", Result(7, "v-other", 3)).ok());
  absl::Status never_sent = tracker.Accept("eu-1", Result(8, "v-eu", 3));
  EXPECT_THAT(never_sent.message(), HasSubstr("not open"));
}

TEST(CommandTrackerTest, ResultsAfterTheWaitEndedAreRefused) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v", 1), {"a"}, Later());
  tracker.Done("a", 1);
  CommandWait wait = tracker.Await(1, Later());
  EXPECT_EQ(wait.end, WaitEnd::kAllAnswered);
  EXPECT_THAT(wait.done, ElementsAre("a"));
  EXPECT_FALSE(tracker.Accept("a", Result(1, "v", 1)).ok());
  EXPECT_EQ(tracker.open_count(), 0u);
}

TEST(CommandTrackerTest, DeadlineEndsTheWaitAndNamesWhoDidNotFinish) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v", 1), {"a", "b"}, Later());
  tracker.Done("b", 1);
  CommandWait wait = tracker.Await(1, absl::Now() + absl::Milliseconds(1));
  EXPECT_EQ(wait.end, WaitEnd::kDeadline);
  EXPECT_THAT(wait.done, ElementsAre("b"));
  EXPECT_THAT(wait.not_done, ElementsAre("a"));
}

TEST(CommandTrackerTest, CancellingOneVerificationLeavesTheOthersWaiting) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v-cancelled", 1), {"a", "b"}, Later());
  tracker.Open(Command(2, "v-running", 1), {"a", "b"}, Later());
  auto cancelled =
      std::async(std::launch::async, [&] { return tracker.Await(1, Later()); });
  auto running =
      std::async(std::launch::async, [&] { return tracker.Await(2, Later()); });
  tracker.Done("b", 1);

  std::vector<CancelledCommand> stopped =
      tracker.CancelVerification("v-cancelled");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].command_id, 1u);
  EXPECT_THAT(stopped[0].agents, ElementsAre("a"));  // b had finished
  CommandWait first = cancelled.get();
  EXPECT_EQ(first.end, WaitEnd::kCancelled);

  // The other verification's phase is still open and accepts results.
  EXPECT_EQ(running.wait_for(std::chrono::milliseconds(200)),
            std::future_status::timeout);
  EXPECT_TRUE(tracker.Accept("a", Result(2, "v-running", 1)).ok());
  EXPECT_FALSE(tracker.Accept("a", Result(1, "v-cancelled", 1)).ok());
  tracker.Done("a", 2);
  tracker.Done("b", 2);
  CommandWait second = running.get();
  EXPECT_EQ(second.end, WaitEnd::kAllAnswered);
  EXPECT_THAT(second.done, ElementsAre("a", "b"));
}

TEST(CommandTrackerTest, CancelBeforeTheWaitStartsEndsItAtOnce) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v", 1), {"a"}, Later());
  tracker.CancelVerification("v");
  EXPECT_EQ(tracker.Await(1, Later()).end, WaitEnd::kCancelled);
}

TEST(CommandTrackerTest, ShutdownWakesEveryWaiter) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v1", 1), {"a"}, Later());
  tracker.Open(Command(2, "v2", 1), {"a"}, Later());
  auto one =
      std::async(std::launch::async, [&] { return tracker.Await(1, Later()); });
  auto two =
      std::async(std::launch::async, [&] { return tracker.Await(2, Later()); });
  tracker.Shutdown();
  EXPECT_EQ(one.get().end, WaitEnd::kShutdown);
  EXPECT_EQ(two.get().end, WaitEnd::kShutdown);
}

TEST(CommandTrackerTest, AnUnawaitedCommandClosesAtItsAcceptUntil) {
  absl::Time now = absl::FromUnixSeconds(1000);
  CommandTracker tracker([&] { return now; });
  tracker.Open(Command(5, "run-5", 1), {"a"}, now + absl::Seconds(35));
  now += absl::Seconds(30);
  EXPECT_TRUE(tracker.Accept("a", Result(5, "run-5", 1)).ok());
  now += absl::Seconds(10);
  EXPECT_FALSE(tracker.Accept("a", Result(5, "run-5", 1)).ok());
  tracker.Open(Command(6, "run-6", 1), {"a"}, now + absl::Seconds(1));
  EXPECT_EQ(tracker.open_count(), 1u);  // 5 expired on the next Open
}

// Records what the tracker logs.
class FakeLog : public CommandLog {
 public:
  absl::Status Record(const std::vector<OpenCommand>& commands) override {
    for (const OpenCommand& c : commands) recorded.push_back(c.command_id);
    return absl::OkStatus();
  }
  void Forget(const std::vector<uint64_t>& ids) override {
    forgotten.insert(forgotten.end(), ids.begin(), ids.end());
  }
  std::vector<uint64_t> recorded, forgotten;
};

TEST(CommandTrackerTest, OpenCommandsAreRecordedAndForgottenWhenClosed) {
  FakeLog log;
  CommandTracker tracker([] { return absl::Now(); }, &log);
  tracker.OpenMany({{Command(1, "v", 1), {"a"}}, {Command(2, "v", 1), {"b"}}},
                   Later());
  EXPECT_THAT(log.recorded, ElementsAre(1, 2));
  EXPECT_THAT(log.forgotten, IsEmpty());
  tracker.Done("a", 1);
  EXPECT_EQ(tracker.Await(1, Later()).end, WaitEnd::kAllAnswered);
  EXPECT_THAT(log.forgotten, ElementsAre(1));
}

TEST(CommandTrackerTest, RestoredCommandsAcceptTheirResultsUntilTheyExpire) {
  // A restarted coordinator: the agents replay results of commands the
  // previous process had open.
  absl::Time now = absl::FromUnixSeconds(1000);
  FakeLog log;
  CommandTracker tracker([&] { return now; }, &log);
  OpenCommand open;
  open.command_id = 9;
  open.verification_id = "v";
  open.round = 4;
  open.agents = {"a"};
  open.accept_until = now + absl::Seconds(10);
  tracker.Restore({open});
  EXPECT_TRUE(tracker.Accept("a", Result(9, "v", 4)).ok());
  EXPECT_FALSE(tracker.Accept("b", Result(9, "v", 4)).ok());
  now += absl::Seconds(11);
  EXPECT_FALSE(tracker.Accept("a", Result(9, "v", 4)).ok());
  tracker.Open(Command(10, "v", 5), {"a"}, now + absl::Seconds(5));
  EXPECT_THAT(log.forgotten, ElementsAre(9));  // expired on the next Open
}

TEST(CommandTrackerTest, DoneFromAnAgentNotAskedIsIgnored) {
  CommandTracker tracker;
  tracker.Open(Command(1, "v", 1), {"a"}, Later());
  tracker.Done("intruder", 1);
  CommandWait wait = tracker.Await(1, absl::Now() + absl::Milliseconds(1));
  EXPECT_EQ(wait.end, WaitEnd::kDeadline);
  EXPECT_THAT(wait.done, IsEmpty());
}

}  // namespace
}  // namespace propwatch
