#include "agent/http/linear_regex.h"

#include <string>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

LinearRegex Compile(const std::string& pattern) {
  auto re = LinearRegex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << re.status();
  return *std::move(re);
}

TEST(LinearRegexTest, SearchAndFullMatch) {
  EXPECT_TRUE(Compile("ell").Search("hello"));
  EXPECT_FALSE(Compile("ell").FullMatch("hello"));
  EXPECT_TRUE(Compile("h.*o").FullMatch("hello"));
  EXPECT_TRUE(Compile("^hel").Search("hello"));
  EXPECT_FALSE(Compile("^ell").Search("hello"));
  EXPECT_TRUE(Compile("lo$").Search("hello"));
  EXPECT_TRUE(Compile("a|b").Search("xxb"));
  // The wrapper must not change alternation scope.
  EXPECT_FALSE(Compile("^a|^b").Search("xb"));
  EXPECT_TRUE(Compile("line2").Search("line1\nline2"));
  EXPECT_TRUE(Compile("").Search("anything"));
}

TEST(LinearRegexTest, RejectsBadPatterns) {
  EXPECT_FALSE(LinearRegex::Compile("(").ok());
  EXPECT_FALSE(LinearRegex::Compile("a)|(b").ok());
  EXPECT_FALSE(LinearRegex::Compile("(a)\\1").ok());
  EXPECT_FALSE(
      LinearRegex::Compile(std::string(LinearRegex::kMaxPatternBytes + 1, 'a'))
          .ok());
}

TEST(LinearRegexTest, HostileInputsFinish) {
  // Exponential for a backtracking engine; a stack overflow for libstdc++'s
  // default executor on a megabyte; quadratic for a naive search.
  const std::string text(1 << 20, 'a');
  EXPECT_FALSE(Compile("(a+)+c").Search(text));
  EXPECT_FALSE(Compile("(a|aa)*x").Search(text));
  EXPECT_TRUE(Compile("(a|b)*").FullMatch(text));
}

}  // namespace
}  // namespace propwatch
