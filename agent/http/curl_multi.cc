#include "agent/http/curl_multi.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/http/curl_global.h"

namespace propwatch {

absl::StatusOr<std::unique_ptr<CurlMulti>> CurlMulti::Create(EventLoop* loop) {
  if (absl::Status init = EnsureCurlGlobalInit(); !init.ok()) return init;
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::InternalError("curl_multi_init failed");
  std::unique_ptr<CurlMulti> out(new CurlMulti(loop, multi));
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &SocketTrampoline);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, out.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &TimerTrampoline);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, out.get());
  return out;
}

CurlMulti::CurlMulti(EventLoop* loop, CURLM* multi)
    : loop_(loop), multi_(multi) {}

CurlMulti::~CurlMulti() {
  // Detach first: curl_multi_cleanup refuses to tidy handles still attached,
  // and their owners free them after this object is gone.
  for (auto& [easy, done] : done_callbacks_) {
    curl_multi_remove_handle(multi_, easy);
  }
  done_callbacks_.clear();
  curl_multi_cleanup(multi_);
  // Cleanup may have reported some sockets removed; whatever it did not must
  // still leave the loop, whose callbacks would otherwise point at us.
  for (curl_socket_t fd : watched_fds_) loop_->UnwatchFd(fd);
  if (timer_id_ != 0) loop_->CancelTimer(timer_id_);
}

absl::Status CurlMulti::Add(CURL* easy, DoneCallback done) {
  if (done_callbacks_.contains(easy)) {
    return absl::FailedPreconditionError("easy handle is already running");
  }
  const CURLMcode rc = curl_multi_add_handle(multi_, easy);
  if (rc != CURLM_OK) {
    return absl::InternalError(
        absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(rc)));
  }
  done_callbacks_.emplace(easy, std::move(done));
  return absl::OkStatus();
}

void CurlMulti::Remove(CURL* easy) {
  auto it = done_callbacks_.find(easy);
  if (it == done_callbacks_.end()) return;
  done_callbacks_.erase(it);
  curl_multi_remove_handle(multi_, easy);
}

int CurlMulti::SocketTrampoline(CURL*, curl_socket_t fd, int what, void* userp,
                                void*) {
  return static_cast<CurlMulti*>(userp)->OnSocket(fd, what);
}

int CurlMulti::TimerTrampoline(CURLM*, long timeout_ms, void* userp) {
  return static_cast<CurlMulti*>(userp)->OnTimer(timeout_ms);
}

int CurlMulti::OnSocket(curl_socket_t fd, int what) {
  if (what == CURL_POLL_REMOVE) {
    loop_->UnwatchFd(fd);
    watched_fds_.erase(fd);
    return 0;
  }
  uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= kFdReadable;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= kFdWritable;
  if (events == 0) {
    // CURL_POLL_NONE: keep the fd known but wait for nothing on it.
    loop_->UnwatchFd(fd);
    watched_fds_.erase(fd);
    return 0;
  }
  // libcurl announces each change of a socket's interest (connect: out,
  // then in); only the first sets up the watcher.
  absl::Status watched =
      watched_fds_.contains(fd)
          ? loop_->SetInterest(fd, events)
          : loop_->WatchFd(fd, events, [this, fd](uint32_t ready) {
              OnFdReady(fd, ready);
            });
  if (!watched.ok()) {
    // -1 makes libcurl fail the transfers on this socket instead of hanging.
    spdlog::error("curl multi: cannot watch fd {}: {}", fd, watched.ToString());
    return -1;
  }
  watched_fds_.insert(fd);
  return 0;
}

int CurlMulti::OnTimer(long timeout_ms) {
  if (timer_id_ != 0) {
    loop_->CancelTimer(timer_id_);
    timer_id_ = 0;
  }
  if (timeout_ms < 0) return 0;  // libcurl wants no timer
  // Never call curl_multi_socket_action from here: libcurl forbids recursion,
  // so even a zero timeout goes through the loop.
  timer_id_ = loop_->RunAfter(absl::Milliseconds(timeout_ms),
                              [this] { OnTimerExpired(); });
  return 0;
}

void CurlMulti::OnFdReady(curl_socket_t fd, uint32_t events) {
  int mask = 0;
  if (events & kFdReadable) mask |= CURL_CSELECT_IN;
  if (events & kFdWritable) mask |= CURL_CSELECT_OUT;
  if (events & kFdError) mask |= CURL_CSELECT_ERR;
  SocketAction(fd, mask);
}

void CurlMulti::OnTimerExpired() {
  timer_id_ = 0;
  SocketAction(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMulti::SocketAction(curl_socket_t fd, int event_mask) {
  int running = 0;
  const CURLMcode rc =
      curl_multi_socket_action(multi_, fd, event_mask, &running);
  if (rc != CURLM_OK) {
    spdlog::error("curl_multi_socket_action(fd {}): {}", fd,
                  curl_multi_strerror(rc));
  }
  DrainCompleted();
}

void CurlMulti::DrainCompleted() {
  int queued = 0;
  // A done callback may remove other handles; curl_multi_remove_handle drops
  // their queued messages, so every message read here is still current.
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result;
    auto it = done_callbacks_.find(easy);
    if (it == done_callbacks_.end()) continue;
    DoneCallback done = std::move(it->second);
    done_callbacks_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    done(result);
  }
}

}  // namespace propwatch
