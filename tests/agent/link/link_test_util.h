// Helpers for tests that run real agents against a real coordinator.
#ifndef PROPWATCH_TESTS_AGENT_LINK_LINK_TEST_UTIL_H_
#define PROPWATCH_TESTS_AGENT_LINK_LINK_TEST_UTIL_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "propwatch/v1/control.grpc.pb.h"
#include "tests/testing/subprocess.h"

namespace propwatch::testing {

// A propwatch-agent daemon; `extra` adds flags (e.g. --insecure).
std::unique_ptr<Subprocess> StartAgentProcess(const std::string& coordinator,
                                              const std::string& agent_id,
                                              const std::string& region,
                                              const std::string& log_prefix,
                                              std::vector<std::string> extra);

// A plaintext ControlService stub for `address`.
std::unique_ptr<v1::ControlService::Stub> PlaintextControl(
    const std::string& address);

// Sends `probes` HTTP probes to 127.0.0.1:`closed_port` (answered at once
// with "connection refused") to every connected agent.
absl::StatusOr<v1::RunProbesResponse> RunRefusedProbes(
    v1::ControlService::Stub& control, int probes, int closed_port);

// Sequence numbers of `agent_id`'s results in the coordinator's RocksDB at
// `data_dir` (coordinator stopped). Fails on a sequence stored twice.
absl::StatusOr<std::multiset<uint64_t>> StoredSequences(
    const std::string& data_dir, const std::string& agent_id);

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_AGENT_LINK_LINK_TEST_UTIL_H_
