#include "tests/testing/process_memory.h"

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace propwatch::testing {
namespace {

// One "Name:   1234 kB" line of /proc/self/status, in bytes.
uint64_t StatusField(absl::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, field)) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    uint64_t kb = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kb)) {
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

uint64_t PeakRssBytes() { return StatusField("VmHWM:"); }
uint64_t CurrentRssBytes() { return StatusField("VmRSS:"); }

}  // namespace propwatch::testing
