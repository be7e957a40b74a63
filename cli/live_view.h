// What a person sees while waiting on a verification: on a terminal, a
// compact screen redrawn in place; elsewhere (CI logs), one plain line per
// event with no escape codes.
#ifndef PROPWATCH_CLI_LIVE_VIEW_H_
#define PROPWATCH_CLI_LIVE_VIEW_H_

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

struct LiveState {
  v1::Verification verification;
  // The latest closed round, when one has closed.
  std::optional<v1::RoundReport> round;
  // Agent id -> region of the connected agents when the watch began.
  std::map<std::string, std::string> agent_regions;
  // Set while the stream is being re-established.
  std::string notice;
};

// The screen for `state` at `now`: a header (id, hostnames, state, round,
// elapsed), a row per region (agents answered, IPs seen, cells passing and
// failing, the current diagnosis), the failing IPs with their regions, and
// the coordinator's one-sentence reason. Pure; `ansi` adds color only.
std::vector<std::string> RenderLiveScreen(const LiveState& state,
                                          absl::Time now, bool ansi);

// One line for a CI log: elapsed time, round, verdict, failing IPs and
// regions, the reason. Pure, never contains escape codes.
std::string RenderEventLine(const LiveState& state, absl::Time now);

// Columns `line` takes on screen, escape sequences not counted.
size_t VisibleWidth(absl::string_view line);

// Writes screens to a terminal, each replacing the one before.
//
// Threading: not thread-safe; the caller serialises Draw/Commit.
class ScreenWriter {
 public:
  // `columns`: terminal width, to count wrapped lines (0: no wrapping).
  ScreenWriter(FILE* out, int columns) : out_(out), columns_(columns) {}
  // Moves the cursor back over the previous screen, clears to the end of
  // the display, writes `lines`.
  void Draw(const std::vector<std::string>& lines);
  // Leaves the current screen on the terminal; the next Draw starts below.
  void Commit() { rows_drawn_ = 0; }

 private:
  FILE* out_;
  int columns_;
  int rows_drawn_ = 0;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_LIVE_VIEW_H_
