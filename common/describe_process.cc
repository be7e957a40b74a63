#include "common/describe_process.h"

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace propwatch {

std::string DescribeProcess(pid_t pid) {
  if (pid <= 0) return "another process";
  std::ifstream in(absl::StrCat("/proc/", pid, "/comm"));
  std::string name;
  std::getline(in, name);
  // The kernel keeps 15 characters of the name: "propwatch-coord".
  if (absl::StartsWith(name, "propwatch-coord")) {
    return absl::StrCat("another coordinator (pid ", pid, ")");
  }
  if (name.empty()) return absl::StrCat("another process (pid ", pid, ")");
  return absl::StrCat("another process (pid ", pid, ", ", name, ")");
}

}  // namespace propwatch
