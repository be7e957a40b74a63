// Verifications end to end: a real coordinator, real agents in three
// regions, a real knotd and a real nginx on loopback. One of the name's two
// edges serves stale content (404) until the test fixes it mid-run.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "common/unique_fd.h"
#include "coordinator/engine/engine.h"
#include "coordinator/storage/verification_store.h"
#include "coordinator/verify/report_recompute.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/agent.grpc.pb.h"
#include "propwatch/v1/control.grpc.pb.h"
#include "tests/agent/dns/knot_server.h"
#include "tests/agent/http/nginx_server.h"
#include "tests/agent/link/link_test_util.h"
#include "tests/testing/coordinator_process.h"
#include "tests/testing/free_port.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGoodIp[] = "127.0.0.2";
constexpr char kStaleIp[] = "127.0.0.3";
constexpr absl::Duration kInterval = absl::Seconds(2);

class VerificationProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto knot = dns::testing::KnotServer::Start({{"example.test", R"(
$TTL 60
@    SOA ns1 hostmaster 1 3600 600 86400 60
@    NS  ns1
ns1  A   127.0.0.1
www  A   127.0.0.2
www  A   127.0.0.3
)"}});
    ASSERT_TRUE(knot.ok()) << knot.status();
    knot_ = std::move(*knot);

    port_ = FreePort();
    WriteStaleEdge(/*stale=*/true);
    NginxOptions options;
    options.work_dir = dir_.path();
    options.http_config =
        absl::StrCat("server { listen ", kGoodIp, ":", port_,
                     "; location / { return 200 'current'; } }\n"
                     "include ",
                     dir_.File("stale-edge.conf"), ";\n");
    options.ready_addresses = {{kGoodIp, static_cast<uint16_t>(port_)},
                               {kStaleIp, static_cast<uint16_t>(port_)}};
    nginx_options_ = options;
    auto nginx = NginxServer::Start(options);
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = std::move(*nginx);
    address_ = "127.0.0.1:" + std::to_string(FreePort());
    data_dir_ = dir_.File("coordinator-data");
    StartCoordinator();
    for (const char* region : {"eu", "us", "ap"}) {
      agents_.push_back(StartAgentProcess(
          address_, absl::StrCat("edge-", region), region,
          dir_.File(absl::StrCat("agent-", region)),
          {"--insecure", "--system-resolver", knot_->address()}));
    }
    control_ = PlaintextControl(address_);
    ASSERT_TRUE(
        WaitFor([&] { return ConnectedAgents() == 3; }, absl::Seconds(20)));
  }

  void StartCoordinator() {
    coordinator_ = std::make_unique<CoordinatorProcess>(
        std::vector<std::string>{"--listen", address_,
                                 "--allow-private-targets",
                                 "--heartbeat-interval", "1"},
        data_dir_);
  }

  // Fixes the stale edge. The test fixture runs nginx without a master
  // process, which cannot reload, so it is restarted on the same ports.
  void FixStaleEdge() {
    WriteStaleEdge(/*stale=*/false);
    nginx_.reset();
    auto nginx = NginxServer::Start(nginx_options_);
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = std::move(*nginx);
  }

  // The second edge's server block: stale (404 on /signin) or fixed.
  void WriteStaleEdge(bool stale) {
    std::ofstream out(dir_.File("stale-edge.conf"), std::ios::trunc);
    out << "server { listen " << kStaleIp << ":" << port_ << "; "
        << (stale ? "location / { return 404; }"
                  : "location / { return 200 'current'; }")
        << " }\n";
  }

  int ConnectedAgents() {
    grpc::ClientContext context;
    v1::ListAgentsRequest request;
    request.set_connected_only(true);
    v1::ListAgentsResponse response;
    if (!control_->ListAgents(&context, request, &response).ok()) return -1;
    return response.agents_size();
  }

  v1::Verification Create(absl::Duration deadline = absl::Seconds(90),
                          std::vector<std::string> regions = {}) {
    v1::CreateVerificationRequest request;
    for (const std::string& region : regions) {
      request.mutable_selector()->add_regions(region);
    }
    v1::VerificationSpec& spec = *request.mutable_spec();
    spec.add_hostnames("www.example.test");
    spec.add_record_types(v1::RECORD_TYPE_A);
    spec.set_scheme("http");
    spec.set_port(port_);
    spec.add_paths("/signin");
    spec.add_paths("/docs");
    spec.set_pin_mode(v1::PIN_MODE_ALL_OBSERVED);
    spec.mutable_http_expect()->add_status_in(200);
    *request.mutable_schedule()->mutable_round_interval() =
        ToProtoDuration(kInterval);
    *request.mutable_schedule()->mutable_deadline() = ToProtoDuration(deadline);
    *request.mutable_schedule()->mutable_phase_timeout() =
        ToProtoDuration(absl::Milliseconds(800));
    request.mutable_schedule()->set_stable_rounds(2);
    request.mutable_source()->set_pipeline("test");
    grpc::ClientContext context;
    v1::Verification v;
    grpc::Status s = control_->CreateVerification(&context, request, &v);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return v;
  }

  v1::Verification Get(const std::string& id) {
    grpc::ClientContext context;
    v1::GetVerificationRequest request;
    request.set_id(id);
    v1::Verification v;
    (void)control_->GetVerification(&context, request, &v);
    return v;
  }

  v1::Report Report(const std::string& id) {
    grpc::ClientContext context;
    v1::GetReportRequest request;
    request.set_id(id);
    v1::Report report;
    grpc::Status s = control_->GetReport(&context, request, &report);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return report;
  }

  v1::ProbeResult AnHttpResult(const std::string& id) {
    grpc::ClientContext context;
    v1::QueryResultsRequest request;
    request.set_verification_id(id);
    request.set_kind("http");
    request.set_limit(1000);
    v1::QueryResultsResponse response;
    (void)control_->QueryResults(&context, request, &response);
    if (response.results().empty()) return v1::ProbeResult();
    return response.results(response.results_size() - 1);
  }

  // Waits for the verification to end; the final state.
  v1::Verification WaitFinal(const std::string& id, absl::Duration timeout) {
    v1::Verification v;
    EXPECT_TRUE(WaitFor(
        [&] {
          v = Get(id);
          return v.state() != v1::VERIFICATION_STATE_RUNNING;
        },
        timeout))
        << v.DebugString();
    return v;
  }

  v1::AgentRecord Agent(const std::string& agent_id) {
    grpc::ClientContext context;
    v1::ListAgentsResponse response;
    (void)control_->ListAgents(&context, v1::ListAgentsRequest(), &response);
    for (const v1::AgentRecord& agent : response.agents()) {
      if (agent.identity().agent_id() == agent_id) return agent;
    }
    return v1::AgentRecord();
  }

  v1::RoundReport LastRound(const std::string& id) {
    const v1::Report report = Report(id);
    if (report.rounds().empty()) return v1::RoundReport();
    return report.rounds(report.rounds_size() - 1);
  }

  bool SawBadStaleIp(const std::string& id) {
    const v1::Report report = Report(id);
    for (const v1::RoundReport& round : report.rounds()) {
      for (const v1::Diagnosis& d : round.diagnoses()) {
        if (d.kind() == v1::DIAGNOSIS_KIND_BAD_IP && d.ip() == kStaleIp) {
          return true;
        }
      }
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<dns::testing::KnotServer> knot_;
  NginxOptions nginx_options_;
  std::unique_ptr<NginxServer> nginx_;
  int port_ = 0;
  std::string address_;
  std::string data_dir_;
  std::unique_ptr<CoordinatorProcess> coordinator_;
  std::vector<std::unique_ptr<Subprocess>> agents_;
  std::unique_ptr<v1::ControlService::Stub> control_;
};

TEST_F(VerificationProcessTest, StaleEdgeFixedMidRunConverges) {
  const v1::Verification created = Create();
  ASSERT_EQ(created.state(), v1::VERIFICATION_STATE_RUNNING);
  ASSERT_TRUE(
      WaitFor([&] { return SawBadStaleIp(created.id()); }, absl::Seconds(30)))
      << coordinator_->process().Stderr();
  EXPECT_EQ(Get(created.id()).state(), v1::VERIFICATION_STATE_RUNNING);

  FixStaleEdge();
  const absl::Time fixed_at = absl::Now();

  v1::Verification v;
  ASSERT_TRUE(WaitFor(
      [&] {
        v = Get(created.id());
        return v.state() != v1::VERIFICATION_STATE_RUNNING;
      },
      absl::Seconds(40)))
      << nginx_->ErrorLog() << LastRound(created.id()).diagnoses_size()
      << " diagnoses; a result: " << AnHttpResult(created.id()).DebugString();
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_CONVERGED) << v.DebugString();
  ASSERT_TRUE(v.has_time_to_consistency());
  ASSERT_TRUE(v.has_first_inconsistency_at());
  // Consistency reached within one round interval (plus one round's own
  // duration) of the fix.
  const absl::Time consistent_at = FromProtoTime(v.created_at()) +
                                   FromProtoDuration(v.time_to_consistency());
  EXPECT_GE(consistent_at, fixed_at - absl::Milliseconds(100));
  EXPECT_LE(consistent_at, fixed_at + kInterval + absl::Seconds(2))
      << "fixed at " << fixed_at << ", consistent at " << consistent_at;

  const v1::Report report = Report(created.id());
  ASSERT_GE(report.rounds_size(), 3);
  const v1::RoundReport& last = report.rounds(report.rounds_size() - 1);
  EXPECT_EQ(last.verdict(), v1::VERDICT_PASS);
  EXPECT_TRUE(last.diagnoses().empty());
  // Every region probed both IPs (cross-probing) on both paths.
  EXPECT_EQ(last.cells_size(), 3 * 2 * 2);

  // Reports are a pure function of what was stored: recomputing each round
  // from its stored results gives the stored report, byte for byte.
  coordinator_->process().Signal(SIGTERM);
  ASSERT_TRUE(coordinator_->process().Wait(absl::Seconds(30)).has_value());
  auto store = Store::Open(data_dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  VerificationStore verifications(**store);
  auto stored_v = verifications.Get(created.id());
  ASSERT_TRUE(stored_v.ok());
  auto stored = verifications.RoundReports(created.id());
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), static_cast<size_t>(report.rounds_size()));
  for (const v1::RoundReport& r : *stored) {
    auto recomputed = RecomputeRoundReport(verifications, *stored_v, r.round());
    ASSERT_TRUE(recomputed.ok()) << recomputed.status();
    EXPECT_EQ(SerializeReportDeterministically(*recomputed),
              SerializeReportDeterministically(r))
        << "round " << r.round();
  }
}

TEST_F(VerificationProcessTest, CoordinatorKillNineResumesToTheSameVerdict) {
  const v1::Verification created = Create();
  ASSERT_TRUE(
      WaitFor([&] { return SawBadStaleIp(created.id()); }, absl::Seconds(30)));
  const uint32_t rounds_before = Get(created.id()).rounds_completed();

  coordinator_->process().Signal(SIGKILL);
  coordinator_->process().Wait(absl::Seconds(10));
  coordinator_.reset();
  StartCoordinator();

  // Still running after the restart, and new rounds keep coming.
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::Verification v = Get(created.id());
        return v.state() == v1::VERIFICATION_STATE_RUNNING &&
               v.rounds_completed() > rounds_before + 1;
      },
      absl::Seconds(30)))
      << coordinator_->process().Stderr();
  const v1::Report report = Report(created.id());
  const v1::RoundReport& last = report.rounds(report.rounds_size() - 1);
  EXPECT_EQ(last.verdict(), v1::VERDICT_FAIL);
  bool bad_ip = false;
  for (const v1::Diagnosis& d : last.diagnoses()) {
    bad_ip |= d.kind() == v1::DIAGNOSIS_KIND_BAD_IP && d.ip() == kStaleIp;
  }
  EXPECT_TRUE(bad_ip) << last.DebugString();
  // Round numbers are never reused: the cut-short round has no report.
  std::set<uint32_t> rounds;
  for (const v1::RoundReport& r : report.rounds()) {
    EXPECT_TRUE(rounds.insert(r.round()).second) << r.round();
  }

  // Fixing the edge now converges the resumed verification.
  FixStaleEdge();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Get(created.id()).state() == v1::VERIFICATION_STATE_CONVERGED;
      },
      absl::Seconds(40)))
      << Get(created.id()).DebugString();
}

TEST_F(VerificationProcessTest, RegionWhoseAgentDiedBeforeTheStartIsNoQuorum) {
  // ap's only agent is gone before the verification starts. No --regions:
  // ap must still be expected (its agent was seen moments ago), so the gate
  // cannot pass on eu and us alone.
  FixStaleEdge();
  agents_[2]->Signal(SIGKILL);
  agents_[2]->Wait(absl::Seconds(10));
  ASSERT_TRUE(
      WaitFor([&] { return ConnectedAgents() == 2; }, absl::Seconds(10)));
  const v1::Verification created = Create(absl::Seconds(8));
  EXPECT_THAT(created.expected_regions(), ElementsAre("ap", "eu", "us"));
  const v1::Verification v = WaitFinal(created.id(), absl::Seconds(30));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_INCONCLUSIVE) << v.DebugString();
  EXPECT_THAT(v.state_reason(), HasSubstr("Region ap has 0 agents reporting"));
  const v1::RoundReport last = LastRound(created.id());
  EXPECT_EQ(last.verdict(), v1::VERDICT_INCONCLUSIVE);
}

TEST_F(VerificationProcessTest, RegionWhoseAgentDiesMidRunIsNoQuorum) {
  FixStaleEdge();
  const v1::Verification created = Create(absl::Seconds(8));
  ASSERT_TRUE(WaitFor([&] { return Get(created.id()).rounds_completed() >= 1; },
                      absl::Seconds(10)));
  agents_[2]->Signal(SIGKILL);  // ap's only agent, after round 1
  agents_[2]->Wait(absl::Seconds(10));
  const v1::Verification v = WaitFinal(created.id(), absl::Seconds(30));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_INCONCLUSIVE) << v.DebugString();
  EXPECT_THAT(v.state_reason(), HasSubstr("Region ap has 0 agents reporting"));
  const v1::RoundReport last = LastRound(created.id());
  EXPECT_EQ(last.verdict(), v1::VERDICT_INCONCLUSIVE);
  EXPECT_THAT(last.agents_by_region(), ::testing::Not(::testing::IsEmpty()));
}

TEST_F(VerificationProcessTest, CancellingStopsTheAgentsProbesAtOnce) {
  // An edge that accepts connections and never answers: every HTTP probe
  // would hang until its 10 s timeout unless the agent is told to stop.
  UniqueFd silent(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_TRUE(silent.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(0x7f000004);  // 127.0.0.4
  ASSERT_EQ(
      bind(silent.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(silent.get(), 64), 0);
  socklen_t len = sizeof(addr);
  getsockname(silent.get(), reinterpret_cast<sockaddr*>(&addr), &len);

  v1::CreateVerificationRequest request;
  v1::VerificationSpec& spec = *request.mutable_spec();
  spec.add_hostnames("www.example.test");
  spec.add_record_types(v1::RECORD_TYPE_A);
  spec.set_scheme("http");
  spec.set_port(ntohs(addr.sin_port));
  spec.add_paths("/signin");
  spec.set_pin_mode(v1::PIN_MODE_EXPLICIT);
  spec.add_explicit_ips("127.0.0.4");
  *request.mutable_schedule()->mutable_round_interval() =
      ToProtoDuration(absl::Seconds(20));
  *request.mutable_schedule()->mutable_phase_timeout() =
      ToProtoDuration(absl::Seconds(10));
  grpc::ClientContext create;
  v1::Verification v;
  ASSERT_TRUE(control_->CreateVerification(&create, request, &v).ok());
  // The HTTP phase is under way once the agents connected to the edge.
  absl::SleepFor(absl::Seconds(2));
  grpc::ClientContext cancel;
  v1::CancelVerificationRequest cancel_request;
  cancel_request.set_id(v.id());
  cancel_request.set_reason("test");
  v1::Verification cancelled;
  ASSERT_TRUE(
      control_->CancelVerification(&cancel, cancel_request, &cancelled).ok());
  const absl::Time at = absl::Now();
  // Each agent is told, stops its probes, and the probes' CANCELLED results
  // come back (refused: their command is closed) long before 10 s.
  for (const char* agent : {"edge-eu", "edge-us", "edge-ap"}) {
    EXPECT_TRUE(WaitFor([&] { return Agent(agent).refused_results() > 0; },
                        absl::Seconds(4)))
        << agent << "\n"
        << coordinator_->process().Stderr();
  }
  EXPECT_LT(absl::Now() - at, absl::Seconds(5));
  for (auto& agent : agents_) {
    EXPECT_THAT(agent->Stderr(), HasSubstr("coordinator cancels command"));
  }
}

TEST_F(VerificationProcessTest, ForgottenAgentsRegionIsNoLongerExpected) {
  FixStaleEdge();
  agents_[2]->Signal(SIGKILL);
  agents_[2]->Wait(absl::Seconds(10));
  ASSERT_TRUE(
      WaitFor([&] { return ConnectedAgents() == 2; }, absl::Seconds(10)));
  grpc::ClientContext context;
  v1::ForgetAgentRequest request;
  request.set_agent_id("edge-ap");
  v1::ForgetAgentResponse response;
  grpc::Status s = control_->ForgetAgent(&context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.agent().identity().region(), "ap");

  const v1::Verification created = Create(absl::Seconds(30));
  EXPECT_THAT(created.expected_regions(), ElementsAre("eu", "us"));
  const v1::Verification v = WaitFinal(created.id(), absl::Seconds(40));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_CONVERGED) << v.DebugString();
  EXPECT_THAT(v.state_reason(), HasSubstr("across 2 regions (eu, us)"));
}

TEST_F(VerificationProcessTest, AConnectedAgentCannotBeForgotten) {
  grpc::ClientContext context;
  v1::ForgetAgentRequest request;
  request.set_agent_id("edge-eu");
  v1::ForgetAgentResponse response;
  grpc::Status s = control_->ForgetAgent(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is connected"));
}

TEST_F(VerificationProcessTest,
       AnAgentCannotAnswerForAVerificationItWasNotAsked) {
  // The honest verification asks eu only, on a healthy edge. An intruder
  // with a valid stream in another region files failing HTTP results into
  // every round of it: they must be refused, counted, and the verdict stays
  // CONVERGED.
  FixStaleEdge();
  auto channel =
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  auto stub = v1::AgentService::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->Connect(&context);
  v1::AgentMessage hello;
  hello.mutable_hello()->mutable_identity()->set_agent_id("intruder");
  hello.mutable_hello()->mutable_identity()->set_region("sa");
  ASSERT_TRUE(stream->Write(hello));
  v1::CoordinatorMessage welcome;
  ASSERT_TRUE(stream->Read(&welcome));
  ASSERT_TRUE(welcome.has_welcome());

  const v1::Verification created = Create(absl::Seconds(30), {"eu"});
  // First a forged sequence: stored, it would become the agent id's
  // acked_through and make the real agent drop and renumber its results.
  v1::AgentMessage forged;
  v1::ProbeResult& wrap = *forged.mutable_results()->add_results();
  wrap.set_verification_id(created.id());
  wrap.set_round(1);
  wrap.set_sequence(std::numeric_limits<uint64_t>::max());
  wrap.mutable_http()->set_status(500);
  ASSERT_TRUE(stream->Write(forged));
  uint64_t sequence = welcome.welcome().acked_through();
  for (uint32_t round = 1; round <= 12; ++round) {
    v1::AgentMessage batch;
    for (const char* ip : {kGoodIp, kStaleIp}) {
      v1::ProbeResult& r = *batch.mutable_results()->add_results();
      r.set_verification_id(created.id());
      r.set_round(round);
      r.set_sequence(++sequence);
      r.set_command_id(round);    // a guess: never a command sent to it
      r.set_agent_id("edge-eu");  // overwritten by the stream's identity
      r.set_region("eu");
      v1::HttpResult& http = *r.mutable_http();
      http.set_url(absl::StrCat("http://www.example.test:", port_, "/signin"));
      http.set_pinned_ip(ip);
      http.set_dialled_ip(ip);
      http.set_status(500);
      v1::ExpectationFailure& f = *http.add_failures();
      f.set_field("status");
      f.set_message("500 is not 200");
    }
    ASSERT_TRUE(stream->Write(batch));
  }
  const v1::Verification v = WaitFinal(created.id(), absl::Seconds(40));
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_CONVERGED)
      << v.DebugString() << LastRound(created.id()).DebugString();
  EXPECT_EQ(Agent("intruder").refused_results(), 25u);
  EXPECT_THAT(coordinator_->process().Stderr(),
              HasSubstr("agent intruder (ipv4:127.0.0.1"));
  EXPECT_THAT(coordinator_->process().Stderr(),
              HasSubstr("result with sequence 18446744073709551615"));
  // The refused results were acked so the intruder's outbox could let go.
  size_t acked = 0;
  v1::CoordinatorMessage message;
  while (acked < 25 && stream->Read(&message)) {
    if (message.has_ack()) acked += message.ack().sequences_size();
  }
  EXPECT_EQ(acked, 25u);
  context.TryCancel();
}

TEST_F(VerificationProcessTest, BadRequestsAreRefusedNamingTheField) {
  grpc::ClientContext context;
  v1::CreateVerificationRequest request;
  request.mutable_spec()->add_hostnames("www.example.test");
  request.mutable_selector()->add_regions("mars");
  v1::Verification v;
  grpc::Status s = control_->CreateVerification(&context, request, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("no connected agent"));
}

}  // namespace
}  // namespace propwatch::testing
