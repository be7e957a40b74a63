// Runs DnsProbeSpecs: one hostname, its record types, one resolver kind, one
// deadline. Produces one DnsResult per (record type, server asked) and hands
// them all to the probe's completion callback.
//
//   system         the agent's resolvers (constructor list, else
//                  /etc/resolv.conf), RD=1, c-ares fails over in order;
//                  `server` is the one whose socket carried the reply.
//   address        one explicit "ip[:port]" resolver, RD=1.
//   authoritative  the zone's NS set found through a bootstrap resolver
//                  (AuthoritativeDiscovery), then every NS address asked
//                  directly with RD=0 on AuthoritativeResolver.port (0 means
//                  53); one result per (type, NS address), with
//                  authoritative_answer from the AA bit.
//
// Every probe ends by its deadline (spec timeout, default 5 s) through its
// own loop timer: whatever is unanswered then reports TIMEOUT. Expectations
// in the spec are evaluated into each result's `failures`.
//
// Threading: loop thread only. Completion callbacks run on the loop thread,
// never inside Start or Cancel and never inside c-ares processing, so a
// callback may start, cancel or destroy anything, including the prober.
// Destroy the prober before the loop; pending callbacks are then dropped.
#ifndef PROPWATCH_AGENT_DNS_DNS_PROBER_H_
#define PROPWATCH_AGENT_DNS_DNS_PROBER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/dns/authoritative_discovery.h"
#include "agent/dns/dns_query_engine.h"
#include "agent/loop/event_loop.h"
#include "common/host_port.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::dns {

class DnsProber {
 public:
  struct Options {
    // The agent's system resolvers, "ip[:port]" each. Empty: read the
    // nameserver lines of `resolv_conf_path` at Create.
    std::vector<std::string> system_resolvers;
    std::string resolv_conf_path = "/etc/resolv.conf";
    // Deadline for specs that leave timeout unset, and the largest accepted.
    absl::Duration default_timeout = absl::Seconds(5);
    absl::Duration max_timeout = absl::Minutes(5);
    // Concurrency cap, queue bound, channel cache and parse limits.
    DnsQueryEngine::Options engine;
  };

  using ProbeId = uint64_t;
  // All results of one probe, in a stable order: for system and address
  // resolvers one per type in spec order; for authoritative mode per type,
  // per NS address (NS names sorted, A addresses before AAAA).
  using Completion = std::function<void(std::vector<propwatch::v1::DnsResult>)>;

  // Fails when a given system resolver is not an "ip[:port]". When none is
  // given and resolv.conf lists none either, Create succeeds and probes of
  // the system resolver (and authoritative probes without a bootstrap) fail
  // at Start with FailedPrecondition.
  static absl::StatusOr<std::unique_ptr<DnsProber>> Create(EventLoop* loop,
                                                           Options options);
  ~DnsProber();
  DnsProber(const DnsProber&) = delete;
  DnsProber& operator=(const DnsProber&) = delete;

  // Validates `spec` (InvalidArgument naming the field: bad hostname, type,
  // resolver address, timeout or expectation) and starts it. `done` runs
  // exactly once, later, on the loop thread.
  absl::StatusOr<ProbeId> Start(const propwatch::v1::DnsProbeSpec& spec,
                                Completion done);
  // Ends the probe now: unanswered results report CANCELLED, and `done`
  // still runs (later). A no-op for finished or unknown ids.
  void Cancel(ProbeId id);

  size_t probes_in_flight() const { return probes_.size(); }
  const std::vector<HostPort>& system_resolvers() const {
    return system_resolvers_;
  }
  DnsQueryEngine& engine() { return *engine_; }

 private:
  struct Slot {
    propwatch::v1::DnsResult result;
    std::vector<HostPort> servers;
    std::string ns_name;  // authoritative mode only
    bool recursion_desired = true;
    DnsQueryEngine::QueryId query = 0;
    absl::Time sent_at;
    bool done = false;
  };
  struct Probe {
    propwatch::v1::DnsProbeSpec spec;
    std::string hostname;
    std::vector<uint16_t> types;
    std::string resolver_kind;
    std::vector<HostPort> servers;  // system/address: asked; authoritative:
                                    // the bootstrap
    uint16_t ns_port = 53;
    absl::Duration timeout;
    EventLoop::TimerId deadline_timer = 0;
    std::unique_ptr<AuthoritativeDiscovery> discovery;
    std::vector<Slot> slots;
    size_t remaining = 0;
    Completion done;
  };

  DnsProber(EventLoop* loop, std::unique_ptr<DnsQueryEngine> engine,
            std::vector<HostPort> system_resolvers,
            std::string no_system_resolvers_reason, Options options);

  absl::Status Prepare(const propwatch::v1::DnsProbeSpec& spec, Probe* probe);
  void AddSlot(Probe& probe, uint16_t type, std::vector<HostPort> servers,
               std::string ns_name, bool recursion_desired);
  void SendSlot(ProbeId id, size_t index);
  void OnSlotDone(ProbeId id, size_t index, DnsQueryEngine::Outcome outcome);
  void OnDiscovered(ProbeId id, ZoneNameServers zone);
  // Ends every unfinished slot (and discovery) with `error_class`.
  void EndUnfinished(ProbeId id, propwatch::v1::ErrorClass error_class,
                     absl::string_view why);
  void Complete(ProbeId id);

  EventLoop* const loop_;
  std::unique_ptr<DnsQueryEngine> engine_;
  const std::vector<HostPort> system_resolvers_;
  const std::string no_system_resolvers_reason_;
  const Options options_;
  ProbeId next_id_ = 1;
  absl::flat_hash_map<ProbeId, std::unique_ptr<Probe>> probes_;
  // Completed probes whose callbacks wait for the loop.
  absl::flat_hash_map<ProbeId, EventLoop::TimerId> deliveries_;
};

}  // namespace propwatch::dns

#endif  // PROPWATCH_AGENT_DNS_DNS_PROBER_H_
