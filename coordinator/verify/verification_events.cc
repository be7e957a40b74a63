#include "coordinator/verify/verification_events.h"

#include <vector>

namespace propwatch {

uint64_t VerificationEvents::Subscribe(const std::string& verification_id,
                                       Listener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t token = next_token_++;
  subscriptions_[token] = Subscription{
      verification_id, std::make_shared<Listener>(std::move(listener))};
  return token;
}

void VerificationEvents::Unsubscribe(uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  subscriptions_.erase(token);
}

void VerificationEvents::Publish(const v1::VerificationEvent& event) {
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [token, sub] : subscriptions_) {
      if (sub.verification_id == event.verification().id()) {
        listeners.push_back(sub.listener);
      }
    }
  }
  for (const auto& listener : listeners) (*listener)(event);
}

bool IsFinalState(v1::VerificationState state) {
  return state == v1::VERIFICATION_STATE_CONVERGED ||
         state == v1::VERIFICATION_STATE_DIVERGED ||
         state == v1::VERIFICATION_STATE_INCONCLUSIVE ||
         state == v1::VERIFICATION_STATE_CANCELLED;
}

}  // namespace propwatch
