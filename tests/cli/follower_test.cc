// VerificationFollower against an in-process ControlService whose watch
// streams break on purpose: the follower must reconnect and still end with
// the final state, give up at the deadline (or after max_reconnects when
// set), and send the token.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cli/verification_follower.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

v1::VerificationEvent Event(v1::VerificationState state, uint32_t round) {
  v1::VerificationEvent e;
  e.mutable_verification()->set_id("v-1");
  e.mutable_verification()->set_state(state);
  e.mutable_verification()->set_rounds_completed(round);
  if (round > 0) e.mutable_round()->set_round(round);
  return e;
}

// Stream k (from 0) sends scripted events, then ends with UNAVAILABLE,
// except the last script, which ends with a final state.
class FakeControl final : public v1::ControlService::Service {
 public:
  explicit FakeControl(std::vector<std::vector<v1::VerificationEvent>> scripts)
      : scripts_(std::move(scripts)) {}

  grpc::Status WatchVerification(
      grpc::ServerContext* context, const v1::WatchVerificationRequest* request,
      grpc::ServerWriter<v1::VerificationEvent>* writer) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = context->client_metadata().find("authorization");
      if (it != context->client_metadata().end()) {
        authorization_ = std::string(it->second.data(), it->second.size());
      }
    }
    if (request->id() != "v-1") {
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat("no verification '", request->id(), "'"));
    }
    const size_t call = calls_++;
    if (call >= scripts_.size()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "still down");
    }
    for (const auto& e : scripts_[call]) writer->Write(e);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
  }

  size_t calls() const { return calls_; }
  std::string authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }

 private:
  std::vector<std::vector<v1::VerificationEvent>> scripts_;
  std::atomic<size_t> calls_{0};
  std::mutex mu_;
  std::string authorization_;
};

class FollowerTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::vector<v1::VerificationEvent>> scripts) {
    service_ = std::make_unique<FakeControl>(std::move(scripts));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_GT(port, 0);
    ClientOptions options;
    options.coordinator = absl::StrCat("127.0.0.1:", port);
    options.insecure = true;
    options.token = "s3cret";
    auto client = CoordinatorClient::Create(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
  }

  v1::Verification Start() const {
    v1::Verification v;
    v.set_id("v-1");
    *v.mutable_created_at() = ToProtoTime(absl::Now());
    *v.mutable_schedule()->mutable_deadline() =
        ToProtoDuration(absl::Seconds(30));
    *v.mutable_schedule()->mutable_round_interval() =
        ToProtoDuration(absl::Seconds(1));
    return v;
  }

  FollowOptions Fast() const {
    FollowOptions o;
    o.first_backoff = absl::Milliseconds(10);
    o.max_backoff = absl::Milliseconds(40);
    o.max_reconnects = 3;
    return o;
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  std::unique_ptr<FakeControl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<CoordinatorClient> client_;
};

TEST_F(FollowerTest, ReconnectsAcrossBrokenStreamsToTheFinalState) {
  const auto running = v1::VERIFICATION_STATE_RUNNING;
  Start({{Event(running, 0), Event(running, 1)},
         {},  // broke before sending anything
         {Event(running, 1), Event(running, 2),
          Event(v1::VERIFICATION_STATE_DIVERGED, 3)}});
  VerificationFollower follower(*client_, Fast());
  std::vector<uint32_t> rounds;
  std::vector<int> attempts;
  auto final_event = follower.Follow(
      Start(),
      [&](const v1::VerificationEvent& e) {
        rounds.push_back(e.verification().rounds_completed());
      },
      [&](int attempt, const absl::Status& why) {
        attempts.push_back(attempt);
        EXPECT_EQ(why.code(), absl::StatusCode::kUnavailable);
      });
  ASSERT_TRUE(final_event.ok()) << final_event.status();
  EXPECT_EQ(final_event->verification().state(),
            v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(rounds, ::testing::ElementsAre(0, 1, 1, 2, 3));
  EXPECT_THAT(attempts, ::testing::ElementsAre(1, 2));
  EXPECT_EQ(service_->calls(), 3u);
  EXPECT_EQ(service_->authorization(), "Bearer s3cret");
}

TEST_F(FollowerTest, GivesUpAfterBoundedRetries) {
  Start({});
  VerificationFollower follower(*client_, Fast());
  int reconnects = 0;
  auto final_event = follower.Follow(
      Start(), [](const v1::VerificationEvent&) {},
      [&](int, const absl::Status&) { ++reconnects; });
  ASSERT_FALSE(final_event.ok());
  EXPECT_EQ(final_event.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(final_event.status().message()),
              ::testing::HasSubstr("gave up after 3 reconnect attempts"));
  EXPECT_EQ(reconnects, 3);
  EXPECT_EQ(service_->calls(), 4u);
}

TEST_F(FollowerTest, ByDefaultKeepsReDiallingUntilTheDeadlineNotACount) {
  // A coordinator restart longer than a dozen attempts must not fail the
  // gate: without max_reconnects only the deadline plus grace ends it.
  Start({});
  FollowOptions o = Fast();
  o.max_reconnects = 0;
  o.grace = absl::Seconds(1);
  VerificationFollower follower(*client_, o);
  v1::Verification v = Start();
  *v.mutable_schedule()->mutable_deadline() = ToProtoDuration(absl::Seconds(1));
  *v.mutable_created_at() = ToProtoTime(absl::Now());
  int reconnects = 0;
  auto final_event = follower.Follow(
      v, [](const v1::VerificationEvent&) {},
      [&](int, const absl::Status&) { ++reconnects; });
  ASSERT_FALSE(final_event.ok());
  EXPECT_EQ(final_event.status().code(), absl::StatusCode::kDeadlineExceeded)
      << final_event.status();
  EXPECT_GT(reconnects, 12);
  EXPECT_EQ(FollowOptions().max_reconnects, 0);
  EXPECT_LE(FollowOptions().max_backoff, absl::Seconds(2));
}

TEST_F(FollowerTest, InterruptEndsTheBackoffWaitWithCancelled) {
  Start({});
  FollowOptions o = Fast();
  o.first_backoff = absl::Seconds(30);  // only Interrupt() can end this wait
  o.max_backoff = absl::Seconds(30);
  VerificationFollower follower(*client_, o);
  std::thread interrupter;
  auto final_event = follower.Follow(
      Start(), [](const v1::VerificationEvent&) {},
      [&](int attempt, const absl::Status&) {
        EXPECT_EQ(attempt, 1);
        interrupter = std::thread([&follower] { follower.Interrupt(); });
      });
  if (interrupter.joinable()) interrupter.join();
  ASSERT_FALSE(final_event.ok());
  EXPECT_EQ(final_event.status().code(), absl::StatusCode::kCancelled)
      << final_event.status();
  EXPECT_EQ(service_->calls(), 1u);
}

TEST_F(FollowerTest, UnknownIdFailsAtOnce) {
  Start({});
  VerificationFollower follower(*client_, Fast());
  v1::Verification v = Start();
  v.set_id("nope");
  auto final_event = follower.Follow(
      v, [](const v1::VerificationEvent&) {},
      [](int, const absl::Status&) { ADD_FAILURE() << "no retry"; });
  ASSERT_FALSE(final_event.ok());
  EXPECT_EQ(final_event.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(final_event.status().message()),
              ::testing::HasSubstr("no verification 'nope'"));
}

TEST_F(FollowerTest, GiveUpAtIsDeadlinePlusTwoIntervalsPlusGrace) {
  Start({});
  FollowOptions o;
  o.grace = absl::Seconds(30);
  VerificationFollower follower(*client_, o);
  v1::Verification v = Start();
  EXPECT_EQ(follower.GiveUpAt(v),
            FromProtoTime(v.created_at()) + absl::Seconds(30 + 2 + 30));
}

}  // namespace
}  // namespace propwatch
