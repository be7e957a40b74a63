// HttpProber against a real nginx with two servers for one name on two
// loopback IPs: each probe must reach exactly the IP it was pinned to.
#include <openssl/sha.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "agent/http/http_prober.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agent/http/http_prober_test_util.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/testing/free_port.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kIpA[] = "127.0.0.2";
constexpr char kIpB[] = "127.0.0.3";

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

// 4000 bytes for the body-cap test; no quotes or braces for nginx to parse.
std::string BigBody() {
  std::string body;
  for (int i = 0; body.size() < 4000; ++i) absl::StrAppend(&body, i % 10);
  return body.substr(0, 4000);
}

class HttpProberNginxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    port_ = FreePort();
    const std::string p = absl::StrCat(port_);
    NginxOptions options;
    options.work_dir = dir_->path();
    options.http_config = absl::StrCat(
        "server {\n"
        "  listen ",
        kIpA, ":", p,
        ";\n"
        "  server_name www.example.test;\n"
        "  add_header X-Backend a always;\n"
        "  location = /signin { return 200 'signin from a\\n'; }\n"
        "  location = /old { return 301 /signin; }\n"
        "  location = /away { return 302 http://other.example.test:",
        p,
        "/signin; }\n"
        "  location = /loop { return 302 /loop; }\n"
        "  location = /host { return 200 '$host'; }\n"
        "  location = /echo { return 200 '$request_method $http_x_probe'; }\n"
        "  location = /big { return 200 '",
        BigBody(),
        "'; }\n"
        "}\n"
        "server {\n"
        "  listen ",
        kIpB, ":", p,
        ";\n"
        "  server_name www.example.test;\n"
        "  add_header X-Backend b always;\n"
        "  location = /signin { return 404; }\n"
        "}\n");
    options.ready_addresses = {{kIpA, port_}, {kIpB, port_}};
    auto server = NginxServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    nginx_ = server->release();
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Url(absl::string_view path) {
    return absl::StrCat("http://www.example.test:", port_, path);
  }

  static TempDir* dir_;
  static NginxServer* nginx_;
  static uint16_t port_;
};

TempDir* HttpProberNginxTest::dir_ = nullptr;
NginxServer* HttpProberNginxTest::nginx_ = nullptr;
uint16_t HttpProberNginxTest::port_ = 0;

TEST_F(HttpProberNginxTest, EachPinnedIpGivesItsOwnAnswer) {
  ProberHarness h;
  v1::HttpProbeSpec a = HttpSpec(Url("/signin"), kIpA);
  a.add_record_headers("x-backend");
  v1::HttpProbeSpec b = a;
  b.set_pinned_ip(kIpB);
  const size_t ia = h.Start(a);
  const size_t ib = h.Start(b);
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(30)));

  const v1::HttpResult& ra = h.finished(ia)->result;
  EXPECT_EQ(ra.error_class(), v1::ERROR_CLASS_UNSPECIFIED)
      << ra.error_message();
  EXPECT_EQ(ra.url(), Url("/signin"));
  EXPECT_EQ(ra.pinned_ip(), kIpA);
  EXPECT_EQ(ra.dialled_ip(), kIpA);
  EXPECT_EQ(ra.status(), 200u);
  EXPECT_EQ(ra.http_version(), "HTTP/1.1");
  ASSERT_EQ(ra.headers_size(), 1);
  EXPECT_EQ(ra.headers(0).name(), "X-Backend");
  EXPECT_EQ(ra.headers(0).value(), "a");
  EXPECT_EQ(ra.body_sha256(), Sha256Hex("signin from a\n"));
  EXPECT_EQ(ra.body_bytes(), 14u);
  EXPECT_FALSE(ra.tls_verified());
  EXPECT_FALSE(ra.has_certificate());
  EXPECT_EQ(FromProtoDuration(ra.timings().dns()), absl::ZeroDuration());
  EXPECT_GT(FromProtoDuration(ra.timings().connect()), absl::ZeroDuration());
  EXPECT_GE(FromProtoDuration(ra.timings().first_byte()),
            FromProtoDuration(ra.timings().connect()));
  EXPECT_GE(FromProtoDuration(ra.timings().total()),
            FromProtoDuration(ra.timings().first_byte()));

  const v1::HttpResult& rb = h.finished(ib)->result;
  EXPECT_EQ(rb.error_class(), v1::ERROR_CLASS_UNSPECIFIED)
      << rb.error_message();
  EXPECT_EQ(rb.dialled_ip(), kIpB);
  EXPECT_EQ(rb.status(), 404u);
  ASSERT_EQ(rb.headers_size(), 1);
  EXPECT_EQ(rb.headers(0).value(), "b");
}

TEST_F(HttpProberNginxTest, ExpectationsAreCheckedOnTheAgent) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/signin"), kIpB);
  spec.mutable_expect()->add_status_in(200);
  (*spec.mutable_expect()->mutable_header_matches())["x-backend"] = "a";
  spec.mutable_expect()->set_body_regex("signin");
  const v1::HttpResult r = h.Run(spec);
  ASSERT_EQ(r.failures_size(), 3) << r.DebugString();
  EXPECT_EQ(r.failures(0).message(), "status 404, expected 200");
  EXPECT_EQ(r.failures(1).message(), "header x-backend 'b' does not match 'a'");
  EXPECT_EQ(r.failures(2).message(), "body does not match regex 'signin'");

  spec.set_pinned_ip(kIpA);
  const v1::HttpResult ok = h.Run(spec);
  EXPECT_EQ(ok.failures_size(), 0) << ok.DebugString();
}

TEST_F(HttpProberNginxTest, HostHeaderIsTheUrlHost) {
  ProberHarness h;
  const v1::HttpResult r = h.Run(HttpSpec(Url("/host"), kIpA));
  EXPECT_EQ(r.body_sha256(), Sha256Hex("www.example.test"));
}

TEST_F(HttpProberNginxTest, MethodAndExtraHeadersAreSent) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/echo"), kIpA);
  spec.set_method("POST");
  spec.add_headers("X-Probe: hello");
  EXPECT_EQ(h.Run(spec).body_sha256(), Sha256Hex("POST hello"));

  spec.set_method("HEAD");
  const v1::HttpResult head = h.Run(spec);
  EXPECT_EQ(head.error_class(), v1::ERROR_CLASS_UNSPECIFIED)
      << head.error_message();
  EXPECT_EQ(head.status(), 200u);
  EXPECT_EQ(head.body_bytes(), 0u);
}

TEST_F(HttpProberNginxTest, RedirectIsRecordedNotFollowedByDefault) {
  ProberHarness h;
  const v1::HttpResult r = h.Run(HttpSpec(Url("/old"), kIpA));
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_UNSPECIFIED) << r.error_message();
  EXPECT_EQ(r.status(), 301u);
  EXPECT_EQ(r.redirect_location(), Url("/signin"));
}

TEST_F(HttpProberNginxTest, FollowSameHostKeepsThePin) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/old"), kIpA);
  spec.set_redirects(v1::REDIRECT_POLICY_FOLLOW_SAME_HOST);
  spec.add_record_headers("x-backend");
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_UNSPECIFIED) << r.error_message();
  EXPECT_EQ(r.status(), 200u);
  EXPECT_EQ(r.dialled_ip(), kIpA);
  EXPECT_EQ(r.redirect_location(), "");
  EXPECT_EQ(r.body_sha256(), Sha256Hex("signin from a\n"));
  EXPECT_GE(FromProtoDuration(r.timings().total()),
            FromProtoDuration(r.timings().first_byte()));
}

TEST_F(HttpProberNginxTest, FollowSameHostStopsAtAnotherHost) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/away"), kIpA);
  spec.set_redirects(v1::REDIRECT_POLICY_FOLLOW_SAME_HOST);
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_UNSPECIFIED) << r.error_message();
  EXPECT_EQ(r.status(), 302u);
  EXPECT_EQ(r.redirect_location(),
            absl::StrCat("http://other.example.test:", port_, "/signin"));
}

TEST_F(HttpProberNginxTest, RedirectLoopStopsAfterFive) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/loop"), kIpA);
  spec.set_redirects(v1::REDIRECT_POLICY_FOLLOW_SAME_HOST);
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_PROTOCOL);
  EXPECT_THAT(r.error_message(), HasSubstr("stopped after 5 redirects"));
  EXPECT_EQ(r.status(), 302u);
}

TEST_F(HttpProberNginxTest, BodyCapStopsReadingAndHashesWhatWasRead) {
  ProberHarness h;
  v1::HttpProbeSpec spec = HttpSpec(Url("/big"), kIpA);
  spec.set_body_cap_bytes(1000);
  const v1::HttpResult r = h.Run(spec);
  EXPECT_EQ(r.error_class(), v1::ERROR_CLASS_BODY_TOO_LARGE);
  EXPECT_THAT(r.error_message(), HasSubstr("1000-byte cap"));
  EXPECT_EQ(r.status(), 200u);
  EXPECT_EQ(r.body_bytes(), 1000u);
  EXPECT_EQ(r.body_sha256(), Sha256Hex(BigBody().substr(0, 1000)));
}

TEST_F(HttpProberNginxTest, ConcurrencyCapQueuesTheRest) {
  HttpProberOptions options;
  options.max_in_flight = 2;
  ProberHarness h(options);
  size_t max_seen = 0;
  for (int i = 0; i < 10; ++i) {
    h.Start(HttpSpec(Url("/signin"), i % 2 == 0 ? kIpA : kIpB));
    max_seen = std::max(max_seen, h.prober().in_flight());
  }
  EXPECT_EQ(h.prober().in_flight(), 2u);
  EXPECT_EQ(h.prober().queued(), 8u);
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(30)));
  for (int i = 0; i < 10; ++i) {
    const v1::HttpResult& r = h.finished(i)->result;
    EXPECT_EQ(r.status(), i % 2 == 0 ? 200u : 404u) << r.DebugString();
    EXPECT_EQ(r.dialled_ip(), i % 2 == 0 ? kIpA : kIpB);
  }
  EXPECT_EQ(max_seen, 2u);
  EXPECT_EQ(h.prober().in_flight(), 0u);
  EXPECT_EQ(h.prober().queued(), 0u);
}

TEST_F(HttpProberNginxTest, HundredsOfProbesEachOnAFreshConnection) {
  HttpProberOptions options;
  options.max_in_flight = 100;
  ProberHarness h(options);
  constexpr int kProbes = 300;
  for (int i = 0; i < kProbes; ++i) {
    h.Start(HttpSpec(Url("/signin"), i % 2 == 0 ? kIpA : kIpB));
  }
  ASSERT_TRUE(h.RunUntilDone(absl::Seconds(60)));
  for (int i = 0; i < kProbes; ++i) {
    const v1::HttpResult& r = h.finished(i)->result;
    ASSERT_EQ(r.status(), i % 2 == 0 ? 200u : 404u) << r.DebugString();
    ASSERT_EQ(r.dialled_ip(), i % 2 == 0 ? kIpA : kIpB);
    // A fresh connection each: every probe measured its own connect.
    ASSERT_GT(FromProtoDuration(r.timings().connect()), absl::ZeroDuration());
  }
  EXPECT_EQ(h.loop().watched_fds(), 0u);
}

TEST_F(HttpProberNginxTest, BadSpecIsRejectedWithoutCallback) {
  ProberHarness h;
  bool called = false;
  auto id = h.prober().Start(HttpSpec(Url("/signin"), "www.example.test"),
                             [&](v1::HttpResult) { called = true; });
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  h.loop().RunOnce(absl::Milliseconds(10));
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace propwatch::testing
