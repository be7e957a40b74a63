// In-process TCP peers on 127.0.0.1 that misbehave in ways a real server
// cannot be configured to: never answering, trickling, endless bodies and
// headers.
#ifndef PROPWATCH_TESTS_AGENT_HTTP_FAKE_PEER_H_
#define PROPWATCH_TESTS_AGENT_HTTP_FAKE_PEER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/unique_fd.h"

namespace propwatch::testing {

// Handles one accepted connection. Must return soon after `stopping` turns
// true; the fd is closed by the peer afterwards.
using PeerBehaviour =
    std::function<void(int fd, const std::atomic<bool>& stopping)>;

// Listens on 127.0.0.1 (port chosen by the kernel) and runs `behaviour` for
// each connection on its own thread. The destructor stops and joins all.
//
// Threading: construct and destroy on one thread; behaviours run on others.
class FakePeer {
 public:
  static absl::StatusOr<std::unique_ptr<FakePeer>> Start(
      PeerBehaviour behaviour);
  ~FakePeer();
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  FakePeer(UniqueFd listener, uint16_t port, PeerBehaviour behaviour);
  void AcceptLoop();

  UniqueFd listener_;
  uint16_t port_;
  PeerBehaviour behaviour_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<int> open_fds_;         // guarded by mu_
  std::vector<std::thread> workers_;  // guarded by mu_
  std::thread acceptor_;
};

// A port on 127.0.0.1 that is bound but never listens: connecting to it is
// refused, and nobody else can take it while this object lives.
class RefusingPort {
 public:
  static absl::StatusOr<RefusingPort> Create();
  uint16_t port() const { return port_; }

 private:
  RefusingPort(UniqueFd fd, uint16_t port) : fd_(std::move(fd)), port_(port) {}
  UniqueFd fd_;
  uint16_t port_;
};

// Reads until the end of the request head, EOF or `stopping`.
void ReadRequestHead(int fd, const std::atomic<bool>& stopping);
// Sends all of `data` unless the peer goes away or `stopping`; false then.
bool SendAll(int fd, std::string_view data, const std::atomic<bool>& stopping);
// Waits until `stopping` or the client closes.
void HoldOpen(int fd, const std::atomic<bool>& stopping);

// Reads the request, then never answers.
PeerBehaviour NeverAnswer();
// Answers a 1000-byte body one byte per `interval`.
PeerBehaviour Trickle(absl::Duration interval);
// Answers 200 with a Content-Length body of `bytes` bytes, sent in 64 KiB
// chunks from one buffer (the peer's memory does not grow with `bytes`).
PeerBehaviour HugeBody(uint64_t bytes);
// Answers 200 with about `total_bytes` of header lines, each `line_bytes`
// long (one huge line when line_bytes >= total_bytes).
PeerBehaviour HugeHeaders(uint64_t total_bytes, uint64_t line_bytes);
// Answers every request with `response` verbatim, then closes.
PeerBehaviour Respond(std::string response);

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_AGENT_HTTP_FAKE_PEER_H_
