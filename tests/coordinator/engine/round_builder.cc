#include "tests/coordinator/engine/round_builder.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "coordinator/engine/evaluate_round.h"

namespace propwatch::engine_testing {

std::string FakeKey(const std::string& agent, uint64_t sequence) {
  return absl::StrCat("key/", agent, "/", absl::Dec(sequence, absl::kZeroPad6));
}

std::string FakeEvidence(const std::string& agent, uint64_t sequence) {
  return absl::BytesToHexString(FakeKey(agent, sequence));
}

RoundBuilder::RoundBuilder(std::vector<std::string> hostnames,
                           std::vector<std::string> paths) {
  verification_.set_id("v-0001");
  verification_.set_state(v1::VERIFICATION_STATE_RUNNING);
  *verification_.mutable_created_at() = ToProtoTime(kCreatedAt);
  for (const std::string& hostname : hostnames) {
    verification_.mutable_spec()->add_hostnames(hostname);
  }
  if (paths.empty()) paths.push_back("/");
  for (const std::string& path : paths) {
    verification_.mutable_spec()->add_paths(path);
  }
}

RoundBuilder& RoundBuilder::Agent(const std::string& agent,
                                  const std::string& region) {
  participants_[agent] = region;
  return *this;
}

RoundBuilder& RoundBuilder::Agents(const std::string& region, int n) {
  for (int i = 1; i <= n; ++i) Agent(absl::StrCat(region, "-", i), region);
  return *this;
}

v1::ProbeResult& RoundBuilder::NewResult(const std::string& agent) {
  v1::ProbeResult& result = results_.emplace_back();
  result.set_verification_id(verification_.id());
  result.set_round(1);
  result.set_agent_id(agent);
  auto it = participants_.find(agent);
  result.set_region(it != participants_.end() ? it->second : "");
  result.set_sequence(++sequences_[agent]);
  return result;
}

RoundBuilder& RoundBuilder::Dns(const std::string& agent,
                                const std::string& kind,
                                const std::string& server,
                                const std::vector<std::string>& addresses,
                                uint32_t ttl, const std::string& hostname) {
  v1::DnsResult* dns = NewResult(agent).mutable_dns();
  std::string name =
      hostname.empty() ? verification_.spec().hostnames(0) : hostname;
  dns->set_hostname(name);
  dns->set_type(v1::RECORD_TYPE_A);
  dns->set_resolver_kind(kind);
  dns->set_server(server);
  dns->set_rcode(addresses.empty() ? "NXDOMAIN" : "NOERROR");
  if (addresses.empty()) dns->set_error_class(v1::ERROR_CLASS_NXDOMAIN);
  for (const std::string& address : addresses) {
    dns->add_addresses(address);
    v1::DnsAnswer* answer = dns->add_answers();
    answer->set_name(name);
    answer->set_type(v1::RECORD_TYPE_A);
    answer->set_ttl(ttl);
    answer->set_data(address);
  }
  return *this;
}

RoundBuilder& RoundBuilder::DnsFailsExpectation(const std::string& message) {
  v1::ExpectationFailure* failure =
      results_.back().mutable_dns()->add_failures();
  failure->set_field("addresses_within");
  failure->set_message(message);
  return *this;
}

RoundBuilder& RoundBuilder::Http(const std::string& agent,
                                 const std::string& ip, const std::string& path,
                                 uint32_t status, v1::ErrorClass error,
                                 const std::string& hostname) {
  v1::HttpResult* http = NewResult(agent).mutable_http();
  std::string name =
      hostname.empty() ? verification_.spec().hostnames(0) : hostname;
  http->set_url(absl::StrCat("https://", name, path));
  http->set_pinned_ip(ip);
  http->set_error_class(error);
  if (error == v1::ERROR_CLASS_UNSPECIFIED) {
    http->set_dialled_ip(ip);
    http->set_status(status);
    http->set_tls_verified(true);
    http->mutable_certificate()->set_sha256_fingerprint("3f9a1c0b7d2e4f6188aa");
    const auto& expect = verification_.spec().http_expect();
    if (expect.status_in_size() > 0 &&
        std::find(expect.status_in().begin(), expect.status_in().end(),
                  status) == expect.status_in().end()) {
      HttpFailure("status_in", absl::StrCat("status ", status, ", expected ",
                                            expect.status_in(0)));
    }
  } else {
    http->set_error_message(
        absl::StrCat("probe failed: ", static_cast<int>(error)));
  }
  return *this;
}

RoundBuilder& RoundBuilder::HttpAllPaths(const std::string& agent,
                                         const std::string& ip, uint32_t status,
                                         v1::ErrorClass error) {
  for (const std::string& path : verification_.spec().paths()) {
    Http(agent, ip, path, status, error);
  }
  return *this;
}

RoundBuilder& RoundBuilder::Header(const std::string& name,
                                   const std::string& value) {
  v1::HeaderValue* header = results_.back().mutable_http()->add_headers();
  header->set_name(name);
  header->set_value(value);
  return *this;
}

RoundBuilder& RoundBuilder::ErrorMessage(const std::string& message) {
  results_.back().mutable_http()->set_error_message(message);
  return *this;
}

RoundBuilder& RoundBuilder::HttpFailure(const std::string& field,
                                        const std::string& message) {
  v1::ExpectationFailure* failure =
      results_.back().mutable_http()->add_failures();
  failure->set_field(field);
  failure->set_message(message);
  return *this;
}

RoundInput RoundBuilder::Build() const {
  RoundInput input;
  input.verification = &verification_;
  input.round = 1;
  input.started_at = kCreatedAt + absl::Seconds(10);
  input.finished_at = kCreatedAt + absl::Seconds(15);
  input.participants = participants_;
  input.results = results_;
  for (const v1::ProbeResult& result : results_) {
    input.result_keys.push_back(FakeKey(result.agent_id(), result.sequence()));
  }
  return input;
}

v1::RoundReport RoundBuilder::Evaluate() const {
  return EvaluateRound(Build());
}

v1::RoundReport Report(uint32_t round, v1::Verdict verdict,
                       absl::Time finished_at) {
  v1::RoundReport report;
  report.set_verification_id("v-0001");
  report.set_round(round);
  report.set_verdict(verdict);
  *report.mutable_started_at() = ToProtoTime(finished_at - absl::Seconds(4));
  *report.mutable_finished_at() = ToProtoTime(finished_at);
  return report;
}

}  // namespace propwatch::engine_testing
