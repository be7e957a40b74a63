#include "tests/agent/http/fake_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace propwatch::testing {
namespace {

constexpr int kPollMs = 20;

absl::StatusOr<std::pair<UniqueFd, uint16_t>> BindLoopback() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::InternalError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::InternalError(absl::StrCat("bind: ", strerror(errno)));
  }
  socklen_t length = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &length);
  return std::make_pair(std::move(fd), ntohs(addr.sin_port));
}

// Waits up to kPollMs for `events`; true when ready.
bool WaitFor(int fd, short events) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, kPollMs) > 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakePeer>> FakePeer::Start(
    PeerBehaviour behaviour) {
  auto bound = BindLoopback();
  if (!bound.ok()) return bound.status();
  if (listen(bound->first.get(), 64) != 0) {
    return absl::InternalError(absl::StrCat("listen: ", strerror(errno)));
  }
  std::unique_ptr<FakePeer> peer(new FakePeer(
      std::move(bound->first), bound->second, std::move(behaviour)));
  peer->acceptor_ = std::thread([p = peer.get()] { p->AcceptLoop(); });
  return peer;
}

FakePeer::FakePeer(UniqueFd listener, uint16_t port, PeerBehaviour behaviour)
    : listener_(std::move(listener)),
      port_(port),
      behaviour_(std::move(behaviour)) {}

FakePeer::~FakePeer() {
  stopping_ = true;
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Unblocks workers stuck in send() to a client that stopped reading.
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

void FakePeer::AcceptLoop() {
  while (!stopping_) {
    if (!WaitFor(listener_.get(), POLLIN)) continue;
    int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      behaviour_(fd, stopping_);
      std::lock_guard<std::mutex> inner(mu_);
      open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
      close(fd);
    });
  }
}

absl::StatusOr<RefusingPort> RefusingPort::Create() {
  auto bound = BindLoopback();
  if (!bound.ok()) return bound.status();
  return RefusingPort(std::move(bound->first), bound->second);
}

void ReadRequestHead(int fd, const std::atomic<bool>& stopping) {
  std::string head;
  char buffer[4096];
  while (!stopping && head.find("\r\n\r\n") == std::string::npos &&
         head.size() < (1 << 20)) {
    if (!WaitFor(fd, POLLIN)) continue;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
}

bool SendAll(int fd, std::string_view data, const std::atomic<bool>& stopping) {
  while (!data.empty()) {
    if (stopping) return false;
    if (!WaitFor(fd, POLLOUT)) continue;
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void HoldOpen(int fd, const std::atomic<bool>& stopping) {
  char buffer[4096];
  while (!stopping) {
    if (!WaitFor(fd, POLLIN)) continue;
    if (recv(fd, buffer, sizeof(buffer), 0) <= 0) return;
  }
}

PeerBehaviour NeverAnswer() {
  return [](int fd, const std::atomic<bool>& stopping) {
    ReadRequestHead(fd, stopping);
    HoldOpen(fd, stopping);
  };
}

PeerBehaviour Trickle(absl::Duration interval) {
  return [interval](int fd, const std::atomic<bool>& stopping) {
    ReadRequestHead(fd, stopping);
    const std::string response =
        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
        std::string(1000, 'x');
    for (char c : response) {
      if (!SendAll(fd, std::string_view(&c, 1), stopping)) return;
      const absl::Time next = absl::Now() + interval;
      while (!stopping && absl::Now() < next) {
        absl::SleepFor(absl::Milliseconds(kPollMs));
      }
    }
  };
}

PeerBehaviour HugeBody(uint64_t bytes) {
  return [bytes](int fd, const std::atomic<bool>& stopping) {
    ReadRequestHead(fd, stopping);
    if (!SendAll(fd,
                 absl::StrCat("HTTP/1.1 200 OK\r\nContent-Length: ", bytes,
                              "\r\n\r\n"),
                 stopping)) {
      return;
    }
    const std::string chunk(64 << 10, 'b');
    for (uint64_t sent = 0; sent < bytes;) {
      const uint64_t n = std::min<uint64_t>(chunk.size(), bytes - sent);
      if (!SendAll(fd, std::string_view(chunk.data(), n), stopping)) return;
      sent += n;
    }
    HoldOpen(fd, stopping);
  };
}

PeerBehaviour HugeHeaders(uint64_t total_bytes, uint64_t line_bytes) {
  return [total_bytes, line_bytes](int fd, const std::atomic<bool>& stopping) {
    ReadRequestHead(fd, stopping);
    if (!SendAll(fd, "HTTP/1.1 200 OK\r\n", stopping)) return;
    // Each line's filler goes out in chunks of one small buffer, so the
    // peer's own memory does not grow with line_bytes: tests measure the
    // prober's memory in this same process.
    const std::string filler(64 * 1024, 'h');
    uint64_t sent = 0;
    for (int i = 0; sent < total_bytes; ++i) {
      const std::string name = absl::StrCat("X-Filler-", i, ": ");
      uint64_t left =
          std::max<uint64_t>(line_bytes, name.size() + 3) - name.size() - 2;
      if (!SendAll(fd, name, stopping)) return;
      sent += name.size() + left + 2;
      while (left > 0) {
        const size_t n = std::min<uint64_t>(left, filler.size());
        if (!SendAll(fd, std::string_view(filler.data(), n), stopping)) return;
        left -= n;
      }
      if (!SendAll(fd, "\r\n", stopping)) return;
    }
    if (!SendAll(fd, "Content-Length: 0\r\n\r\n", stopping)) return;
    HoldOpen(fd, stopping);
  };
}

PeerBehaviour Respond(std::string response) {
  return [response](int fd, const std::atomic<bool>& stopping) {
    ReadRequestHead(fd, stopping);
    SendAll(fd, response, stopping);
  };
}

}  // namespace propwatch::testing
