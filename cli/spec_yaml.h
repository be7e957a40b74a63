// Loads a verification from a YAML file whose keys are the proto's field
// names (CreateVerificationRequest: spec, selector, schedule, source), with
// durations as strings ("10s", "2m") and enums by short name
// (pin_mode: all_observed; record_types: [A, AAAA]). Unknown keys, bad
// values and bad specs are refused naming the file and line.
//
// Pure apart from LoadSpecFile reading the file.
#ifndef PROPWATCH_CLI_SPEC_YAML_H_
#define PROPWATCH_CLI_SPEC_YAML_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

// Where each field of a loaded spec was written, by proto field path
// ("spec.hostnames[1]", "schedule.deadline").
class SpecLocations {
 public:
  void Add(const std::string& path, int line) { lines_[path] = line; }
  // Line (from 1) of `path` or of its longest recorded parent
  // ("spec.paths[2].x" falls back to "spec.paths[2]", then "spec.paths");
  // 0 when nothing on the way was recorded.
  int LineOf(absl::string_view path) const;

 private:
  std::map<std::string, int, std::less<>> lines_;
};

struct LoadedSpec {
  v1::CreateVerificationRequest request;
  SpecLocations locations;
};

// Parses `text`; errors are InvalidArgument "<file_name>:<line>: <what>".
// Runs CheckVerificationRequest too, so a returned spec is well-formed.
absl::StatusOr<LoadedSpec> ParseSpecYaml(absl::string_view text,
                                         absl::string_view file_name);

// Reads and parses `path` ("-" reads standard input).
absl::StatusOr<LoadedSpec> LoadSpecFile(const std::string& path);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_SPEC_YAML_H_
