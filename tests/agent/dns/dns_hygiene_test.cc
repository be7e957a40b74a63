// DNS hygiene against spoofing and misreading (issue 15): every query leaves
// from its own UDP socket, so a spoofer must guess a random source port as
// well as the 16-bit ID (RFC 5452 section 9.2, what resolvers do); and
// extended RCODEs (RFC 6891 section 6.1.3) are never read as NOERROR,
// including those whose upper eight bits have the top bit set.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/dns/dns_message.h"
#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "tests/agent/dns/dns_wire_builder.h"
#include "tests/agent/dns/fake_dns_server.h"
#include "tests/agent/dns/prober_test_util.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsResult;
using testing::DnsWireBuilder;
using testing::FakeDnsServer;
using testing::ProberHarness;
using testing::ReplyHeaderFor;
using testing::Spec;

std::vector<uint8_t> GoodAnswer(absl::Span<const uint8_t> q) {
  DnsWireBuilder reply = ReplyHeaderFor(q, testing::kFlagAa, 0, 1);
  reply.Pointer(12).U16(kTypeA).U16(1).U32(30).U16(4).Bytes(
      std::vector<uint8_t>{192, 0, 2, 77});
  return reply.bytes();
}

// A UDP DNS server on 127.0.0.1 that records the source port of every
// query (FakeDnsServer does not expose the peer) and answers each one.
class PortRecordingServer {
 public:
  PortRecordingServer() {
    fd_ = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
        0) {
      ADD_FAILURE() << "bind failed";
      return;
    }
    socklen_t length = sizeof(addr);
    getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~PortRecordingServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::vector<uint16_t> source_ports() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      uint8_t buffer[1500];
      sockaddr_in peer{};
      socklen_t length = sizeof(peer);
      const ssize_t n = recvfrom(fd_.get(), buffer, sizeof(buffer), 0,
                                 reinterpret_cast<sockaddr*>(&peer), &length);
      if (n <= 0) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ports_.push_back(ntohs(peer.sin_port));
      }
      std::vector<uint8_t> reply =
          GoodAnswer(absl::Span<const uint8_t>(buffer, static_cast<size_t>(n)));
      sendto(fd_.get(), reply.data(), reply.size(), 0,
             reinterpret_cast<sockaddr*>(&peer), length);
    }
  }

  UniqueFd fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<uint16_t> ports_;
  std::thread thread_;
};

TEST(DnsHygieneTest, ConsecutiveQueriesLeaveFromDifferentSourcePorts) {
  PortRecordingServer server;
  ProberHarness h;
  constexpr int kRounds = 4;
  for (int i = 0; i < kRounds; ++i) {
    testing::ProbeRun run =
        h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                   server.address(), absl::Seconds(3)));
    ASSERT_TRUE(run.completed);
    ASSERT_EQ(run.results.size(), 1u);
    EXPECT_EQ(run.results[0].rcode(), "NOERROR")
        << run.results[0].DebugString();
  }
  const std::vector<uint16_t> ports = server.source_ports();
  ASSERT_EQ(ports.size(), static_cast<size_t>(kRounds));
  // The kernel picks each socket's port at random from the ephemeral range,
  // so two sockets opened one after the other collide about once in 28000
  // tries; allow one such collision, not a port kept across rounds.
  const std::set<uint16_t> distinct(ports.begin(), ports.end());
  EXPECT_GE(distinct.size(), static_cast<size_t>(kRounds - 1))
      << "source ports: " << ::testing::PrintToString(ports);
  EXPECT_NE(ports[0], ports[1]) << ::testing::PrintToString(ports);
}

TEST(DnsHygieneTest, ConcurrentQueriesLeaveFromDifferentSourcePorts) {
  PortRecordingServer server;
  ProberHarness h;
  std::vector<propwatch::v1::DnsProbeSpec> specs;
  for (int i = 0; i < 6; ++i) {
    specs.push_back(Spec(absl::StrCat("host", i, ".example.test"),
                         {propwatch::v1::RECORD_TYPE_A}, server.address(),
                         absl::Seconds(3)));
  }
  for (const testing::ProbeRun& run : h.RunAll(specs)) {
    ASSERT_TRUE(run.completed);
  }
  const std::vector<uint16_t> ports = server.source_ports();
  ASSERT_EQ(ports.size(), specs.size());
  // Open at the same time, so they cannot share a port.
  EXPECT_EQ(std::set<uint16_t>(ports.begin(), ports.end()).size(), ports.size())
      << ::testing::PrintToString(ports);
}

// A reply whose OPT record's TTL carries `opt_ttl` (extended RCODE in its
// top byte, RFC 6891 section 6.1.3) and whose header says `rcode`.
FakeDnsServer::Handler ExtendedRcode(uint32_t opt_ttl, uint8_t rcode) {
  return [opt_ttl, rcode](absl::Span<const uint8_t> q) {
    DnsWireBuilder reply = ReplyHeaderFor(q, 0, rcode, 0, 0, 1);
    reply.Name(".").U16(kTypeOpt).U16(1232).U32(opt_ttl).U16(0);
    return std::optional(reply.bytes());
  };
}

TEST(DnsHygieneTest, ExtendedRcodesAreNeverNoError) {
  struct Case {
    uint32_t opt_ttl;
    uint8_t header_rcode;
    std::string rcode;
  } cases[] = {
      {0x01000000, 0, "BADVERS"},      // 16
      {0x01000000, 7, "BADCOOKIE"},    // 23 (RFC 7873 section 8)
      {0x80000000, 0, "RCODE2048"},    // top bit of the upper byte
      {0x80008000, 0, "RCODE2048"},    // with DO set
      {0xff000000, 0xf, "RCODE4095"},  // the largest
      {0x08000000, 3, "RCODE131"},     // upper bits over a known rcode
  };
  for (const Case& c : cases) {
    FakeDnsServer server(ExtendedRcode(c.opt_ttl, c.header_rcode));
    ProberHarness h;
    testing::ProbeRun run =
        h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                   server.address(), absl::Seconds(3)));
    ASSERT_TRUE(run.completed);
    ASSERT_EQ(run.results.size(), 1u);
    const DnsResult& r = run.results[0];
    EXPECT_EQ(r.rcode(), c.rcode) << r.DebugString();
    EXPECT_EQ(r.error_class(), propwatch::v1::ERROR_CLASS_PROTOCOL)
        << c.rcode << ": " << r.DebugString();
  }
}

TEST(DnsHygieneTest, OptWithoutExtendedBitsKeepsTheHeaderRcode) {
  FakeDnsServer server(ExtendedRcode(0x00008000, 5));  // DO set, REFUSED
  ProberHarness h;
  testing::ProbeRun run =
      h.Run(Spec("www.example.test", {propwatch::v1::RECORD_TYPE_A},
                 server.address(), absl::Seconds(3)));
  ASSERT_TRUE(run.completed);
  EXPECT_EQ(run.results[0].rcode(), "REFUSED");
  EXPECT_EQ(run.results[0].error_class(), propwatch::v1::ERROR_CLASS_REFUSED);
}

}  // namespace
}  // namespace propwatch::dns
