#include "coordinator/service/watch_reactor.h"

#include "common/grpc_status.h"

namespace propwatch {

// Events queued per watcher at most; a watcher that falls this far behind
// (a stalled client) is ended rather than buffered without bound.
constexpr size_t kMaxQueued = 1000;

WatchReactor::WatchReactor(VerificationEvents& events, VerificationStore& store,
                           const std::string& id)
    : events_(events), gate_(std::make_shared<Gate>()) {
  gate_->reactor = this;
  // Subscribe before reading the current state so nothing falls between.
  std::shared_ptr<Gate> gate = gate_;
  token_ = events_.Subscribe(id, [gate](const v1::VerificationEvent& e) {
    std::lock_guard<std::mutex> lock(gate->mu);
    if (gate->reactor != nullptr) gate->reactor->Enqueue(e);
  });
  auto current = store.Get(id);
  std::lock_guard<std::mutex> lock(mu_);
  if (!current.ok()) {
    FinishLocked(ToGrpcStatus(current.status()));
    return;
  }
  v1::VerificationEvent first;
  *first.mutable_verification() = *current;
  queue_.push_front(std::move(first));
  final_queued_ = IsFinalState(current->state());
  MaybeWriteLocked();
}

void WatchReactor::Enqueue(const v1::VerificationEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_ || final_queued_) return;
  if (queue_.size() >= kMaxQueued) {
    FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "watcher too slow; watch again"));
    return;
  }
  queue_.push_back(event);
  final_queued_ = IsFinalState(event.verification().state());
  MaybeWriteLocked();
}

void WatchReactor::MaybeWriteLocked() {
  if (writing_ || finished_) return;
  if (queue_.empty()) {
    if (final_queued_) FinishLocked(grpc::Status::OK);
    return;
  }
  writing_ = true;
  StartWrite(&queue_.front());
}

void WatchReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void WatchReactor::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    return;
  }
  queue_.pop_front();
  MaybeWriteLocked();
}

void WatchReactor::OnCancel() {
  std::lock_guard<std::mutex> lock(mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void WatchReactor::OnDone() {
  {
    std::lock_guard<std::mutex> lock(gate_->mu);
    gate_->reactor = nullptr;
  }
  events_.Unsubscribe(token_);
  delete this;
}

}  // namespace propwatch
