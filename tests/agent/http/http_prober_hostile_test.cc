// HttpProber against peers that misbehave: every probe must end within its
// deadline with the right error class, memory must stay bounded, and other
// probes must complete while hostile ones hang.
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/http/http_prober.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent/http/fake_peer.h"
#include "tests/agent/http/http_prober_test_util.h"
#include "tests/testing/process_memory.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIp[] = "127.0.0.1";
// Scheduling noise allowance on a loaded 2-core machine; not a performance
// assertion.
constexpr absl::Duration kSlack = absl::Milliseconds(1500);

std::unique_ptr<FakePeer> StartPeer(PeerBehaviour behaviour) {
  auto peer = FakePeer::Start(std::move(behaviour));
  EXPECT_TRUE(peer.ok()) << peer.status();
  return peer.ok() ? *std::move(peer) : nullptr;
}

v1::HttpProbeSpec PeerSpec(uint16_t port, absl::Duration total) {
  v1::HttpProbeSpec spec =
      HttpSpec(absl::StrCat("http://hostile.example.test:", port, "/"), kIp);
  SetTimeouts(&spec, absl::Seconds(1), total);
  return spec;
}

TEST(HttpProberHostileTest, SilentServerTimesOutWithinDeadline) {
  auto peer = StartPeer(NeverAnswer());
  ProberHarness h;
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(2)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(2) + kSlack));
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TIMEOUT) << r.error_message();
  EXPECT_THAT(r.error_message(), HasSubstr("127.0.0.1"));
  EXPECT_THAT(r.error_message(), HasSubstr("hostile.example.test"));
  EXPECT_EQ(r.dialled_ip(), kIp);
  EXPECT_EQ(r.status(), 0u);
  EXPECT_EQ(r.body_sha256(), "");  // no response, so no body to hash
  EXPECT_LE(h.finished(i)->elapsed, absl::Seconds(2) + kSlack);
}

TEST(HttpProberHostileTest, LoopDeadlineEndsTheProbeEvenIfLibcurlWouldNot) {
  // A negative grace puts the loop deadline a second before libcurl's own
  // timeout, so this exercises the belt without the braces.
  auto peer = StartPeer(NeverAnswer());
  HttpProberOptions options;
  options.deadline_grace = -absl::Seconds(1);
  ProberHarness h(options);
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(2)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(2) + kSlack));
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TIMEOUT) << r.error_message();
  EXPECT_THAT(r.error_message(),
              HasSubstr("no complete response within the 2s probe deadline"));
  EXPECT_LT(h.finished(i)->elapsed, absl::Seconds(2));
  EXPECT_GT(FromProtoDuration(r.timings().total()), absl::ZeroDuration());
  EXPECT_EQ(h.loop().watched_fds(), 0u);
}

TEST(HttpProberHostileTest, TricklingServerTimesOutWithinDeadline) {
  auto peer = StartPeer(Trickle(absl::Seconds(1)));
  ProberHarness h;
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(3)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(3) + kSlack));
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_TIMEOUT) << r.error_message();
  EXPECT_LE(h.finished(i)->elapsed, absl::Seconds(3) + kSlack);
}

TEST(HttpProberHostileTest, HundredMegabyteBodyStopsAtTheCapInBoundedMemory) {
  constexpr uint64_t kBody = 100ull << 20;
  constexpr uint64_t kMaxGrowth = 50ull << 20;
  auto peer = StartPeer(HugeBody(kBody));
  ProberHarness h;
  const uint64_t rss_before = CurrentRssBytes();
  ASSERT_TRUE(ResetPeakRss());
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(10)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(10) + kSlack));
  const uint64_t peak = PeakRssBytes();
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_BODY_TOO_LARGE)
      << r.error_message();
  EXPECT_EQ(r.status(), 200u);
  EXPECT_EQ(r.body_bytes(), 1u << 20);
  EXPECT_EQ(r.body_sha256().size(), 64u);
  if (::propwatch::testing::kRssBoundsMeasurable) {
    EXPECT_LT(peak, rss_before + kMaxGrowth)
        << "peak RSS " << peak << " grew more than " << kMaxGrowth << " over "
        << rss_before;
  }
}

// Eight probes at once against 1 MB of headers: kept whole, that is 8 MB of
// header text (more with libcurl's copies); capped at 64 KiB each, it stays
// under a couple of MB. The bound leaves room for allocator noise and the
// peer threads' buffers, which live in this process too.
constexpr int kHeaderProbes = 8;
constexpr uint64_t kMaxHeaderGrowth = 6ull << 20;

TEST(HttpProberHostileTest, MegabyteOfHeaderLinesEndsAsProtocolError) {
  auto peer = StartPeer(HugeHeaders(1 << 20, 1024));
  ProberHarness h;
  const uint64_t rss_before = CurrentRssBytes();
  ASSERT_TRUE(ResetPeakRss());
  for (int k = 1; k < kHeaderProbes; ++k) {
    h.Start(PeerSpec(peer->port(), absl::Seconds(10)));
  }
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(10)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(10) + kSlack));
  const uint64_t peak = PeakRssBytes();
  if (::propwatch::testing::kRssBoundsMeasurable) {
    EXPECT_LT(peak, rss_before + kMaxHeaderGrowth)
        << "peak RSS " << peak << " grew more than " << kMaxHeaderGrowth
        << " over " << rss_before;
  }
  for (size_t k = 0; k < i; ++k) {
    EXPECT_EQ(h.finished(k)->result.error_class(), v1::ERROR_CLASS_PROTOCOL);
  }
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_PROTOCOL) << r.error_message();
  EXPECT_THAT(r.error_message(),
              HasSubstr("response headers exceed 65536 bytes"));
}

TEST(HttpProberHostileTest, MegabyteHeaderLineEndsAsProtocolError) {
  auto peer = StartPeer(HugeHeaders(1 << 20, 1 << 20));
  ProberHarness h;
  const uint64_t rss_before = CurrentRssBytes();
  ASSERT_TRUE(ResetPeakRss());
  for (int k = 1; k < kHeaderProbes; ++k) {
    h.Start(PeerSpec(peer->port(), absl::Seconds(10)));
  }
  const size_t i = h.Start(PeerSpec(peer->port(), absl::Seconds(10)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(10) + kSlack));
  const uint64_t peak = PeakRssBytes();
  if (::propwatch::testing::kRssBoundsMeasurable) {
    EXPECT_LT(peak, rss_before + kMaxHeaderGrowth)
        << "peak RSS " << peak << " grew more than " << kMaxHeaderGrowth
        << " over " << rss_before;
  }
  for (size_t k = 0; k < i; ++k) {
    EXPECT_EQ(h.finished(k)->result.error_class(), v1::ERROR_CLASS_PROTOCOL);
  }
  const v1::HttpResult& r = h.finished(i)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_PROTOCOL) << r.error_message();
  EXPECT_THAT(r.error_message(),
              HasSubstr("response header line longer than libcurl's"));
  EXPECT_THAT(r.error_message(), Not(HasSubstr("memory")));
}

TEST(HttpProberHostileTest, RefusedPort) {
  auto port = RefusingPort::Create();
  ASSERT_TRUE(port.ok());
  ProberHarness h;
  const v1::HttpResult r = h.Run(PeerSpec(port->port(), absl::Seconds(5)));
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_REFUSED) << r.error_message();
  EXPECT_THAT(r.error_message(), HasSubstr("connection refused"));
  EXPECT_EQ(r.status(), 0u);
}

TEST(HttpProberHostileTest, GarbageAndEmptyRepliesAreProtocolErrors) {
  auto garbage = StartPeer(Respond("SSH-2.0-OpenSSH\r\n\r\n"));
  auto empty = StartPeer(Respond(""));
  ProberHarness h;
  const size_t g = h.Start(PeerSpec(garbage->port(), absl::Seconds(5)));
  const size_t e = h.Start(PeerSpec(empty->port(), absl::Seconds(5)));
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(5) + kSlack));
  EXPECT_EQ(h.finished(g)->result.error_class(), v1::ERROR_CLASS_PROTOCOL)
      << h.finished(g)->result.error_message();
  EXPECT_EQ(h.finished(e)->result.error_class(), v1::ERROR_CLASS_PROTOCOL)
      << h.finished(e)->result.error_message();
}

TEST(HttpProberHostileTest, GoodProbesCompleteWhileHostileOnesHang) {
  auto silent = StartPeer(NeverAnswer());
  auto trickle = StartPeer(Trickle(absl::Seconds(1)));
  auto body = StartPeer(HugeBody(100ull << 20));
  auto headers = StartPeer(HugeHeaders(1 << 20, 1024));
  auto good = StartPeer(Respond(
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
  auto refused = RefusingPort::Create();
  ASSERT_TRUE(refused.ok());
  ProberHarness h;
  const absl::Duration deadline = absl::Seconds(3);
  std::vector<size_t> hostile;
  for (int round = 0; round < 3; ++round) {
    hostile.push_back(h.Start(PeerSpec(silent->port(), deadline)));
    hostile.push_back(h.Start(PeerSpec(trickle->port(), deadline)));
  }
  const size_t big = h.Start(PeerSpec(body->port(), deadline));
  const size_t hdr = h.Start(PeerSpec(headers->port(), deadline));
  const size_t ref = h.Start(PeerSpec(refused->port(), deadline));
  std::vector<size_t> fine;
  for (int k = 0; k < 5; ++k)
    fine.push_back(h.Start(PeerSpec(good->port(), deadline)));
  ASSERT_TRUE(h.RunUntilDone(deadline + kSlack));

  int latest_good = -1;
  for (size_t k : fine) {
    const auto& f = *h.finished(k);
    EXPECT_EQ(f.result.error_class(), v1::ERROR_CLASS_UNSPECIFIED)
        << f.result.error_message();
    EXPECT_EQ(f.result.status(), 200u);
    latest_good = std::max(latest_good, f.order);
  }
  for (size_t k : hostile) {
    const auto& f = *h.finished(k);
    EXPECT_EQ(f.result.error_class(), v1::ERROR_CLASS_TIMEOUT)
        << f.result.error_message();
    // The good probes were not held up behind the hanging ones.
    EXPECT_GT(f.order, latest_good);
    EXPECT_LE(f.elapsed, deadline + kSlack);
  }
  EXPECT_EQ(h.finished(big)->result.error_class(),
            v1::ERROR_CLASS_BODY_TOO_LARGE);
  EXPECT_EQ(h.finished(hdr)->result.error_class(), v1::ERROR_CLASS_PROTOCOL);
  EXPECT_EQ(h.finished(ref)->result.error_class(), v1::ERROR_CLASS_REFUSED);
}

TEST(HttpProberHostileTest, CancelRunningAndQueuedProbes) {
  auto silent = StartPeer(NeverAnswer());
  HttpProberOptions options;
  options.max_in_flight = 1;
  ProberHarness h(options);
  const size_t running = h.Start(PeerSpec(silent->port(), absl::Seconds(20)));
  const size_t waiting = h.Start(PeerSpec(silent->port(), absl::Seconds(20)));
  EXPECT_EQ(h.prober().queued(), 1u);
  // Let the first one connect and send its request.
  for (int k = 0; k < 20 && silent->connections() == 0; ++k) {
    h.loop().RunOnce(absl::Milliseconds(50));
  }
  ASSERT_EQ(silent->connections(), 1);
  // The kernel accepts before libcurl has seen its connect complete; give
  // the loop time to send the request.
  for (int k = 0; k < 10; ++k) h.loop().RunOnce(absl::Milliseconds(20));

  EXPECT_TRUE(h.prober().Cancel(h.id(waiting)));
  ASSERT_TRUE(h.finished(waiting).has_value());
  EXPECT_EQ(h.finished(waiting)->result.error_class(),
            v1::ERROR_CLASS_CANCELLED);

  EXPECT_TRUE(h.prober().Cancel(h.id(running)));
  ASSERT_TRUE(h.finished(running).has_value());
  const v1::HttpResult& r = h.finished(running)->result;
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_CANCELLED) << r.error_message();
  EXPECT_EQ(r.dialled_ip(), kIp);
  EXPECT_EQ(h.prober().in_flight(), 0u);
  EXPECT_EQ(h.prober().queued(), 0u);
  EXPECT_FALSE(h.prober().Cancel(h.id(running)));
  // Nothing is left registered with the loop once the probes are gone.
  EXPECT_EQ(h.loop().watched_fds(), 0u);
}

TEST(HttpProberHostileTest, DestroyingTheProberWithProbesInFlightIsClean) {
  auto silent = StartPeer(NeverAnswer());
  auto loop = EventLoop::Create();
  ASSERT_TRUE(loop.ok());
  auto prober = HttpProber::Create(loop->get());
  ASSERT_TRUE(prober.ok());
  bool called = false;
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE((*prober)
                    ->Start(PeerSpec(silent->port(), absl::Seconds(20)),
                            [&](v1::HttpResult) { called = true; })
                    .ok());
  }
  for (int k = 0; k < 10; ++k) (*loop)->RunOnce(absl::Milliseconds(20));
  prober->reset();
  EXPECT_FALSE(called);
  EXPECT_EQ((*loop)->watched_fds(), 0u);
  EXPECT_EQ((*loop)->pending_timers(), 0u);
}

}  // namespace
}  // namespace propwatch::testing
