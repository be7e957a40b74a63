// AgentLink against a real gRPC server on loopback that records what
// arrives: a message sent after a command's results (CommandDone) never
// overtakes them, however many batches they take.
#include <grpcpp/grpcpp.h>

#include <mutex>
#include <thread>

#include "agent/link/agent_link.h"
#include "gtest/gtest.h"
#include "propwatch/v1/agent.grpc.pb.h"
#include "tests/testing/subprocess.h"

namespace propwatch {
namespace {

// Welcomes one stream and records each message as "r<sequence>..." or
// "done<command_id>", in arrival order.
class RecordingAgentService final : public v1::AgentService::Service {
 public:
  grpc::Status Connect(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::CoordinatorMessage, v1::AgentMessage>*
          stream) override {
    v1::AgentMessage hello;
    if (!stream->Read(&hello) || !hello.has_hello()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no hello");
    }
    v1::CoordinatorMessage welcome;
    welcome.mutable_welcome()->set_acked_through(0);
    stream->Write(welcome);
    v1::AgentMessage message;
    while (stream->Read(&message)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (message.has_results()) {
        for (const v1::ProbeResult& r : message.results().results()) {
          arrivals_.push_back("r" + std::to_string(r.sequence()));
        }
      } else if (message.has_done()) {
        arrivals_.push_back("done" +
                            std::to_string(message.done().command_id()));
      }
    }
    return grpc::Status::OK;
  }

  std::vector<std::string> arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> arrivals_;
};

v1::AgentMessage Done(uint64_t command_id) {
  v1::AgentMessage done;
  done.mutable_done()->set_command_id(command_id);
  return done;
}

TEST(AgentLinkOrderTest, CommandDoneFollowsEveryResultOfItsCommand) {
  RecordingAgentService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);

  Outbox outbox(10000);
  AgentLinkOptions options;
  options.coordinator = "127.0.0.1:" + std::to_string(port);
  options.identity.set_agent_id("eu-1");
  options.identity.set_region("eu-west");
  options.outbox = &outbox;
  options.batch_size = 5;  // 200 results: 40 batches, 2 queued at a time
  AgentLink link(options, [](const v1::CoordinatorMessage&) {});
  std::thread runner([&] { EXPECT_TRUE(link.Run().ok()); });
  ASSERT_TRUE(
      testing::WaitFor([&] { return link.connected(); }, absl::Seconds(10)));

  // Command 1's 200 results, then its CommandDone; command 2 has none.
  for (int i = 0; i < 200; ++i) {
    v1::ProbeResult r;
    r.mutable_dns()->set_hostname("www.example.test");
    outbox.Add(std::move(r));
    link.Pump();
  }
  link.SendAfterResults(Done(1), 200);
  link.SendAfterResults(Done(2), 200);
  ASSERT_TRUE(testing::WaitFor([&] { return service.arrivals().size() == 202; },
                               absl::Seconds(10)))
      << service.arrivals().size();
  const std::vector<std::string> arrivals = service.arrivals();
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(arrivals[i], "r" + std::to_string(i + 1));
  }
  EXPECT_EQ(arrivals[200], "done1");
  EXPECT_EQ(arrivals[201], "done2");

  link.Stop();
  runner.join();
  server->Shutdown();
}

}  // namespace
}  // namespace propwatch
