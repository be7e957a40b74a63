#include "agent/link/link_status_file.h"

#include "absl/strings/str_cat.h"
#include "common/replace_file.h"

namespace propwatch {

std::string LinkStatusLine(bool connected, absl::string_view coordinator,
                           absl::Time now, absl::string_view reason) {
  std::string line = absl::StrCat(connected ? "connected " : "disconnected ",
                                  coordinator, " ", absl::ToUnixSeconds(now));
  if (!connected && !reason.empty()) absl::StrAppend(&line, " ", reason);
  // One line whatever the reason says.
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line.push_back('\n');
  return line;
}

LinkStatusFile::LinkStatusFile(std::string path, std::string coordinator,
                               absl::Duration refresh)
    : path_(std::move(path)),
      coordinator_(std::move(coordinator)),
      refresh_(refresh) {}

absl::Status LinkStatusFile::Update(bool connected, absl::string_view reason) {
  if (path_.empty()) return absl::OkStatus();
  const absl::Time now = absl::Now();
  if (written_ && connected == connected_ && reason == reason_ &&
      now - last_write_ < refresh_) {
    return absl::OkStatus();
  }
  const std::string line = LinkStatusLine(connected, coordinator_, now, reason);
  if (absl::Status s = ReplaceFile(path_, line); !s.ok()) {
    const std::string error(s.message());
    if (error == last_error_) return absl::OkStatus();
    last_error_ = error;
    return absl::UnavailableError(
        absl::StrCat("link status file: ", error, " (--status-file)"));
  }
  last_error_.clear();
  written_ = true;
  connected_ = connected;
  reason_ = std::string(reason);
  last_write_ = now;
  return absl::OkStatus();
}

}  // namespace propwatch
