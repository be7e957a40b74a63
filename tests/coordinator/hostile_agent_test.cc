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

}  // namespace
}  // namespace propwatch::testing
