#include "bench/agent_link/fleet.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/time_convert.h"

namespace propwatch::bench {
namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(absl::Time start) {
  return absl::ToDoubleSeconds(absl::Now() - start);
}

// Polls `done` every `step` until it holds or `deadline` passes.
template <typename Predicate>
bool PollUntil(Predicate done, absl::Time deadline,
               absl::Duration step = absl::Milliseconds(2)) {
  while (!done()) {
    if (absl::Now() >= deadline) return done();
    absl::SleepFor(step);
  }
  return true;
}

// Separate HTTP/2 connections per channel: gRPC shares subchannels (and so
// connections) between channels with equal arguments unless told not to.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("propwatch.fleet_channel", index);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

}  // namespace

double Percentile(std::vector<double>& values, double percent) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(percent / 100.0 * values.size());
  const size_t index =
      std::clamp<size_t>(static_cast<size_t>(rank), 1, values.size()) - 1;
  return values[index];
}

Fleet::Fleet(FleetOptions options) : options_(std::move(options)) {
  const int per_channel = std::max(options_.streams_per_channel, 1);
  const int channel_count = (options_.agents + per_channel - 1) / per_channel;
  for (int c = 0; c < channel_count; ++c) {
    channels_.push_back(MakeChannel(options_.coordinator, c));
    stubs_.push_back(std::make_unique<grpc::GenericStub>(channels_.back()));
  }
  for (int i = 0; i < options_.agents; ++i) {
    v1::AgentIdentity identity;
    identity.set_agent_id(FleetAgentId(options_.agent_prefix, i));
    identity.set_region(FleetRegion(i));
    identity.set_provider("fleet");
    identity.set_version("bench");
    (*identity.mutable_labels())["fleet"] = options_.agent_prefix;
    identity.add_system_resolvers("10.0.0.2:53");
    agents_.push_back(std::make_unique<FakeAgent>(
        *stubs_[i / per_channel], std::move(identity), results_, counters_));
  }
  control_channel_ = MakeChannel(options_.coordinator, channel_count);
  control_ = v1::ControlService::NewStub(control_channel_);
}

Fleet::~Fleet() { Shutdown(); }

ConnectReport Fleet::Connect() {
  const absl::Time start = absl::Now();
  for (auto& agent : agents_) agent->Start();
  heartbeats_ = std::thread([this] { HeartbeatLoop(); });
  // Done when every agent either got its Welcome or was refused.
  PollUntil(
      [&] {
        int settled = 0;
        for (const auto& agent : agents_) {
          if (agent->welcomed() || agent->ended()) ++settled;
        }
        return settled == options_.agents;
      },
      start + options_.connect_timeout, absl::Milliseconds(5));
  ConnectReport report;
  report.agents = options_.agents;
  report.welcomed = counters_.welcomed.load();
  report.seconds = SecondsSince(start);
  return report;
}

int Fleet::connected() const {
  int n = 0;
  for (const auto& agent : agents_) {
    if (agent->welcomed() && !agent->ended()) ++n;
  }
  return n;
}

HoldReport Fleet::Hold(absl::Duration duration) {
  const absl::Time start = absl::Now();
  // Ends early only if every stream is gone: nothing left to hold.
  PollUntil([&] { return connected() == 0; }, start + duration,
            absl::Milliseconds(100));
  HoldReport report;
  report.welcomed = counters_.welcomed.load();
  report.connected_after_hold = connected();
  report.seconds = SecondsSince(start);
  return report;
}

absl::StatusOr<FanoutReport> Fleet::Fanout(int rounds,
                                           absl::Duration round_timeout) {
  FanoutReport report;
  std::vector<double> all;
  for (int round = 0; round < rounds; ++round) {
    v1::RunProbesRequest request;
    (*request.mutable_agents()->mutable_labels())["fleet"] =
        options_.agent_prefix;
    v1::DnsProbeSpec* dns = request.add_dns();
    dns->set_hostname("fanout.bench.example.test");
    dns->add_types(v1::RECORD_TYPE_A);
    *request.mutable_timeout() = ToProtoDuration(absl::Seconds(10));
    v1::RunProbesResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + round_timeout));
    const absl::Time deadline = absl::Now() + round_timeout;

    const int64_t start_ns = SteadyNowNs();
    grpc::Status status = control_->RunProbes(&context, request, &response);
    const int64_t rpc_ns = SteadyNowNs() - start_ns;
    if (!status.ok()) {
      return FromGrpcStatus(
          status, absl::StrCat("RunProbes at ", options_.coordinator));
    }
    const uint64_t command_id = response.command_id();
    const int delivered = response.delivered_size();
    auto received = [&] {
      int n = 0;
      for (const auto& agent : agents_) {
        if (agent->last_command_id() == command_id) ++n;
      }
      return n;
    };
    PollUntil([&] { return received() >= delivered; }, deadline,
              absl::Microseconds(500));

    FanoutRound r;
    r.delivered = delivered;
    r.rpc_ms = rpc_ns / 1e6;
    std::vector<double> latencies;
    for (const auto& agent : agents_) {
      if (agent->last_command_id() != command_id) continue;
      latencies.push_back((agent->last_command_at_ns() - start_ns) / 1e6);
    }
    r.received = static_cast<int>(latencies.size());
    all.insert(all.end(), latencies.begin(), latencies.end());
    r.p50_ms = Percentile(latencies, 50);
    r.p99_ms = Percentile(latencies, 99);
    r.max_ms = latencies.empty() ? 0 : latencies.back();
    report.rounds.push_back(r);
    report.received += r.received;
    report.expected += options_.agents;

    // Let every answer become durable before the next round, so rounds do
    // not overlap and measure one command each.
    PollUntil(
        [&] {
          for (const auto& agent : agents_) {
            if (!agent->ended() && agent->unacked() > 0) return false;
          }
          return true;
        },
        deadline, absl::Milliseconds(5));
    absl::SleepFor(absl::Milliseconds(200));
  }
  report.p50_ms = Percentile(all, 50);
  report.p99_ms = Percentile(all, 99);
  report.max_ms = all.empty() ? 0 : all.back();
  return report;
}

IngestReport Fleet::Ingest(uint64_t per_agent, size_t batch, size_t window,
                           absl::Duration timeout) {
  IngestReport report;
  report.mean_result_bytes = [&] {
    double bytes = 0;
    for (uint64_t s = 1; s <= 4; ++s) bytes += results_.Make(s).ByteSizeLong();
    return bytes / 4;
  }();
  const int done_before = counters_.ingest_done.load();
  const uint64_t acked_before = counters_.results_acked.load();
  int started = 0;
  const absl::Time start = absl::Now();
  for (auto& agent : agents_) {
    if (!agent->welcomed() || agent->ended()) continue;
    agent->StartIngest(per_agent, batch, window);
    ++started;
  }
  PollUntil(
      [&] { return counters_.ingest_done.load() - done_before >= started; },
      start + timeout, absl::Milliseconds(1));
  report.seconds = SecondsSince(start);
  report.results = counters_.results_acked.load() - acked_before;
  report.expected = per_agent * started;
  report.results_per_second =
      report.seconds > 0 ? report.results / report.seconds : 0;
  return report;
}

void Fleet::HeartbeatLoop() {
  // Agent i first beats at phase i/N of its interval after its Welcome, like
  // agents started at independent times, rather than all in one burst.
  std::vector<std::optional<absl::Time>> due(agents_.size());
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(20));
    if (stopping_) break;
    lock.unlock();
    const absl::Time now = absl::Now();
    for (size_t i = 0; i < agents_.size(); ++i) {
      FakeAgent& agent = *agents_[i];
      if (!agent.welcomed() || agent.ended()) continue;
      if (!due[i].has_value()) {
        due[i] = now + agent.heartbeat_interval() *
                           (static_cast<double>(i + 1) / agents_.size());
        continue;
      }
      if (now < *due[i]) continue;
      agent.SendHeartbeat();
      due[i] = now + agent.heartbeat_interval();
    }
    lock.lock();
  }
}

void Fleet::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (!heartbeats_.joinable()) {
    agents_.clear();  // never started: no call to end
    return;
  }
  heartbeats_.join();
  // Half-close all, then give the coordinator a bounded time to end them.
  for (auto& agent : agents_) agent->Stop();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (auto& agent : agents_) {
    const absl::Duration left =
        std::max(deadline - absl::Now(), absl::ZeroDuration());
    if (!agent->AwaitDone(left)) agent->Cancel();
  }
  for (auto& agent : agents_) {
    if (!agent->AwaitDone(absl::Seconds(5))) {
      // gRPC still owns a reaction on it: leaking is safer than freeing.
      (void)agent.release();
    }
  }
  agents_.clear();
}

}  // namespace propwatch::bench
