// The rules of ad-hoc probes (ControlService.RunProbes): the same field
// rules and target rules as a verification's spec, so a probe cannot reach
// what a verification may not (issue 15), plus the limits of what a
// verification would send: GET or HEAD, no extra request headers, the
// system CA bundle.
//
// Pure.
#ifndef PROPWATCH_SPEC_PROBE_RULES_H_
#define PROPWATCH_SPEC_PROBE_RULES_H_

#include <optional>

#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"
#include "spec/spec_problem.h"

namespace propwatch::spec {

// Problems of one DNS probe, with paths under `path` ("dns[0]"):
// .hostname as a verification's hostnames (valid, then the target rules),
// .resolver (when set) as a spec's resolvers, .expect as spec.dns_expect.
std::optional<SpecProblem> CheckDnsProbe(const v1::DnsProbeSpec& probe,
                                         absl::string_view path,
                                         const TargetRules& rules);

// Problems of one HTTP probe, with paths under `path` ("http[0]"):
// .url is scheme://host[:port][/path] with the rules of spec.scheme,
// spec.hostnames (target rules included), spec.port and spec.paths;
// .pinned_ip as spec.explicit_ips; .port as spec.port; .method empty (GET),
// GET or HEAD; no .headers (a verification sends none, and a Host header
// would send the request to a name the allowlist never saw); no .ca_bundle
// (a path read on the agent); .expect as spec.http_expect.
std::optional<SpecProblem> CheckHttpProbe(const v1::HttpProbeSpec& probe,
                                          absl::string_view path,
                                          const TargetRules& rules);

// The first problem of `request`'s probes: dns[i] in order, then http[i].
// Counts and the timeout are the service's to check.
std::optional<SpecProblem> FindProblem(const v1::RunProbesRequest& request,
                                       const TargetRules& rules);

}  // namespace propwatch::spec

#endif  // PROPWATCH_SPEC_PROBE_RULES_H_
