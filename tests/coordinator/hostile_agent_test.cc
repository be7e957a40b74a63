// A hostile or broken agent over real gRPC: whatever it sends, it cannot
// hold a stream without saying who it is, nor pile up unauthenticated
// streams. (Results it was not asked for: verification_process_test.)
#include <grpcpp/grpcpp.h>

#include <chrono>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/agent.grpc.pb.h"
#include "tests/testing/coordinator_process.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

TEST(HostileAgentTest, AStreamThatSendsNoHelloIsClosedAfterTenSeconds) {
  CoordinatorProcess coordinator;
  auto channel = grpc::CreateChannel(coordinator.address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::AgentService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  const auto opened = std::chrono::steady_clock::now();
  auto stream = stub->Connect(&context);
  v1::CoordinatorMessage message;
  EXPECT_FALSE(stream->Read(&message));  // nothing until it is closed
  const grpc::Status status = stream->Finish();
  const auto held = std::chrono::steady_clock::now() - opened;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("no Hello within 10s"));
  EXPECT_GE(held, std::chrono::seconds(9));
  EXPECT_LT(held, std::chrono::seconds(15));
  EXPECT_THAT(coordinator.process().Stderr(),
              HasSubstr("an agent stream sent no Hello within 10s"));
}

TEST(HostileAgentTest, AnOversizedBatchEndsItsStream) {
  CoordinatorProcess coordinator({"--max-message-bytes", "65536"});
  auto channel = grpc::CreateChannel(coordinator.address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::AgentService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
  auto stream = stub->Connect(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->mutable_identity()->set_agent_id("bloat");
  hello.mutable_hello()->mutable_identity()->set_region("eu");
  ASSERT_TRUE(stream->Write(hello));
  v1::CoordinatorMessage welcome;
  ASSERT_TRUE(stream->Read(&welcome));
  v1::AgentMessage batch;
  v1::ProbeResult& r = *batch.mutable_results()->add_results();
  r.set_sequence(1);
  r.mutable_http()->set_error_message(std::string(100 << 10, 'x'));
  stream->Write(batch);  // may or may not report the failure itself
  v1::CoordinatorMessage message;
  while (stream->Read(&message)) {
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  // The coordinator is fine and serves the next stream.
  grpc::ClientContext again;
  again.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
  auto next = stub->Connect(&again);
  ASSERT_TRUE(next->Write(hello));
  EXPECT_TRUE(next->Read(&welcome));
  again.TryCancel();
}

}  // namespace
}  // namespace propwatch::testing
