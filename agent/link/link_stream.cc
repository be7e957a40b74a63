#include "agent/link/link_stream.h"

#include "absl/time/clock.h"

namespace propwatch {

LinkStream::LinkStream(v1::AgentService::Stub& stub, v1::Hello hello,
                       std::function<void(grpc::ClientContext&)> configure,
                       MessageHandler on_message,
                       std::function<void()> on_drained)
    : on_message_(std::move(on_message)), on_drained_(std::move(on_drained)) {
  if (configure) configure(context_);
  stub.async()->Connect(&context_, this);
  v1::AgentMessage first;
  *first.mutable_hello() = std::move(hello);
  outgoing_.push_back(std::move(first));
  {
    std::lock_guard<std::mutex> lock(mu_);
    MaybeStartWriteLocked();
  }
  StartRead(&incoming_);
  StartCall();
}

void LinkStream::Send(v1::AgentMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_ || close_send_) return;
  outgoing_.push_back(std::move(message));
  MaybeStartWriteLocked();
}

void LinkStream::CloseSend() {
  std::lock_guard<std::mutex> lock(mu_);
  close_send_ = true;
  MaybeStartWriteLocked();
}

void LinkStream::MaybeStartWriteLocked() {
  if (write_in_flight_ || done_) return;
  if (!outgoing_.empty()) {
    write_in_flight_ = true;
    StartWrite(&outgoing_.front());
    return;
  }
  if (close_send_ && !writes_done_sent_) {
    writes_done_sent_ = true;
    write_in_flight_ = true;
    StartWritesDone();
  }
}

void LinkStream::OnWriteDone(bool ok) {
  bool drained = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    if (!ok) return;  // the call is failing; OnDone reports why
    outgoing_.pop_front();
    MaybeStartWriteLocked();
    drained = outgoing_.empty() && !close_send_;
  }
  if (drained && on_drained_) on_drained_();
}

void LinkStream::OnWritesDoneDone(bool) {
  std::lock_guard<std::mutex> lock(mu_);
  write_in_flight_ = false;
}

void LinkStream::OnReadDone(bool ok) {
  if (!ok) return;  // server closed; OnDone follows
  if (incoming_.has_welcome()) {
    std::lock_guard<std::mutex> lock(mu_);
    welcomed_ = true;
  }
  on_message_(incoming_);
  StartRead(&incoming_);
}

void LinkStream::OnDone(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  status_ = status;
  done_cv_.notify_all();
}

bool LinkStream::AwaitDone(absl::Duration timeout, grpc::Status* status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!done_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                         [this] { return done_; })) {
    return false;
  }
  if (status != nullptr) *status = status_;
  return true;
}

size_t LinkStream::queued() {
  std::lock_guard<std::mutex> lock(mu_);
  return outgoing_.size();
}

bool LinkStream::welcomed() {
  std::lock_guard<std::mutex> lock(mu_);
  return welcomed_;
}

}  // namespace propwatch
