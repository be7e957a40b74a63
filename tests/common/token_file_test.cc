#include "common/token_file.h"

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

constexpr char kToken[] = "0123456789abcdef-TOKEN_value.~+/=";

TEST(TokenFileTest, TrimsLineEndsAndSpaces) {
  const std::string token = kToken;
  for (const std::string& text :
       {token, token + "\n", token + "\r\n", token + "\r", token + "  \t\r\n",
        "  " + token + "\n\n", "\r\n\n" + token + "\r\n\r\n",
        "# agent eu-1, rotated 2026-01-01\r\n" + token + "\r\n",
        "\xEF\xBB\xBF" + token + "\r\n"}) {
    absl::StatusOr<std::string> parsed = ParseTokenFile(text, "t");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, token);
  }
}

TEST(TokenFileTest, RefusesEmptyFiles) {
  for (const char* text : {"", "\n", "\r\n", "   \r\n\t\n", "# only\n"}) {
    absl::StatusOr<std::string> parsed = ParseTokenFile(text, "f");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "f: no token"))
        << parsed.status();
  }
}

TEST(TokenFileTest, BadCharactersNameTheLineAndColumnNotTheToken) {
  struct Case {
    std::string text;
    std::string says;
  } cases[] = {
      {"secret\x01value\n",
       "f:1: the token holds a control character (0x01) "
       "at column 7"},
      {"# comment\nsecret value\n", "f:2: the token holds a space at column 7"},
      {"\n\nsecret\tvalue\r\n", "f:3: the token holds a tab at column 7"},
      {"secret\rvalue\n",
       "f:1: the token holds a carriage return (0x0D) at "
       "column 7"},
      {"  secr\xC3\xA9tvalue\n",
       "f:1: the token holds a non-ASCII byte (0xC3) "
       "at column 7"},
      {"secret\x7Fvalue",
       "f:1: the token holds a control character (0x7F) "
       "at column 7"},
      {std::string("secret\0value", 12),
       "f:1: the token holds a control character (0x00) "
       "at column 7"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> parsed = ParseTokenFile(c.text, "f");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << c.says;
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), c.says))
        << parsed.status();
    EXPECT_EQ(parsed.status().message().find("secret"), std::string::npos)
        << parsed.status();
    EXPECT_EQ(parsed.status().message().find("value"), std::string::npos)
        << parsed.status();
  }
}

TEST(TokenFileTest, RefusesASecondToken) {
  absl::StatusOr<std::string> parsed =
      ParseTokenFile("first-token\r\n# old one:\r\nsecond-token\r\n", "f");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(),
                               "f:3: a second token (the first is on line 1)"))
      << parsed.status();
}

TEST(TokenFileTest, CleanTokenTrimsAndChecks) {
  for (const std::string& raw :
       {std::string(kToken), std::string(kToken) + "\r",
        std::string(kToken) + "\r\n", " " + std::string(kToken) + "\t"}) {
    absl::StatusOr<std::string> token = CleanToken(raw, "PROPWATCH_TOKEN");
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(*token, kToken);
  }
  absl::StatusOr<std::string> bad = CleanToken("abc def", "PROPWATCH_TOKEN");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "PROPWATCH_TOKEN: the token holds a space at column 4; a token is "
            "visible ASCII only (e.g. from `openssl rand -hex 32`)");
  EXPECT_EQ(CleanToken(" \r\n", "--token").status().message(),
            "--token: the token is empty");
}

TEST(TokenFileTest, CheckTokenCharacters) {
  EXPECT_TRUE(CheckTokenCharacters(kToken, "x").ok());
  EXPECT_FALSE(CheckTokenCharacters("", "x").ok());
  EXPECT_FALSE(CheckTokenCharacters("ab\n", "x").ok());
  EXPECT_FALSE(CheckTokenCharacters("a b", "x").ok());
}

TEST(TokenFileTest, ReadTokenFileNamesTheFlagAndPath) {
  testing::TempDir dir;
  const std::string path = dir.File("token");
  {
    std::ofstream out(path, std::ios::binary);
    out << kToken << "\r\n";
  }
  absl::StatusOr<std::string> token = ReadTokenFile(path, "--token-file");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, kToken);

  {
    std::ofstream out(path, std::ios::binary);
    out << "# token\n\nsecret\x02value\r\n";
  }
  token = ReadTokenFile(path, "--token-file");
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(token.status().message(), "--token-file " + path +
                                                     ":3: the token holds "
                                                     "a control character "
                                                     "(0x02) at column 7"))
      << token.status();

  token = ReadTokenFile(dir.File("missing"), "--token-file");
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(
      token.status().message(),
      "--token-file " + dir.File("missing") + ": cannot be read"))
      << token.status();
}

TEST(TokenFileTest, NormalizeTokenTableKeepsLineNumbers) {
  absl::StatusOr<std::string> table = NormalizeTokenTable(
      "# agents\r\neu-1 0123456789abcdef \r\n\r\n  us-1\t"
      "fedcba9876543210\r\n# \xC3\xA9t\xC3\xA9\r\n",
      "t");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(*table,
            "# agents\neu-1 0123456789abcdef\n\nus-1\tfedcba9876543210\n"
            "# \xC3\xA9t\xC3\xA9\n");

  table = NormalizeTokenTable("eu-1 0123456789abcdef\nus-1 secret\x0Bvalue\n",
                              "--agent-tokens /etc/t");
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(table.status().message(),
                       "--agent-tokens /etc/t:2: a control character (0x0B) "
                       "at column 12"))
      << table.status();
  EXPECT_EQ(table.status().message().find("secret"), std::string::npos);

  testing::TempDir dir;
  const std::string path = dir.File("control-tokens");
  {
    std::ofstream out(path, std::ios::binary);
    out << "ci 0123456789abcdef write\r\n";
  }
  table = ReadTokenTableFile(path, "--control-tokens");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(*table, "ci 0123456789abcdef write\n");
  table = ReadTokenTableFile(dir.File("missing"), "--control-tokens");
  EXPECT_TRUE(absl::StartsWith(
      table.status().message(),
      "--control-tokens " + dir.File("missing") + ": cannot be read"))
      << table.status();
}

}  // namespace
}  // namespace propwatch
