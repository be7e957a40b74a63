// Runs single DNS questions against server lists on one EventLoop: builds the
// query (with or without RD), sends it through a cached CaresChannel per
// server list, parses the reply with bounds, and reports one Outcome.
//
// Bounds: at most Options::max_in_flight queries are inside c-ares at once
// (the rest wait in FIFO order, at most max_queued of them); replies over
// parse_limits are reported as MALFORMED; idle channels beyond
// max_idle_channels are destroyed, least recently used first.
//
// Threading: loop thread only. Destroy before the loop. Callbacks never run
// before Start returns, and never after Cancel or destruction.
#ifndef PROPWATCH_AGENT_DNS_DNS_QUERY_ENGINE_H_
#define PROPWATCH_AGENT_DNS_DNS_QUERY_ENGINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/dns/cares_channel.h"
#include "agent/dns/dns_message.h"
#include "agent/loop/event_loop.h"
#include "common/host_port.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

class DnsQueryEngine {
 public:
  struct Options {
    // Queries inside c-ares at once, counting ones whose caller has given
    // up (Cancel) until c-ares itself finishes them.
    int max_in_flight = 512;
    // Queries waiting for a slot; Start fails with INTERNAL beyond this.
    size_t max_queued = 100000;
    // Cached channels kept when idle.
    size_t max_idle_channels = 64;
    // Per-channel c-ares retry schedule (see CaresChannel::Options).
    absl::Duration attempt_timeout = absl::Seconds(1);
    int attempts = 3;
    DnsParseLimits parse_limits;
  };

  struct Query {
    // Asked in order; the first one that answers wins.
    std::vector<HostPort> servers;
    std::string name;
    uint16_t type = kTypeA;
    bool recursion_desired = true;
  };

  struct Outcome {
    // The parsed reply, whatever its rcode; empty when none arrived or it
    // did not parse (then error_class/error_message say why).
    std::optional<DnsMessage> reply;
    // "ip:port" that sent the reply; without a reply, the first server asked.
    std::string server;
    // From handing the query to c-ares to the reply or failure.
    absl::Duration latency;
    propwatch::v1::ErrorClass error_class =
        propwatch::v1::ERROR_CLASS_UNSPECIFIED;
    std::string error_message;
  };

  using QueryId = uint64_t;
  using Callback = std::function<void(Outcome)>;

  static absl::StatusOr<std::unique_ptr<DnsQueryEngine>> Create(
      EventLoop* loop, Options options);
  ~DnsQueryEngine();
  DnsQueryEngine(const DnsQueryEngine&) = delete;
  DnsQueryEngine& operator=(const DnsQueryEngine&) = delete;

  // Starts (or queues) `query`; `done` runs exactly once unless cancelled.
  QueryId Start(Query query, Callback done);
  // Forgets the query: its callback will not run. A no-op for finished or
  // unknown ids.
  void Cancel(QueryId id);

  size_t in_flight() const { return in_flight_; }
  size_t queued() const { return queued_; }
  size_t channels() const { return channels_.size(); }

 private:
  struct Entry {
    Query query;
    Callback done;
    bool sent = false;
    absl::Time sent_at;
  };
  struct CachedChannel {
    std::unique_ptr<CaresChannel> channel;
    absl::Time last_used;
  };

  DnsQueryEngine(EventLoop* loop, Options options);
  void Pump();
  void Dispatch(QueryId id, Entry& entry);
  absl::StatusOr<CaresChannel*> ChannelFor(
      const std::vector<HostPort>& servers);
  void EvictIdleChannels();
  void OnChannelDone(QueryId id, int status, absl::Span<const uint8_t> reply,
                     absl::string_view server);
  void Finish(QueryId id, Outcome outcome);
  // Runs `done` now, or later from the loop while Start or Pump is on the
  // stack, so callers never see a callback inside their own Start.
  void Deliver(QueryId id, Callback done, Outcome outcome);
  void FlushDeferred();

  struct Deferred {
    QueryId id;
    Callback done;
    Outcome outcome;
  };

  EventLoop* const loop_;
  const Options options_;
  QueryId next_id_ = 1;
  absl::flat_hash_map<QueryId, Entry> entries_;
  std::deque<QueryId> queue_;  // may hold ids cancelled while queued
  size_t queued_ = 0;
  size_t in_flight_ = 0;
  absl::flat_hash_map<std::string, CachedChannel> channels_;
  bool pumping_ = false;
  bool shutting_down_ = false;
  int defer_depth_ = 0;
  std::deque<Deferred> deferred_;
  EventLoop::TimerId flush_timer_ = 0;
};

// Tells why a socket to `server` could not be used, since c-ares 1.18 reports
// every such failure as ARES_ECONNREFUSED: UNSUPPORTED when the host has no
// route for the server's family (typically IPv6), NETWORK for other
// unreachable errors, REFUSED when a route exists (the server refused).
std::pair<propwatch::v1::ErrorClass, std::string> ClassifyConnectFailure(
    const HostPort& server);

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_QUERY_ENGINE_H_
