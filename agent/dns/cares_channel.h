// One logical c-ares channel (a fixed, ordered list of servers) whose
// sockets and single deadline are driven by an EventLoop: c-ares reports
// socket interest through ARES_OPT_SOCK_STATE_CB, the loop calls
// ares_process_fd() on readiness, and one loop timer is re-armed from
// ares_timeout() after every processing step (the pattern of
// ares_process(3) and Envoy's c-ares resolver; c-ares 1.18 has no event
// thread).
//
// Every query gets its own ares_channel ("lane") and so its own UDP socket,
// whose source port the kernel picks at random: a spoofer has to guess the
// port as well as the 16-bit ID, as with real resolvers (RFC 5452 section
// 9.2). c-ares 1.18 reuses one UDP socket per server for every query of a
// channel and has no ARES_OPT_UDP_MAX_QUERIES (1.20), hence the lanes. A lane
// is configured entirely from options (it reads no resolv.conf) and is
// destroyed once its query completes.
//
// Threading: loop thread only. Destroy every channel before its loop: the
// destructor unregisters the channel's sockets and timer from the loop.
#ifndef PROPWATCH_AGENT_DNS_CARES_CHANNEL_H_
#define PROPWATCH_AGENT_DNS_CARES_CHANNEL_H_

#include <ares.h>

#include <cstdint>
#include <functional>
#include <iterator>
#include <list>
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

  // Sends a complete query message (ares_send assigns its ID) from a fresh
  // socket. `done` runs exactly once, possibly before Send returns when
  // c-ares fails at once (e.g. no socket could be opened).
  void Send(absl::Span<const uint8_t> query, Completion done);

  // Queries handed to c-ares and not completed yet.
  size_t pending() const { return pending_; }
  // True while queries are outstanding or c-ares is running on the stack;
  // a busy channel must not be destroyed.
  bool busy() const { return pending_ > 0 || dispatch_depth_ > 0; }
  const std::vector<HostPort>& servers() const { return servers_; }

 private:
  // One ares_channel carrying one query.
  struct Lane {
    CaresChannel* owner = nullptr;
    ares_channel channel = nullptr;
    Completion done;
    bool finished = false;  // `done` has run; destroy when off the stack
  };
  using LaneList = std::list<Lane>;

  CaresChannel(EventLoop* loop, Options options,
               std::vector<ares_addr_port_node> nodes);

  static void SockStateTrampoline(void* data, ares_socket_t fd, int readable,
                                  int writable) {
    auto* lane = static_cast<Lane*>(data);
    lane->owner->OnSockState(lane, fd, readable, writable);
  }
  static void QueryTrampoline(void* arg, int status, int /*timeouts*/,
                              unsigned char* abuf, int alen) {
    auto* lane = static_cast<Lane*>(arg);
    lane->owner->OnQueryDone(lane, status, abuf, alen);
  }

  // A new lane at the end of lanes_, or the ares_init_options status.
  int OpenLane(LaneList::iterator* lane);
  void OnSockState(Lane* lane, ares_socket_t fd, int readable, int writable);
  void OnFdReady(Lane* lane, ares_socket_t fd, uint32_t events);
  void OnTimer();
  void OnQueryDone(Lane* lane, int status, unsigned char* abuf, int alen);
  // Destroys finished lanes; only when no c-ares call is on the stack.
  void ReapLanes();
  void RearmTimer();
  // "ip:port" of the server behind `fd` ("" if unknown), remembered per
  // open socket.
  std::string PeerOf(ares_socket_t fd);
  static std::string QueryPeer(ares_socket_t fd);

  EventLoop* const loop_;
  const std::vector<HostPort> servers_;
  const Options options_;
  // The servers in c-ares form, linked through `next`; never resized.
  const std::vector<ares_addr_port_node> nodes_;
  const std::string single_server_;  // the server when there is only one
  absl::flat_hash_map<ares_socket_t, std::string> peers_;
  // std::list: lanes are handed to c-ares by address.
  LaneList lanes_;
  size_t finished_lanes_ = 0;
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
