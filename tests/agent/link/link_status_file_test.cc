// The agent's link status file: its line, its refresh, its errors.
#include "agent/link/link_status_file.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch {
namespace {

TEST(LinkStatusFileTest, LineSaysStateCoordinatorAndTime) {
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  EXPECT_EQ(LinkStatusLine(true, "10.0.0.1:7411", t, "ignored"),
            "connected 10.0.0.1:7411 1800000000\n");
  EXPECT_EQ(LinkStatusLine(false, "10.0.0.1:7411", t, "GOAWAY\nreceived"),
            "disconnected 10.0.0.1:7411 1800000000 GOAWAY received\n");
}

TEST(LinkStatusFileTest, WritesOnChangeAndRefreshesOnlyAfterTheInterval) {
  testing::TempDir dir;
  const std::string path = dir.File("link");
  LinkStatusFile file(path, "c:1", absl::Milliseconds(300));
  ASSERT_TRUE(file.Update(false, "dialling").ok());
  EXPECT_EQ(testing::ReadFile(path).rfind("disconnected c:1 ", 0), 0u)
      << testing::ReadFile(path);
  ASSERT_TRUE(file.Update(true).ok());
  EXPECT_EQ(testing::ReadFile(path).rfind("connected c:1 ", 0), 0u);
  // Within the refresh interval the same state is not rewritten.
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_TRUE(file.Update(true).ok());
  struct stat st;
  EXPECT_NE(stat(path.c_str(), &st), 0);
  absl::SleepFor(absl::Milliseconds(350));
  ASSERT_TRUE(file.Update(true).ok());
  EXPECT_EQ(testing::ReadFile(path).rfind("connected c:1 ", 0), 0u);
}

TEST(LinkStatusFileTest, UnwritablePlaceIsReportedOnceAndNamesTheFlag) {
  LinkStatusFile file("/nonexistent-dir/link", "c:1", absl::ZeroDuration());
  absl::Status first = file.Update(true);
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(first.message().find("/nonexistent-dir/link.tmp"),
            absl::string_view::npos);
  EXPECT_NE(first.message().find("--status-file"), absl::string_view::npos);
  EXPECT_TRUE(file.Update(true).ok()) << "the same error again is not news";
  EXPECT_TRUE(LinkStatusFile("", "c:1").Update(true).ok());
}

}  // namespace
}  // namespace propwatch
