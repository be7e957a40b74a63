// `propwatchctl verify`: create a verification from flags and/or a YAML spec
// file; with --wait, follow it and exit with the pipeline's code.
#ifndef PROPWATCH_CLI_COMMANDS_VERIFY_COMMAND_H_
#define PROPWATCH_CLI_COMMANDS_VERIFY_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/commands/command_context.h"

namespace propwatch {

// The flags as given; empty / 0 means "not given". Flags apply on top of
// the spec file: a scalar flag replaces the file's value, a list flag
// replaces the file's list.
struct VerifyFlags {
  std::string spec_file;  // -f; "-" reads stdin
  std::vector<std::string> hosts;
  std::vector<std::string> paths;
  std::vector<std::string> record_types;  // A, AAAA, CNAME...
  std::vector<std::string> resolvers;     // system | authoritative | ip[:port]
  std::string scheme;
  uint32_t port = 0;
  std::string pin;              // all_observed | resolved | explicit
  std::string dns_consistency;  // geo | strict
  std::vector<std::string> pin_ips;
  std::vector<uint32_t> expect_status;
  std::vector<std::string> expect_addresses;  // dns_expect.addresses_within
  std::vector<std::string> fingerprint_headers;
  bool fingerprint_body = false;
  bool insecure_skip_verify = false;
  std::vector<std::string> regions;
  std::vector<std::string> labels;  // key=value
  uint32_t min_agents = 0;
  std::string interval;  // "10s"
  std::string deadline;
  std::string phase_timeout;
  uint32_t stable_rounds = 0;
  std::string source;  // free text -> source.description
  std::string pipeline;
  std::string release;
  std::string commit;

  bool wait = false;
  bool dry_run = false;  // print the request and exit; no coordinator
};

// The request the flags (on top of `base`, the spec file's request or
// empty) describe, checked; errors name the flag (or the spec field).
absl::StatusOr<v1::CreateVerificationRequest> BuildVerifyRequest(
    const VerifyFlags& flags, v1::CreateVerificationRequest base);

ExitCode RunVerifyCommand(const CommandContext& ctx, const VerifyFlags& flags);

}  // namespace propwatch

#endif  // PROPWATCH_CLI_COMMANDS_VERIFY_COMMAND_H_
