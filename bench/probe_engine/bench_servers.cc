// propwatch-bench-servers: the peers of the probe-engine benchmark, built
// from the test fixtures so the benchmark and the tests use the same servers.
// All on 127.0.0.1:
//   dns         knotd, authoritative for bench.test (www.bench.test A)
//   http        nginx answering 200 "ok" on every path
//   hang_http   a TCP peer that reads the request and never answers
//   silent_dns  a UDP DNS server that never answers
// Prints one key=value line with the addresses and child PIDs, then runs
// until SIGTERM/SIGINT (or --max-lifetime) and stops everything it started.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/agent/dns/fake_dns_server.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/http/fake_peer.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/testing/free_port.h"
#include "tests/testing/temp_dir.h"

namespace {

using propwatch::dns::testing::FakeDnsServer;
using propwatch::dns::testing::KnotServer;
using propwatch::dns::testing::KnotZone;
using propwatch::testing::FakePeer;
using propwatch::testing::NginxOptions;
using propwatch::testing::NginxServer;

constexpr char kIp[] = "127.0.0.1";

constexpr char kZone[] = R"($ORIGIN bench.test.
$TTL 300
@    SOA  ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
@    NS   ns
ns   A    127.0.0.1
www  A    192.0.2.10
)";

std::atomic<bool> g_stop{false};

// Any thread may take the signal; it only sets a flag that main polls, so
// the fixtures' destructors stop knotd and nginx.
void OnSignal(int) { g_stop = true; }

int Fail(absl::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "propwatch-bench-servers: %s: %s\n",
               std::string(what).c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  double max_lifetime_s = 3600;
  CLI::App app{"Loopback servers for the probe-engine benchmark"};
  app.add_option("--max-lifetime", max_lifetime_s,
                 "exit after this many seconds even without a signal")
      ->check(CLI::Range(1.0, 86400.0));
  CLI11_PARSE(app, argc, argv);

  signal(SIGPIPE, SIG_IGN);
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  auto knot = KnotServer::Start({KnotZone{"bench.test", kZone}}, {kIp});
  if (!knot.ok()) return Fail("knotd", knot.status());

  propwatch::testing::TempDir nginx_dir;
  const uint16_t http_port = propwatch::testing::FreePort();
  NginxOptions nginx_options;
  nginx_options.work_dir = nginx_dir.path();
  // No access log: the benchmark measures the prober, not nginx's disk.
  nginx_options.http_config = absl::StrCat(
      "server {\n  listen ", kIp, ":", http_port,
      ";\n  access_log off;\n  location / { return 200 'ok\\n'; }\n}\n");
  nginx_options.ready_addresses = {{kIp, http_port}};
  auto nginx = NginxServer::Start(nginx_options);
  if (!nginx.ok()) return Fail("nginx", nginx.status());

  auto hang = FakePeer::Start(propwatch::testing::NeverAnswer());
  if (!hang.ok()) return Fail("never-answering peer", hang.status());
  FakeDnsServer silent(
      [](absl::Span<const uint8_t>) -> std::optional<std::vector<uint8_t>> {
        return std::nullopt;
      });

  std::printf(
      "dns=%s http=%s:%u hang_http=%s:%u silent_dns=%s knot_pid=%d "
      "nginx_pid=%d\n",
      (*knot)->address().c_str(), kIp, http_port, kIp, (*hang)->port(),
      silent.address().c_str(), static_cast<int>((*knot)->pid()),
      static_cast<int>((*nginx)->pid()));
  std::fflush(stdout);

  const absl::Time end = absl::Now() + absl::Seconds(max_lifetime_s);
  while (!g_stop && absl::Now() < end) absl::SleepFor(absl::Milliseconds(50));
  return 0;  // destructors stop the peers, nginx and knotd
}
