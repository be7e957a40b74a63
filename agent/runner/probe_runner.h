// Runs the probes of one ProbeCommand on the agent's event loop and hands
// back one ProbeResult per answer (DNS: per type and server; HTTP: per
// request), then a completion. Both the daemon and `propwatch-agent probe`
// use it.
//
// Threading: every method runs on the loop thread, and so do the callbacks.
#ifndef PROPWATCH_AGENT_RUNNER_PROBE_RUNNER_H_
#define PROPWATCH_AGENT_RUNNER_PROBE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/dns/dns_prober.h"
#include "agent/http/http_prober.h"
#include "agent/loop/event_loop.h"
#include "propwatch/v1/agent.pb.h"

namespace propwatch {

struct ProbeRunnerOptions {
  // "ip[:port]" each; empty means /etc/resolv.conf.
  std::vector<std::string> system_resolvers;
  // Cap on DNS queries and on HTTP requests running at once (each).
  size_t max_in_flight = 256;
};

class ProbeRunner {
 public:
  using ResultCallback = std::function<void(v1::ProbeResult)>;
  using DoneCallback = std::function<void(uint32_t results)>;

  static absl::StatusOr<std::unique_ptr<ProbeRunner>> Create(
      EventLoop* loop, ProbeRunnerOptions options);
  ~ProbeRunner();
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;

  // Starts every probe of `command`. A probe the engine refuses (bad spec)
  // still yields a result, with ERROR_CLASS_INVALID_SPEC and the reason, so the
  // coordinator sees why instead of a gap. `on_result` runs once per result,
  // `on_done` once after the last one. At `command.deadline` what is still
  // running is cancelled (its results say CANCELLED). AlreadyExists when
  // the command id is running.
  absl::Status Execute(const v1::ProbeCommand& command,
                       ResultCallback on_result, DoneCallback on_done);
  // Cancels the probes of `command_id`; their results still arrive.
  void Cancel(uint64_t command_id);
  void CancelAll();

  size_t commands_running() const { return commands_.size(); }
  // Probes (not results) still running across all commands.
  size_t probes_in_flight() const;
  const std::vector<HostPort>& system_resolvers() const {
    return dns_->system_resolvers();
  }

 private:
  struct Command {
    v1::ProbeCommand spec;
    ResultCallback on_result;
    DoneCallback on_done;
    std::vector<dns::DnsProber::ProbeId> dns_probes;
    std::vector<HttpProber::ProbeId> http_probes;
    size_t pending = 0;
    uint32_t results = 0;
    EventLoop::TimerId deadline_timer = 0;
  };

  ProbeRunner(EventLoop* loop, std::unique_ptr<dns::DnsProber> dns,
              std::unique_ptr<HttpProber> http);
  v1::ProbeResult NewResult(const Command& command) const;
  void Deliver(uint64_t command_id, v1::ProbeResult result);
  void ProbeFinished(uint64_t command_id);

  EventLoop* const loop_;
  std::unique_ptr<dns::DnsProber> dns_;
  std::unique_ptr<HttpProber> http_;
  std::map<uint64_t, std::unique_ptr<Command>> commands_;
};

}  // namespace propwatch

#endif  // PROPWATCH_AGENT_RUNNER_PROBE_RUNNER_H_
