#include "cli/watch_display.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace propwatch {

WatchDisplay::WatchDisplay(FILE* out, bool live, bool ansi, int columns,
                           std::map<std::string, std::string> agent_regions)
    : out_(out), live_(live), ansi_(ansi), writer_(out, columns) {
  state_.agent_regions = std::move(agent_regions);
  if (live_) ticker_ = std::thread([this] { TickerLoop(); });
}

WatchDisplay::~WatchDisplay() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void WatchDisplay::TickerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // Redraw every second so the elapsed time moves between rounds.
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (!stopping_ && printed_any_) DrawLocked();
  }
}

void WatchDisplay::DrawLocked() {
  writer_.Draw(RenderLiveScreen(state_, absl::Now(), ansi_));
}

void WatchDisplay::OnEvent(const v1::VerificationEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  state_.verification = event.verification();
  state_.notice.clear();
  if (event.has_round()) state_.round = event.round();
  if (live_) {
    printed_any_ = true;
    DrawLocked();
    return;
  }
  // Plain mode: a line for the first event, each new round and each state
  // change; a re-opened stream repeats the current state, which is skipped.
  const uint32_t round = state_.round ? state_.round->round() : 0;
  if (printed_any_ && round == printed_round_ &&
      state_.verification.state() == printed_state_) {
    return;
  }
  printed_any_ = true;
  printed_round_ = round;
  printed_state_ = state_.verification.state();
  std::fprintf(out_, "%s\n", RenderEventLine(state_, absl::Now()).c_str());
  std::fflush(out_);
}

void WatchDisplay::OnReconnect(int attempt, const absl::Status& why) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string notice = absl::StrCat("watch interrupted (", why.message(),
                                          "); reconnecting, attempt ", attempt);
  if (live_) {
    state_.notice = notice;
    if (printed_any_) DrawLocked();
    return;
  }
  std::fprintf(out_, "%s\n", notice.c_str());
  std::fflush(out_);
}

void WatchDisplay::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (live_ && printed_any_) {
      DrawLocked();
      writer_.Commit();
    }
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

std::optional<v1::RoundReport> WatchDisplay::last_round() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_.round;
}

}  // namespace propwatch
