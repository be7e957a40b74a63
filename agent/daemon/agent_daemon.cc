#include "agent/daemon/agent_daemon.h"

#include <spdlog/spdlog.h>

#include <future>

#include "absl/strings/str_cat.h"

namespace propwatch {

absl::StatusOr<std::unique_ptr<AgentDaemon>> AgentDaemon::Create(
    AgentDaemonOptions options) {
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  auto runner = ProbeRunner::Create(loop->get(), options.runner);
  if (!runner.ok()) return runner.status();
  std::unique_ptr<Outbox> outbox;
  if (options.state_dir.empty()) {
    outbox = std::make_unique<Outbox>(options.outbox_capacity);
  } else {
    auto opened = Outbox::Open(options.outbox_capacity,
                               options.state_dir + "/outbox.journal");
    if (!opened.ok()) return opened.status();
    outbox = std::move(*opened);
    const OutboxStats stats = outbox->stats();
    spdlog::info(
        "outbox journal {}/outbox.journal: {} unacked results, last "
        "sequence {}, {} dropped",
        options.state_dir, stats.size, stats.last_sequence, stats.dropped);
  }
  return std::unique_ptr<AgentDaemon>(
      new AgentDaemon(std::move(options), std::move(*loop), std::move(*runner),
                      std::move(outbox)));
}

AgentDaemon::AgentDaemon(AgentDaemonOptions options,
                         std::unique_ptr<EventLoop> loop,
                         std::unique_ptr<ProbeRunner> runner,
                         std::unique_ptr<Outbox> outbox)
    : loop_(std::move(loop)),
      runner_(std::move(runner)),
      outbox_(std::move(outbox)) {
  options.link.outbox = outbox_.get();
  options.link.fill_heartbeat = [this](v1::Heartbeat& beat) {
    beat.set_in_flight(probes_in_flight_.load());
  };
  link_ = std::make_unique<AgentLink>(
      std::move(options.link),
      [this](const v1::CoordinatorMessage& m) { OnCoordinatorMessage(m); });
  loop_thread_ = std::thread([this] { loop_->Run(); });
}

AgentDaemon::~AgentDaemon() {
  link_->Stop();
  RunOnLoop([this] { runner_->CancelAll(); });
  loop_->Stop();
  loop_thread_.join();
  // The link's threads may still post until it is gone.
  link_.reset();
}

absl::Status AgentDaemon::Run() { return link_->Run(); }

void AgentDaemon::RunOnLoop(const std::function<void()>& fn) {
  std::promise<void> done;
  loop_->Post([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void AgentDaemon::OnCoordinatorMessage(const v1::CoordinatorMessage& message) {
  if (message.has_command()) {
    if (!accepting_.load()) {
      spdlog::warn("shutting down: command {} not run",
                   message.command().command_id());
      return;
    }
    loop_->Post([this, command = message.command()] { StartCommand(command); });
  } else if (message.has_cancel()) {
    const uint64_t id = message.cancel().command_id();
    spdlog::info("coordinator cancels command {}: {}", id,
                 message.cancel().reason());
    loop_->Post([this, id] { runner_->Cancel(id); });
  }
}

void AgentDaemon::StartCommand(const v1::ProbeCommand& command) {
  const uint64_t id = command.command_id();
  const uint32_t probes = command.dns_size() + command.http_size();
  probes_in_flight_ += probes;
  // Both callbacks run on the loop thread.
  auto last_sequence = std::make_shared<uint64_t>(0);
  absl::Status status = runner_->Execute(
      command,
      [this, last_sequence](v1::ProbeResult result) {
        *last_sequence = outbox_->Add(std::move(result));
        link_->Pump();
      },
      [this, id, probes, last_sequence](uint32_t results) {
        probes_in_flight_ -= probes;
        v1::AgentMessage done;
        done.mutable_done()->set_command_id(id);
        done.mutable_done()->set_results(results);
        // Behind the command's results: the coordinator closes the phase on
        // it, so it must not arrive before them.
        link_->SendAfterResults(std::move(done), *last_sequence);
        spdlog::debug("command {} done: {} results", id, results);
      });
  if (!status.ok()) {
    probes_in_flight_ -= probes;
    spdlog::warn("command {} not run: {}", id, status.ToString());
  }
}

void AgentDaemon::Shutdown(absl::Duration grace) {
  accepting_ = false;
  const absl::Time probes_deadline = absl::Now() + grace;
  size_t running = 0;
  for (;;) {
    RunOnLoop([&] { running = runner_->commands_running(); });
    if (running == 0 || absl::Now() >= probes_deadline) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (running > 0) {
    spdlog::warn("grace period over: cancelling {} running commands", running);
    RunOnLoop([this] { runner_->CancelAll(); });
  }
  const absl::Time flush_deadline = absl::Now() + grace;
  while (outbox_->stats().size > 0 && link_->connected() &&
         absl::Now() < flush_deadline) {
    link_->Pump();
    absl::SleepFor(absl::Milliseconds(50));
  }
  const OutboxStats stats = outbox_->stats();
  if (stats.size > 0) {
    spdlog::warn(
        "{} results not acked by the coordinator at shutdown (they survive "
        "a restart only with --state-dir)",
        stats.size);
  }
  link_->Stop();
}

}  // namespace propwatch
