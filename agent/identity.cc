#include "agent/identity.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/host_port.h"

namespace propwatch {

absl::Status ParseLabels(const std::vector<std::string>& labels,
                         v1::AgentIdentity& identity) {
  for (const std::string& label : labels) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--label '", label, "' must look like key=value, e.g. tier=edge"));
    }
    (*identity.mutable_labels())[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return absl::OkStatus();
}

std::vector<std::string> ParseResolvConf(absl::string_view contents) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "nameserver")) continue;
    if (line.empty() || (line[0] != ' ' && line[0] != '\t')) continue;
    line = absl::StripAsciiWhitespace(line);
    // Drop a trailing comment or zone index left on the line.
    line = line.substr(0, line.find_first_of(" \t#;"));
    if (IsIpLiteral(line)) {
      out.push_back(FormatHostPort(HostPort{std::string(line), 53}));
    }
  }
  return out;
}

std::vector<std::string> SystemResolvers() {
  std::ifstream in("/etc/resolv.conf");
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseResolvConf(buffer.str());
}

}  // namespace propwatch
