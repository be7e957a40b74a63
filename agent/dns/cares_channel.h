// One c-ares channel (a fixed, ordered list of servers) whose sockets and
// single deadline are driven by an EventLoop: c-ares reports socket interest
// through ARES_OPT_SOCK_STATE_CB, the loop calls ares_process_fd() on
// readiness, and one loop timer is re-armed from ares_timeout() after every
// processing step (the pattern of ares_process(3) and Envoy's c-ares
// resolver; c-ares 1.18 has no event thread).
//
// Threading: loop thread only. Destroy every channel before its loop: the
// destructor unregisters the channel's sockets and timer from the loop.
#ifndef PROPWATCH_AGENT_DNS_CARES_CHANNEL_H_
#define PROPWATCH_AGENT_DNS_CARES_CHANNEL_H_

#include <ares.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "agent/loop/event_loop.h"
#include "common/host_port.h"

namespace propwatch::dns {

class CaresChannel {
 public:
  struct Options {
    // IP literals with ports, asked in this order (no rotation).
    std::vector<HostPort> servers;
    // Wait for the first try; c-ares doubles it for every round over the
    // server list and adds jitter.
    absl::Duration attempt_timeout = absl::Seconds(1);
    // Tries per server before c-ares gives up with ARES_ETIMEOUT.
    int attempts = 3;
  };

  // `status` is an ARES_* code. On ARES_SUCCESS `reply` holds the message as
  // received (valid only during the call) and `server` the "ip:port" of the
  // socket it was read from, i.e. the server that truly answered; both are
  // empty otherwise. Replies with any rcode are delivered as ARES_SUCCESS
  // (ARES_FLAG_NOCHECKRESP); a UDP reply with TC set is retried over TCP by
  // c-ares, so `reply` is then the TCP answer.
  using Completion = std::function<void(
      int status, absl::Span<const uint8_t> reply, absl::string_view server)>;

  // REQUIRES: options.servers is not empty and holds IP literals.
  static absl::StatusOr<std::unique_ptr<CaresChannel>> Create(EventLoop* loop,
                                                              Options options);
  // Completes every outstanding query with ARES_EDESTRUCTION.
  ~CaresChannel();
  CaresChannel(const CaresChannel&) = delete;
  CaresChannel& operator=(const CaresChannel&) = delete;

  // Sends a complete query message (ares_send assigns its ID). `done` runs
  // exactly once, possibly before Send returns when c-ares fails at once
  // (e.g. no socket could be opened).
  void Send(absl::Span<const uint8_t> query, Completion done);

  // Queries handed to c-ares and not completed yet.
  size_t pending() const { return pending_; }
  // True while queries are outstanding or c-ares is running on the stack;
  // a busy channel must not be destroyed.
  bool busy() const { return pending_ > 0 || dispatch_depth_ > 0; }
  const std::vector<HostPort>& servers() const { return servers_; }

 private:
  struct PendingQuery {
    CaresChannel* channel;
    Completion done;
  };

  CaresChannel(EventLoop* loop, std::vector<HostPort> servers);

  static void SockStateTrampoline(void* data, ares_socket_t fd, int readable,
                                  int writable) {
    static_cast<CaresChannel*>(data)->OnSockState(fd, readable, writable);
  }
  static void QueryTrampoline(void* arg, int status, int /*timeouts*/,
                              unsigned char* abuf, int alen) {
    static_cast<PendingQuery*>(arg)->channel->OnQueryDone(
        static_cast<PendingQuery*>(arg), status, abuf, alen);
  }

  void OnSockState(ares_socket_t fd, int readable, int writable);
  void OnFdReady(ares_socket_t fd, uint32_t events);
  void OnTimer();
  void OnQueryDone(PendingQuery* query, int status, unsigned char* abuf,
                   int alen);
  void RearmTimer();
  // "ip:port" of the server behind `fd` ("" if unknown), remembered per
  // open socket.
  std::string PeerOf(ares_socket_t fd);
  static std::string QueryPeer(ares_socket_t fd);

  EventLoop* const loop_;
  const std::vector<HostPort> servers_;
  const std::string single_server_;  // the server when there is only one
  absl::flat_hash_map<ares_socket_t, std::string> peers_;
  ares_channel channel_ = nullptr;
  size_t pending_ = 0;
  int dispatch_depth_ = 0;
  // The socket ares_process_fd is reading; a reply completed during that
  // call came from this socket's peer.
  ares_socket_t reading_fd_ = ARES_SOCKET_BAD;
  EventLoop::TimerId timer_ = 0;
  absl::Time timer_deadline_ = absl::InfiniteFuture();
};

// "ip:port" for each server, comma-separated; the channel cache key.
std::string ServerListKey(const std::vector<HostPort>& servers);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_CARES_CHANNEL_H_
