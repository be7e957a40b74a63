#include "coordinator/storage/key_codec.h"

#include <algorithm>
#include <random>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

TEST(KeyCodecTest, ResultKeyRoundTrips) {
  const std::string key =
      ResultKey("v-0001", 7, Phase::kHttp, "agent-eu-1", 42);
  auto fields = DecodeResultKey(key);
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->verification_id, "v-0001");
  EXPECT_EQ(fields->round, 7u);
  EXPECT_EQ(fields->phase, Phase::kHttp);
  EXPECT_EQ(fields->agent_id, "agent-eu-1");
  EXPECT_EQ(fields->sequence, 42u);
}

TEST(KeyCodecTest, SameResultSameKey) {
  EXPECT_EQ(ResultKey("v", 1, Phase::kDns, "a", 9),
            ResultKey("v", 1, Phase::kDns, "a", 9));
}

TEST(KeyCodecTest, IntegersSortNumerically) {
  std::vector<uint64_t> values = {
      0, 1, 255, 256, 65535, 65536, 1ull << 32, (1ull << 63) + 5, ~0ull};
  std::vector<std::string> keys;
  for (uint64_t v : values) {
    keys.push_back(ResultKey("v", 1, Phase::kDns, "a", v));
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  std::vector<std::string> rounds;
  for (uint32_t r : {1u, 2u, 10u, 256u, 70000u}) {
    rounds.push_back(RoundKey("v", r));
  }
  EXPECT_TRUE(std::is_sorted(rounds.begin(), rounds.end()));
}

TEST(KeyCodecTest, DnsSortsBeforeHttpWithinARound) {
  EXPECT_LT(ResultKey("v", 3, Phase::kDns, "zzz", 999),
            ResultKey("v", 3, Phase::kHttp, "aaa", 0));
  EXPECT_LT(ResultKey("v", 3, Phase::kHttp, "zzz", 999),
            ResultKey("v", 4, Phase::kDns, "aaa", 0));
}

TEST(KeyCodecTest, VerificationRangeHoldsExactlyItsKeys) {
  const KeyRange range = VerificationPrefixRange(KeyTag::kResult, "v-ab");
  auto inside = [&](const std::string& k) {
    return k >= range.begin && k < range.end;
  };
  EXPECT_TRUE(inside(ResultKey("v-ab", 0, Phase::kDns, "a", 0)));
  EXPECT_TRUE(inside(ResultKey("v-ab", ~0u, Phase::kHttp, "z", ~0ull)));
  // A verification whose id extends this one must not be caught.
  EXPECT_FALSE(inside(ResultKey("v-abc", 1, Phase::kDns, "a", 0)));
  EXPECT_FALSE(inside(ResultKey("v-aa", 1, Phase::kDns, "a", 0)));
  EXPECT_FALSE(inside(ReportKey("v-ab", 1)));
}

TEST(KeyCodecTest, IpsAreSixteenBytesAndRoundTrip) {
  for (const char* ip : {"203.0.113.7", "0.0.0.0", "2001:db8::7", "::1"}) {
    KeyWriter writer(KeyTag::kResult);
    writer.Ip(ip);
    ASSERT_TRUE(writer.ok()) << ip;
    EXPECT_EQ(writer.key().size(), 17u);
    KeyReader reader(writer.key());
    ASSERT_TRUE(reader.Tag().ok());
    auto back = reader.Ip();
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, ip);
  }
  KeyWriter bad(KeyTag::kResult);
  bad.Ip("not-an-ip");
  EXPECT_FALSE(bad.ok());
}

TEST(KeyCodecTest, TruncatedKeysAreErrorsNotCrashes) {
  const std::string key = ResultKey("v-1", 1, Phase::kDns, "agent", 5);
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_FALSE(DecodeResultKey(key.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeResultKey(key + "x").ok());
  EXPECT_FALSE(DecodeResultKey(ReportKey("v-1", 1)).ok());
}

TEST(KeyCodecTest, RandomKeysNeverCrashTheDecoder) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 40, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    (void)DecodeResultKey(junk);
  }
}

TEST(KeyCodecTest, HexRoundTrip) {
  const std::string key = AgentKey("a\x01\xff");
  auto back = KeyFromHex(KeyToHex(key));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, key);
  EXPECT_FALSE(KeyFromHex("abc").ok());
  EXPECT_FALSE(KeyFromHex("zz").ok());
}

TEST(KeyCodecTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
}

}  // namespace
}  // namespace propwatch
