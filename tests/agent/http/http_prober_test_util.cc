#include "tests/agent/http/http_prober_test_util.h"

#include <signal.h>

#include "common/time_convert.h"
#include "gtest/gtest.h"

namespace propwatch::testing {

ProberHarness::ProberHarness(HttpProberOptions options) {
  // As the agent's main must: libcurl runs with CURLOPT_NOSIGNAL, and a TLS
  // write to a reset peer may raise SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status();
  loop_ = *std::move(loop);
  auto prober = HttpProber::Create(loop_.get(), std::move(options));
  EXPECT_TRUE(prober.ok()) << prober.status();
  prober_ = *std::move(prober);
}

ProberHarness::~ProberHarness() {
  // The prober registers fds and timers with the loop: it goes first.
  prober_.reset();
  loop_.reset();
}

size_t ProberHarness::Start(const v1::HttpProbeSpec& spec) {
  const size_t index = finished_.size();
  finished_.emplace_back();
  const absl::Time started = absl::Now();
  auto id = prober_->Start(spec, [this, index, started](v1::HttpResult r) {
    finished_[index] =
        Finished{std::move(r), absl::Now() - started, finished_count_++};
  });
  EXPECT_TRUE(id.ok()) << id.status();
  ids_.push_back(id.ok() ? *id : 0);
  return index;
}

bool ProberHarness::RunUntilDone(absl::Duration max_wait) {
  const absl::Time deadline = absl::Now() + max_wait;
  auto all_done = [this] {
    for (const auto& f : finished_) {
      if (!f.has_value()) return false;
    }
    return true;
  };
  while (!all_done()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    loop_->RunOnce(std::min(left, absl::Milliseconds(100)));
  }
  return true;
}

v1::HttpResult ProberHarness::Run(const v1::HttpProbeSpec& spec,
                                  absl::Duration max_wait) {
  const size_t index = Start(spec);
  EXPECT_TRUE(RunUntilDone(max_wait))
      << "probe of " << spec.url() << " never finished";
  return finished_[index].has_value() ? finished_[index]->result
                                      : v1::HttpResult();
}

v1::HttpProbeSpec HttpSpec(const std::string& url, const std::string& ip) {
  v1::HttpProbeSpec spec;
  spec.set_url(url);
  spec.set_pinned_ip(ip);
  return spec;
}

void SetTimeouts(v1::HttpProbeSpec* spec, absl::Duration connect,
                 absl::Duration total) {
  *spec->mutable_connect_timeout() = ToProtoDuration(connect);
  *spec->mutable_total_timeout() = ToProtoDuration(total);
}

}  // namespace propwatch::testing
