// Small constructors for the results a round collects, so the test tables
// read like the scenario they describe.
#ifndef PROPWATCH_TESTS_COORDINATOR_ENGINE_ROUND_BUILDER_H_
#define PROPWATCH_TESTS_COORDINATOR_ENGINE_ROUND_BUILDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/engine/round_input.h"
#include "propwatch/v1/control.pb.h"
#include "propwatch/v1/probe.pb.h"

namespace propwatch::engine_testing {

inline constexpr char kGoodIp[] = "203.0.113.8";
inline constexpr char kBadIp[] = "203.0.113.7";
inline const absl::Time kCreatedAt = absl::FromUnixSeconds(1674612000);

// The storage key the builder gives result `sequence` of `agent`, and its
// hex as a diagnosis cites it.
std::string FakeKey(const std::string& agent, uint64_t sequence);
std::string FakeEvidence(const std::string& agent, uint64_t sequence);

class RoundBuilder {
 public:
  // A verification of `hostnames` on `paths` ("/" when empty), agreement
  // mode, round 1 running from kCreatedAt + 10 s to + 15 s.
  explicit RoundBuilder(std::vector<std::string> hostnames = {"octopus.com"},
                        std::vector<std::string> paths = {});

  v1::Verification& verification() { return verification_; }
  v1::VerificationSpec& spec() { return *verification_.mutable_spec(); }

  // A participant (an agent that was sent work).
  RoundBuilder& Agent(const std::string& agent, const std::string& region);
  // The same for "<region>-1" ... "<region>-<n>".
  RoundBuilder& Agents(const std::string& region, int n);

  // One answered A query. kind: "system", "address" or "authoritative".
  RoundBuilder& Dns(const std::string& agent, const std::string& kind,
                    const std::string& server,
                    const std::vector<std::string>& addresses,
                    uint32_t ttl = 300, const std::string& hostname = "");
  // The last DNS result gets an expectation failure.
  RoundBuilder& DnsFailsExpectation(const std::string& message);

  // One HTTP probe of `ip` + `path` on the first hostname (or `hostname`).
  RoundBuilder& Http(const std::string& agent, const std::string& ip,
                     const std::string& path, uint32_t status,
                     v1::ErrorClass error = v1::ERROR_CLASS_UNSPECIFIED,
                     const std::string& hostname = "");
  // The same probe on every spec path.
  RoundBuilder& HttpAllPaths(
      const std::string& agent, const std::string& ip, uint32_t status,
      v1::ErrorClass error = v1::ERROR_CLASS_UNSPECIFIED);
  // Adds a recorded header to the last HTTP result.
  RoundBuilder& Header(const std::string& name, const std::string& value);
  // Sets the error text of the last HTTP result (as curl would word it).
  RoundBuilder& ErrorMessage(const std::string& message);
  // Adds an expectation failure to the last HTTP result.
  RoundBuilder& HttpFailure(const std::string& field,
                            const std::string& message);

  // The input, pointing at this builder's verification (keep the builder
  // alive while using it), with result_keys from FakeKey().
  RoundInput Build() const;
  // Build() then EvaluateRound().
  v1::RoundReport Evaluate() const;

 private:
  v1::ProbeResult& NewResult(const std::string& agent);

  v1::Verification verification_;
  std::map<std::string, std::string> participants_;
  std::map<std::string, uint64_t> sequences_;
  std::vector<v1::ProbeResult> results_;
};

// A report with just what AdvanceVerification() reads.
v1::RoundReport Report(uint32_t round, v1::Verdict verdict,
                       absl::Time finished_at);

}  // namespace propwatch::engine_testing

#endif  // PROPWATCH_TESTS_COORDINATOR_ENGINE_ROUND_BUILDER_H_
