// Shows a followed verification: the live screen redrawn in place (and
// ticking the elapsed time every second) on a terminal, or one plain line
// per new round or state change otherwise.
//
// Threading: OnEvent/OnReconnect/Finish come from the following thread; a
// ticker thread redraws the live screen; a mutex serialises both.
#ifndef PROPWATCH_CLI_WATCH_DISPLAY_H_
#define PROPWATCH_CLI_WATCH_DISPLAY_H_

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "cli/live_view.h"
#include "propwatch/v1/control.pb.h"

namespace propwatch {

class WatchDisplay {
 public:
  // `live`: redraw in place (a terminal); `ansi`: color too.
  WatchDisplay(FILE* out, bool live, bool ansi, int columns,
               std::map<std::string, std::string> agent_regions);
  ~WatchDisplay();
  WatchDisplay(const WatchDisplay&) = delete;
  WatchDisplay& operator=(const WatchDisplay&) = delete;

  void OnEvent(const v1::VerificationEvent& event);
  void OnReconnect(int attempt, const absl::Status& why);
  // Draws the last screen (or line) and stops the ticker.
  void Finish();

  // The latest round seen, for callers that print it at the end.
  std::optional<v1::RoundReport> last_round() const;

 private:
  void TickerLoop();
  // REQUIRES: mu_ held.
  void DrawLocked();

  FILE* out_;
  const bool live_;
  const bool ansi_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;       // guarded by mu_
  LiveState state_;             // guarded by mu_
  ScreenWriter writer_;         // guarded by mu_
  bool printed_any_ = false;    // guarded by mu_ (plain mode)
  uint32_t printed_round_ = 0;  // guarded by mu_ (plain mode)
  v1::VerificationState printed_state_ =
      v1::VERIFICATION_STATE_UNSPECIFIED;  // guarded by mu_
  std::thread ticker_;
};

}  // namespace propwatch

#endif  // PROPWATCH_CLI_WATCH_DISPLAY_H_
