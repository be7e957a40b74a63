#include "agent/http/response_headers.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace propwatch {
namespace {

std::vector<std::string> Recorded(const ResponseHeaders& h) {
  std::vector<std::string> out;
  for (const auto& v : h.recorded()) out.push_back(v.name() + "=" + v.value());
  return out;
}

TEST(ResponseHeadersTest, RecordsChosenNamesCaseInsensitively) {
  ResponseHeaders h({"X-Version", "cache-control"}, 1 << 16);
  for (const char* line :
       {"HTTP/1.1 200 OK\r\n", "x-version:  v1 \r\n", "Server: nginx\r\n",
        "Cache-Control: no-store\r\n", "CACHE-CONTROL: private\r\n", "\r\n"}) {
    EXPECT_TRUE(h.OnLine(line));
  }
  EXPECT_TRUE(h.complete());
  EXPECT_EQ(Recorded(h),
            (std::vector<std::string>{"x-version=v1", "Cache-Control=no-store",
                                      "CACHE-CONTROL=private"}));
}

TEST(ResponseHeadersTest, InterimResponsesAreForgotten) {
  ResponseHeaders h({"x-a"}, 1 << 16);
  for (const char* line :
       {"HTTP/1.1 100 Continue\r\n", "X-A: interim\r\n", "\r\n"}) {
    h.OnLine(line);
  }
  EXPECT_FALSE(h.complete());
  for (const char* line : {"HTTP/1.1 302 Found\r\n", "X-A: final\r\n",
                           "Location: /next\r\n", "\r\n"}) {
    h.OnLine(line);
  }
  EXPECT_TRUE(h.complete());
  EXPECT_EQ(Recorded(h), (std::vector<std::string>{"X-A=final"}));
  EXPECT_EQ(h.location(), "/next");
}

TEST(ResponseHeadersTest, Http2LinesAndFoldingAndTrailers) {
  ResponseHeaders h({"x-a"}, 1 << 16);
  for (const char* line : {"HTTP/2 200 \r\n", "x-a: one\r\n", " two\r\n",
                           "\r\n", "x-a: trailer\r\n", "\r\n"}) {
    h.OnLine(line);
  }
  EXPECT_EQ(Recorded(h), (std::vector<std::string>{"x-a=one two"}));
}

TEST(ResponseHeadersTest, CapCountsEveryByteIncludingInterimResponses) {
  ResponseHeaders h({}, 40);
  EXPECT_TRUE(h.OnLine("HTTP/1.1 100 Continue\r\n"));   // 23 bytes
  EXPECT_TRUE(h.OnLine("\r\n"));                        // 25
  EXPECT_FALSE(h.OnLine("HTTP/1.1 100 Continue\r\n"));  // 48 > 40
  EXPECT_EQ(h.bytes(), 48u);
}

TEST(ResponseHeadersTest, ResetStartsANewRequest) {
  ResponseHeaders h({"x-a"}, 30);
  h.OnLine("HTTP/1.1 301 Moved\r\n");
  h.OnLine("X-A: 1\r\n");
  h.Reset();
  EXPECT_EQ(h.bytes(), 0u);
  EXPECT_TRUE(h.recorded().empty());
  EXPECT_TRUE(h.OnLine("HTTP/1.1 200 OK\r\n"));
}

}  // namespace
}  // namespace propwatch
