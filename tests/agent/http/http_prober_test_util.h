// Shared pieces of the HttpProber tests: a loop with a prober on it, and
// running probes to completion with a bound on the wait.
#ifndef PROPWATCH_TESTS_AGENT_HTTP_HTTP_PROBER_TEST_UTIL_H_
#define PROPWATCH_TESTS_AGENT_HTTP_HTTP_PROBER_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/http/http_prober.h"
#include "agent/loop/event_loop.h"
#include "propwatch/v1/probe.pb.h"
#include "tests/testing/process_memory.h"

namespace propwatch::testing {

// One finished probe and when it finished.
struct Finished {
  v1::HttpResult result;
  absl::Duration elapsed;  // from Start() to the callback
  int order = 0;           // 0 for the first probe to finish
};

class ProberHarness {
 public:
  explicit ProberHarness(HttpProberOptions options = {});
  ~ProberHarness();

  EventLoop& loop() { return *loop_; }
  HttpProber& prober() { return *prober_; }

  // Starts `spec`; the result lands in finished(index) where index is the
  // return value. Fails the test when Start() refuses.
  size_t Start(const v1::HttpProbeSpec& spec);
  // Runs the loop until every started probe finished or `max_wait` passed.
  // Returns true when all finished.
  bool RunUntilDone(absl::Duration max_wait);
  const std::optional<Finished>& finished(size_t index) const {
    return finished_[index];
  }
  HttpProber::ProbeId id(size_t index) const { return ids_[index]; }

  // Start + RunUntilDone for one probe; fails the test when it never ends.
  v1::HttpResult Run(const v1::HttpProbeSpec& spec,
                     absl::Duration max_wait = absl::Seconds(30));

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<HttpProber> prober_;
  std::vector<std::optional<Finished>> finished_;
  std::vector<HttpProber::ProbeId> ids_;
  int finished_count_ = 0;
};

v1::HttpProbeSpec HttpSpec(const std::string& url, const std::string& ip);
void SetTimeouts(v1::HttpProbeSpec* spec, absl::Duration connect,
                 absl::Duration total);

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_AGENT_HTTP_HTTP_PROBER_TEST_UTIL_H_
