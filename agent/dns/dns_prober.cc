#include "agent/dns/dns_prober.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/dns_expectation.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_name.h"
#include "agent/dns/dns_reply.h"
#include "agent/dns/resolv_conf.h"
#include "common/time_convert.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsProbeSpec;
using propwatch::v1::DnsResult;
using propwatch::v1::ErrorClass;
using propwatch::v1::ResolverSpec;

absl::StatusOr<HostPort> ParseResolverAddress(absl::string_view text,
                                              absl::string_view field) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(text, 53);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", parsed.status().message()));
  }
  if (!IsIpLiteral(parsed->host)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", text,
                     "' is not an IP address; name a resolver as ip[:port]"));
  }
  return parsed;
}

bool IsQueryableType(int type) {
  switch (type) {
    case propwatch::v1::RECORD_TYPE_A:
    case propwatch::v1::RECORD_TYPE_NS:
    case propwatch::v1::RECORD_TYPE_CNAME:
    case propwatch::v1::RECORD_TYPE_SOA:
    case propwatch::v1::RECORD_TYPE_AAAA:
      return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DnsProber>> DnsProber::Create(EventLoop* loop,
                                                             Options options) {
  std::vector<HostPort> system_resolvers;
  std::string no_system_reason;
  for (const std::string& text : options.system_resolvers) {
    absl::StatusOr<HostPort> server =
        ParseResolverAddress(text, "system resolver");
    if (!server.ok()) return server.status();
    system_resolvers.push_back(*std::move(server));
  }
  if (system_resolvers.empty()) {
    absl::StatusOr<std::vector<HostPort>> from_file =
        ReadResolvConfNameservers(options.resolv_conf_path);
    if (from_file.ok()) {
      system_resolvers = *std::move(from_file);
    } else {
      no_system_reason = std::string(from_file.status().message());
    }
  }
  absl::StatusOr<std::unique_ptr<DnsQueryEngine>> engine =
      DnsQueryEngine::Create(loop, options.engine);
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<DnsProber>(
      new DnsProber(loop, *std::move(engine), std::move(system_resolvers),
                    std::move(no_system_reason), std::move(options)));
}

DnsProber::DnsProber(EventLoop* loop, std::unique_ptr<DnsQueryEngine> engine,
                     std::vector<HostPort> system_resolvers,
                     std::string no_system_resolvers_reason, Options options)
    : loop_(loop),
      engine_(std::move(engine)),
      system_resolvers_(std::move(system_resolvers)),
      no_system_resolvers_reason_(std::move(no_system_resolvers_reason)),
      options_(std::move(options)) {}

DnsProber::~DnsProber() {
  for (const auto& [id, timer] : deliveries_) loop_->CancelTimer(timer);
  for (auto& [id, probe] : probes_) {
    if (probe->deadline_timer != 0) loop_->CancelTimer(probe->deadline_timer);
    probe->discovery.reset();
    for (const Slot& slot : probe->slots) {
      if (!slot.done && slot.query != 0) engine_->Cancel(slot.query);
    }
  }
  probes_.clear();
  engine_.reset();  // destroys the channels while the loop is alive
}

absl::Status DnsProber::Prepare(const DnsProbeSpec& spec, Probe* probe) {
  absl::StatusOr<std::string> hostname = NormalizeHostname(spec.hostname());
  if (!hostname.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("hostname: ", hostname.status().message()));
  }
  probe->hostname = *std::move(hostname);

  for (int type : spec.types()) {
    if (!IsQueryableType(type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "types: ", type, " is not one of A, AAAA, CNAME, NS, SOA"));
    }
    const auto wire_type = static_cast<uint16_t>(type);
    if (std::find(probe->types.begin(), probe->types.end(), wire_type) ==
        probe->types.end()) {
      probe->types.push_back(wire_type);
    }
  }
  if (probe->types.empty()) probe->types = {kTypeA, kTypeAaaa, kTypeCname};

  probe->timeout = spec.has_timeout() ? FromProtoDuration(spec.timeout())
                                      : options_.default_timeout;
  if (probe->timeout <= absl::ZeroDuration() ||
      probe->timeout > options_.max_timeout) {
    return absl::InvalidArgumentError(absl::StrCat(
        "timeout: ", absl::FormatDuration(probe->timeout),
        " is not between 0 and ", absl::FormatDuration(options_.max_timeout)));
  }
  if (absl::Status s = ValidateDnsExpectation(spec.expect()); !s.ok()) {
    return s;
  }

  auto system = [&]() -> absl::Status {
    if (system_resolvers_.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this agent has no system resolvers: ", no_system_resolvers_reason_));
    }
    probe->servers = system_resolvers_;
    return absl::OkStatus();
  };
  const ResolverSpec& resolver = spec.resolver();
  switch (resolver.kind_case()) {
    case ResolverSpec::KIND_NOT_SET:
    case ResolverSpec::kSystem:
      probe->resolver_kind = "system";
      return system();
    case ResolverSpec::kAddress: {
      probe->resolver_kind = "address";
      absl::StatusOr<HostPort> server =
          ParseResolverAddress(resolver.address(), "resolver.address");
      if (!server.ok()) return server.status();
      probe->servers = {*std::move(server)};
      return absl::OkStatus();
    }
    case ResolverSpec::kAuthoritative: {
      probe->resolver_kind = "authoritative";
      const uint32_t port = resolver.authoritative().port();
      if (port > 65535) {
        return absl::InvalidArgumentError(absl::StrCat(
            "resolver.authoritative.port: ", port, " is not a port"));
      }
      probe->ns_port = port == 0 ? 53 : static_cast<uint16_t>(port);
      if (resolver.authoritative().bootstrap().empty()) return system();
      absl::StatusOr<HostPort> server =
          ParseResolverAddress(resolver.authoritative().bootstrap(),
                               "resolver.authoritative.bootstrap");
      if (!server.ok()) return server.status();
      probe->servers = {*std::move(server)};
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("resolver: unknown kind");
}

absl::StatusOr<DnsProber::ProbeId> DnsProber::Start(const DnsProbeSpec& spec,
                                                    Completion done) {
  auto probe = std::make_unique<Probe>();
  if (absl::Status s = Prepare(spec, probe.get()); !s.ok()) return s;
  probe->spec = spec;
  probe->done = std::move(done);
  const ProbeId id = next_id_++;
  probe->deadline_timer = loop_->RunAfter(probe->timeout, [this, id] {
    auto it = probes_.find(id);
    if (it == probes_.end()) return;
    it->second->deadline_timer = 0;
    EndUnfinished(id, propwatch::v1::ERROR_CLASS_TIMEOUT,
                  absl::StrCat("within the probe deadline of ",
                               absl::FormatDuration(it->second->timeout)));
    Complete(id);
  });
  Probe& p = *probe;
  probes_.emplace(id, std::move(probe));

  if (p.resolver_kind == "authoritative") {
    p.discovery = std::make_unique<AuthoritativeDiscovery>(
        engine_.get(), p.servers, p.hostname, [this, id](ZoneNameServers zone) {
          OnDiscovered(id, std::move(zone));
        });
    p.discovery->Start();
    return id;
  }
  for (uint16_t type : p.types) {
    AddSlot(p, type, p.servers, /*ns_name=*/"", /*recursion_desired=*/true);
  }
  for (size_t i = 0; i < p.slots.size(); ++i) SendSlot(id, i);
  return id;
}

void DnsProber::Cancel(ProbeId id) {
  if (!probes_.contains(id)) return;
  EndUnfinished(id, propwatch::v1::ERROR_CLASS_CANCELLED,
                "because the probe was cancelled");
  Complete(id);
}

void DnsProber::AddSlot(Probe& probe, uint16_t type,
                        std::vector<HostPort> servers, std::string ns_name,
                        bool recursion_desired) {
  Slot& slot = probe.slots.emplace_back();
  slot.result.set_hostname(probe.hostname);
  slot.result.set_type(static_cast<propwatch::v1::RecordType>(type));
  slot.result.set_resolver_kind(probe.resolver_kind);
  slot.result.set_server(servers.empty() ? "" : FormatHostPort(servers[0]));
  slot.servers = std::move(servers);
  slot.ns_name = std::move(ns_name);
  slot.recursion_desired = recursion_desired;
  ++probe.remaining;
}

void DnsProber::SendSlot(ProbeId id, size_t index) {
  Probe& probe = *probes_.at(id);
  Slot& slot = probe.slots[index];
  DnsQueryEngine::Query query;
  query.servers = slot.servers;
  query.name = probe.hostname;
  query.type = static_cast<uint16_t>(slot.result.type());
  query.recursion_desired = slot.recursion_desired;
  slot.sent_at = loop_->Now();
  slot.query = engine_->Start(
      std::move(query), [this, id, index](DnsQueryEngine::Outcome outcome) {
        OnSlotDone(id, index, std::move(outcome));
      });
}

void DnsProber::OnSlotDone(ProbeId id, size_t index,
                           DnsQueryEngine::Outcome outcome) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  Probe& probe = *it->second;
  Slot& slot = probe.slots[index];
  if (slot.done) return;
  slot.done = true;
  slot.query = 0;
  DnsResult& result = slot.result;
  result.set_server(outcome.server);
  *result.mutable_latency() = ToProtoDuration(outcome.latency);
  if (outcome.reply.has_value()) {
    ReadReplyInto(*outcome.reply, probe.hostname,
                  static_cast<uint16_t>(result.type()), outcome.server,
                  &result);
  } else {
    result.set_error_class(outcome.error_class);
    result.set_error_message(std::move(outcome.error_message));
  }
  if (!slot.ns_name.empty() && !result.error_message().empty()) {
    result.set_error_message(absl::StrCat(result.error_message(),
                                          " (name server ", slot.ns_name, ")"));
  }
  if (--probe.remaining == 0) Complete(id);
}

void DnsProber::OnDiscovered(ProbeId id, ZoneNameServers zone) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  Probe& probe = *it->second;
  probe.discovery.reset();  // safe: it touches nothing after calling back
  if (zone.error_class != propwatch::v1::ERROR_CLASS_UNSPECIFIED) {
    for (uint16_t type : probe.types) {
      AddSlot(probe, type, probe.servers, "", true);
      Slot& slot = probe.slots.back();
      slot.done = true;
      if (!zone.server.empty()) slot.result.set_server(zone.server);
      slot.result.set_error_class(zone.error_class);
      slot.result.set_error_message(zone.error_message);
      --probe.remaining;
    }
    Complete(id);
    return;
  }
  for (uint16_t type : probe.types) {
    for (const NameServerAddress& ns : zone.addresses) {
      AddSlot(probe, type, {HostPort{ns.address, probe.ns_port}}, ns.ns_name,
              /*recursion_desired=*/false);
    }
  }
  for (size_t i = 0; i < probe.slots.size(); ++i) SendSlot(id, i);
}

void DnsProber::EndUnfinished(ProbeId id, ErrorClass error_class,
                              absl::string_view why) {
  Probe& probe = *probes_.at(id);
  const absl::Time now = loop_->Now();
  if (probe.discovery != nullptr) {
    probe.discovery.reset();
    const std::string bootstrap =
        probe.servers.empty() ? "" : FormatHostPort(probe.servers[0]);
    for (uint16_t type : probe.types) {
      AddSlot(probe, type, probe.servers, "", true);
      Slot& slot = probe.slots.back();
      slot.done = true;
      slot.result.set_error_class(error_class);
      slot.result.set_error_message(
          absl::StrCat("finding the name servers of ", probe.hostname,
                       " through ", bootstrap, " did not finish ", why));
      --probe.remaining;
    }
  }
  for (Slot& slot : probe.slots) {
    if (slot.done) continue;
    slot.done = true;
    if (slot.query != 0) engine_->Cancel(slot.query);
    slot.query = 0;
    DnsResult& result = slot.result;
    *result.mutable_latency() = ToProtoDuration(now - slot.sent_at);
    result.set_error_class(error_class);
    // Name every server asked: with several, c-ares fails over, so the
    // first one alone would point at the wrong suspect.
    const std::string asked = absl::StrJoin(
        slot.servers, ", ", [](std::string* out, const HostPort& s) {
          out->append(FormatHostPort(s));
        });
    result.set_error_message(
        absl::StrCat("no reply from ", asked.empty() ? result.server() : asked,
                     " for ", probe.hostname, " ",
                     TypeName(static_cast<uint16_t>(result.type())), " ", why,
                     slot.ns_name.empty()
                         ? ""
                         : absl::StrCat(" (name server ", slot.ns_name, ")")));
    --probe.remaining;
  }
}

void DnsProber::Complete(ProbeId id) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  std::unique_ptr<Probe> probe = std::move(it->second);
  probes_.erase(it);
  if (probe->deadline_timer != 0) loop_->CancelTimer(probe->deadline_timer);
  std::vector<DnsResult> results;
  results.reserve(probe->slots.size());
  for (Slot& slot : probe->slots) {
    AppendDnsExpectationFailures(probe->spec.expect(), slot.result,
                                 slot.result.mutable_failures());
    results.push_back(std::move(slot.result));
  }
  // Delivered from the loop so the caller's callback never runs inside
  // c-ares processing or inside Start/Cancel.
  deliveries_[id] = loop_->RunAt(absl::InfinitePast(),
                                 [this, id, done = std::move(probe->done),
                                  results = std::move(results)]() mutable {
                                   deliveries_.erase(id);
                                   done(std::move(results));
                                 });
}

}  // namespace propwatch::dns
