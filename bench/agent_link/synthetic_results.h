// Probe results shaped like the ones real agents send, for the agent-link
// benchmarks. The fleet streams them through gRPC and the raw RocksDB peer
// writes exactly the same bytes under exactly the same keys, so the two
// rates compare like with like.
#ifndef PROPWATCH_BENCH_AGENT_LINK_SYNTHETIC_RESULTS_H_
#define PROPWATCH_BENCH_AGENT_LINK_SYNTHETIC_RESULTS_H_

#include <cstdint>
#include <string>

#include "propwatch/v1/probe.pb.h"

namespace propwatch::bench {

// Verification id and round the ingest benchmark files its results under.
inline constexpr char kIngestVerificationId[] = "bench-ingest";
inline constexpr uint32_t kIngestRound = 1;

// Agent `index` of a fleet: "<prefix>00042" and its region (8 regions).
std::string FleetAgentId(const std::string& prefix, int index);
std::string FleetRegion(int index);

// Builds results from four prepared templates, so that generating them
// costs the load tool little CPU (it shares the cores with the coordinator).
// Thread-safe after construction (const).
class ResultFactory {
 public:
  ResultFactory();
  // The result with `sequence`: three in four are a DNS answer (two A
  // records behind a CNAME, ~250 bytes serialized), one in four an HTTP
  // result with headers, certificate facts and timings (~600 bytes).
  // Deterministic in `sequence`, so both benchmarks produce identical bytes.
  // agent_id and region are left empty: the coordinator stamps them from the
  // stream.
  v1::ProbeResult Make(uint64_t sequence) const;
  // Always the DNS shape (the answer to a one-DNS-probe command).
  v1::ProbeResult MakeDns(uint64_t sequence) const;
  // Make(sequence) in wire form, built by appending the per-result fields to
  // the template's bytes (protobuf merges them on parse). The fleet sends
  // these, so the load tool spends its CPU on gRPC rather than on copying,
  // encoding and freeing result messages that real agents would build on
  // their own machines. Parses to a message equal to Make(sequence).
  std::string Encoded(uint64_t sequence) const;

 private:
  static constexpr int kTemplates = 4;
  v1::ProbeResult templates_[kTemplates];
  std::string template_bytes_[kTemplates];
};

// What the coordinator stores: `result` stamped with the stream's identity.
void StampIdentity(const std::string& agent_id, const std::string& region,
                   v1::ProbeResult& result);

}  // namespace propwatch::bench

#endif  // PROPWATCH_BENCH_AGENT_LINK_SYNTHETIC_RESULTS_H_
