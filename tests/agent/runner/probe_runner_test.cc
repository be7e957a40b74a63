// ProbeRunner on one event loop: DNS (c-ares) and HTTP (curl multi) commands
// one after another and together, against real knotd and nginx, the way a
// verification's rounds use an agent.
#include "agent/runner/probe_runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/testing/free_port.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

class ProbeRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto knot = dns::testing::KnotServer::Start({{"example.test", R"(
$TTL 60
@    SOA ns1 hostmaster 1 3600 600 86400 60
@    NS  ns1
ns1  A   127.0.0.1
www  A   127.0.0.2
)"}});
    ASSERT_TRUE(knot.ok()) << knot.status();
    knot_ = std::move(*knot);
    port_ = FreePort();
    NginxOptions options;
    options.work_dir = dir_.path();
    options.http_config = absl::StrCat("server { listen 127.0.0.2:", port_,
                                       "; location / { return 200 'ok'; } }\n");
    options.ready_addresses = {{"127.0.0.2", static_cast<uint16_t>(port_)}};
    auto nginx = NginxServer::Start(options);
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = std::move(*nginx);
    auto loop = EventLoop::Create();
    ASSERT_TRUE(loop.ok());
    loop_ = std::move(*loop);
    ProbeRunnerOptions runner_options;
    runner_options.system_resolvers = {knot_->address()};
    auto runner = ProbeRunner::Create(loop_.get(), runner_options);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
  }

  std::vector<v1::ProbeResult> Run(const v1::ProbeCommand& command) {
    std::vector<v1::ProbeResult> results;
    bool done = false;
    EXPECT_TRUE(
        runner_
            ->Execute(
                command,
                [&](v1::ProbeResult r) { results.push_back(std::move(r)); },
                [&](uint32_t) { done = true; })
            .ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!done && absl::Now() < deadline) {
      loop_->RunOnce(absl::Milliseconds(50));
    }
    EXPECT_TRUE(done);
    return results;
  }

  v1::ProbeCommand DnsCommand(uint64_t id) {
    v1::ProbeCommand c;
    c.set_command_id(id);
    v1::DnsProbeSpec& dns = *c.add_dns();
    dns.set_hostname("www.example.test");
    dns.add_types(v1::RECORD_TYPE_A);
    dns.mutable_resolver()->mutable_system();
    return c;
  }

  v1::ProbeCommand HttpCommand(uint64_t id, int probes) {
    v1::ProbeCommand c;
    c.set_command_id(id);
    for (int i = 0; i < probes; ++i) {
      v1::HttpProbeSpec& http = *c.add_http();
      http.set_url(absl::StrCat("http://www.example.test:", port_, "/p", i));
      http.set_pinned_ip("127.0.0.2");
      // As a verification round sends them.
      *http.mutable_connect_timeout() =
          ToProtoDuration(absl::Milliseconds(800));
      *http.mutable_total_timeout() = ToProtoDuration(absl::Milliseconds(800));
    }
    *c.mutable_deadline() = ToProtoTime(absl::Now() + absl::Milliseconds(800));
    return c;
  }

  TempDir dir_;
  std::unique_ptr<dns::testing::KnotServer> knot_;
  std::unique_ptr<NginxServer> nginx_;
  int port_ = 0;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<ProbeRunner> runner_;
};

TEST_F(ProbeRunnerTest, AlternatingDnsAndHttpCommandsAllSucceed) {
  uint64_t id = 1;
  for (int round = 0; round < 5; ++round) {
    auto dns = Run(DnsCommand(id++));
    ASSERT_EQ(dns.size(), 1u);
    EXPECT_EQ(dns[0].dns().error_class(), v1::ERROR_CLASS_UNSPECIFIED)
        << "round " << round << ": " << dns[0].dns().error_message();
    auto http = Run(HttpCommand(id++, 4));
    ASSERT_EQ(http.size(), 4u);
    for (const v1::ProbeResult& r : http) {
      EXPECT_EQ(r.http().status(), 200u)
          << "round " << round << ": " << r.http().error_message();
      EXPECT_EQ(r.command_id(), id - 1);
    }
  }
}

TEST_F(ProbeRunnerTest, CommandDeadlineCancelsWhatIsStillRunning) {
  v1::ProbeCommand c = HttpCommand(7, 1);
  // A blackholed address on the test net: the connect never completes.
  c.mutable_http(0)->set_pinned_ip("127.0.0.2");
  c.mutable_http(0)->set_url("http://www.example.test:1/");
  // A UDP socket nobody reads: the query is never answered.
  UniqueFd silent(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      bind(silent.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(silent.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  v1::DnsProbeSpec& slow = *c.add_dns();
  slow.set_hostname("www.example.test");
  slow.mutable_resolver()->set_address(
      absl::StrCat("127.0.0.1:", ntohs(addr.sin_port)));
  *c.mutable_deadline() = ToProtoTime(absl::Now() + absl::Milliseconds(300));
  const absl::Time started = absl::Now();
  auto results = Run(c);
  EXPECT_LT(absl::Now() - started, absl::Seconds(3));
  ASSERT_GE(results.size(), 2u);
  bool cancelled = false;
  for (const auto& r : results) {
    cancelled |=
        r.has_dns() && r.dns().error_class() == v1::ERROR_CLASS_CANCELLED;
  }
  EXPECT_TRUE(cancelled);
}

TEST_F(ProbeRunnerTest, InvalidSpecYieldsAResultNotAGap) {
  v1::ProbeCommand c;
  c.set_command_id(9);
  c.add_dns()->set_hostname("bad..name");
  auto results = Run(c);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].dns().error_class(), v1::ERROR_CLASS_INVALID_SPEC);
}

}  // namespace
}  // namespace propwatch::testing
