#include "coordinator/service/control_authorizer.h"

#include "gtest/gtest.h"

namespace propwatch {
namespace {

constexpr char kWriter[] = "wwwwwwwwwwwwwwwwwwwwwwww";
constexpr char kReader[] = "rrrrrrrrrrrrrrrrrrrrrrrr";

ControlAuthorizer Tokens() {
  return ControlAuthorizer({{"deploy-pipeline", kWriter, ControlScope::kWrite},
                            {"dashboard", kReader, ControlScope::kRead}});
}

TEST(ControlAuthorizerTest, WriteTokenMayDoEverythingAndIsNamed) {
  auto read = Tokens().Authorize(kWriter, ControlScope::kRead);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "deploy-pipeline");
  EXPECT_TRUE(Tokens().Authorize(kWriter, ControlScope::kWrite).ok());
}

TEST(ControlAuthorizerTest, ReadTokenMayOnlyRead) {
  EXPECT_TRUE(Tokens().Authorize(kReader, ControlScope::kRead).ok());
  auto write = Tokens().Authorize(kReader, ControlScope::kWrite);
  EXPECT_EQ(write.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(write.status().message().find("'dashboard' may only read"),
            absl::string_view::npos)
      << write.status();
}

TEST(ControlAuthorizerTest, MissingOrUnknownTokenIsUnauthenticatedWithTheFix) {
  auto none = Tokens().Authorize("", ControlScope::kRead);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(none.status().message().find("PROPWATCH_TOKEN"),
            absl::string_view::npos);
  // A prefix of a real token is not that token.
  auto prefix = Tokens().Authorize("wwwwwwwwwwww", ControlScope::kRead);
  EXPECT_EQ(prefix.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(
      ControlAuthorizer::Open().Authorize("", ControlScope::kWrite).ok());
}

TEST(ControlAuthorizerTest, ParsesNamesTokensAndScopes) {
  auto tokens = ControlAuthorizer::ParseTokenFile(
      "# who may drive propwatch\n"
      "deploy-pipeline wwwwwwwwwwwwwwwwwwwwwwww\n"
      "\n"
      "dashboard\trrrrrrrrrrrrrrrrrrrrrrrr read\n"
      "oncall   oooooooooooooooooooooooo write\n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 3u);
  EXPECT_EQ((*tokens)[0].name, "deploy-pipeline");
  EXPECT_EQ((*tokens)[0].scope, ControlScope::kWrite);
  EXPECT_EQ((*tokens)[1].token, kReader);
  EXPECT_EQ((*tokens)[1].scope, ControlScope::kRead);
  EXPECT_EQ((*tokens)[2].scope, ControlScope::kWrite);
}

TEST(ControlAuthorizerTest, BadFilesNameTheLineAndTheProblem) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"a\n", "line 1: expected 'name token [read|write]', got 1 fields"},
      {"a b c d\n", "got 4 fields"},
      {"# c\nci short\n", "line 2: the token of ci is shorter than 16"},
      {"ci wwwwwwwwwwwwwwwwwwwwwwww admin\n", "scope 'admin' is not read"},
      {"ci wwwwwwwwwwwwwwwwwwwwwwww\nci rrrrrrrrrrrrrrrrrrrrrrrr\n",
       "line 2: the name ci is used twice"},
      {"a wwwwwwwwwwwwwwwwwwwwwwww\nb wwwwwwwwwwwwwwwwwwwwwwww\n",
       "line 2: this token is already given"},
      {"# nothing\n\n", "has no tokens"},
  };
  for (const Case& c : cases) {
    auto parsed = ControlAuthorizer::ParseTokenFile(c.text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_NE(parsed.status().message().find(c.message),
              absl::string_view::npos)
        << parsed.status() << " for: " << c.text;
  }
}

}  // namespace
}  // namespace propwatch
