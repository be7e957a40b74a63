// `propwatchctl report` as a person reads it: the verification's outcome
// and timings, one line per round, then for the chosen round the region x IP
// matrix of every (hostname, path), the DNS view per region and resolver,
// and the diagnoses with their evidence.
//
// Pure.
#ifndef PROPWATCH_CLI_REPORT_RENDER_H_
#define PROPWATCH_CLI_REPORT_RENDER_H_

#include <string>

#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct ReportRenderOptions {
  // Round shown in detail; 0 means the latest round in the report.
  uint32_t round = 0;
  // Color the matrix (pass, fail, mixed, no data) and the verdicts.
  bool ansi = false;
  // Evidence keys listed per diagnosis before "(+N more)".
  int max_evidence = 5;
};

std::string RenderReport(const v1::Report& report,
                         const ReportRenderOptions& options);

// The matrix of one (hostname, path) in `round`: a row per region, a column
// per IP; cells read "pass", "fail 404", "mixed 1/2", "unsupported" or "-"
// (no data).
std::string RenderMatrix(const v1::RoundReport& round,
                         const std::string& hostname, const std::string& path,
                         bool ansi);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_REPORT_RENDER_H_
