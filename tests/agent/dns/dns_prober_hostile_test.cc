// DnsProber against in-process fakes that misbehave in ways real servers
// cannot be made to: silence, garbage, truncation, refusals. Every probe must
// end by its deadline (plus scheduling slack) with the right error class,
// while other probes keep completing.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_prober.h"
#include "gtest/gtest.h"
#include "tests/agent/dns/dns_wire_builder.h"
#include "tests/agent/dns/fake_dns_server.h"
#include "tests/agent/dns/prober_test_util.h"
#include "tests/testing/process_memory.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsResult;
using testing::DnsWireBuilder;
using testing::FakeDnsServer;
using testing::ProberHarness;
using testing::ReplyHeaderFor;
using testing::Spec;

constexpr absl::Duration kSlack = absl::Milliseconds(500);

std::optional<std::vector<uint8_t>> Silent(absl::Span<const uint8_t>) {
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> GoodAnswer(absl::Span<const uint8_t> q) {
  DnsWireBuilder reply = ReplyHeaderFor(q, testing::kFlagAa, 0, 1);
  reply.Pointer(12).U16(kTypeA).U16(1).U32(30).U16(4).Bytes(
      std::vector<uint8_t>{192, 0, 2, 77});
  return reply.bytes();
}

FakeDnsServer::Handler Rcode(uint8_t rcode) {
  return [rcode](absl::Span<const uint8_t> q) {
    return std::optional(ReplyHeaderFor(q, 0, rcode).bytes());
  };
}

std::optional<std::vector<uint8_t>> Malformed(absl::Span<const uint8_t> q) {
  // A valid header and question, then an answer whose owner name is a
  // compression pointer to itself.
  DnsWireBuilder reply = ReplyHeaderFor(q, 0, 0, 1);
  reply.Pointer(static_cast<uint16_t>(reply.size()));
  reply.U16(kTypeA).U16(1).U32(1).U16(4).U32(0);
  return reply.bytes();
}

// A reply that claims 65535 answers and carries 4000 real A records (about
// 64 KB, near the most TCP can carry): the parser must refuse it at its record
// limit instead of growing with what the header claims or holds. Served over
// TCP after a truncated UDP reply (RFC 1035 4.2.1), as a reply this size
// must be.
std::optional<std::vector<uint8_t>> Bloated(absl::Span<const uint8_t> q) {
  DnsWireBuilder reply = ReplyHeaderFor(q, testing::kFlagAa, 0, 65535);
  for (int i = 0; i < 4000; ++i) {
    reply.Pointer(12).U16(kTypeA).U16(1).U32(30).U16(4).Bytes(
        std::vector<uint8_t>{192, 0, static_cast<uint8_t>(i >> 8),
                             static_cast<uint8_t>(i)});
  }
  return reply.bytes();
}

std::optional<std::vector<uint8_t>> Truncated(absl::Span<const uint8_t> q) {
  return ReplyHeaderFor(q, testing::kFlagTc, 0).bytes();
}

TEST(DnsProberHostileTest, SilentServerTimesOutByTheDeadline) {
  FakeDnsServer silent(Silent);
  ProberHarness h;
  const absl::Duration deadline = absl::Seconds(1);
  testing::ProbeRun run = h.Run(
      Spec("www.example.test",
           {propwatch::v1::RECORD_TYPE_A, propwatch::v1::RECORD_TYPE_AAAA},
           silent.address(), deadline));
  ASSERT_TRUE(run.completed);
  EXPECT_LE(run.elapsed, deadline + kSlack);
  ASSERT_EQ(run.results.size(), 2u);
  for (const DnsResult& r : run.results) {
    EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_TIMEOUT);
    EXPECT_EQ(r.server(), silent.address());
    EXPECT_TRUE(r.rcode().empty());
    EXPECT_NE(r.error_message().find(silent.address()), std::string::npos);
    EXPECT_NE(r.error_message().find("www.example.test"), std::string::npos);
  }
  EXPECT_GE(silent.udp_queries(), 2);
}

TEST(DnsProberHostileTest, OtherProbesCompleteWhileOneHangs) {
  FakeDnsServer silent(Silent);
  FakeDnsServer good(GoodAnswer);
  ProberHarness h;
  std::vector<propwatch::v1::DnsProbeSpec> specs;
  const absl::Duration hang_deadline = absl::Seconds(2);
  for (int i = 0; i < 3; ++i) {
    specs.push_back(Spec("hang.example.test", {propwatch::v1::RECORD_TYPE_A},
                         silent.address(), hang_deadline));
  }
  for (int i = 0; i < 50; ++i) {
    specs.push_back(Spec(absl::StrCat("ok", i, ".example.test"),
                         {propwatch::v1::RECORD_TYPE_A}, good.address(),
                         absl::Seconds(5)));
  }
  std::vector<testing::ProbeRun> runs = h.RunAll(specs);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(runs[i].completed);
    EXPECT_EQ(runs[i].results[0].error_class(),
              propwatch::v1::ERROR_CLASS_TIMEOUT);
    EXPECT_LE(runs[i].elapsed, hang_deadline + kSlack);
  }
  for (size_t i = 3; i < runs.size(); ++i) {
    ASSERT_TRUE(runs[i].completed) << i;
    const DnsResult& r = runs[i].results[0];
    EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
        << r.error_message();
    EXPECT_EQ(r.addresses(0), "192.0.2.77");
    // Answered while the hanging probes were still waiting.
    EXPECT_LT(runs[i].elapsed, hang_deadline) << i;
  }
}

TEST(DnsProberHostileTest, FloodOfBloatedRepliesKeepsMemoryBounded) {
  // 30 bloated replies at once, beside 100 probes of a silent server. Kept
  // whole, the 4000 records of each would be some 15 MB of parsed answers;
  // refused at the record limit, they cost at most the 64 KB reply buffers
  // c-ares holds meanwhile (2 MB) plus a c-ares channel per probe (10 MB for
  // the 130). The bound leaves room for allocator noise but stays under the
  // unbounded cost added to that. (The fake serves TCP one connection
  // at a time; with 100 bloated probes a few pipelined TCP replies missed the
  // deadline, which is left to investigate, not hidden here.) Every query
  // has its own c-ares channel, so each bloated probe opens its own TCP
  // connection; the fake serves them one at a time from a listen backlog of
  // 16, so the 30 are spread over three fakes to stay within it.
  constexpr int kBloated = 30;
  constexpr int kBloatedServers = 3;
  // Each query in flight also has its own c-ares channel (its own socket
  // and source port), about 75 KB in c-ares 1.18 (fixed ID and timeout
  // tables), released when the query ends.
  constexpr uint64_t kChannelBytes = 80ull << 10;
  std::vector<std::unique_ptr<FakeDnsServer>> bloated;
  for (int i = 0; i < kBloatedServers; ++i) {
    bloated.push_back(std::make_unique<FakeDnsServer>(Truncated, Bloated));
  }
  FakeDnsServer silent(Silent);
  DnsQueryEngine::Options engine;
  engine.max_in_flight = 200;  // all in flight at once, none queued
  ProberHarness h({"127.0.0.1:9"}, engine);
  std::vector<propwatch::v1::DnsProbeSpec> specs;
  const absl::Duration deadline = absl::Seconds(3);
  // The bloated replies come back over TCP (TC set), one connection at a
  // time from the fake; a longer deadline keeps a slow (sanitized, loaded)
  // run from turning MALFORMED into TIMEOUT. They normally end in ms.
  const absl::Duration bloated_deadline = absl::Seconds(10);
  for (int i = 0; i < 100; ++i) {
    specs.push_back(Spec(absl::StrCat("hang", i, ".example.test"),
                         {propwatch::v1::RECORD_TYPE_A}, silent.address(),
                         deadline));
  }
  for (int i = 0; i < kBloated; ++i) {
    specs.push_back(Spec(
        absl::StrCat("big", i, ".example.test"), {propwatch::v1::RECORD_TYPE_A},
        bloated[i % kBloatedServers]->address(), bloated_deadline));
  }
  const uint64_t kMaxGrowth = (8ull << 20) + specs.size() * kChannelBytes;
  const uint64_t rss_before = ::propwatch::testing::CurrentRssBytes();
  ASSERT_TRUE(::propwatch::testing::ResetPeakRss());
  std::vector<testing::ProbeRun> runs = h.RunAll(specs);
  const uint64_t peak = ::propwatch::testing::PeakRssBytes();
  for (size_t i = 0; i < runs.size(); ++i) {
    ASSERT_TRUE(runs[i].completed) << i;
    EXPECT_LE(runs[i].elapsed, (i < 100 ? deadline : bloated_deadline) + kSlack)
        << i;
    const DnsResult& r = runs[i].results.at(0);
    EXPECT_EQ(r.error_class(), i < 100 ? propwatch::v1::ERROR_CLASS_TIMEOUT
                                       : propwatch::v1::ERROR_CLASS_MALFORMED)
        << i << ": " << r.error_message();
    EXPECT_EQ(r.answers_size(), 0) << i;
  }
  if (::propwatch::testing::kRssBoundsMeasurable) {
    EXPECT_LT(peak, rss_before + kMaxGrowth)
        << "peak RSS " << peak << " grew more than " << kMaxGrowth << " over "
        << rss_before;
  }
}

TEST(DnsProberHostileTest, MalformedReplyIsMalformed) {
  FakeDnsServer bad(Malformed);
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                 bad.address(), absl::Seconds(2)));
  ASSERT_TRUE(run.completed);
  const DnsResult& r = run.results.at(0);
  EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_MALFORMED);
  EXPECT_NE(r.error_message().find("loop"), std::string::npos)
      << r.error_message();
  EXPECT_LE(run.elapsed, absl::Seconds(2) + kSlack);
}

TEST(DnsProberHostileTest, TruncatedUdpIsRetriedOverTcp) {
  // RFC 1035 section 4.2.1 / RFC 7766: TC means ask again over TCP; c-ares
  // does, and the TCP answer is what the result reports.
  FakeDnsServer server(Truncated, GoodAnswer);
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                 server.address(), absl::Seconds(3)));
  ASSERT_TRUE(run.completed);
  const DnsResult& r = run.results.at(0);
  EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_UNSPECIFIED)
      << r.error_message();
  EXPECT_EQ(r.addresses(0), "192.0.2.77");
  EXPECT_EQ(r.server(), server.address());
  EXPECT_GE(server.tcp_queries(), 1);
}

TEST(DnsProberHostileTest, TruncatedUdpWithTcpRefusedIsRefused) {
  FakeDnsServer server(Truncated);  // TCP port bound, not listening
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                 server.address(), absl::Seconds(3)));
  ASSERT_TRUE(run.completed);
  const DnsResult& r = run.results.at(0);
  EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_REFUSED)
      << r.error_message();
  EXPECT_LE(run.elapsed, absl::Seconds(3) + kSlack);
}

TEST(DnsProberHostileTest, RcodesMapToErrorClasses) {
  FakeDnsServer refused(Rcode(kRcodeRefused));
  FakeDnsServer servfail(Rcode(kRcodeServFail));
  FakeDnsServer notimp(Rcode(kRcodeNotImp));
  ProberHarness h;
  std::vector<testing::ProbeRun> runs = h.RunAll({
      Spec("a.example.test", {propwatch::v1::RECORD_TYPE_A}, refused.address()),
      Spec("a.example.test", {propwatch::v1::RECORD_TYPE_A},
           servfail.address()),
      Spec("a.example.test", {propwatch::v1::RECORD_TYPE_A}, notimp.address()),
  });
  ASSERT_TRUE(runs[0].completed && runs[1].completed && runs[2].completed);
  EXPECT_EQ(runs[0].results[0].error_class(),
            propwatch::v1::ERROR_CLASS_REFUSED);
  EXPECT_EQ(runs[0].results[0].rcode(), "REFUSED");
  EXPECT_EQ(runs[1].results[0].error_class(),
            propwatch::v1::ERROR_CLASS_SERVFAIL);
  EXPECT_EQ(runs[2].results[0].error_class(),
            propwatch::v1::ERROR_CLASS_PROTOCOL);
  EXPECT_EQ(runs[2].results[0].rcode(), "NOTIMP");
  // One query each: NOCHECKRESP stops c-ares from retrying on these.
  EXPECT_EQ(refused.udp_queries(), 1);
  EXPECT_EQ(servfail.udp_queries(), 1);
}

TEST(DnsProberHostileTest, ConcurrencyCapQueuesTheRest) {
  FakeDnsServer good(GoodAnswer);
  DnsQueryEngine::Options engine;
  engine.max_in_flight = 2;
  ProberHarness h({"127.0.0.1:9"}, engine);
  std::vector<propwatch::v1::DnsProbeSpec> specs;
  for (int i = 0; i < 20; ++i) {
    specs.push_back(
        Spec(absl::StrCat("n", i, ".example.test"),
             {propwatch::v1::RECORD_TYPE_A, propwatch::v1::RECORD_TYPE_AAAA},
             good.address()));
  }
  std::vector<testing::ProbeRun> runs = h.RunAll(specs);
  for (const auto& run : runs) {
    ASSERT_TRUE(run.completed);
    ASSERT_EQ(run.results.size(), 2u);
  }
  EXPECT_EQ(h.prober().engine().in_flight(), 0u);
  EXPECT_EQ(h.prober().engine().queued(), 0u);
  EXPECT_EQ(h.prober().engine().channels(), 1u) << "one cached channel";
  EXPECT_EQ(good.udp_queries(), 40);
}

TEST(DnsProberHostileTest, CancelEndsTheProbeWithCancelled) {
  FakeDnsServer silent(Silent);
  ProberHarness h;
  std::vector<DnsResult> results;
  bool done = false;
  auto id =
      h.prober().Start(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                            silent.address()),
                       [&](std::vector<DnsResult> r) {
                         results = std::move(r);
                         done = true;
                       });
  ASSERT_TRUE(id.ok());
  h.loop().RunOnce(absl::Milliseconds(50));
  h.prober().Cancel(*id);
  EXPECT_FALSE(done) << "never called back inside Cancel";
  for (int i = 0; i < 20 && !done; ++i)
    h.loop().RunOnce(absl::Milliseconds(50));
  ASSERT_TRUE(done);
  EXPECT_EQ(results.at(0).error_class(), propwatch::v1::ERROR_CLASS_CANCELLED);
  EXPECT_EQ(h.prober().probes_in_flight(), 0u);
}

TEST(DnsProberHostileTest, BadSpecsAreRejectedAtStart) {
  ProberHarness h;
  auto start = [&](const propwatch::v1::DnsProbeSpec& spec) {
    return h.prober().Start(spec, [](std::vector<DnsResult>) {}).status();
  };
  auto spec = Spec("www.example.test", {}, "127.0.0.1:53");
  EXPECT_TRUE(start(spec).ok());
  auto bad = spec;
  bad.set_hostname("a..b");
  EXPECT_EQ(start(bad).code(), absl::StatusCode::kInvalidArgument);
  bad = spec;
  bad.mutable_resolver()->set_address("dns.example.test");
  EXPECT_EQ(start(bad).code(), absl::StatusCode::kInvalidArgument);
  bad = spec;
  bad.add_types(propwatch::v1::RECORD_TYPE_UNSPECIFIED);
  EXPECT_EQ(start(bad).code(), absl::StatusCode::kInvalidArgument);
  bad = spec;
  bad.mutable_timeout()->set_seconds(0);
  EXPECT_EQ(start(bad).code(), absl::StatusCode::kInvalidArgument);
  bad = spec;
  bad.mutable_expect()->add_addresses_within("10.0.0.0/99");
  EXPECT_EQ(start(bad).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace propwatch::dns
