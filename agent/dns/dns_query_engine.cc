#include "agent/dns/dns_query_engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/cares_status.h"
#include "agent/dns/dns_query.h"
#include "common/unique_fd.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::ErrorClass;

std::string ServerList(const std::vector<HostPort>& servers) {
  return absl::StrJoin(servers, ", ",
                       [](std::string* out, const HostPort& server) {
                         out->append(FormatHostPort(server));
                       });
}

}  // namespace

std::pair<ErrorClass, std::string> ClassifyConnectFailure(
    const HostPort& server) {
  sockaddr_storage address;
  std::memset(&address, 0, sizeof(address));
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  bool is_v6 = false;
  if (inet_pton(AF_INET, server.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(server.port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, server.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(server.port);
    length = sizeof(sockaddr_in6);
    is_v6 = true;
  } else {
    return {propwatch::v1::ERROR_CLASS_INTERNAL,
            absl::StrCat("'", server.host, "' is not an IP address")};
  }
  const std::string where = FormatHostPort(server);
  // A UDP connect() sends nothing; it only consults the routing table.
  UniqueFd probe(socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) {
    if (errno == EAFNOSUPPORT && is_v6) {
      return {propwatch::v1::ERROR_CLASS_UNSUPPORTED,
              absl::StrCat("cannot reach ", where, ": this host has no IPv6")};
    }
    return {propwatch::v1::ERROR_CLASS_INTERNAL,
            absl::StrCat("cannot open a socket to ", where, ": ",
                         std::strerror(errno))};
  }
  if (connect(probe.get(), reinterpret_cast<sockaddr*>(&address), length) !=
      0) {
    const int error = errno;
    if (is_v6 && (error == ENETUNREACH || error == EADDRNOTAVAIL ||
                  error == EHOSTUNREACH)) {
      return {propwatch::v1::ERROR_CLASS_UNSUPPORTED,
              absl::StrCat("cannot reach ", where, ": no IPv6 route (",
                           std::strerror(error), ")")};
    }
    return {propwatch::v1::ERROR_CLASS_NETWORK,
            absl::StrCat("cannot reach ", where, ": ", std::strerror(error))};
  }
  return {propwatch::v1::ERROR_CLASS_REFUSED,
          absl::StrCat(where,
                       " refused the connection (ICMP port unreachable "
                       "or TCP reset)")};
}

absl::StatusOr<std::unique_ptr<DnsQueryEngine>> DnsQueryEngine::Create(
    EventLoop* loop, Options options) {
  if (options.max_in_flight < 1) {
    return absl::InvalidArgumentError("max_in_flight must be at least 1");
  }
  if (options.attempts < 1 || options.attempt_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "attempts and attempt_timeout must be positive");
  }
  return std::unique_ptr<DnsQueryEngine>(
      new DnsQueryEngine(loop, std::move(options)));
}

DnsQueryEngine::DnsQueryEngine(EventLoop* loop, Options options)
    : loop_(loop), options_(std::move(options)) {}

DnsQueryEngine::~DnsQueryEngine() {
  shutting_down_ = true;
  if (flush_timer_ != 0) loop_->CancelTimer(flush_timer_);
  channels_.clear();  // completions see shutting_down_ and return
}

DnsQueryEngine::QueryId DnsQueryEngine::Start(Query query, Callback done) {
  const QueryId id = next_id_++;
  ++defer_depth_;
  if (queued_ >= options_.max_queued) {
    Outcome outcome;
    outcome.server =
        query.servers.empty() ? "" : FormatHostPort(query.servers[0]);
    outcome.error_class = propwatch::v1::ERROR_CLASS_INTERNAL;
    outcome.error_message = absl::StrCat(
        "DNS query queue is full (", options_.max_queued, " waiting); ",
        query.name, " ", TypeName(query.type), " was not sent");
    Deliver(id, std::move(done), std::move(outcome));
  } else {
    Entry entry;
    entry.query = std::move(query);
    entry.done = std::move(done);
    entries_.emplace(id, std::move(entry));
    queue_.push_back(id);
    ++queued_;
    Pump();
  }
  --defer_depth_;
  return id;
}

void DnsQueryEngine::Cancel(QueryId id) {
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    if (!it->second.sent) --queued_;
    // A sent query stays inside c-ares (and in in_flight_) until c-ares
    // finishes it: c-ares 1.18 cannot cancel a single query.
    entries_.erase(it);
    return;
  }
  for (auto d = deferred_.begin(); d != deferred_.end(); ++d) {
    if (d->id == id) {
      deferred_.erase(d);
      return;
    }
  }
}

void DnsQueryEngine::Pump() {
  if (pumping_) return;
  pumping_ = true;
  ++defer_depth_;
  while (in_flight_ < static_cast<size_t>(options_.max_in_flight) &&
         !queue_.empty()) {
    const QueryId id = queue_.front();
    queue_.pop_front();
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;  // cancelled while queued
    --queued_;
    Dispatch(id, it->second);
  }
  --defer_depth_;
  pumping_ = false;
}

void DnsQueryEngine::Dispatch(QueryId id, Entry& entry) {
  const std::string first_server =
      entry.query.servers.empty() ? "" : FormatHostPort(entry.query.servers[0]);
  absl::StatusOr<std::vector<uint8_t>> wire = BuildDnsQuery(
      entry.query.name, entry.query.type, entry.query.recursion_desired);
  absl::StatusOr<CaresChannel*> channel =
      wire.ok() ? ChannelFor(entry.query.servers) : wire.status();
  if (!channel.ok()) {
    Outcome outcome;
    outcome.server = first_server;
    outcome.error_class = propwatch::v1::ERROR_CLASS_INTERNAL;
    outcome.error_message = std::string(channel.status().message());
    Finish(id, std::move(outcome));
    return;
  }
  entry.sent = true;
  entry.sent_at = loop_->Now();
  ++in_flight_;
  // `entry` may be gone once Send returns (a synchronous completion).
  (*channel)->Send(*wire,
                   [this, id](int status, absl::Span<const uint8_t> reply,
                              absl::string_view server) {
                     OnChannelDone(id, status, reply, server);
                   });
}

absl::StatusOr<CaresChannel*> DnsQueryEngine::ChannelFor(
    const std::vector<HostPort>& servers) {
  const std::string key = ServerListKey(servers);
  auto it = channels_.find(key);
  if (it != channels_.end()) {
    it->second.last_used = loop_->Now();
    return it->second.channel.get();
  }
  EvictIdleChannels();
  CaresChannel::Options channel_options;
  channel_options.servers = servers;
  channel_options.attempt_timeout = options_.attempt_timeout;
  channel_options.attempts = options_.attempts;
  absl::StatusOr<std::unique_ptr<CaresChannel>> channel =
      CaresChannel::Create(loop_, std::move(channel_options));
  if (!channel.ok()) return channel.status();
  CaresChannel* raw = channel->get();
  channels_.emplace(key, CachedChannel{*std::move(channel), loop_->Now()});
  return raw;
}

void DnsQueryEngine::EvictIdleChannels() {
  for (;;) {
    size_t idle = 0;
    auto oldest = channels_.end();
    for (auto it = channels_.begin(); it != channels_.end(); ++it) {
      if (it->second.channel->busy()) continue;
      ++idle;
      if (oldest == channels_.end() ||
          it->second.last_used < oldest->second.last_used) {
        oldest = it;
      }
    }
    if (idle < options_.max_idle_channels || oldest == channels_.end()) return;
    channels_.erase(oldest);
  }
}

void DnsQueryEngine::OnChannelDone(QueryId id, int status,
                                   absl::Span<const uint8_t> reply,
                                   absl::string_view server) {
  if (shutting_down_) return;
  --in_flight_;
  auto it = entries_.find(id);
  if (it == entries_.end()) {  // cancelled; its slot is free again
    Pump();
    return;
  }
  const Query& query = it->second.query;
  const std::string question =
      absl::StrCat(query.name, " ", TypeName(query.type));
  Outcome outcome;
  outcome.latency = loop_->Now() - it->second.sent_at;
  outcome.server = !server.empty()         ? std::string(server)
                   : query.servers.empty() ? ""
                                           : FormatHostPort(query.servers[0]);
  if (status == ARES_SUCCESS) {
    absl::StatusOr<DnsMessage> message =
        ParseDnsMessage(reply, options_.parse_limits);
    if (message.ok()) {
      outcome.reply = *std::move(message);
    } else {
      outcome.error_class = propwatch::v1::ERROR_CLASS_MALFORMED;
      outcome.error_message =
          absl::StrCat("reply from ", outcome.server, " for ", question,
                       " is unusable: ", message.status().message());
    }
  } else if (status == ARES_ECONNREFUSED && !query.servers.empty()) {
    auto [error_class, detail] = ClassifyConnectFailure(query.servers[0]);
    outcome.error_class = error_class;
    outcome.error_message =
        absl::StrCat("no reply for ", question, ": ", detail);
  } else if (status == ARES_ETIMEOUT) {
    outcome.error_class = propwatch::v1::ERROR_CLASS_TIMEOUT;
    outcome.error_message = absl::StrCat(
        "no reply from ", ServerList(query.servers), " for ", question,
        " after ", options_.attempts, " tries per server");
  } else {
    outcome.error_class = ErrorClassForCares(status);
    outcome.error_message =
        absl::StrCat("query ", question, " to ", ServerList(query.servers),
                     " failed: ", ares_strerror(status));
  }
  Finish(id, std::move(outcome));
  Pump();
}

void DnsQueryEngine::Finish(QueryId id, Outcome outcome) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Callback done = std::move(it->second.done);
  entries_.erase(it);
  Deliver(id, std::move(done), std::move(outcome));
}

void DnsQueryEngine::Deliver(QueryId id, Callback done, Outcome outcome) {
  if (defer_depth_ == 0) {
    done(std::move(outcome));
    return;
  }
  deferred_.push_back(Deferred{id, std::move(done), std::move(outcome)});
  if (flush_timer_ == 0) {
    flush_timer_ =
        loop_->RunAt(absl::InfinitePast(), [this] { FlushDeferred(); });
  }
}

void DnsQueryEngine::FlushDeferred() {
  flush_timer_ = 0;
  // One at a time: a callback may Cancel a later deferred completion.
  while (!deferred_.empty()) {
    Deferred next = std::move(deferred_.front());
    deferred_.pop_front();
    next.done(std::move(next.outcome));
  }
}

}  // namespace propwatch::dns
