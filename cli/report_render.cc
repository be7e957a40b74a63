#include "cli/report_render.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/names.h"
#include "cli/round_summary.h"
#include "cli/table.h"
#include "cli/terminal.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string Timestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", FromProtoTime(t),
                          absl::UTCTimeZone());
}

std::string Duration(absl::Duration d) {
  return absl::FormatDuration(absl::Trunc(d, absl::Milliseconds(1)));
}

Style VerdictStyle(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_PASS:
      return Style::kPass;
    case v1::VERDICT_FAIL:
      return Style::kFail;
    case v1::VERDICT_INCONCLUSIVE:
      return Style::kMixed;
    default:
      return Style::kNoData;
  }
}

Style CellStyle(v1::CellStatus status) {
  switch (status) {
    case v1::CELL_STATUS_PASS:
      return Style::kPass;
    case v1::CELL_STATUS_FAIL:
      return Style::kFail;
    case v1::CELL_STATUS_MIXED:
      return Style::kMixed;
    default:
      return Style::kNoData;
  }
}

std::string CellText(const v1::MatrixCell& cell) {
  std::set<uint32_t> statuses;
  for (const auto& [status, count] : cell.status_histogram()) {
    if (count > 0) statuses.insert(status);
  }
  switch (cell.status()) {
    case v1::CELL_STATUS_PASS:
      return "pass";
    case v1::CELL_STATUS_FAIL:
      return absl::StrCat("fail ", StatusesText(statuses));
    case v1::CELL_STATUS_MIXED:
      return absl::StrCat("mixed ", cell.passes(), "/", cell.probes(), " ",
                          StatusesText(statuses));
    case v1::CELL_STATUS_UNSUPPORTED:
      return "unsupported";
    default:
      return "-";
  }
}

void AppendVerification(const v1::Verification& v, std::string& out,
                        bool ansi) {
  absl::StrAppend(
      &out, Styled(absl::StrCat("Verification ", v.id()), Style::kBold, ansi),
      "  ", absl::StrJoin(v.spec().hostnames(), ", "), "  ",
      Styled(StateWord(v.state()),
             v.state() == v1::VERIFICATION_STATE_CONVERGED  ? Style::kPass
             : v.state() == v1::VERIFICATION_STATE_DIVERGED ? Style::kFail
                                                            : Style::kMixed,
             ansi),
      "\n");
  std::vector<std::string> source;
  if (!v.source().pipeline().empty())
    source.push_back("pipeline " + v.source().pipeline());
  if (!v.source().release().empty())
    source.push_back("release " + v.source().release());
  if (!v.source().commit().empty())
    source.push_back("commit " + v.source().commit());
  if (!v.source().description().empty())
    source.push_back(v.source().description());
  if (!source.empty()) {
    absl::StrAppend(&out, "  source: ", absl::StrJoin(source, ", "), "\n");
  }
  if (!v.state_reason().empty()) {
    absl::StrAppend(&out, "  reason: ", v.state_reason(), "\n");
  }
  const absl::Time created = FromProtoTime(v.created_at());
  absl::StrAppend(&out, "  created ", Timestamp(v.created_at()), ", finished ",
                  Timestamp(v.finished_at()), ", rounds completed ",
                  v.rounds_completed(), "\n");
  absl::StrAppend(
      &out, "  first inconsistency: ",
      v.has_first_inconsistency_at()
          ? absl::StrCat(
                "+",
                Duration(FromProtoTime(v.first_inconsistency_at()) - created),
                " after creation")
          : "none seen",
      "; time to consistency: ",
      v.has_time_to_consistency()
          ? Duration(FromProtoDuration(v.time_to_consistency()))
          : "not reached",
      "\n");
}

void AppendRounds(const v1::Report& report, std::string& out, bool ansi) {
  Table table({"ROUND", "VERDICT", "PASS", "FAIL", "NO DATA", "DIAGNOSES",
               "MISSING AGENTS"});
  for (const v1::RoundReport& round : report.rounds()) {
    const RoundSummary summary = SummarizeRound(&round, {}, {});
    int pass = 0, fail = 0, none = 0;
    for (const RegionSummary& r : summary.regions) {
      pass += r.cells_pass;
      fail += r.cells_fail;
      none += r.cells_no_data;
    }
    std::vector<std::string> diagnoses;
    for (const v1::Diagnosis& d : round.diagnoses()) {
      diagnoses.push_back(ShortDiagnosis(d));
    }
    table.AddRow({absl::StrCat(round.round()), VerdictWord(round.verdict()),
                  absl::StrCat(pass), absl::StrCat(fail), absl::StrCat(none),
                  diagnoses.empty() ? "-" : absl::StrJoin(diagnoses, "; "),
                  round.missing_agents().empty()
                      ? "-"
                      : absl::StrJoin(round.missing_agents(), ",")},
                 {Style::kNone, VerdictStyle(round.verdict())});
  }
  absl::StrAppend(&out, "\nRounds\n", table.Render(ansi));
}

// yes / no / not asked; reports older than the tri-state field say only
// yes or no.
std::string AuthorityWord(const v1::DnsView& view) {
  switch (view.authority()) {
    case v1::AUTHORITY_AGREEMENT_AGREES:
      return "yes";
    case v1::AUTHORITY_AGREEMENT_DISAGREES:
      return "no";
    case v1::AUTHORITY_AGREEMENT_NOT_ASKED:
      return "not asked";
    default:
      return view.agrees_with_authoritative() ? "yes" : "no";
  }
}

void AppendDns(const v1::RoundReport& round, std::string& out) {
  if (round.dns().empty()) return;
  Table table({"REGION", "RESOLVER", "HOSTNAME", "ADDRESSES", "MIN TTL",
               "AGREES WITH AUTHORITATIVE"});
  for (const v1::DnsView& view : round.dns()) {
    table.AddRow(
        {view.region(), view.resolver_kind(), view.hostname(),
         view.addresses().empty() ? "-" : absl::StrJoin(view.addresses(), ","),
         absl::StrCat(view.min_ttl(), "s"), AuthorityWord(view)});
  }
  absl::StrAppend(&out, "\nDNS view\n", table.Render());
}

void AppendDiagnoses(const v1::RoundReport& round, std::string& out,
                     const ReportRenderOptions& options) {
  absl::StrAppend(&out, "\nDiagnosis\n");
  if (round.diagnoses().empty()) {
    absl::StrAppend(&out, "  none\n");
    return;
  }
  for (const v1::Diagnosis& d : round.diagnoses()) {
    absl::StrAppend(&out, "  ",
                    Styled(DiagnosisWord(d.kind()), Style::kBold, options.ansi),
                    ": ", d.summary(), "\n");
    std::vector<std::string> facts;
    if (!d.ip().empty()) facts.push_back("ip " + d.ip());
    if (!d.regions().empty())
      facts.push_back("regions " + absl::StrJoin(d.regions(), ","));
    if (!d.paths().empty())
      facts.push_back("paths " + absl::StrJoin(d.paths(), ","));
    if (!d.statuses().empty())
      facts.push_back("statuses " + absl::StrJoin(d.statuses(), ","));
    if (!d.agent_id().empty()) facts.push_back("agent " + d.agent_id());
    if (!d.resolver().empty()) facts.push_back("resolver " + d.resolver());
    if (d.ttl_left_seconds() > 0)
      facts.push_back(absl::StrCat("ttl left ", d.ttl_left_seconds(), "s"));
    if (!facts.empty()) {
      absl::StrAppend(&out, "    ", absl::StrJoin(facts, "; "), "\n");
    }
    if (!d.hint().empty()) absl::StrAppend(&out, "    hint: ", d.hint(), "\n");
    if (!d.evidence().empty()) {
      std::vector<std::string> shown;
      for (int i = 0; i < d.evidence_size() && i < options.max_evidence; ++i) {
        shown.push_back(d.evidence(i));
      }
      absl::StrAppend(&out, "    evidence: ", absl::StrJoin(shown, " "));
      if (d.evidence_size() > options.max_evidence) {
        absl::StrAppend(&out, " (+", d.evidence_size() - options.max_evidence,
                        " more; -o json lists all)");
      }
      absl::StrAppend(&out, "\n");
    }
  }
}

}  // namespace

std::string RenderMatrix(const v1::RoundReport& round,
                         const std::string& hostname, const std::string& path,
                         bool ansi) {
  std::set<std::string> regions;
  std::set<std::string> ips;
  std::map<std::pair<std::string, std::string>, const v1::MatrixCell*> cells;
  for (const v1::MatrixCell& cell : round.cells()) {
    regions.insert(cell.region());
    if (cell.hostname() != hostname || cell.path() != path) continue;
    ips.insert(cell.ip());
    cells[{cell.region(), cell.ip()}] = &cell;
  }
  std::vector<std::string> header = {"REGION"};
  header.insert(header.end(), ips.begin(), ips.end());
  Table table(header);
  for (const std::string& region : regions) {
    std::vector<std::string> row = {region};
    std::vector<Style> styles = {Style::kNone};
    for (const std::string& ip : ips) {
      auto it = cells.find({region, ip});
      if (it == cells.end()) {
        row.push_back("-");
        styles.push_back(Style::kNoData);
      } else {
        row.push_back(CellText(*it->second));
        styles.push_back(CellStyle(it->second->status()));
      }
    }
    table.AddRow(std::move(row), std::move(styles));
  }
  return table.Render(ansi);
}

std::string RenderReport(const v1::Report& report,
                         const ReportRenderOptions& options) {
  std::string out;
  AppendVerification(report.verification(), out, options.ansi);
  if (report.rounds().empty()) {
    absl::StrAppend(&out, "\nNo round has completed yet.\n");
    return out;
  }
  AppendRounds(report, out, options.ansi);
  const v1::RoundReport* round = &report.rounds(report.rounds_size() - 1);
  for (const v1::RoundReport& r : report.rounds()) {
    if (options.round != 0 && r.round() == options.round) round = &r;
  }
  absl::StrAppend(&out, "\n",
                  Styled(absl::StrCat("Round ", round->round()), Style::kBold,
                         options.ansi),
                  ": ",
                  Styled(VerdictWord(round->verdict()),
                         VerdictStyle(round->verdict()), options.ansi),
                  ", ", Timestamp(round->started_at()), " to ",
                  Timestamp(round->finished_at()), "\n");
  std::set<std::pair<std::string, std::string>> targets;
  for (const v1::MatrixCell& cell : round->cells()) {
    targets.insert({cell.hostname(), cell.path()});
  }
  for (const auto& [hostname, path] : targets) {
    absl::StrAppend(&out, "\n", hostname, path, "\n",
                    RenderMatrix(*round, hostname, path, options.ansi));
  }
  AppendDns(*round, out);
  AppendDiagnoses(*round, out, options);
  if (!round->missing_agents().empty()) {
    absl::StrAppend(&out, "\nAgents that did not answer: ",
                    absl::StrJoin(round->missing_agents(), ", "), "\n");
  }
  return out;
}

}  // namespace propwatch
