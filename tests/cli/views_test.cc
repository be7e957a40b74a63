// The live view, the CI line and the report, rendered from hand-built
// verifications and round reports.
#include <cstdio>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "cli/live_view.h"
#include "cli/report_render.h"
#include "cli/round_summary.h"
#include "common/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace propwatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kCreated = absl::FromUnixSeconds(1700000000);

void AddCell(v1::RoundReport& r, const std::string& region,
             const std::string& ip, v1::CellStatus status, uint32_t http) {
  v1::MatrixCell* c = r.add_cells();
  c->set_region(region);
  c->set_ip(ip);
  c->set_hostname("www.example.test");
  c->set_path("/signin");
  c->set_status(status);
  c->set_probes(status == v1::CELL_STATUS_MIXED ? 2 : 1);
  c->set_passes(status == v1::CELL_STATUS_PASS    ? 1
                : status == v1::CELL_STATUS_MIXED ? 1
                                                  : 0);
  (*c->mutable_status_histogram())[http] = 1;
  if (status == v1::CELL_STATUS_MIXED)
    (*c->mutable_status_histogram())[200] = 1;
}

// Three regions; 127.0.0.3 serves 404 in eu and us, mixed in ap; ap's
// second agent did not answer.
LiveState FailingState() {
  LiveState s;
  v1::Verification& v = s.verification;
  v.set_id("v-0001");
  v.mutable_spec()->add_hostnames("www.example.test");
  v.set_state(v1::VERIFICATION_STATE_RUNNING);
  v.set_rounds_completed(3);
  *v.mutable_created_at() = ToProtoTime(kCreated);
  *v.mutable_schedule()->mutable_deadline() =
      ToProtoDuration(absl::Seconds(90));
  v.set_state_reason("Round 3 failed: 127.0.0.3 fails /signin from 3 regions.");
  v1::RoundReport r;
  r.set_round(3);
  r.set_verdict(v1::VERDICT_FAIL);
  for (const char* region : {"ap", "eu", "us"}) {
    AddCell(r, region, "127.0.0.2", v1::CELL_STATUS_PASS, 200);
    AddCell(r, region, "127.0.0.3",
            std::string(region) == "ap" ? v1::CELL_STATUS_MIXED
                                        : v1::CELL_STATUS_FAIL,
            404);
  }
  v1::Diagnosis* d = r.add_diagnoses();
  d->set_kind(v1::DIAGNOSIS_KIND_BAD_IP);
  d->set_ip("127.0.0.3");
  d->add_regions("ap");
  d->add_regions("eu");
  d->add_regions("us");
  d->add_paths("/signin");
  d->add_statuses(404);
  d->set_summary("127.0.0.3 fails /signin from 3 regions.");
  for (int i = 0; i < 7; ++i) d->add_evidence("0a0b" + std::to_string(i));
  r.add_missing_agents("edge-ap-2");
  v1::DnsView* dns = r.add_dns();
  dns->set_region("eu");
  dns->set_resolver_kind("system");
  dns->set_hostname("www.example.test");
  dns->add_addresses("127.0.0.2");
  dns->add_addresses("127.0.0.3");
  dns->set_min_ttl(60);
  s.round = r;
  s.agent_regions = {{"edge-ap-1", "ap"},
                     {"edge-ap-2", "ap"},
                     {"edge-eu", "eu"},
                     {"edge-us", "us"}};
  return s;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(LiveViewTest, ScreenShowsRegionsFailingIpAndReason) {
  const std::string screen = Joined(
      RenderLiveScreen(FailingState(), kCreated + absl::Seconds(7), false));
  EXPECT_EQ(screen,
            "propwatch v-0001  www.example.test  running  round 3  elapsed 7s "
            "of 1m30s\n"
            "last round 3: fail\n"
            "REGION  AGENTS  IPS  PASS  FAIL  DIAGNOSIS\n"
            "ap      1/2     2    1     1     BAD_IP 127.0.0.3\n"
            "eu      1/1     2    1     1     BAD_IP 127.0.0.3\n"
            "us      1/1     2    1     1     BAD_IP 127.0.0.3\n"
            "MIXED 127.0.0.3 /signin (200,404) in ap, eu, us\n"
            "Round 3 failed: 127.0.0.3 fails /signin from 3 regions.\n")
      << screen;
}

TEST(LiveViewTest, AgentsColumnUsesTheCoordinatorsCountsWhenPresent) {
  LiveState s = FailingState();
  // The coordinator asked 3 agents in ap (one joined after the watch began)
  // and 1 in eu; us was not asked at all this round.
  for (const auto& [region, asked, answered] :
       std::vector<std::tuple<std::string, int, int>>{{"ap", 3, 2},
                                                      {"eu", 1, 1}}) {
    v1::RegionAgents* row = s.round->add_agents_by_region();
    row->set_region(region);
    row->set_asked(asked);
    row->set_answered(answered);
  }
  const std::string screen =
      Joined(RenderLiveScreen(s, kCreated + absl::Seconds(7), false));
  EXPECT_THAT(screen, HasSubstr("\nap      2/3 "));
  EXPECT_THAT(screen, HasSubstr("\neu      1/1 "));
  EXPECT_THAT(screen, HasSubstr("\nus      0/0 "));
}

TEST(LiveViewTest, ColorOnlyWithAnsi) {
  const LiveState s = FailingState();
  const absl::Time now = kCreated + absl::Seconds(7);
  EXPECT_THAT(Joined(RenderLiveScreen(s, now, true)), HasSubstr("\x1b[1;31m"));
  EXPECT_THAT(Joined(RenderLiveScreen(s, now, false)), Not(HasSubstr("\x1b")));
}

TEST(LiveViewTest, BeforeTheFirstRound) {
  LiveState s = FailingState();
  s.round.reset();
  s.verification.set_rounds_completed(0);
  s.verification.mutable_selector()->add_regions("eu");
  const std::string screen =
      Joined(RenderLiveScreen(s, kCreated + absl::Seconds(1), false));
  EXPECT_THAT(screen, HasSubstr("waiting for the first round"));
  EXPECT_THAT(screen, HasSubstr("eu      1/1     0    0     0     -"));
}

TEST(LiveViewTest, EventLineIsPlain) {
  const std::string line =
      RenderEventLine(FailingState(), kCreated + absl::Seconds(7));
  EXPECT_EQ(line,
            "[+7s] v-0001 running round 3 fail (3 pass, 3 fail) failing: "
            "127.0.0.3 /signin (200,404) in ap, eu, us - Round 3 failed: "
            "127.0.0.3 fails /signin from 3 regions.");
}

TEST(LiveViewTest, FinalStateStopsTheClock) {
  LiveState s = FailingState();
  s.verification.set_state(v1::VERIFICATION_STATE_DIVERGED);
  *s.verification.mutable_finished_at() =
      ToProtoTime(kCreated + absl::Seconds(90));
  EXPECT_THAT(RenderEventLine(s, kCreated + absl::Hours(1)),
              HasSubstr("[+1m30s] v-0001 diverged"));
}

TEST(LiveViewTest, VisibleWidthSkipsEscapes) {
  EXPECT_EQ(VisibleWidth("\x1b[1;31mfail\x1b[0m ok"), 7u);
  EXPECT_EQ(VisibleWidth("é"), 1u);
}

TEST(ScreenWriterTest, RedrawsInPlaceCountingWrappedRows) {
  char buffer[512] = {};
  FILE* f = fmemopen(buffer, sizeof(buffer) - 1, "w");
  ASSERT_NE(f, nullptr);
  ScreenWriter writer(f, 10);
  writer.Draw({"first", "0123456789abc"});  // the second line wraps: 3 rows
  writer.Draw({"again"});
  writer.Commit();
  writer.Draw({"below"});
  std::fclose(f);
  EXPECT_EQ(std::string(buffer),
            "first\n0123456789abc\n"
            "\r\x1b[3A\x1b[Jagain\n"
            "below\n");
}

TEST(ReportRenderTest, MatrixCellsAndColors) {
  const v1::RoundReport round = *FailingState().round;
  EXPECT_EQ(RenderMatrix(round, "www.example.test", "/signin", false),
            "REGION  127.0.0.2  127.0.0.3\n"
            "ap      pass       mixed 1/2 200,404\n"
            "eu      pass       fail 404\n"
            "us      pass       fail 404\n");
  const std::string colored =
      RenderMatrix(round, "www.example.test", "/signin", true);
  EXPECT_THAT(colored, HasSubstr("\x1b[32mpass\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[1;31mfail 404\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[33mmixed 1/2 200,404\x1b[0m"));
}

TEST(ReportRenderTest, NoDataCellIsADash) {
  v1::RoundReport round;
  AddCell(round, "eu", "127.0.0.2", v1::CELL_STATUS_PASS, 200);
  AddCell(round, "us", "127.0.0.3", v1::CELL_STATUS_FAIL, 0);
  EXPECT_EQ(RenderMatrix(round, "www.example.test", "/signin", false),
            "REGION  127.0.0.2  127.0.0.3\n"
            "eu      pass       -\n"
            "us      -          fail error\n");
}

TEST(ReportRenderTest, WholeReport) {
  const LiveState s = FailingState();
  v1::Report report;
  *report.mutable_verification() = s.verification;
  report.mutable_verification()->set_state(v1::VERIFICATION_STATE_DIVERGED);
  *report.mutable_verification()->mutable_first_inconsistency_at() =
      ToProtoTime(kCreated + absl::Milliseconds(2500));
  v1::RoundReport first = *s.round;
  first.set_round(1);
  first.set_verdict(v1::VERDICT_PASS);
  *report.add_rounds() = first;
  *report.add_rounds() = *s.round;
  ReportRenderOptions options;
  const std::string out = RenderReport(report, options);
  EXPECT_THAT(out,
              HasSubstr("Verification v-0001  www.example.test  diverged"));
  EXPECT_THAT(out, HasSubstr("first inconsistency: +2.5s after creation; time "
                             "to consistency: not reached"));
  EXPECT_THAT(out, HasSubstr("ROUND  VERDICT  PASS  FAIL  NO DATA  DIAGNOSES"));
  EXPECT_THAT(out, HasSubstr("3      fail     3     3     0        BAD_IP "
                             "127.0.0.3  edge-ap-2"));
  EXPECT_THAT(out, HasSubstr("Round 3: fail"));
  EXPECT_THAT(out, HasSubstr("www.example.test/signin\nREGION  127.0.0.2"));
  EXPECT_THAT(out, HasSubstr("eu      system    www.example.test  "
                             "127.0.0.2,127.0.0.3  60s      no"));
  EXPECT_THAT(out,
              HasSubstr("BAD_IP: 127.0.0.3 fails /signin from 3 regions."));
  EXPECT_THAT(out, HasSubstr("ip 127.0.0.3; regions ap,eu,us; paths /signin; "
                             "statuses 404"));
  EXPECT_THAT(out, HasSubstr("evidence: 0a0b0 0a0b1 0a0b2 0a0b3 0a0b4 (+2 "
                             "more; -o json lists all)"));
  EXPECT_THAT(out, Not(HasSubstr("\x1b")));

  options.round = 1;
  EXPECT_THAT(RenderReport(report, options), HasSubstr("Round 1: pass"));
}

TEST(ReportRenderTest, DiagnosisHintAndTriStateAuthority) {
  v1::Report report;
  report.mutable_verification()->set_id("v-0002");
  v1::RoundReport& round = *report.add_rounds();
  round.set_round(1);
  v1::Diagnosis& d = *round.add_diagnoses();
  d.set_kind(v1::DIAGNOSIS_KIND_IP_UNREACHABLE);
  d.set_summary("IP 127.0.0.4 refuses for www from every region");
  d.set_hint("Nothing listens on 127.0.0.4 at that port.");
  for (auto [agreement, word] :
       std::vector<std::pair<v1::AuthorityAgreement, std::string>>{
           {v1::AUTHORITY_AGREEMENT_NOT_ASKED, "not asked"},
           {v1::AUTHORITY_AGREEMENT_DISAGREES, "no"}}) {
    round.clear_dns();
    v1::DnsView& view = *round.add_dns();
    view.set_region("eu");
    view.set_resolver_kind("system");
    view.set_hostname("www");
    view.add_addresses("127.0.0.4");
    view.set_authority(agreement);
    const std::string out = RenderReport(report, ReportRenderOptions());
    EXPECT_THAT(out, HasSubstr("    hint: Nothing listens on 127.0.0.4 at "
                               "that port.\n"));
    EXPECT_THAT(out, HasSubstr("127.0.0.4  0s       " + word + "\n")) << out;
  }
}

}  // namespace
}  // namespace propwatch
