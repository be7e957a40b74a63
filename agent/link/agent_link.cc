#include "agent/link/agent_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

// Codes after which reconnecting cannot help: the coordinator refuses who
// the agent says it is.
bool IsFatal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::INVALID_ARGUMENT;
}

}  // namespace

absl::Duration ReconnectDelay(int attempt, absl::Duration min_backoff,
                              absl::Duration max_backoff, double unit_random) {
  absl::Duration d = min_backoff;
  for (int i = 0; i < attempt && d < max_backoff; ++i) d *= 2;
  d = std::min(d, max_backoff);
  return d / 2 + (d / 2) * std::clamp(unit_random, 0.0, 1.0);
}

AgentLink::AgentLink(AgentLinkOptions options, CommandHandler on_command)
    : options_(std::move(options)),
      on_command_(std::move(on_command)),
      status_file_(options_.status_file, options_.coordinator) {}

void AgentLink::RecordLinkState(bool connected, absl::string_view reason) {
  if (absl::Status s = status_file_.Update(connected, reason); !s.ok()) {
    spdlog::warn("{}", std::string(s.message()));
  }
}

AgentLink::~AgentLink() { Stop(); }

void AgentLink::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (stream_ != nullptr) stream_->CloseSend();
  cv_.notify_all();
}

void AgentLink::Send(v1::AgentMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ != nullptr) stream_->Send(std::move(message));
}

void AgentLink::Pump() {
  // Under mu_ so batches enter the stream in sequence order: the
  // coordinator's acked_through assumes each agent's results arrive in order.
  std::lock_guard<std::mutex> lock(mu_);
  if (stream_ == nullptr || !stream_->welcomed() ||
      options_.outbox == nullptr) {
    return;
  }
  // Two batches queued keep the stream busy without buffering the outbox.
  while (stream_->queued() < 2) {
    std::vector<v1::ProbeResult> batch =
        options_.outbox->TakeUnsent(options_.batch_size);
    if (batch.empty()) break;
    v1::AgentMessage message;
    for (v1::ProbeResult& r : batch) {
      *message.mutable_results()->add_results() = std::move(r);
    }
    stream_->Send(std::move(message));
  }
  SendDueAfterResultsLocked();
}

void AgentLink::SendAfterResults(v1::AgentMessage message,
                                 uint64_t after_sequence) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    after_results_.emplace_back(after_sequence, std::move(message));
  }
  Pump();
}

void AgentLink::SendDueAfterResultsLocked() {
  // In order: a later message never overtakes an earlier one.
  while (!after_results_.empty() &&
         (options_.outbox == nullptr ||
          options_.outbox->SentThrough(after_results_.front().first))) {
    stream_->Send(std::move(after_results_.front().second));
    after_results_.pop_front();
  }
}

void AgentLink::OnMessage(const v1::CoordinatorMessage& message) {
  if (message.has_welcome()) {
    if (options_.outbox != nullptr) {
      options_.outbox->OnWelcome(message.welcome().acked_through());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (message.welcome().has_heartbeat_interval()) {
        heartbeat_interval_ =
            std::max(absl::Seconds(1),
                     FromProtoDuration(message.welcome().heartbeat_interval()));
      }
      cv_.notify_all();
    }
    spdlog::info(
        "connected to coordinator {} (version {}); it holds results "
        "up to sequence {}",
        options_.coordinator, message.welcome().coordinator_version(),
        message.welcome().acked_through());
    Pump();
    return;
  }
  if (message.has_ack()) {
    if (options_.outbox != nullptr) {
      options_.outbox->Ack(
          {message.ack().sequences().begin(), message.ack().sequences().end()});
    }
    Pump();
    return;
  }
  on_command_(message);
}

bool AgentLink::connected() {
  std::lock_guard<std::mutex> lock(mu_);
  return stream_ != nullptr && stream_->welcomed();
}

absl::Status AgentLink::Run() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive)));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // The link does its own backoff; keep gRPC's reconnect from adding more.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto channel = grpc::CreateCustomChannel(
      options_.coordinator,
      options_.credentials != nullptr ? options_.credentials
                                      : grpc::InsecureChannelCredentials(),
      args);
  auto stub = v1::AgentService::NewStub(channel);

  int attempt = 0;
  RecordLinkState(false, "dialling");
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        RecordLinkState(false, "stopped");
        return absl::OkStatus();
      }
    }
    const absl::Time started = absl::Now();
    grpc::Status status = RunStream(*stub);
    RecordLinkState(false, status.error_message());
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        RecordLinkState(false, "stopped");
        return absl::OkStatus();
      }
    }
    if (IsFatal(status.error_code())) {
      return absl::PermissionDeniedError(
          absl::StrCat("coordinator ", options_.coordinator,
                       " refused this agent: ", status.error_message()));
    }
    // A stream that lived a while was a success; start backoff afresh.
    if (absl::Now() - started > options_.max_backoff) attempt = 0;
    const absl::Duration delay =
        ReconnectDelay(attempt++, options_.min_backoff, options_.max_backoff,
                       std::uniform_real_distribution<double>(0, 1)(rng_));
    spdlog::warn("link to coordinator {} ended ({}: {}); reconnecting in {}",
                 options_.coordinator, static_cast<int>(status.error_code()),
                 status.error_message(), absl::FormatDuration(delay));
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(delay),
                 [this] { return stopping_; });
  }
}

grpc::Status AgentLink::RunStream(v1::AgentService::Stub& stub) {
  v1::Hello hello;
  *hello.mutable_identity() = options_.identity;
  if (options_.outbox != nullptr) {
    const OutboxStats stats = options_.outbox->stats();
    hello.set_last_sequence(stats.last_sequence);
    hello.set_dropped_results(stats.dropped);
  }
  auto stream = std::make_shared<LinkStream>(
      stub, std::move(hello),
      [this](grpc::ClientContext& context) {
        if (!options_.token.empty()) {
          context.AddMetadata("authorization", "Bearer " + options_.token);
        }
      },
      [this](const v1::CoordinatorMessage& message) { OnMessage(message); },
      [this] { Pump(); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream_ = stream;
    if (stopping_) stream_->CloseSend();
  }
  grpc::Status status;
  absl::Time last_beat = absl::Now();
  for (;;) {
    // Short slices: the Welcome may shorten the interval at any moment, and
    // a stop must not wait for a whole interval.
    if (stream->AwaitDone(absl::Milliseconds(200), &status)) break;
    if (stream->welcomed()) RecordLinkState(true);
    absl::Duration interval;
    {
      std::lock_guard<std::mutex> lock(mu_);
      interval = heartbeat_interval_;
    }
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      // Give the coordinator a moment to see the half-close, then cancel.
      if (!stream->AwaitDone(absl::Seconds(2), &status)) {
        stream->Cancel();
        stream->AwaitDone(absl::InfiniteDuration(), &status);
      }
      break;
    }
    if (stream->welcomed() && absl::Now() - last_beat >= interval) {
      last_beat = absl::Now();
      v1::AgentMessage heartbeat;
      v1::Heartbeat& beat = *heartbeat.mutable_heartbeat();
      *beat.mutable_sent_at() = ToProtoTime(absl::Now());
      if (options_.outbox != nullptr) {
        const OutboxStats stats = options_.outbox->stats();
        beat.set_outbox_size(static_cast<uint32_t>(stats.size));
        beat.set_dropped_results(stats.dropped);
      }
      if (options_.fill_heartbeat) options_.fill_heartbeat(beat);
      stream->Send(std::move(heartbeat));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stream_.reset();
  return status;
}

}  // namespace propwatch
