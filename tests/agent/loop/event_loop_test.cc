#include "agent/loop/event_loop.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

std::unique_ptr<EventLoop> MakeLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status();
  return std::move(loop).value();
}

TEST(EventLoopTest, TimersFireInDeadlineOrder) {
  auto loop = MakeLoop();
  std::vector<int> order;
  loop->RunAfter(absl::Milliseconds(30), [&] { order.push_back(3); });
  loop->RunAfter(absl::Milliseconds(10), [&] { order.push_back(1); });
  loop->RunAfter(absl::Milliseconds(20), [&] { order.push_back(2); });
  loop->RunAfter(absl::Milliseconds(40), [&] { loop->Stop(); });
  loop->Run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoopTest, CancelledTimerNeverFires) {
  auto loop = MakeLoop();
  bool fired = false;
  auto id = loop->RunAfter(absl::Milliseconds(5), [&] { fired = true; });
  loop->CancelTimer(id);
  loop->RunAfter(absl::Milliseconds(20), [&] { loop->Stop(); });
  loop->Run();
  EXPECT_FALSE(fired);
  EXPECT_EQ(loop->pending_timers(), 0u);
}

TEST(EventLoopTest, TimerDoesNotFireEarly) {
  auto loop = MakeLoop();
  const absl::Time start = absl::Now();
  absl::Time fired_at;
  loop->RunAfter(absl::Milliseconds(25), [&] {
    fired_at = absl::Now();
    loop->Stop();
  });
  loop->Run();
  EXPECT_GE(fired_at - start, absl::Milliseconds(25));
}

TEST(EventLoopTest, PostFromOtherThreadRunsOnLoop) {
  auto loop = MakeLoop();
  std::atomic<int> count{0};
  std::thread::id loop_thread;
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) loop->Post([&] { ++count; });
    loop->Post([&] {
      loop_thread = std::this_thread::get_id();
      loop->Stop();
    });
  });
  loop->Run();
  producer.join();
  EXPECT_EQ(count.load(), 1000);
  EXPECT_EQ(loop_thread, std::this_thread::get_id());
}

TEST(EventLoopTest, FdReadableCallbackAndUnwatchInsideCallback) {
  auto loop = MakeLoop();
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  UniqueFd a(fds[0]), b(fds[1]);
  int calls = 0;
  ASSERT_TRUE(loop->WatchFd(a.get(), kFdReadable,
                            [&](uint32_t events) {
                              EXPECT_TRUE(events & kFdReadable);
                              ++calls;
                              char buf[8];
                              EXPECT_EQ(read(a.get(), buf, sizeof(buf)), 1);
                              loop->UnwatchFd(a.get());
                              loop->Stop();
                            })
                  .ok());
  ASSERT_EQ(write(b.get(), "x", 1), 1);
  loop->Run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->watched_fds(), 0u);
}

TEST(EventLoopTest, SetInterestSwitchesEventsAndKeepsTheCallback) {
  auto loop = MakeLoop();
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  UniqueFd a(fds[0]), b(fds[1]);
  std::vector<uint32_t> seen;
  ASSERT_TRUE(loop->WatchFd(a.get(), kFdWritable,
                            [&](uint32_t events) { seen.push_back(events); })
                  .ok());
  // An empty socket is writable at once, never readable.
  loop->RunOnce(absl::Seconds(1));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0] & (kFdReadable | kFdWritable), kFdWritable);
  // Now only readable: nothing fires until the peer writes.
  ASSERT_TRUE(loop->SetInterest(a.get(), kFdReadable).ok());
  ASSERT_TRUE(loop->SetInterest(a.get(), kFdReadable).ok());  // unchanged
  loop->RunOnce(absl::Milliseconds(20));
  EXPECT_EQ(seen.size(), 1u);
  ASSERT_EQ(write(b.get(), "x", 1), 1);
  loop->RunOnce(absl::Seconds(1));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1] & (kFdReadable | kFdWritable), kFdReadable);
  EXPECT_EQ(loop->watched_fds(), 1u);
}

TEST(EventLoopTest, SetInterestOnAnUnwatchedFdIsAnError) {
  auto loop = MakeLoop();
  absl::Status status = loop->SetInterest(7, kFdReadable);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST(EventLoopTest, WatchingABadFdIsAnError) {
  auto loop = MakeLoop();
  absl::Status status = loop->WatchFd(-1, kFdReadable, [](uint32_t) {});
  EXPECT_FALSE(status.ok());
}

}  // namespace
}  // namespace propwatch
