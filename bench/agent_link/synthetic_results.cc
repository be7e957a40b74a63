#include "bench/agent_link/synthetic_results.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/time_convert.h"

namespace propwatch::bench {
namespace {

// A fixed instant, so values are byte-identical across runs and tools.
constexpr int64_t kStartedAtUnixSeconds = 1700000000;

void FillDns(uint64_t sequence, v1::DnsResult& dns) {
  dns.set_hostname("www.shop.example.com");
  dns.set_type(v1::RECORD_TYPE_A);
  dns.set_resolver_kind("system");
  dns.set_server("10.0.0.2:53");
  dns.set_rcode("NOERROR");
  dns.set_authoritative_answer(false);
  v1::DnsAnswer* cname = dns.add_answers();
  cname->set_name("www.shop.example.com");
  cname->set_type(v1::RECORD_TYPE_CNAME);
  cname->set_ttl(300);
  cname->set_data("shop-edge.cdn.example.net");
  for (int i = 0; i < 2; ++i) {
    v1::DnsAnswer* a = dns.add_answers();
    a->set_name("shop-edge.cdn.example.net");
    a->set_type(v1::RECORD_TYPE_A);
    a->set_ttl(60);
    a->set_data(absl::StrCat("203.0.113.", 10 + (sequence + i) % 200));
    dns.add_addresses(a->data());
  }
  dns.add_cname_chain("www.shop.example.com");
  dns.add_cname_chain("shop-edge.cdn.example.net");
  *dns.mutable_latency() =
      ToProtoDuration(absl::Microseconds(800 + sequence % 5000));
}

void FillHttp(uint64_t sequence, v1::HttpResult& http) {
  const std::string ip = absl::StrCat("203.0.113.", 10 + sequence % 200);
  http.set_url("https://www.shop.example.com/healthz");
  http.set_pinned_ip(ip);
  http.set_dialled_ip(ip);
  http.set_status(200);
  http.set_http_version("HTTP/2");
  for (const auto& [name, value] :
       {std::pair<const char*, const char*>{"server", "nginx/1.22.1"},
        {"cache-control", "max-age=60, public"},
        {"x-served-by", "cache-fra-etou8220042-FRA"}}) {
    v1::HeaderValue* h = http.add_headers();
    h->set_name(name);
    h->set_value(value);
  }
  http.set_body_sha256(absl::StrFormat(
      "%016x%016x%016x%016x", sequence * 0x9e3779b97f4a7c15ULL,
      ~sequence * 0xc2b2ae3d27d4eb4fULL, sequence ^ 0x165667b19e3779f9ULL,
      sequence * 0x27d4eb2f165667c5ULL));
  http.set_body_bytes(1256);
  http.set_tls_verified(true);
  v1::CertificateInfo* cert = http.mutable_certificate();
  cert->set_subject("CN=www.shop.example.com");
  cert->add_subject_alt_names("www.shop.example.com");
  cert->add_subject_alt_names("shop.example.com");
  cert->set_issuer("CN=R11,O=Let's Encrypt,C=US");
  *cert->mutable_not_before() =
      ToProtoTime(absl::FromUnixSeconds(kStartedAtUnixSeconds - 86400 * 30));
  *cert->mutable_not_after() =
      ToProtoTime(absl::FromUnixSeconds(kStartedAtUnixSeconds + 86400 * 60));
  cert->set_sha256_fingerprint(
      "5f1c3e2a9b7d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcde");
  v1::HttpTimings* t = http.mutable_timings();
  const int64_t jitter = static_cast<int64_t>(sequence % 3000);
  *t->mutable_connect() = ToProtoDuration(absl::Microseconds(900 + jitter));
  *t->mutable_tls() = ToProtoDuration(absl::Microseconds(4100 + jitter));
  *t->mutable_first_byte() = ToProtoDuration(absl::Microseconds(9800 + jitter));
  *t->mutable_total() = ToProtoDuration(absl::Microseconds(10400 + jitter));
}

google::protobuf::Timestamp StartedAt(uint64_t sequence) {
  return ToProtoTime(absl::FromUnixMillis(
      kStartedAtUnixSeconds * 1000 + static_cast<int64_t>(sequence % 100000)));
}

}  // namespace

std::string FleetAgentId(const std::string& prefix, int index) {
  return absl::StrFormat("%s%05d", prefix, index);
}

std::string FleetRegion(int index) {
  static constexpr const char* kRegions[] = {"eu-west", "eu-central", "us-east",
                                             "us-west", "ap-south-1", "ap-east",
                                             "sa-east", "af-south"};
  return kRegions[index % 8];
}

ResultFactory::ResultFactory() {
  for (int i = 0; i < kTemplates; ++i) {
    v1::ProbeResult& r = templates_[i];
    r.set_verification_id(kIngestVerificationId);
    r.set_round(kIngestRound);
    r.set_command_id(0);
    if (i == kTemplates - 1) {
      FillHttp(i, *r.mutable_http());
    } else {
      FillDns(i, *r.mutable_dns());
    }
    template_bytes_[i] = r.SerializeAsString();
  }
}

std::string ResultFactory::Encoded(uint64_t sequence) const {
  std::string bytes = template_bytes_[sequence % kTemplates];
  v1::ProbeResult tail;  // only the fields Make() sets per sequence
  tail.set_sequence(sequence);
  *tail.mutable_started_at() = StartedAt(sequence);
  tail.AppendToString(&bytes);
  return bytes;
}

v1::ProbeResult ResultFactory::Make(uint64_t sequence) const {
  v1::ProbeResult r = templates_[sequence % kTemplates];
  r.set_sequence(sequence);
  *r.mutable_started_at() = StartedAt(sequence);
  return r;
}

v1::ProbeResult ResultFactory::MakeDns(uint64_t sequence) const {
  v1::ProbeResult r = templates_[sequence % (kTemplates - 1)];
  r.set_sequence(sequence);
  *r.mutable_started_at() = StartedAt(sequence);
  return r;
}

void StampIdentity(const std::string& agent_id, const std::string& region,
                   v1::ProbeResult& result) {
  result.set_agent_id(agent_id);
  result.set_region(region);
}

}  // namespace propwatch::bench
