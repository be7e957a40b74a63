#include "coordinator/service/agent_authorizer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

constexpr char kTokenA[] = "aaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kTokenB[] = "bbbbbbbbbbbbbbbbbbbbbbbb";

AgentAuthorizer Tokens() {
  return AgentAuthorizer(/*certificates=*/true,
                         {{kTokenA, "eu-1"}, {kTokenB, "us-1"}});
}

TEST(AgentAuthorizerTest, TokenProvesExactlyItsOwnAgent) {
  EXPECT_TRUE(Tokens().Authorize("eu-1", "eu", {{}, kTokenA}).ok());
  absl::Status other = Tokens().Authorize("us-1", "us", {{}, kTokenA});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("belongs to agent 'eu-1'"),
            absl::string_view::npos);
  EXPECT_EQ(
      Tokens().Authorize("eu-1", "eu", {{}, "cccccccccccccccccccc"}).code(),
      absl::StatusCode::kUnauthenticated);
}

TEST(AgentAuthorizerTest, CertificateNamesTheAgent) {
  EXPECT_TRUE(
      Tokens().Authorize("eu-1", "eu", {{"eu-1", "eu-1.agents"}, ""}).ok());
  absl::Status other = Tokens().Authorize("us-1", "us", {{"eu-1"}, ""});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("[eu-1]"), absl::string_view::npos);
  AgentAuthorizer no_certs(false, {{kTokenA, "eu-1"}});
  EXPECT_EQ(no_certs.Authorize("eu-1", "eu", {{"eu-1"}, ""}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AgentAuthorizerTest, NothingProvenIsUnauthenticatedWithTheFix) {
  absl::Status s = Tokens().Authorize("eu-1", "eu", {});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("--token-file"), absl::string_view::npos);
  EXPECT_TRUE(AgentAuthorizer::Open().Authorize("anyone", "anywhere", {}).ok());
}

TEST(AgentAuthorizerTest, TokenFileParsing) {
  auto tokens = AgentAuthorizer::ParseTokenFile(
      "# agents\n"
      "eu-1 aaaaaaaaaaaaaaaaaaaaaaaa\n"
      "\n"
      "us-1\tbbbbbbbbbbbbbbbbbbbbbbbb  \n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->at(kTokenA).agent_id, "eu-1");
  EXPECT_EQ(tokens->at(kTokenB).agent_id, "us-1");
  EXPECT_TRUE(tokens->at(kTokenA).regions.empty());
  EXPECT_NE(AgentAuthorizer::ParseTokenFile("eu-1\n").status().message().find(
                "line 1"),
            absl::string_view::npos);
  EXPECT_NE(AgentAuthorizer::ParseTokenFile("eu-1 short\n")
                .status()
                .message()
                .find("shorter than 16"),
            absl::string_view::npos);
  EXPECT_NE(AgentAuthorizer::ParseTokenFile(
                "a aaaaaaaaaaaaaaaaaaaaaaaa\nb aaaaaaaaaaaaaaaaaaaaaaaa\n")
                .status()
                .message()
                .find("line 2"),
            absl::string_view::npos);
}

TEST(AgentAuthorizerTest, TokenFileBindsRegions) {
  auto tokens = AgentAuthorizer::ParseTokenFile(
      "eu-1 aaaaaaaaaaaaaaaaaaaaaaaa eu-west,eu-central\n"
      "us-1 bbbbbbbbbbbbbbbbbbbbbbbb\n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->at(kTokenA).regions,
            (std::vector<std::string>{"eu-west", "eu-central"}));
  AgentAuthorizer authorizer(false, *std::move(tokens));
  EXPECT_TRUE(authorizer.Authorize("eu-1", "eu-central", {{}, kTokenA}).ok());
  absl::Status other = authorizer.Authorize("eu-1", "us-east", {{}, kTokenA});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(other.message(),
            "agent 'eu-1' may claim region eu-west, eu-central (its "
            "--agent-tokens line), not 'us-east'; start it with the right "
            "--region or change its grant");
  // A line without regions binds none.
  EXPECT_TRUE(authorizer.Authorize("us-1", "ap-south", {{}, kTokenB}).ok());
  EXPECT_NE(AgentAuthorizer::ParseTokenFile("a aaaaaaaaaaaaaaaaaaaaaaaa ,\n")
                .status()
                .message()
                .find("empty region list"),
            absl::string_view::npos);
}

TEST(AgentAuthorizerTest, CertificateRegionSansBindRegions) {
  AgentAuthorizer authorizer(true, {});
  const PeerCredentials eu{{"eu-1", "propwatch-region:eu-west"}, ""};
  EXPECT_TRUE(authorizer.Authorize("eu-1", "eu-west", eu).ok());
  absl::Status other = authorizer.Authorize("eu-1", "us-east", eu);
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("propwatch-region: SANs"),
            absl::string_view::npos);
  // No region SAN: any region.
  EXPECT_TRUE(authorizer.Authorize("eu-1", "us-east", {{"eu-1"}, ""}).ok());
}

TEST(AgentAuthorizerTest, BearerHeader) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken(""), "");
}

}  // namespace
}  // namespace propwatch
