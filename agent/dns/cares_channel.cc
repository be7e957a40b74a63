#include "agent/dns/cares_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/cares_status.h"
#include "spdlog/spdlog.h"

namespace propwatch::dns {

std::string ServerListKey(const std::vector<HostPort>& servers) {
  return absl::StrJoin(servers, ",",
                       [](std::string* out, const HostPort& server) {
                         out->append(FormatHostPort(server));
                       });
}

absl::StatusOr<std::unique_ptr<CaresChannel>> CaresChannel::Create(
    EventLoop* loop, Options options) {
  if (absl::Status s = EnsureCaresLibrary(); !s.ok()) return s;
  if (options.servers.empty()) {
    return absl::InvalidArgumentError("a c-ares channel needs a server");
  }
  // Built before ares_init_options because the socket-state callback points
  // at it.
  std::unique_ptr<CaresChannel> channel(
      new CaresChannel(loop, options.servers));

  std::vector<ares_addr_port_node> nodes(options.servers.size());
  for (size_t i = 0; i < options.servers.size(); ++i) {
    const HostPort& server = options.servers[i];
    ares_addr_port_node& node = nodes[i];
    node.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
    node.udp_port = server.port;
    node.tcp_port = server.port;
    if (inet_pton(AF_INET, server.host.c_str(), &node.addr.addr4) == 1) {
      node.family = AF_INET;
    } else if (inet_pton(AF_INET6, server.host.c_str(), &node.addr.addr6) ==
               1) {
      node.family = AF_INET6;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("DNS server '", server.host, "' is not an IP address"));
    }
  }

  ares_options cares_options;
  std::memset(&cares_options, 0, sizeof(cares_options));
  // NOCHECKRESP: deliver SERVFAIL/REFUSED replies instead of trying the next
  // server, so the probe reports what the server said. STAYOPEN: keep the
  // UDP socket of a cached channel between bursts of queries.
  cares_options.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN |
                        ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  cares_options.timeout = static_cast<int>(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(options.attempt_timeout)));
  cares_options.tries = std::max(1, options.attempts);
  cares_options.sock_state_cb = &CaresChannel::SockStateTrampoline;
  cares_options.sock_state_cb_data = channel.get();
  const int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                      ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE;
  int status = ares_init_options(&channel->channel_, &cares_options, optmask);
  if (status != ARES_SUCCESS) {
    channel->channel_ = nullptr;
    return CaresError(status, "ares_init_options");
  }
  status = ares_set_servers_ports(channel->channel_, nodes.data());
  if (status != ARES_SUCCESS) {
    return CaresError(status,
                      absl::StrCat("ares_set_servers_ports(",
                                   ServerListKey(options.servers), ")"));
  }
  return channel;
}

CaresChannel::CaresChannel(EventLoop* loop, std::vector<HostPort> servers)
    : loop_(loop),
      servers_(std::move(servers)),
      single_server_(servers_.size() == 1 ? FormatHostPort(servers_[0]) : "") {}

CaresChannel::~CaresChannel() {
  if (channel_ != nullptr) {
    ++dispatch_depth_;
    // Closes the sockets (unwatching them through OnSockState) and completes
    // outstanding queries with ARES_EDESTRUCTION.
    ares_destroy(channel_);
    channel_ = nullptr;
  }
  if (timer_ != 0) loop_->CancelTimer(timer_);
}

void CaresChannel::Send(absl::Span<const uint8_t> query, Completion done) {
  auto* pending = new PendingQuery{this, std::move(done)};
  ++pending_;
  ++dispatch_depth_;
  ares_send(channel_, query.data(), static_cast<int>(query.size()),
            &CaresChannel::QueryTrampoline, pending);
  --dispatch_depth_;
  // An armed timer is never later than the new query's first timeout (it
  // was set for a query sent earlier with the same attempt timeout), so
  // c-ares is asked again only when it fires: ares_timeout walks every
  // outstanding query.
  if (timer_ == 0) RearmTimer();
}

void CaresChannel::OnSockState(ares_socket_t fd, int readable, int writable) {
  if (!readable && !writable) {
    loop_->UnwatchFd(fd);
    peers_.erase(fd);  // the socket is closed; its number may be reused
    return;
  }
  const uint32_t events =
      (readable ? kFdReadable : 0u) | (writable ? kFdWritable : 0u);
  absl::Status watched = loop_->WatchFd(
      fd, events, [this, fd](uint32_t ready) { OnFdReady(fd, ready); });
  if (!watched.ok()) {
    // The query on this socket then ends through c-ares' own timeout.
    spdlog::warn("cannot watch c-ares socket {}: {}", fd, watched.ToString());
  }
}

void CaresChannel::OnFdReady(ares_socket_t fd, uint32_t events) {
  // An error condition is reported to c-ares as readiness in both
  // directions; the failing read or write tells it what went wrong.
  const bool error = events & kFdError;
  const ares_socket_t read_fd =
      (events & kFdReadable) || error ? fd : ARES_SOCKET_BAD;
  const ares_socket_t write_fd =
      (events & kFdWritable) || error ? fd : ARES_SOCKET_BAD;
  ++dispatch_depth_;
  reading_fd_ = read_fd;
  ares_process_fd(channel_, read_fd, write_fd);
  reading_fd_ = ARES_SOCKET_BAD;
  --dispatch_depth_;
  // Replies and retries only move deadlines later; see Send().
  if (timer_ == 0) RearmTimer();
}

void CaresChannel::OnTimer() {
  timer_ = 0;
  timer_deadline_ = absl::InfiniteFuture();
  ++dispatch_depth_;
  ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  --dispatch_depth_;
  RearmTimer();
}

void CaresChannel::RearmTimer() {
  if (channel_ == nullptr) return;
  timeval wait;
  if (ares_timeout(channel_, nullptr, &wait) == nullptr) {
    if (timer_ != 0) loop_->CancelTimer(timer_);
    timer_ = 0;
    timer_deadline_ = absl::InfiniteFuture();
    return;
  }
  const absl::Time deadline = loop_->Now() + absl::DurationFromTimeval(wait);
  // An earlier timer is left alone: when it fires, OnTimer asks c-ares again
  // and re-arms, so the loop's timer heap is not churned on every reply.
  if (timer_ != 0 && timer_deadline_ <= deadline) return;
  if (timer_ != 0) loop_->CancelTimer(timer_);
  timer_deadline_ = deadline;
  timer_ = loop_->RunAt(deadline, [this] { OnTimer(); });
}

void CaresChannel::OnQueryDone(PendingQuery* query, int status,
                               unsigned char* abuf, int alen) {
  std::unique_ptr<PendingQuery> owned(query);
  --pending_;
  absl::Span<const uint8_t> reply;
  std::string server;
  if (status == ARES_SUCCESS && abuf != nullptr && alen >= 0) {
    reply = absl::Span<const uint8_t>(abuf, static_cast<size_t>(alen));
    server = PeerOf(reading_fd_);
  }
  owned->done(status, reply, server);
}

std::string CaresChannel::PeerOf(ares_socket_t fd) {
  // Only one server could have answered: no system call per reply.
  if (servers_.size() == 1) return single_server_;
  if (fd == ARES_SOCKET_BAD) return "";
  auto cached = peers_.find(fd);
  if (cached != peers_.end()) return cached->second;
  std::string peer = QueryPeer(fd);
  if (!peer.empty()) peers_.emplace(fd, peer);
  return peer;
}

std::string CaresChannel::QueryPeer(ares_socket_t fd) {
  sockaddr_storage peer;
  socklen_t length = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) {
    return "";
  }
  char text[INET6_ADDRSTRLEN];
  if (peer.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return FormatHostPort({text, ntohs(v4->sin_port)});
  }
  if (peer.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return FormatHostPort({text, ntohs(v6->sin6_port)});
  }
  return "";
}

}  // namespace propwatch::dns
