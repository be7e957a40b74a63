#include "cli/commands/results_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/table.h"
#include "common/proto_json.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string Short(const std::string& enum_name, absl::string_view prefix) {
  absl::string_view s = enum_name;
  if (absl::StartsWith(s, prefix)) s.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(s);
}

std::string Problems(
    v1::ErrorClass error, const std::string& message,
    const google::protobuf::RepeatedPtrField<v1::ExpectationFailure>&
        failures) {
  std::vector<std::string> parts;
  if (error != v1::ERROR_CLASS_UNSPECIFIED) {
    parts.push_back(
        absl::StrCat(Short(v1::ErrorClass_Name(error), "ERROR_CLASS_"),
                     message.empty() ? "" : ": " + message));
  }
  for (const v1::ExpectationFailure& f : failures) parts.push_back(f.message());
  return parts.empty() ? "ok" : absl::StrJoin(parts, "; ");
}

std::string Millis(const google::protobuf::Duration& d) {
  return absl::StrCat(absl::ToInt64Milliseconds(FromProtoDuration(d)), "ms");
}

}  // namespace

std::string RenderResultsTable(const v1::QueryResultsResponse& response) {
  Table table({"ROUND", "AGENT", "REGION", "KIND", "TARGET", "ANSWER", "TIME",
               "RESULT"});
  for (const v1::ProbeResult& r : response.results()) {
    if (r.has_dns()) {
      const v1::DnsResult& d = r.dns();
      table.AddRow(
          {absl::StrCat(r.round()), r.agent_id(), r.region(), "dns",
           absl::StrCat(d.hostname(), " ",
                        Short(v1::RecordType_Name(d.type()), "RECORD_TYPE_"),
                        " @",
                        d.server().empty() ? d.resolver_kind() : d.server()),
           d.addresses().empty() ? (d.rcode().empty() ? "-" : d.rcode())
                                 : absl::StrJoin(d.addresses(), ","),
           Millis(d.latency()),
           Problems(d.error_class(), d.error_message(), d.failures())});
    } else if (r.has_http()) {
      const v1::HttpResult& h = r.http();
      table.AddRow(
          {absl::StrCat(r.round()), r.agent_id(), r.region(), "http",
           absl::StrCat(h.url(), " @", h.pinned_ip()),
           h.status() == 0 ? "-" : absl::StrCat(h.status()),
           Millis(h.timings().total()),
           Problems(h.error_class(), h.error_message(), h.failures())});
    }
  }
  return table.Render();
}

ExitCode RunResultsCommand(const CommandContext& ctx, const std::string& id,
                           const ResultsCommandOptions& options) {
  if (!options.kind.empty() && options.kind != "dns" &&
      options.kind != "http") {
    return ReportFailure(
        ctx, absl::InvalidArgumentError(absl::StrCat("--kind '", options.kind,
                                                     "' is not dns or http")));
  }
  v1::QueryResultsRequest request;
  request.set_verification_id(id);
  request.set_round(options.round);
  request.set_region(options.region);
  request.set_ip(options.ip);
  request.set_kind(options.kind);
  request.set_agent_id(options.agent_id);
  request.set_page_token(options.page_token);
  // Follow pages until the limit; the last token lets a caller resume.
  v1::QueryResultsResponse all;
  while (static_cast<uint32_t>(all.results_size()) < options.limit) {
    request.set_limit(options.limit - all.results_size());
    auto page = ctx.client.QueryResults(request);
    if (!page.ok()) return ReportFailure(ctx, page.status());
    for (v1::ProbeResult& r : *page->mutable_results()) {
      *all.add_results() = std::move(r);
    }
    all.set_next_page_token(page->next_page_token());
    if (page->next_page_token().empty() || page->results().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  if (ctx.format == OutputFormat::kJson) {
    Print(ctx, ToJson(all));
  } else {
    std::string out = RenderResultsTable(all);
    if (!all.next_page_token().empty()) {
      absl::StrAppend(&out, "(more: --page-token ", all.next_page_token(),
                      ")\n");
    }
    Print(ctx, out);
  }
  return kExitPass;
}

}  // namespace propwatch
