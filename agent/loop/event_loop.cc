#include "agent/loop/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

uint32_t ToEpoll(uint32_t events) {
  uint32_t out = 0;
  if (events & kFdReadable) out |= EPOLLIN;
  if (events & kFdWritable) out |= EPOLLOUT;
  return out;
}

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create() {
  UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd.valid()) return ErrnoStatus("epoll_create1");
  UniqueFd wake_fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd.valid()) return ErrnoStatus("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd.get();
  if (epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, wake_fd.get(), &ev) != 0) {
    return ErrnoStatus("epoll_ctl(eventfd)");
  }
  return std::unique_ptr<EventLoop>(
      new EventLoop(std::move(epoll_fd), std::move(wake_fd)));
}

EventLoop::EventLoop(UniqueFd epoll_fd, UniqueFd wake_fd)
    : epoll_fd_(std::move(epoll_fd)), wake_fd_(std::move(wake_fd)) {}

EventLoop::~EventLoop() = default;

absl::Status EventLoop::WatchFd(int fd, uint32_t events, FdCallback callback) {
  auto it = watchers_.find(fd);
  if (it == watchers_.end() || it->second.events != events) {
    epoll_event ev{};
    ev.events = ToEpoll(events);
    ev.data.fd = fd;
    const int op = it == watchers_.end() ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(epoll_fd_.get(), op, fd, &ev) != 0) {
      return ErrnoStatus(absl::StrCat("epoll_ctl(fd ", fd, ")"));
    }
  }
  Watcher& w = watchers_[fd];
  w.events = events;
  w.callback = std::make_shared<FdCallback>(std::move(callback));
  return absl::OkStatus();
}

absl::Status EventLoop::SetInterest(int fd, uint32_t events) {
  auto it = watchers_.find(fd);
  if (it == watchers_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("fd ", fd, " is not watched"));
  }
  if (it->second.events == events) return absl::OkStatus();
  epoll_event ev{};
  ev.events = ToEpoll(events);
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) {
    return ErrnoStatus(absl::StrCat("epoll_ctl(fd ", fd, ")"));
  }
  it->second.events = events;
  return absl::OkStatus();
}

void EventLoop::UnwatchFd(int fd) {
  auto it = watchers_.find(fd);
  if (it == watchers_.end()) return;
  // The fd may already be closed by its owner, which removes it from epoll by
  // itself; ENOENT/EBADF are therefore expected and ignored.
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watchers_.erase(it);
}

EventLoop::TimerId EventLoop::RunAt(absl::Time when, Task task) {
  const TimerId id = next_timer_id_++;
  timer_heap_.push(TimerEntry{when, id});
  timer_tasks_.emplace(id, std::move(task));
  return id;
}

void EventLoop::CancelTimer(TimerId id) { timer_tasks_.erase(id); }

void EventLoop::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(task));
  }
  const uint64_t one = 1;
  // A full eventfd counter already guarantees a wake-up, so EAGAIN is fine.
  [[maybe_unused]] ssize_t n = write(wake_fd_.get(), &one, sizeof(one));
}

void EventLoop::Stop() {
  Post([this] {
    std::lock_guard<std::mutex> lock(posted_mu_);
    stop_requested_ = true;
  });
}

void EventLoop::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(posted_mu_);
      if (stop_requested_) {
        stop_requested_ = false;
        return;
      }
    }
    RunOnce(absl::InfiniteDuration());
  }
}

void EventLoop::RunOnce(absl::Duration max_wait) {
  // Skip cancelled entries so the wait is computed from a live timer.
  while (!timer_heap_.empty() && !timer_tasks_.contains(timer_heap_.top().id)) {
    timer_heap_.pop();
  }
  absl::Duration wait = max_wait;
  if (!timer_heap_.empty()) {
    wait = std::min(wait, timer_heap_.top().when - Now());
  }
  int timeout_ms = -1;
  if (wait < absl::InfiniteDuration()) {
    // Round up so a timer is never woken for just before it is due.
    timeout_ms = static_cast<int>(std::max<int64_t>(
        0, absl::ToInt64Milliseconds(wait + absl::Microseconds(999))));
  }
  epoll_event events[64];
  const int n = epoll_wait(epoll_fd_.get(), events, 64, timeout_ms);
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_.get()) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = read(wake_fd_.get(), &count, sizeof(count));
      continue;
    }
    auto it = watchers_.find(fd);
    if (it == watchers_.end()) continue;  // unwatched by an earlier callback
    uint32_t fired = 0;
    if (events[i].events & EPOLLIN) fired |= kFdReadable;
    if (events[i].events & EPOLLOUT) fired |= kFdWritable;
    if (events[i].events & (EPOLLERR | EPOLLHUP)) fired |= kFdError;
    // Hold the callback alive even if it unwatches or rewatches its own fd.
    std::shared_ptr<FdCallback> callback = it->second.callback;
    (*callback)(fired);
  }
  FireDueTimers();
  DrainPosted();
}

void EventLoop::FireDueTimers() {
  const absl::Time now = Now();
  while (!timer_heap_.empty() && timer_heap_.top().when <= now) {
    const TimerId id = timer_heap_.top().id;
    timer_heap_.pop();
    auto it = timer_tasks_.find(id);
    if (it == timer_tasks_.end()) continue;
    Task task = std::move(it->second);
    timer_tasks_.erase(it);
    task();
  }
}

void EventLoop::DrainPosted() {
  std::vector<Task> tasks;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    tasks.swap(posted_);
  }
  for (Task& task : tasks) task();
}

}  // namespace propwatch
