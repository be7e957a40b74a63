#include "agent/identity.h"

#include "agent/link/agent_link.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

TEST(IdentityTest, Labels) {
  v1::AgentIdentity id;
  ASSERT_TRUE(ParseLabels({"tier=edge", "empty="}, id).ok());
  EXPECT_EQ(id.labels().at("tier"), "edge");
  EXPECT_EQ(id.labels().at("empty"), "");
  EXPECT_FALSE(ParseLabels({"=v"}, id).ok());
  EXPECT_FALSE(ParseLabels({"novalue"}, id).ok());
}

TEST(ReconnectDelayTest, DoublesUpToTheCapWithJitter) {
  const absl::Duration lo = absl::Seconds(1), hi = absl::Seconds(30);
  EXPECT_EQ(ReconnectDelay(0, lo, hi, 1.0), absl::Seconds(1));
  EXPECT_EQ(ReconnectDelay(0, lo, hi, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(ReconnectDelay(3, lo, hi, 1.0), absl::Seconds(8));
  EXPECT_EQ(ReconnectDelay(10, lo, hi, 1.0), absl::Seconds(30));
  EXPECT_EQ(ReconnectDelay(1000, lo, hi, 0.0), absl::Seconds(15));
  for (int attempt = 0; attempt < 50; ++attempt) {
    for (double r : {0.0, 0.3, 0.99}) {
      const absl::Duration d = ReconnectDelay(attempt, lo, hi, r);
      EXPECT_GE(d, absl::Milliseconds(500));
      EXPECT_LE(d, hi);
    }
  }
}

}  // namespace
}  // namespace propwatch
