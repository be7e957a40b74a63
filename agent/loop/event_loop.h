// Single-threaded epoll event loop: fd watchers, one-shot timers and a
// thread-safe Post(). c-ares and curl-multi register their sockets and their
// single deadline here.
//
// Threading: every method runs on the loop thread, except Post() and Stop(),
// which any thread may call.
#ifndef PROPWATCH_AGENT_LOOP_EVENT_LOOP_H_
#define PROPWATCH_AGENT_LOOP_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/unique_fd.h"

namespace propwatch {

// Readiness bits passed to fd callbacks.
enum FdEvent : uint32_t {
  kFdReadable = 1u << 0,
  kFdWritable = 1u << 1,
  kFdError = 1u << 2,  // EPOLLERR or EPOLLHUP
};

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t events)>;
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  static absl::StatusOr<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` for the FdEvent bits in `events` (kFdReadable|kFdWritable).
  // Calling it again for the same fd replaces the interest and callback.
  // The loop does not own `fd`. REQUIRES: events != 0.
  absl::Status WatchFd(int fd, uint32_t events, FdCallback callback);
  // Changes what a watched `fd` waits for, keeping its callback: no
  // allocation, and no system call when the interest is unchanged. Libraries
  // that re-announce a socket's interest on every transfer step use this.
  // REQUIRES: `fd` is watched; events != 0.
  absl::Status SetInterest(int fd, uint32_t events);
  // Stops watching `fd`. A no-op for unknown fds. Safe from inside callbacks.
  void UnwatchFd(int fd);

  // Runs `task` once at or after `when`. Returns an id for CancelTimer.
  TimerId RunAt(absl::Time when, Task task);
  TimerId RunAfter(absl::Duration delay, Task task) {
    return RunAt(Now() + delay, std::move(task));
  }
  // Cancels a pending timer; a no-op for fired or unknown ids.
  void CancelTimer(TimerId id);

  // Thread-safe: queue `task` to run on the loop thread soon.
  void Post(Task task);
  // Thread-safe: make Run() return after the current iteration.
  void Stop();

  // Runs until Stop(). REQUIRES: called from one thread only.
  void Run();
  // Runs one iteration waiting at most `max_wait`; returns after dispatching.
  void RunOnce(absl::Duration max_wait);

  absl::Time Now() const { return absl::Now(); }
  size_t watched_fds() const { return watchers_.size(); }
  size_t pending_timers() const { return timer_tasks_.size(); }

 private:
  EventLoop(UniqueFd epoll_fd, UniqueFd wake_fd);
  void DrainPosted();
  void FireDueTimers();

  struct Watcher {
    uint32_t events = 0;
    std::shared_ptr<FdCallback> callback;
  };
  struct TimerEntry {
    absl::Time when;
    TimerId id;
    bool operator>(const TimerEntry& o) const {
      return when != o.when ? when > o.when : id > o.id;
    }
  };

  UniqueFd epoll_fd_;
  UniqueFd wake_fd_;
  absl::flat_hash_map<int, Watcher> watchers_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>,
                      std::greater<TimerEntry>>
      timer_heap_;
  // Cancelled ids are erased here; the heap drops them lazily.
  absl::flat_hash_map<TimerId, Task> timer_tasks_;
  TimerId next_timer_id_ = 1;

  std::mutex posted_mu_;
  std::vector<Task> posted_;     // guarded by posted_mu_
  bool stop_requested_ = false;  // guarded by posted_mu_
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_LOOP_EVENT_LOOP_H_
