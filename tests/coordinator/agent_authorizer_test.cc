#include "coordinator/service/agent_authorizer.h"

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
  EXPECT_TRUE(Tokens().Authorize("eu-1", {{}, kTokenA}).ok());
  absl::Status other = Tokens().Authorize("us-1", {{}, kTokenA});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("belongs to agent 'eu-1'"),
            absl::string_view::npos);
  EXPECT_EQ(Tokens().Authorize("eu-1", {{}, "cccccccccccccccccccc"}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AgentAuthorizerTest, CertificateNamesTheAgent) {
  EXPECT_TRUE(Tokens().Authorize("eu-1", {{"eu-1", "eu-1.agents"}, ""}).ok());
  absl::Status other = Tokens().Authorize("us-1", {{"eu-1"}, ""});
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("[eu-1]"), absl::string_view::npos);
  AgentAuthorizer no_certs(false, {{kTokenA, "eu-1"}});
  EXPECT_EQ(no_certs.Authorize("eu-1", {{"eu-1"}, ""}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AgentAuthorizerTest, NothingProvenIsUnauthenticatedWithTheFix) {
  absl::Status s = Tokens().Authorize("eu-1", {});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("--token-file"), absl::string_view::npos);
  EXPECT_TRUE(AgentAuthorizer::Open().Authorize("anyone", {}).ok());
}

TEST(AgentAuthorizerTest, TokenFileParsing) {
  auto tokens = AgentAuthorizer::ParseTokenFile(
      "# agents\n"
      "eu-1 aaaaaaaaaaaaaaaaaaaaaaaa\n"
      "\n"
      "us-1\tbbbbbbbbbbbbbbbbbbbbbbbb  \n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->at(kTokenA), "eu-1");
  EXPECT_EQ(tokens->at(kTokenB), "us-1");
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

TEST(AgentAuthorizerTest, BearerHeader) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken(""), "");
}

}  // namespace
}  // namespace propwatch
