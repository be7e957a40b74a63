#include "cli/live_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/names.h"
#include "cli/round_summary.h"
#include "cli/table.h"
#include "cli/terminal.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

std::string Elapsed(const v1::Verification& v, absl::Time now) {
  if (!v.has_created_at()) return "-";
  const absl::Time end = IsFinal(v.state()) && v.has_finished_at()
                             ? FromProtoTime(v.finished_at())
                             : now;
  return absl::FormatDuration(absl::Trunc(
      std::max(absl::ZeroDuration(), end - FromProtoTime(v.created_at())),
      absl::Seconds(1)));
}

Style StateStyle(v1::VerificationState state) {
  switch (state) {
    case v1::VERIFICATION_STATE_CONVERGED:
      return Style::kPass;
    case v1::VERIFICATION_STATE_DIVERGED:
      return Style::kFail;
    case v1::VERIFICATION_STATE_RUNNING:
      return Style::kBold;
    default:
      return Style::kMixed;
  }
}

std::string FailingText(const FailingCell& f) {
  return absl::StrCat(f.ip, " ", f.path, " (", StatusesText(f.statuses),
                      ") in ", absl::StrJoin(f.regions, ", "));
}

RoundSummary Summary(const LiveState& state) {
  std::vector<std::string> selected(
      state.verification.selector().regions().begin(),
      state.verification.selector().regions().end());
  return SummarizeRound(state.round ? &*state.round : nullptr,
                        state.agent_regions, selected);
}

}  // namespace

std::vector<std::string> RenderLiveScreen(const LiveState& state,
                                          absl::Time now, bool ansi) {
  const v1::Verification& v = state.verification;
  std::vector<std::string> lines;
  const std::string deadline =
      v.schedule().has_deadline()
          ? absl::FormatDuration(FromProtoDuration(v.schedule().deadline()))
          : "-";
  lines.push_back(absl::StrCat(
      Styled(absl::StrCat("propwatch ", v.id()), Style::kBold, ansi), "  ",
      absl::StrJoin(v.spec().hostnames(), ","), "  ",
      Styled(StateWord(v.state()), StateStyle(v.state()), ansi), "  round ",
      std::max(v.rounds_completed(), state.round ? state.round->round() : 0),
      "  elapsed ", Elapsed(v, now), " of ", deadline));
  if (state.round) {
    lines.push_back(absl::StrCat(
        "last round ", state.round->round(), ": ",
        Styled(VerdictWord(state.round->verdict()),
               state.round->verdict() == v1::VERDICT_PASS   ? Style::kPass
               : state.round->verdict() == v1::VERDICT_FAIL ? Style::kFail
                                                            : Style::kMixed,
               ansi)));
  } else {
    lines.push_back("waiting for the first round");
  }

  const RoundSummary summary = Summary(state);
  Table table({"REGION", "AGENTS", "IPS", "PASS", "FAIL", "DIAGNOSIS"});
  for (const RegionSummary& r : summary.regions) {
    const std::string agents =
        r.agents_known < 0 ? "-"
                           : absl::StrCat(r.agents_known - r.agents_missing,
                                          "/", r.agents_known);
    table.AddRow(
        {r.region, agents, absl::StrCat(r.ips.size()),
         absl::StrCat(r.cells_pass), absl::StrCat(r.cells_fail),
         r.diagnosis.empty() ? "-" : r.diagnosis},
        {Style::kNone, r.agents_missing > 0 ? Style::kMixed : Style::kNone,
         Style::kNone, r.cells_pass > 0 ? Style::kPass : Style::kNone,
         r.cells_fail > 0 ? Style::kFail : Style::kNone, Style::kNone});
  }
  const std::string rendered = table.Render(ansi);
  for (absl::string_view line : absl::StrSplit(rendered, '\n')) {
    if (!line.empty()) lines.emplace_back(line);
  }
  for (const FailingCell& f : summary.failing) {
    lines.push_back(
        absl::StrCat(Styled(f.mixed ? "MIXED " : "FAIL  ",
                            f.mixed ? Style::kMixed : Style::kFail, ansi),
                     FailingText(f)));
  }
  if (!v.state_reason().empty()) lines.push_back(v.state_reason());
  if (!state.notice.empty()) {
    lines.push_back(Styled(state.notice, Style::kMixed, ansi));
  }
  return lines;
}

std::string RenderEventLine(const LiveState& state, absl::Time now) {
  const v1::Verification& v = state.verification;
  std::string line = absl::StrCat("[+", Elapsed(v, now), "] ", v.id(), " ",
                                  StateWord(v.state()));
  if (state.round) {
    const RoundSummary summary = Summary(state);
    int pass = 0;
    int fail = 0;
    for (const RegionSummary& r : summary.regions) {
      pass += r.cells_pass;
      fail += r.cells_fail;
    }
    absl::StrAppend(&line, " round ", state.round->round(), " ",
                    VerdictWord(state.round->verdict()), " (", pass, " pass, ",
                    fail, " fail)");
    std::vector<std::string> failing;
    for (const FailingCell& f : summary.failing) {
      failing.push_back(FailingText(f));
    }
    if (!failing.empty()) {
      absl::StrAppend(&line, " failing: ", absl::StrJoin(failing, "; "));
    }
  }
  if (!v.state_reason().empty())
    absl::StrAppend(&line, " - ", v.state_reason());
  return line;
}

size_t VisibleWidth(absl::string_view line) {
  size_t width = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      // CSI: ESC [ parameters final-byte (0x40-0x7e).
      ++i;
      if (i < line.size() && line[i] == '[') {
        while (i + 1 < line.size() &&
               !(line[i + 1] >= 0x40 && line[i + 1] <= 0x7e))
          ++i;
        ++i;
      }
      continue;
    }
    // Count UTF-8 lead bytes only.
    if ((static_cast<unsigned char>(line[i]) & 0xc0) != 0x80) ++width;
  }
  return width;
}

void ScreenWriter::Draw(const std::vector<std::string>& lines) {
  std::string out;
  if (rows_drawn_ > 0) {
    // Back to the first row of the previous screen, then clear below
    // (ECMA-48 CUU and ED).
    absl::StrAppend(&out, "\r\x1b[", rows_drawn_, "A\x1b[J");
  }
  int rows = 0;
  for (const std::string& line : lines) {
    absl::StrAppend(&out, line, "\n");
    const size_t width = VisibleWidth(line);
    rows += columns_ > 0 && width > 0
                ? static_cast<int>((width + columns_ - 1) / columns_)
                : 1;
  }
  rows_drawn_ = rows;
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
}

}  // namespace propwatch
