// One libcurl multi handle driven by the agent's EventLoop.
#ifndef PROPWATCH_AGENT_HTTP_CURL_MULTI_H_
#define PROPWATCH_AGENT_HTTP_CURL_MULTI_H_

#include <curl/curl.h>

#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/loop/event_loop.h"

namespace propwatch {

// libcurl tells this class which sockets to watch and one deadline
// (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION, as in curl's
// docs/examples/ephiperfifo.c); the loop calls curl_multi_socket_action back
// on readiness or expiry, and every finished transfer is reported to the
// callback given to Add().
//
// Threading: loop thread only. REQUIRES: the loop outlives this object (the
// destructor unregisters its fds and timer from the loop). Done callbacks may
// Add() and Remove() transfers but must not destroy the CurlMulti.
class CurlMulti {
 public:
  // Receives the transfer's final CURLcode once the handle is detached.
  using DoneCallback = std::function<void(CURLcode result)>;

  static absl::StatusOr<std::unique_ptr<CurlMulti>> Create(EventLoop* loop);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts the configured transfer `easy`. `done` runs once on the loop
  // thread after the transfer ends and the handle is detached, unless
  // Remove() comes first. The caller keeps ownership of `easy` and keeps it
  // alive until then. REQUIRES: not called from inside a libcurl callback.
  absl::Status Add(CURL* easy, DoneCallback done);

  // Detaches `easy` without running its callback. A no-op for handles this
  // object does not hold. REQUIRES: not called from inside a libcurl callback.
  void Remove(CURL* easy);

  // Transfers added and not yet finished or removed.
  size_t active() const { return done_callbacks_.size(); }

 private:
  CurlMulti(EventLoop* loop, CURLM* multi);

  static int SocketTrampoline(CURL* easy, curl_socket_t fd, int what,
                              void* userp, void* socketp);
  static int TimerTrampoline(CURLM* multi, long timeout_ms, void* userp);
  int OnSocket(curl_socket_t fd, int what);
  int OnTimer(long timeout_ms);
  void OnFdReady(curl_socket_t fd, uint32_t events);
  void OnTimerExpired();
  void SocketAction(curl_socket_t fd, int event_mask);
  void DrainCompleted();

  EventLoop* const loop_;
  CURLM* multi_;
  absl::flat_hash_map<CURL*, DoneCallback> done_callbacks_;
  absl::flat_hash_set<curl_socket_t> watched_fds_;
  EventLoop::TimerId timer_id_ = 0;  // 0: no timer pending
};

using CurlMultiPtr = std::unique_ptr<CurlMulti>;

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_HTTP_CURL_MULTI_H_
