#include "tests/agent/link/link_test_util.h"

#include <grpcpp/grpcpp.h>
#include <rocksdb/db.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "coordinator/storage/key_codec.h"
#include "coordinator/storage/store.h"

namespace propwatch::testing {

std::unique_ptr<Subprocess> StartAgentProcess(const std::string& coordinator,
                                              const std::string& agent_id,
                                              const std::string& region,
                                              const std::string& log_prefix,
                                              std::vector<std::string> extra) {
  std::vector<std::string> argv = {BuildPath("agent/propwatch-agent"),
                                   "--coordinator",
                                   coordinator,
                                   "--agent-id",
                                   agent_id,
                                   "--region",
                                   region};
  // A default resolver only when the caller names none: a dead first
  // resolver makes every query wait out c-ares' failover to the next one.
  if (std::find(extra.begin(), extra.end(), "--system-resolver") ==
      extra.end()) {
    argv.insert(argv.end(), {"--system-resolver", "127.0.0.1"});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Subprocess>(argv, log_prefix);
}

std::unique_ptr<v1::ControlService::Stub> PlaintextControl(
    const std::string& address) {
  return v1::ControlService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

absl::StatusOr<v1::RunProbesResponse> RunRefusedProbes(
    v1::ControlService::Stub& control, int probes, int closed_port) {
  v1::RunProbesRequest request;
  for (int i = 0; i < probes; ++i) {
    v1::HttpProbeSpec& spec = *request.add_http();
    spec.set_url(
        absl::StrCat("http://refused.example.test:", closed_port, "/p", i));
    spec.set_pinned_ip("127.0.0.1");
  }
  *request.mutable_timeout() = ToProtoDuration(absl::Seconds(10));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  v1::RunProbesResponse response;
  grpc::Status s = control.RunProbes(&context, request, &response);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("RunProbes: ", s.error_message()));
  }
  return response;
}

absl::StatusOr<std::multiset<uint64_t>> StoredSequences(
    const std::string& data_dir, const std::string& agent_id) {
  auto store = Store::Open(data_dir);
  if (!store.ok()) return store.status();
  std::unique_ptr<rocksdb::Iterator> it((*store)->db().NewIterator(
      rocksdb::ReadOptions(), (*store)->family(Family::kResults)));
  std::multiset<uint64_t> sequences;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto fields = DecodeResultKey(it->key().ToString());
    if (!fields.ok()) return fields.status();
    if (fields->agent_id != agent_id) continue;
    v1::ProbeResult result;
    if (!result.ParseFromString(it->value().ToString()) ||
        result.sequence() != fields->sequence) {
      return absl::DataLossError(
          absl::StrCat("value of sequence ", fields->sequence, " is corrupt"));
    }
    sequences.insert(fields->sequence);
  }
  return sequences;
}

}  // namespace propwatch::testing
