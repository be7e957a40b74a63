// propwatch-probe-load: drives the agent's real probe engine (one event loop,
// DnsProber and HttpProber as the agent builds them) and prints one line of
// key=value figures for bench/run_probe_bench.sh.
//
//   dns       keep N DNS probes in flight against one server (address mode)
//   http      keep N pinned HTTP probes in flight, fresh connection each
//   idle      create the loop and both probers, wait, report RSS
//   inflight  start N HTTP and/or DNS probes against peers that never
//             answer, hold them, report peak RSS, cancel them
//
// Every run is bounded in time: probes have deadlines and the load loop an
// overall drain limit.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "agent/dns/dns_prober.h"
#include "agent/http/http_prober.h"
#include "agent/loop/event_loop.h"
#include "bench/probe_engine/load_loop.h"
#include "common/time_convert.h"
#include "propwatch/v1/probe.pb.h"
#include "tests/testing/process_memory.h"

namespace propwatch::bench {
namespace {

struct Flags {
  int concurrency = 64;
  double duration_s = 5;
  int64_t max_probes = 10'000'000;
  double timeout_s = 5;
  // dns
  std::string server;
  std::string name = "www.bench.test";
  // http
  std::string url;
  std::string pin = "127.0.0.1";
  std::vector<std::string> headers;
  // idle / inflight
  double hold_s = 3;
  int count = 1000;
};

// The figures every mode prints, then the mode's own.
std::string MemoryFields() {
  return absl::StrFormat("peak_rss_kb=%d rss_kb=%d",
                         testing::PeakRssBytes() / 1024,
                         testing::CurrentRssBytes() / 1024);
}

void PrintLoad(absl::string_view mode, const Flags& flags,
               const LoadReport& report) {
  std::printf(
      "mode=%s concurrency=%d started=%lld ok=%lld failed=%lld seconds=%.3f "
      "rate=%.1f p50_ms=%.3f p99_ms=%.3f drained=%d %s first_error=\"%s\"\n",
      std::string(mode).c_str(), flags.concurrency,
      static_cast<long long>(report.started),
      static_cast<long long>(report.succeeded),
      static_cast<long long>(report.failed),
      absl::ToDoubleSeconds(report.elapsed), report.rate(),
      absl::ToDoubleMilliseconds(report.Quantile(0.5)),
      absl::ToDoubleMilliseconds(report.Quantile(0.99)), report.drained ? 1 : 0,
      MemoryFields().c_str(), report.first_error.c_str());
}

LoadOptions LoadFrom(const Flags& flags) {
  LoadOptions options;
  options.concurrency = flags.concurrency;
  options.duration = absl::Seconds(flags.duration_s);
  options.max_probes = flags.max_probes;
  options.drain_limit = absl::Seconds(flags.timeout_s) + absl::Seconds(5);
  return options;
}

v1::DnsProbeSpec DnsSpec(const Flags& flags, absl::Duration timeout) {
  v1::DnsProbeSpec spec;
  spec.set_hostname(flags.name);
  spec.add_types(v1::RECORD_TYPE_A);
  spec.mutable_resolver()->set_address(flags.server);
  *spec.mutable_timeout() = ToProtoDuration(timeout);
  return spec;
}

v1::HttpProbeSpec HttpSpec(const Flags& flags, absl::Duration timeout) {
  v1::HttpProbeSpec spec;
  spec.set_url(flags.url);
  spec.set_pinned_ip(flags.pin);
  for (const std::string& header : flags.headers) spec.add_headers(header);
  *spec.mutable_connect_timeout() = ToProtoDuration(timeout);
  *spec.mutable_total_timeout() = ToProtoDuration(timeout);
  return spec;
}

// The DNS prober as the agent configures it, with room for `in_flight`
// queries inside c-ares at once.
absl::StatusOr<std::unique_ptr<dns::DnsProber>> MakeDnsProber(EventLoop* loop,
                                                              int in_flight) {
  dns::DnsProber::Options options;
  // Never used by these probes (they name their server); given so that the
  // prober does not depend on the machine's resolv.conf.
  options.system_resolvers = {"127.0.0.1:53"};
  options.engine.max_in_flight = std::max(in_flight, 512);
  return dns::DnsProber::Create(loop, std::move(options));
}

absl::StatusOr<std::unique_ptr<HttpProber>> MakeHttpProber(EventLoop* loop,
                                                           int in_flight) {
  HttpProberOptions options;
  options.max_in_flight = std::max<size_t>(in_flight, options.max_in_flight);
  return HttpProber::Create(loop, std::move(options));
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "propwatch-probe-load: %s\n",
               std::string(status.message()).c_str());
  return 1;
}

int RunDns(EventLoop& loop, const Flags& flags) {
  auto prober = MakeDnsProber(&loop, flags.concurrency);
  if (!prober.ok()) return Fail(prober.status());
  const v1::DnsProbeSpec spec = DnsSpec(flags, absl::Seconds(flags.timeout_s));
  LoadReport report = RunLoad(
      loop, LoadFrom(flags),
      [&](std::function<void(ProbeOutcome)> done) -> absl::Status {
        return (*prober)
            ->Start(spec,
                    [done = std::move(done)](std::vector<v1::DnsResult> rs) {
                      ProbeOutcome outcome{true, ""};
                      for (const v1::DnsResult& r : rs) {
                        if (r.error_class() != v1::ERROR_CLASS_UNSPECIFIED) {
                          outcome = {false, r.error_message()};
                        }
                      }
                      done(std::move(outcome));
                    })
            .status();
      });
  prober->reset();  // drops abandoned probes before the report's state goes
  PrintLoad("dns", flags, report);
  return report.succeeded > 0 ? 0 : 1;
}

int RunHttp(EventLoop& loop, const Flags& flags) {
  auto prober = MakeHttpProber(&loop, flags.concurrency);
  if (!prober.ok()) return Fail(prober.status());
  const v1::HttpProbeSpec spec =
      HttpSpec(flags, absl::Seconds(flags.timeout_s));
  LoadReport report = RunLoad(
      loop, LoadFrom(flags),
      [&](std::function<void(ProbeOutcome)> done) -> absl::Status {
        return (*prober)
            ->Start(spec,
                    [done = std::move(done)](v1::HttpResult r) {
                      if (r.error_class() != v1::ERROR_CLASS_UNSPECIFIED) {
                        done({false, r.error_message()});
                      } else if (r.status() != 200) {
                        done({false, absl::StrCat("status ", r.status())});
                      } else {
                        done({true, ""});
                      }
                    })
            .status();
      });
  prober->reset();
  PrintLoad("http", flags, report);
  return report.succeeded > 0 ? 0 : 1;
}

// Runs the loop for `d` (bounded: RunOnce returns at least every 100 ms).
void RunFor(EventLoop& loop, absl::Duration d) {
  const absl::Time end = absl::Now() + d;
  for (absl::Time now = absl::Now(); now < end; now = absl::Now()) {
    loop.RunOnce(std::min(end - now, absl::Milliseconds(100)));
  }
}

int RunIdle(EventLoop& loop, const Flags& flags) {
  auto dns = MakeDnsProber(&loop, 0);
  if (!dns.ok()) return Fail(dns.status());
  auto http = MakeHttpProber(&loop, 0);
  if (!http.ok()) return Fail(http.status());
  RunFor(loop, absl::Seconds(flags.hold_s));
  std::printf("mode=idle hold_s=%.1f %s\n", flags.hold_s,
              MemoryFields().c_str());
  return 0;
}

// Starts flags.count probes of each kind that has a target, all genuinely in
// flight (the probers' concurrency caps raised to the count), holds them for
// hold_s, then reports and cancels.
int RunInflight(EventLoop& loop, const Flags& flags) {
  auto dns = MakeDnsProber(&loop, flags.count);
  if (!dns.ok()) return Fail(dns.status());
  auto http = MakeHttpProber(&loop, flags.count);
  if (!http.ok()) return Fail(http.status());
  // Deadlines well past the hold, so nothing ends on its own meanwhile.
  const absl::Duration timeout = absl::Seconds(flags.hold_s + 30);
  std::vector<dns::DnsProber::ProbeId> dns_ids;
  std::vector<HttpProber::ProbeId> http_ids;
  int completed = 0;
  for (int i = 0; i < flags.count; ++i) {
    if (!flags.server.empty()) {
      // Distinct names, so no layer can fold them into one query.
      Flags named = flags;
      named.name = absl::StrCat("p", i, ".", flags.name);
      auto id = (*dns)->Start(DnsSpec(named, timeout),
                              [&](std::vector<v1::DnsResult>) { ++completed; });
      if (!id.ok()) return Fail(id.status());
      dns_ids.push_back(*id);
    }
    if (!flags.url.empty()) {
      auto id = (*http)->Start(HttpSpec(flags, timeout),
                               [&](v1::HttpResult) { ++completed; });
      if (!id.ok()) return Fail(id.status());
      http_ids.push_back(*id);
    }
  }
  RunFor(loop, absl::Seconds(flags.hold_s));
  const size_t dns_in_flight = (*dns)->probes_in_flight();
  const size_t http_in_flight = (*http)->in_flight();
  const size_t http_queued = (*http)->queued();
  const std::string memory = MemoryFields();
  const int finished_early = completed;
  for (auto id : dns_ids) (*dns)->Cancel(id);
  for (auto id : http_ids) (*http)->Cancel(id);
  const int expected = static_cast<int>(dns_ids.size() + http_ids.size());
  for (int i = 0; i < 50 && completed < expected; ++i) {
    loop.RunOnce(absl::Milliseconds(100));
  }
  std::printf(
      "mode=inflight count=%d hold_s=%.1f dns_in_flight=%zu "
      "http_in_flight=%zu http_queued=%zu finished_early=%d %s\n",
      flags.count, flags.hold_s, dns_in_flight, http_in_flight, http_queued,
      finished_early, memory.c_str());
  return 0;
}

}  // namespace
}  // namespace propwatch::bench

int main(int argc, char** argv) {
  using propwatch::bench::Flags;
  // As the agent's main: libcurl runs with CURLOPT_NOSIGNAL, so a write to a
  // reset peer must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  Flags f;
  CLI::App app{"Load driver for the propwatch agent probe engine"};
  app.require_subcommand(1);
  auto add_load = [&](CLI::App* sub) {
    sub->add_option("--concurrency", f.concurrency, "probes kept in flight")
        ->check(CLI::Range(1, 100000));
    sub->add_option("--duration", f.duration_s,
                    "seconds during which new probes start")
        ->check(CLI::Range(0.1, 600.0));
    sub->add_option("--max-probes", f.max_probes, "stop starting after this");
    sub->add_option("--timeout", f.timeout_s, "per-probe deadline, seconds")
        ->check(CLI::Range(0.1, 60.0));
  };
  CLI::App* dns = app.add_subcommand("dns", "DNS probes per second");
  add_load(dns);
  dns->add_option("--server", f.server, "resolver ip:port")->required();
  dns->add_option("--name", f.name, "hostname asked (type A)");
  CLI::App* http = app.add_subcommand("http", "pinned HTTP probes per second");
  add_load(http);
  http->add_option("--url", f.url, "http:// URL")->required();
  http->add_option("--pin", f.pin, "IP to dial");
  http->add_option("--header", f.headers, "extra request header 'Name: value'");
  CLI::App* idle = app.add_subcommand("idle", "RSS with both probers idle");
  idle->add_option("--hold", f.hold_s, "seconds to stay idle")
      ->check(CLI::Range(0.0, 600.0));
  CLI::App* inflight =
      app.add_subcommand("inflight", "peak RSS with probes held in flight");
  inflight->add_option("--count", f.count, "probes of each kind")
      ->check(CLI::Range(1, 100000));
  inflight->add_option("--hold", f.hold_s, "seconds to hold them")
      ->check(CLI::Range(0.0, 600.0));
  inflight->add_option("--url", f.url, "HTTP URL of a peer that never answers");
  inflight->add_option("--pin", f.pin, "IP to dial");
  inflight->add_option("--server", f.server,
                       "ip:port of a DNS server that never answers");
  inflight->add_option("--name", f.name, "parent of the names asked");
  CLI11_PARSE(app, argc, argv);

  auto loop = propwatch::EventLoop::Create();
  if (!loop.ok()) return propwatch::bench::Fail(loop.status());
  if (dns->parsed()) return propwatch::bench::RunDns(**loop, f);
  if (http->parsed()) return propwatch::bench::RunHttp(**loop, f);
  if (idle->parsed()) return propwatch::bench::RunIdle(**loop, f);
  return propwatch::bench::RunInflight(**loop, f);
}
