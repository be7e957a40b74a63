#include "agent/dns/cares_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
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
  std::vector<ares_addr_port_node> nodes(options.servers.size());
  for (size_t i = 0; i < options.servers.size(); ++i) {
    const HostPort& server = options.servers[i];
    ares_addr_port_node& node = nodes[i];
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
  std::unique_ptr<CaresChannel> channel(
      new CaresChannel(loop, std::move(options), std::move(nodes)));
  // Open (and drop) one lane now, so a configuration c-ares refuses fails
  // here, naming the servers, rather than on every query.
  LaneList::iterator lane;
  const int status = channel->OpenLane(&lane);
  if (status != ARES_SUCCESS) {
    return CaresError(status,
                      absl::StrCat("ares_init_options(",
                                   ServerListKey(channel->servers_), ")"));
  }
  lane->finished = true;
  ++channel->finished_lanes_;
  channel->ReapLanes();
  return channel;
}

CaresChannel::CaresChannel(EventLoop* loop, Options options,
                           std::vector<ares_addr_port_node> nodes)
    : loop_(loop),
      servers_(options.servers),
      options_(std::move(options)),
      nodes_([&nodes] {
        // Link after the move: `next` points into the final vector.
        for (size_t i = 0; i < nodes.size(); ++i) {
          nodes[i].next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
        }
        return std::move(nodes);
      }()),
      single_server_(servers_.size() == 1 ? FormatHostPort(servers_[0]) : "") {}

CaresChannel::~CaresChannel() {
  ++dispatch_depth_;
  // ares_destroy closes each lane's sockets (unwatching them through
  // OnSockState) and completes its outstanding query with
  // ARES_EDESTRUCTION.
  for (Lane& lane : lanes_) {
    if (lane.channel != nullptr) ares_destroy(lane.channel);
    lane.channel = nullptr;
  }
  lanes_.clear();
  if (timer_ != 0) loop_->CancelTimer(timer_);
}

int CaresChannel::OpenLane(LaneList::iterator* out) {
  lanes_.emplace_back();
  auto lane = std::prev(lanes_.end());
  lane->owner = this;

  ares_options cares_options;
  std::memset(&cares_options, 0, sizeof(cares_options));
  // NOCHECKRESP: deliver SERVFAIL/REFUSED replies instead of trying the next
  // server, so the probe reports what the server said. No STAYOPEN: the
  // lane, and with it its socket, ends with its one query.
  cares_options.flags =
      ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  cares_options.timeout = static_cast<int>(std::max<int64_t>(
      1, absl::ToInt64Milliseconds(options_.attempt_timeout)));
  cares_options.tries = std::max(1, options_.attempts);
  cares_options.sock_state_cb = &CaresChannel::SockStateTrampoline;
  cares_options.sock_state_cb_data = &*lane;
  // Everything c-ares would otherwise look up in resolv.conf and the
  // environment is given here (servers come from ares_set_servers_ports
  // below; lookups, domains and sortlist are unused by ares_send), so a lane
  // costs no file reads.
  cares_options.ndots = 1;
  cares_options.nservers = 0;
  cares_options.ndomains = 0;
  cares_options.nsort = 0;
  char lookups[] = "b";
  cares_options.lookups = lookups;
  const int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                      ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE |
                      ARES_OPT_NDOTS | ARES_OPT_SERVERS | ARES_OPT_DOMAINS |
                      ARES_OPT_SORTLIST | ARES_OPT_LOOKUPS;
  int status = ares_init_options(&lane->channel, &cares_options, optmask);
  if (status == ARES_SUCCESS) {
    status = ares_set_servers_ports(
        lane->channel, const_cast<ares_addr_port_node*>(nodes_.data()));
    if (status != ARES_SUCCESS) ares_destroy(lane->channel);
  }
  if (status != ARES_SUCCESS) {
    lane->channel = nullptr;
    lanes_.erase(lane);
    return status;
  }
  *out = lane;
  return ARES_SUCCESS;
}

void CaresChannel::Send(absl::Span<const uint8_t> query, Completion done) {
  LaneList::iterator lane;
  const int status = OpenLane(&lane);
  if (status != ARES_SUCCESS) {
    spdlog::warn("{}",
                 CaresError(status, absl::StrCat("ares_init_options(",
                                                 ServerListKey(servers_), ")"))
                     .ToString());
    ++dispatch_depth_;
    done(status, {}, "");
    --dispatch_depth_;
    return;
  }
  lane->done = std::move(done);
  ++pending_;
  ++dispatch_depth_;
  ares_send(lane->channel, query.data(), static_cast<int>(query.size()),
            &CaresChannel::QueryTrampoline, &*lane);
  --dispatch_depth_;
  ReapLanes();
  // An armed timer is never later than the new query's first timeout (it
  // was set for a query sent earlier with the same attempt timeout), so
  // c-ares is asked again only when it fires: RearmTimer walks every lane.
  if (timer_ == 0) RearmTimer();
}

void CaresChannel::OnSockState(Lane* lane, ares_socket_t fd, int readable,
                               int writable) {
  if (!readable && !writable) {
    loop_->UnwatchFd(fd);
    peers_.erase(fd);  // the socket is closed; its number may be reused
    return;
  }
  const uint32_t events =
      (readable ? kFdReadable : 0u) | (writable ? kFdWritable : 0u);
  absl::Status watched = loop_->WatchFd(
      fd, events,
      [this, lane, fd](uint32_t ready) { OnFdReady(lane, fd, ready); });
  if (!watched.ok()) {
    // The query on this socket then ends through c-ares' own timeout.
    spdlog::warn("cannot watch c-ares socket {}: {}", fd, watched.ToString());
  }
}

void CaresChannel::OnFdReady(Lane* lane, ares_socket_t fd, uint32_t events) {
  // The lane is alive: destroying it unwatches its sockets first.
  // An error condition is reported to c-ares as readiness in both
  // directions; the failing read or write tells it what went wrong.
  const bool error = events & kFdError;
  const ares_socket_t read_fd =
      (events & kFdReadable) || error ? fd : ARES_SOCKET_BAD;
  const ares_socket_t write_fd =
      (events & kFdWritable) || error ? fd : ARES_SOCKET_BAD;
  ++dispatch_depth_;
  reading_fd_ = read_fd;
  ares_process_fd(lane->channel, read_fd, write_fd);
  reading_fd_ = ARES_SOCKET_BAD;
  --dispatch_depth_;
  ReapLanes();
  // Replies and retries only move deadlines later; see Send().
  if (timer_ == 0) RearmTimer();
}

void CaresChannel::OnTimer() {
  timer_ = 0;
  timer_deadline_ = absl::InfiniteFuture();
  ++dispatch_depth_;
  // Completions may open lanes (a callback sending again); those were just
  // created and need no timeout processing, so stop at the current end.
  const size_t count = lanes_.size();
  auto it = lanes_.begin();
  for (size_t i = 0; i < count; ++i, ++it) {
    if (!it->finished && it->channel != nullptr) {
      ares_process_fd(it->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    }
  }
  --dispatch_depth_;
  ReapLanes();
  RearmTimer();
}

void CaresChannel::ReapLanes() {
  if (dispatch_depth_ > 0 || finished_lanes_ == 0) return;
  ++dispatch_depth_;
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    if (!it->finished) {
      ++it;
      continue;
    }
    // Closes the lane's sockets, unwatching them through OnSockState.
    if (it->channel != nullptr) ares_destroy(it->channel);
    it = lanes_.erase(it);
  }
  finished_lanes_ = 0;
  --dispatch_depth_;
}

void CaresChannel::RearmTimer() {
  absl::Time deadline = absl::InfiniteFuture();
  const absl::Time now = loop_->Now();
  for (Lane& lane : lanes_) {
    if (lane.finished || lane.channel == nullptr) continue;
    timeval wait;
    if (ares_timeout(lane.channel, nullptr, &wait) == nullptr) continue;
    deadline = std::min(deadline, now + absl::DurationFromTimeval(wait));
  }
  if (deadline == absl::InfiniteFuture()) {
    if (timer_ != 0) loop_->CancelTimer(timer_);
    timer_ = 0;
    timer_deadline_ = absl::InfiniteFuture();
    return;
  }
  // An earlier timer is left alone: when it fires, OnTimer asks c-ares again
  // and re-arms, so the loop's timer heap is not churned on every reply.
  if (timer_ != 0 && timer_deadline_ <= deadline) return;
  if (timer_ != 0) loop_->CancelTimer(timer_);
  timer_deadline_ = deadline;
  timer_ = loop_->RunAt(deadline, [this] { OnTimer(); });
}

void CaresChannel::OnQueryDone(Lane* lane, int status, unsigned char* abuf,
                               int alen) {
  Completion done = std::move(lane->done);
  lane->finished = true;
  ++finished_lanes_;
  --pending_;
  absl::Span<const uint8_t> reply;
  std::string server;
  if (status == ARES_SUCCESS && abuf != nullptr && alen >= 0) {
    reply = absl::Span<const uint8_t>(abuf, static_cast<size_t>(alen));
    server = PeerOf(reading_fd_);
  }
  if (done) done(status, reply, server);
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
