#include "cli/commands/verification_commands.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/names.h"
#include "cli/report_render.h"
#include "cli/table.h"
#include "common/proto_json.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string Age(const google::protobuf::Timestamp& t, absl::Time now) {
  if (t.seconds() == 0) return "-";
  return absl::FormatDuration(
      absl::Trunc(std::max(absl::ZeroDuration(), now - FromProtoTime(t)),
                  absl::Seconds(1)));
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromProtoTime(t),
                          absl::UTCTimeZone());
}

}  // namespace

std::string RenderVerificationList(const v1::ListVerificationsResponse& list,
                                   absl::Time now) {
  Table table({"ID", "STATE", "HOSTNAMES", "ROUNDS", "AGE", "SOURCE"});
  for (const v1::Verification& v : list.verifications()) {
    std::string source = v.source().pipeline();
    if (!v.source().release().empty()) {
      absl::StrAppend(&source, source.empty() ? "" : " ", v.source().release());
    }
    table.AddRow({v.id(), StateWord(v.state()),
                  absl::StrJoin(v.spec().hostnames(), ","),
                  absl::StrCat(v.rounds_completed()), Age(v.created_at(), now),
                  source.empty() ? "-" : source});
  }
  std::string out = table.Render();
  if (!list.next_before_id().empty()) {
    absl::StrAppend(&out, "(more: --before ", list.next_before_id(), ")\n");
  }
  return out;
}

std::string RenderVerification(const v1::Verification& v) {
  Table table({"FIELD", "VALUE"});
  table.AddRow({"id", v.id()});
  table.AddRow({"state", StateWord(v.state())});
  table.AddRow({"reason", v.state_reason().empty() ? "-" : v.state_reason()});
  table.AddRow({"hostnames", absl::StrJoin(v.spec().hostnames(), ",")});
  table.AddRow({"paths", v.spec().paths().empty()
                             ? "/"
                             : absl::StrJoin(v.spec().paths(), ",")});
  table.AddRow({"regions", v.selector().regions().empty()
                               ? "all"
                               : absl::StrJoin(v.selector().regions(), ",")});
  table.AddRow({"rounds", absl::StrCat(v.rounds_completed())});
  table.AddRow({"created", Time(v.created_at())});
  table.AddRow({"finished", Time(v.finished_at())});
  table.AddRow({"first inconsistency", Time(v.first_inconsistency_at())});
  table.AddRow(
      {"time to consistency",
       v.has_time_to_consistency()
           ? absl::FormatDuration(FromProtoDuration(v.time_to_consistency()))
           : "-"});
  return table.Render();
}

ExitCode RunGetCommand(const CommandContext& ctx, const std::string& id) {
  auto v = ctx.client.GetVerification(id);
  if (!v.ok()) return ReportFailure(ctx, v.status());
  Print(ctx, ctx.format == OutputFormat::kJson ? ToJson(*v)
                                               : RenderVerification(*v));
  return kExitPass;
}

ExitCode RunListCommand(const CommandContext& ctx,
                        const ListCommandOptions& options) {
  v1::ListVerificationsRequest request;
  request.set_limit(options.limit);
  request.set_before_id(options.before_id);
  request.set_hostname(options.hostname);
  if (!options.state.empty()) {
    v1::VerificationState state;
    if (!v1::VerificationState_Parse(
            "VERIFICATION_STATE_" + absl::AsciiStrToUpper(options.state),
            &state) ||
        state == v1::VERIFICATION_STATE_UNSPECIFIED) {
      return ReportFailure(ctx,
                           absl::InvalidArgumentError(absl::StrCat(
                               "--state '", options.state,
                               "' is not one of: running, converged, diverged, "
                               "inconclusive, cancelled")));
    }
    request.set_state(state);
  }
  auto list = ctx.client.ListVerifications(request);
  if (!list.ok()) return ReportFailure(ctx, list.status());
  Print(ctx, ctx.format == OutputFormat::kJson
                 ? ToJson(*list)
                 : RenderVerificationList(*list, absl::Now()));
  return kExitPass;
}

ExitCode RunCancelCommand(const CommandContext& ctx, const std::string& id,
                          const std::string& reason) {
  v1::CancelVerificationRequest request;
  request.set_id(id);
  request.set_reason(reason);
  auto v = ctx.client.CancelVerification(request);
  if (!v.ok()) return ReportFailure(ctx, v.status());
  Print(ctx, ctx.format == OutputFormat::kJson ? ToJson(*v)
                                               : RenderVerification(*v));
  return kExitPass;
}

ExitCode RunReportCommand(const CommandContext& ctx, const std::string& id,
                          uint32_t round) {
  v1::GetReportRequest request;
  request.set_id(id);
  request.set_round(round);
  auto report = ctx.client.GetReport(request);
  if (!report.ok()) return ReportFailure(ctx, report.status());
  if (ctx.format == OutputFormat::kJson) {
    Print(ctx, ToJson(*report));
  } else {
    ReportRenderOptions options;
    options.round = round;
    options.ansi = ctx.stdout_ansi;
    Print(ctx, RenderReport(*report, options));
  }
  return kExitPass;
}

}  // namespace propwatch
