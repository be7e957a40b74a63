#include "coordinator/engine/evaluate_round.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "coordinator/engine/dns_answers.h"
#include "coordinator/engine/dns_diagnoses.h"
#include "coordinator/engine/dns_view.h"
#include "coordinator/engine/failure_diagnoses.h"
#include "coordinator/engine/http_diagnoses.h"
#include "coordinator/engine/http_probes.h"
#include "coordinator/engine/matrix.h"
#include "coordinator/engine/quorum.h"
#include "coordinator/engine/url_parts.h"
#include "coordinator/engine/verdict.h"

namespace propwatch {
namespace {

void SortDiagnoses(std::vector<v1::Diagnosis>& diagnoses) {
  auto key = [](const v1::Diagnosis& d) {
    return std::make_tuple(
        static_cast<int>(d.kind()), d.ip(),
        std::vector<std::string>(d.regions().begin(), d.regions().end()),
        d.agent_id(), d.resolver(), d.summary());
  };
  std::sort(diagnoses.begin(), diagnoses.end(),
            [&](const v1::Diagnosis& a, const v1::Diagnosis& b) {
              return key(a) < key(b);
            });
}

VerdictFacts CollectVerdictFacts(const HttpRound& http, const DnsRound& dns,
                                 const v1::VerificationSpec& spec) {
  VerdictFacts facts;
  std::set<std::string> measured;
  for (const HttpCell& cell : http.cells) {
    measured.insert(cell.hostname);
    if (cell.status == v1::CELL_STATUS_FAIL ||
        cell.status == v1::CELL_STATUS_MIXED) {
      facts.failing_cell = true;
    }
  }
  for (const std::string& hostname : spec.hostnames()) {
    if (measured.count(NormalizeHostname(hostname)) == 0) {
      facts.hostname_unmeasured = true;
    }
  }
  for (const DnsAnswerRow& row : dns.rows) {
    if (!row.expectation_failures.empty()) facts.dns_expectation_failed = true;
  }
  return facts;
}

// Asked and answered per region, from the round's participants and the
// agents that sent a result. std::map keeps the regions sorted, so the
// report stays deterministic.
void AppendAgentsByRegion(const RoundInput& input, v1::RoundReport* report) {
  std::set<std::string> answered_agents;
  for (const v1::ProbeResult& r : input.results) {
    answered_agents.insert(r.agent_id());
  }
  std::map<std::string, std::pair<uint32_t, uint32_t>> by_region;
  for (const auto& [agent, region] : input.participants) {
    auto& [asked, answered] = by_region[region];
    ++asked;
    if (answered_agents.count(agent) != 0) ++answered;
  }
  for (const auto& [region, counts] : by_region) {
    v1::RegionAgents* row = report->add_agents_by_region();
    row->set_region(region);
    row->set_asked(counts.first);
    row->set_answered(counts.second);
  }
}

}  // namespace

v1::RoundReport EvaluateRound(const RoundInput& input) {
  const v1::Verification& verification =
      input.verification != nullptr ? *input.verification
                                    : v1::Verification::default_instance();
  const v1::VerificationSpec& spec = verification.spec();

  v1::RoundReport report;
  report.set_verification_id(verification.id());
  report.set_round(input.round);
  *report.mutable_started_at() = ToProtoTime(input.started_at);
  *report.mutable_finished_at() = ToProtoTime(input.finished_at);

  HttpRound http = ClassifyHttpProbes(input, spec);
  AppendMatrixCells(http, &report);
  DnsRound dns = CollectDnsAnswers(input);
  AppendDnsViews(dns, &report);

  std::vector<v1::Diagnosis> diagnoses = DiagnoseHttp(http, dns, input, spec);
  std::vector<v1::Diagnosis> failures =
      DiagnoseFailures(http, input, spec, diagnoses);
  std::vector<v1::Diagnosis> dns_diagnoses = DiagnoseDns(dns, input);
  std::vector<v1::Diagnosis> dns_failures = DiagnoseDnsFailures(input);
  QuorumFindings quorum = CheckQuorum(input, http);
  for (auto* more :
       {&failures, &dns_diagnoses, &dns_failures, &quorum.diagnoses}) {
    diagnoses.insert(diagnoses.end(), std::make_move_iterator(more->begin()),
                     std::make_move_iterator(more->end()));
  }
  SortDiagnoses(diagnoses);
  for (v1::Diagnosis& diagnosis : diagnoses) {
    if (diagnosis.hint().empty())
      diagnosis.set_hint(DefaultHint(diagnosis.kind()));
    *report.add_diagnoses() = std::move(diagnosis);
  }
  for (const std::string& agent : quorum.missing_agents) {
    report.add_missing_agents(agent);
  }
  AppendAgentsByRegion(input, &report);
  report.set_verdict(
      DecideVerdict(report.diagnoses(), CollectVerdictFacts(http, dns, spec)));
  return report;
}

std::string SerializeReportDeterministically(const v1::RoundReport& report) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    report.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace propwatch
