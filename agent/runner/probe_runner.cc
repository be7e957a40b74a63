#include "agent/runner/probe_runner.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"

namespace propwatch {
absl::StatusOr<std::unique_ptr<ProbeRunner>> ProbeRunner::Create(
    EventLoop* loop, ProbeRunnerOptions options) {
  dns::DnsProber::Options dns_options;
  dns_options.system_resolvers = std::move(options.system_resolvers);
  dns_options.engine.max_in_flight = options.max_in_flight;
  auto dns = dns::DnsProber::Create(loop, std::move(dns_options));
  if (!dns.ok()) return dns.status();
  HttpProberOptions http_options;
  http_options.max_in_flight = options.max_in_flight;
  auto http = HttpProber::Create(loop, http_options);
  if (!http.ok()) return http.status();
  return std::unique_ptr<ProbeRunner>(
      new ProbeRunner(loop, std::move(*dns), std::move(*http)));
}

ProbeRunner::ProbeRunner(EventLoop* loop, std::unique_ptr<dns::DnsProber> dns,
                         std::unique_ptr<HttpProber> http)
    : loop_(loop), dns_(std::move(dns)), http_(std::move(http)) {}

ProbeRunner::~ProbeRunner() {
  // Callbacks the probers may still run during teardown must find no
  // command rather than a destroyed one.
  for (auto& [id, command] : commands_) {
    loop_->CancelTimer(command->deadline_timer);
  }
  commands_.clear();
  http_.reset();
  dns_.reset();
}

size_t ProbeRunner::probes_in_flight() const {
  size_t n = 0;
  for (const auto& [id, command] : commands_) n += command->pending;
  return n;
}

v1::ProbeResult ProbeRunner::NewResult(const Command& command) const {
  v1::ProbeResult result;
  result.set_verification_id(command.spec.verification_id());
  result.set_round(command.spec.round());
  result.set_command_id(command.spec.command_id());
  *result.mutable_started_at() = ToProtoTime(loop_->Now());
  return result;
}

absl::Status ProbeRunner::Execute(const v1::ProbeCommand& spec,
                                  ResultCallback on_result,
                                  DoneCallback on_done) {
  const uint64_t id = spec.command_id();
  if (commands_.count(id) != 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("command ", id, " is already running"));
  }
  auto owned = std::make_unique<Command>();
  Command& command = *owned;
  command.spec = spec;
  command.on_result = std::move(on_result);
  command.on_done = std::move(on_done);
  // Counted before any probe starts, so a probe finishing early cannot end
  // the command while others are still being started.
  command.pending = spec.dns_size() + spec.http_size() + 1;
  commands_.emplace(id, std::move(owned));

  if (spec.has_deadline()) {
    const absl::Time deadline = FromProtoTime(spec.deadline());
    command.deadline_timer = loop_->RunAt(deadline, [this, id] {
      auto it = commands_.find(id);
      if (it == commands_.end()) return;
      it->second->deadline_timer = 0;
      Cancel(id);
    });
  }

  for (const v1::DnsProbeSpec& dns_spec : spec.dns()) {
    v1::ProbeResult base = NewResult(command);
    auto started = dns_->Start(
        dns_spec, [this, id, base](std::vector<v1::DnsResult> results) {
          for (v1::DnsResult& r : results) {
            v1::ProbeResult out = base;
            *out.mutable_dns() = std::move(r);
            Deliver(id, std::move(out));
          }
          ProbeFinished(id);
        });
    if (started.ok()) {
      command.dns_probes.push_back(*started);
      continue;
    }
    v1::DnsResult* r = base.mutable_dns();
    r->set_hostname(dns_spec.hostname());
    r->set_error_class(v1::ERROR_CLASS_INVALID_SPEC);
    r->set_error_message(std::string(started.status().message()));
    Deliver(id, std::move(base));
    ProbeFinished(id);
  }
  for (const v1::HttpProbeSpec& http_spec : spec.http()) {
    v1::ProbeResult base = NewResult(command);
    auto started = http_->Start(http_spec, [this, id, base](v1::HttpResult r) {
      v1::ProbeResult out = base;
      *out.mutable_http() = std::move(r);
      Deliver(id, std::move(out));
      ProbeFinished(id);
    });
    if (started.ok()) {
      command.http_probes.push_back(*started);
      continue;
    }
    v1::HttpResult* r = base.mutable_http();
    r->set_url(http_spec.url());
    r->set_pinned_ip(http_spec.pinned_ip());
    r->set_error_class(v1::ERROR_CLASS_INVALID_SPEC);
    r->set_error_message(std::string(started.status().message()));
    Deliver(id, std::move(base));
    ProbeFinished(id);
  }
  ProbeFinished(id);  // the guard count taken above
  return absl::OkStatus();
}

void ProbeRunner::Cancel(uint64_t command_id) {
  auto it = commands_.find(command_id);
  if (it == commands_.end()) return;
  // Copies: HTTP cancellation runs callbacks synchronously, and the last one
  // erases the command.
  const std::vector<dns::DnsProber::ProbeId> dns_probes =
      it->second->dns_probes;
  const std::vector<HttpProber::ProbeId> http_probes = it->second->http_probes;
  for (dns::DnsProber::ProbeId p : dns_probes) dns_->Cancel(p);
  for (HttpProber::ProbeId p : http_probes) http_->Cancel(p);
}

void ProbeRunner::CancelAll() {
  std::vector<uint64_t> ids;
  for (const auto& [id, command] : commands_) ids.push_back(id);
  for (uint64_t id : ids) Cancel(id);
}

void ProbeRunner::Deliver(uint64_t command_id, v1::ProbeResult result) {
  auto it = commands_.find(command_id);
  if (it == commands_.end()) return;
  ++it->second->results;
  it->second->on_result(std::move(result));
}

void ProbeRunner::ProbeFinished(uint64_t command_id) {
  auto it = commands_.find(command_id);
  if (it == commands_.end()) return;
  Command& command = *it->second;
  if (--command.pending > 0) return;
  if (command.deadline_timer != 0) loop_->CancelTimer(command.deadline_timer);
  std::unique_ptr<Command> done = std::move(it->second);
  commands_.erase(it);
  done->on_done(done->results);
}

}  // namespace propwatch
