// Consistency engine benchmark (issue 5): EvaluateRound over one round of
// 1,000,000 synthetic results, beside peers in the same process that do
// strictly less with the same results, so the table shows what the engine's
// own logic costs:
//   touch     read the fields the engine reads (url, ip, status, region) and
//             fold them into a checksum: the floor for any pass over them;
//   group-by  a plain absl::flat_hash_map count per (region, ip, url,
//             status): the simplest aggregation anyone would write;
//   parse     protobuf ParseFromString of every result: what reading the
//             round back from storage costs before any engine runs.
// Usage: propwatch-engine-bench [--runs N] [--repeat R] [--engine-only]
//   results = 5 regions x 40 agents x 10 IPs x 5 paths x 100 hostnames x R
//   (R = 1: 1,000,000 HTTP results, plus 40,000 DNS results).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/time_convert.h"
#include "coordinator/engine/engine.h"
#include "tests/testing/process_memory.h"

namespace propwatch {
namespace {

constexpr int kRegions = 5;
constexpr int kAgentsPerRegion = 40;
constexpr int kIps = 10;
constexpr int kPaths = 5;
constexpr int kHostnames = 100;

struct Synthetic {
  v1::Verification verification;
  RoundInput input;
  size_t http_results = 0;
};

// A realistic-looking round: every agent probes every IP of every hostname
// on every path (all_observed cross-probing). Hostname 0 has a bad IP
// (404 everywhere), one agent per region has a lossy path (timeouts on 2%
// of its probes), everything else passes with a certificate and a version
// header in the fingerprint.
Synthetic MakeRound(int repeat) {
  Synthetic s;
  v1::VerificationSpec* spec = s.verification.mutable_spec();
  s.verification.set_id("0190bench");
  *s.verification.mutable_created_at() =
      ToProtoTime(absl::FromUnixSeconds(1700000000));
  s.verification.mutable_selector()->set_min_agents_per_region(3);
  spec->add_fingerprint_headers("x-version");
  std::vector<std::string> hostnames, paths, ips;
  for (int h = 0; h < kHostnames; ++h) {
    hostnames.push_back(absl::StrCat("app", h, ".example.com"));
    spec->add_hostnames(hostnames.back());
  }
  for (int p = 0; p < kPaths; ++p) {
    paths.push_back(absl::StrCat("/page/", p));
    spec->add_paths(paths.back());
  }
  for (int i = 0; i < kIps; ++i)
    ips.push_back(absl::StrCat("203.0.113.", i + 1));
  const std::string regions[kRegions] = {"eu-west", "us-east", "ap-south",
                                         "sa-east", "af-south"};
  s.input.verification = &s.verification;
  s.input.round = 1;
  s.input.started_at = absl::FromUnixSeconds(1700000010);
  s.input.finished_at = absl::FromUnixSeconds(1700000015);
  s.input.results.reserve(
      static_cast<size_t>(kRegions) * kAgentsPerRegion *
      (kHostnames * 2 + kHostnames * kIps * kPaths * repeat));
  uint64_t probe_counter = 0;
  for (int r = 0; r < kRegions; ++r) {
    for (int a = 0; a < kAgentsPerRegion; ++a) {
      std::string agent = absl::StrCat(regions[r], "-", a);
      s.input.participants[agent] = regions[r];
      uint64_t sequence = 0;
      auto new_result = [&]() -> v1::ProbeResult& {
        v1::ProbeResult& result = s.input.results.emplace_back();
        result.set_verification_id(s.verification.id());
        result.set_round(1);
        result.set_agent_id(agent);
        result.set_region(regions[r]);
        result.set_sequence(++sequence);
        return result;
      };
      for (int h = 0; h < kHostnames; ++h) {
        for (const char* kind : {"system", "authoritative"}) {
          v1::DnsResult* dns = new_result().mutable_dns();
          dns->set_hostname(hostnames[h]);
          dns->set_type(v1::RECORD_TYPE_A);
          dns->set_resolver_kind(kind);
          dns->set_server("10.0.0.2:53");
          dns->set_rcode("NOERROR");
          for (const std::string& ip : ips) {
            dns->add_addresses(ip);
            v1::DnsAnswer* answer = dns->add_answers();
            answer->set_name(hostnames[h]);
            answer->set_type(v1::RECORD_TYPE_A);
            answer->set_ttl(300);
            answer->set_data(ip);
          }
        }
      }
      bool lossy = a == 7;
      for (int rep = 0; rep < repeat; ++rep) {
        for (int h = 0; h < kHostnames; ++h) {
          for (int i = 0; i < kIps; ++i) {
            for (int p = 0; p < kPaths; ++p) {
              v1::HttpResult* http = new_result().mutable_http();
              http->set_url(absl::StrCat("https://", hostnames[h], paths[p]));
              http->set_pinned_ip(ips[i]);
              ++probe_counter;
              if (lossy && probe_counter % 47 == 0) {
                http->set_error_class(v1::ERROR_CLASS_TIMEOUT);
                http->set_error_message("connect timed out");
                continue;
              }
              http->set_dialled_ip(ips[i]);
              http->set_status(h == 0 && i == 3 ? 404 : 200);
              http->set_http_version("HTTP/2");
              http->set_tls_verified(true);
              http->mutable_certificate()->set_sha256_fingerprint(
                  "3f9a1c0b7d2e4f6188aa0011223344556677889900aabbccddeeff001122"
                  "3344");
              v1::HeaderValue* header = http->add_headers();
              header->set_name("x-version");
              header->set_value("2024.11.3");
              http->set_body_sha256(
                  "9c1e00000000000000000000000000000000000000000000000000000000"
                  "00ff");
              http->set_body_bytes(18000);
            }
          }
        }
      }
    }
  }
  for (const v1::ProbeResult& result : s.input.results) {
    if (result.has_http()) ++s.http_results;
  }
  return s;
}

double MedianMs(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2]
                    : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

// Times `body` `runs` times after one warm-up run; returns the median in ms.
double Measure(int runs, const std::function<void()>& body) {
  body();
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    body();
    auto end = std::chrono::steady_clock::now();
    samples.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  return MedianMs(samples);
}

volatile uint64_t g_sink = 0;

int Main(int argc, char** argv) {
  int runs = 7;
  int repeat = 1;
  bool engine_only = false;  // for profiling: no peers
  for (int i = 1; i < argc; ++i) {
    if (absl::string_view(argv[i]) == "--engine-only") engine_only = true;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    absl::string_view flag = argv[i];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
  }

  auto build_start = std::chrono::steady_clock::now();
  Synthetic s = MakeRound(repeat);
  double build_ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - build_start)
                        .count();
  const size_t total = s.input.results.size();
  std::printf(
      "round: %zu results (%zu HTTP, %zu DNS), %d regions x %d agents, "
      "built in %.0f ms\n",
      total, s.http_results, total - s.http_results, kRegions, kAgentsPerRegion,
      build_ms);

  std::vector<std::string> serialized;
  serialized.reserve(total);
  for (const v1::ProbeResult& result : s.input.results) {
    serialized.push_back(result.SerializeAsString());
  }

  testing::ResetPeakRss();
  uint64_t rss_before = testing::CurrentRssBytes();
  v1::RoundReport report;
  double engine_ms = Measure(runs, [&] { report = EvaluateRound(s.input); });
  uint64_t engine_peak = testing::PeakRssBytes();
  if (engine_only) {
    std::printf("EvaluateRound median %.1f ms\n", engine_ms);
    return 0;
  }

  double touch_ms = Measure(runs, [&] {
    uint64_t sum = 0;
    for (const v1::ProbeResult& result : s.input.results) {
      sum += result.region().size() + result.agent_id().size();
      if (result.has_http()) {
        sum += result.http().url().size() + result.http().pinned_ip().size() +
               result.http().status();
      }
    }
    g_sink = g_sink + sum;
  });

  double group_ms = Measure(runs, [&] {
    absl::flat_hash_map<std::tuple<absl::string_view, absl::string_view,
                                   absl::string_view, uint32_t>,
                        uint32_t>
        counts;
    for (const v1::ProbeResult& result : s.input.results) {
      if (!result.has_http()) continue;
      ++counts[std::make_tuple(absl::string_view(result.region()),
                               absl::string_view(result.http().pinned_ip()),
                               absl::string_view(result.http().url()),
                               result.http().status())];
    }
    g_sink = g_sink + counts.size();
  });

  double parse_ms = Measure(runs, [&] {
    v1::ProbeResult result;
    uint64_t sum = 0;
    for (const std::string& bytes : serialized) {
      result.ParseFromString(bytes);
      sum += result.sequence();
    }
    g_sink = g_sink + sum;
  });

  auto per_second = [&](double ms) { return total / (ms / 1000.0); };
  std::printf(
      "\nmedian of %d runs (after 1 warm-up), same process, same "
      "results:\n\n",
      runs);
  std::printf("| what | median ms | results/s | engine / this |\n");
  std::printf("| --- | ---: | ---: | ---: |\n");
  auto row = [&](const char* name, double ms) {
    std::printf("| %s | %.1f | %s | %.1fx |\n", name, ms,
                absl::StrFormat("%.2fM", per_second(ms) / 1e6).c_str(),
                engine_ms / ms);
  };
  row("EvaluateRound (matrix, DNS views, diagnoses, verdict)", engine_ms);
  row("touch: read url/ip/status/region, checksum", touch_ms);
  row("group-by: flat_hash_map count per (region, ip, url, status)", group_ms);
  row("parse: ProbeResult::ParseFromString of each result", parse_ms);
  std::printf("\nreport: %d cells, %d DNS views, %d diagnoses, verdict %s\n",
              report.cells_size(), report.dns_size(), report.diagnoses_size(),
              v1::Verdict_Name(report.verdict()).c_str());
  for (const v1::Diagnosis& d : report.diagnoses()) {
    std::printf("  %s: %s\n", v1::DiagnosisKind_Name(d.kind()).c_str(),
                d.summary().substr(0, 140).c_str());
  }
  std::printf(
      "memory: RSS %.0f MB holding the round; peak %.0f MB during "
      "EvaluateRound runs (+%.0f MB)\n",
      rss_before / 1e6, engine_peak / 1e6,
      (engine_peak - std::min(engine_peak, rss_before)) / 1e6);
  std::printf("target: EvaluateRound of 1,000,000 results under 1000 ms: %s\n",
              total >= 1000000 && engine_ms < 1000 ? "PASS"
              : total < 1000000                    ? "n/a (fewer results)"
                                                   : "MISS");
  return 0;
}

}  // namespace
}  // namespace propwatch

int main(int argc, char** argv) { return propwatch::Main(argc, argv); }
