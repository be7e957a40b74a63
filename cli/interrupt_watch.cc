#include "cli/interrupt_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

// Where the handler writes; -1 while no InterruptWatch lives.
std::atomic<int> g_signal_pipe{-1};

// The byte the destructor writes to stop the watcher thread.
constexpr unsigned char kStop = 0;

extern "C" void OnInterruptSignal(int signal_number) {
  const int saved_errno = errno;
  const int fd = g_signal_pipe.load();
  if (fd >= 0) {
    const unsigned char byte = static_cast<unsigned char>(signal_number);
    [[maybe_unused]] ssize_t n = write(fd, &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

absl::StatusOr<std::unique_ptr<InterruptWatch>> InterruptWatch::Start(
    std::function<void(int)> on_signal) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(
        absl::StrCat("pipe2 for signal handling: ", std::strerror(errno)));
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  int expected = -1;
  if (!g_signal_pipe.compare_exchange_strong(expected, write_end.get())) {
    return absl::FailedPreconditionError(
        "another InterruptWatch is already active");
  }
  return std::unique_ptr<InterruptWatch>(new InterruptWatch(
      std::move(read_end), std::move(write_end), std::move(on_signal)));
}

InterruptWatch::InterruptWatch(UniqueFd read_end, UniqueFd write_end,
                               std::function<void(int)> on_signal)
    : read_end_(std::move(read_end)),
      write_end_(std::move(write_end)),
      on_signal_(std::move(on_signal)) {
  struct sigaction action {};
  action.sa_handler = &OnInterruptSignal;
  sigemptyset(&action.sa_mask);
  // Interrupted system calls restart; the wait ends through the callback.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
  thread_ = std::thread([this] { Run(); });
}

InterruptWatch::~InterruptWatch() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  g_signal_pipe.store(-1);
  [[maybe_unused]] ssize_t n = write(write_end_.get(), &kStop, 1);
  thread_.join();
}

void InterruptWatch::Run() {
  for (;;) {
    pollfd p{read_end_.get(), POLLIN, 0};
    if (poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    unsigned char byte = kStop;
    const ssize_t n = read(read_end_.get(), &byte, 1);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0 || byte == kStop) return;
    if (signal_.load() != 0) continue;  // the callback runs once
    signal_.store(byte);
    // A second signal now ends the process the usual way.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    on_signal_(byte);
  }
}

}  // namespace propwatch
