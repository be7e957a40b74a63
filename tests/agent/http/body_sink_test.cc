#include "agent/http/body_sink.h"

#include "gtest/gtest.h"

namespace propwatch {
namespace {

// sha256("hello") and sha256("").
constexpr char kHello[] =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
constexpr char kEmpty[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

BodySink Make(uint64_t cap, uint64_t keep) {
  auto sink = BodySink::Create(cap, keep);
  EXPECT_TRUE(sink.ok()) << sink.status();
  return *std::move(sink);
}

TEST(BodySinkTest, HashesStreamedChunksLikeOneBuffer) {
  BodySink sink = Make(100, 0);
  EXPECT_EQ(sink.HexDigest(), kEmpty);
  EXPECT_TRUE(sink.Append("he"));
  EXPECT_TRUE(sink.Append("llo"));
  EXPECT_EQ(sink.HexDigest(), kHello);
  EXPECT_EQ(sink.bytes(), 5u);
  EXPECT_FALSE(sink.over_cap());
  EXPECT_TRUE(sink.kept().empty());
}

TEST(BodySinkTest, BodyOfExactlyTheCapFits) {
  BodySink sink = Make(5, 5);
  EXPECT_TRUE(sink.Append("hello"));
  EXPECT_FALSE(sink.over_cap());
  EXPECT_EQ(sink.kept(), "hello");
  EXPECT_FALSE(sink.Append("!"));
  EXPECT_TRUE(sink.over_cap());
  EXPECT_EQ(sink.HexDigest(), kHello);
}

TEST(BodySinkTest, StopsAtTheCapAndHashesWhatWasTaken) {
  BodySink sink = Make(3, 2);
  EXPECT_FALSE(sink.Append("hello"));
  EXPECT_TRUE(sink.over_cap());
  EXPECT_EQ(sink.bytes(), 3u);
  EXPECT_EQ(sink.kept(), "he");
  BodySink reference = Make(100, 0);
  reference.Append("hel");
  EXPECT_EQ(sink.HexDigest(), reference.HexDigest());
}

TEST(BodySinkTest, ResetStartsOver) {
  BodySink sink = Make(3, 3);
  sink.Append("hello");
  sink.Reset();
  EXPECT_EQ(sink.bytes(), 0u);
  EXPECT_FALSE(sink.over_cap());
  EXPECT_EQ(sink.kept(), "");
  EXPECT_EQ(sink.HexDigest(), kEmpty);
}

}  // namespace
}  // namespace propwatch
