// The real propwatchctl binary as a pipeline gate: every exit code reached
// by a real situation against a real coordinator, real agents, knotd and
// nginx (see gate_lab.h); the JSON documents parsed field by field; the live
// view driven through a pseudo-terminal; a coordinator restart mid-wait.
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.pb.h"
#include "tests/cli/gate_lab.h"
#include "tests/testing/free_port.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kRunLimit = absl::Seconds(60);

template <typename Message>
Message ParseJson(const std::string& json) {
  Message m;
  auto s = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  return m;
}

std::vector<std::string> Concat(std::vector<std::string> a,
                                const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class VerifyGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = GateLab::Start();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = std::move(*lab);
  }

  CommandResult Ctl(std::vector<std::string> args,
                    absl::Duration limit = absl::Seconds(20)) {
    return RunCommand(lab_->Ctl(std::move(args)), limit);
  }

  std::unique_ptr<GateLab> lab_;
};

TEST_F(VerifyGateTest, ConvergedExitsZeroWithPlainLinesInALog) {
  auto r =
      Ctl(Concat(lab_->VerifyFlags("good.example.test", "30s"), {"--wait"}),
          kRunLimit);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << lab_->Logs();
  EXPECT_THAT(r.out, HasSubstr("created verification "));
  EXPECT_THAT(r.out, HasSubstr("round 1 pass"));
  EXPECT_THAT(r.out, HasSubstr("\nconverged: Every region and IP was "
                               "consistent in 2 consecutive rounds"));
  EXPECT_THAT(r.out, HasSubstr("Details: propwatchctl report "));
  // Not a terminal: no escape codes at all.
  EXPECT_THAT(r.out, Not(HasSubstr("\x1b")));
}

TEST_F(VerifyGateTest, DivergedExitsOneAndEveryJsonDocumentParses) {
  auto r = Ctl(Concat(lab_->VerifyFlags("www.example.test", "4s"),
                      {"--wait", "-o", "json", "--release", "v42"}),
               kRunLimit);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err << lab_->Logs();
  // Progress went to stderr; stdout is exactly one document.
  EXPECT_THAT(r.err, HasSubstr("round 1 fail"));
  const auto event = ParseJson<v1::VerificationEvent>(r.out);
  const v1::Verification& v = event.verification();
  EXPECT_FALSE(v.id().empty());
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_DIVERGED);
  EXPECT_THAT(v.state_reason(), HasSubstr("Deadline of 4s passed"));
  EXPECT_TRUE(v.has_first_inconsistency_at());
  EXPECT_FALSE(v.has_time_to_consistency());
  EXPECT_GE(v.rounds_completed(), 2u);
  EXPECT_THAT(v.spec().hostnames(), ::testing::ElementsAre("www.example.test"));
  EXPECT_EQ(v.source().pipeline(), "cli-test");
  EXPECT_EQ(v.source().release(), "v42");
  const v1::RoundReport& round = event.round();
  EXPECT_EQ(round.verdict(), v1::VERDICT_FAIL);
  EXPECT_EQ(round.verification_id(), v.id());
  ASSERT_EQ(round.cells_size(), 3 * 2) << round.DebugString();
  for (const v1::MatrixCell& cell : round.cells()) {
    EXPECT_THAT(kRegions, ::testing::Contains(cell.region()));
    EXPECT_EQ(cell.hostname(), "www.example.test");
    EXPECT_EQ(cell.path(), "/signin");
    if (cell.ip() == kStaleIp) {
      EXPECT_EQ(cell.status(), v1::CELL_STATUS_FAIL);
      EXPECT_EQ(cell.status_histogram().at(404), cell.probes());
    } else {
      EXPECT_EQ(cell.ip(), kGoodIp);
      EXPECT_EQ(cell.status(), v1::CELL_STATUS_PASS);
    }
  }
  bool bad_ip = false;
  for (const v1::Diagnosis& d : round.diagnoses()) {
    if (d.kind() != v1::DIAGNOSIS_KIND_BAD_IP) continue;
    bad_ip = true;
    EXPECT_EQ(d.ip(), kStaleIp);
    EXPECT_THAT(d.regions(), ::testing::UnorderedElementsAreArray(kRegions));
    EXPECT_FALSE(d.evidence().empty());
  }
  EXPECT_TRUE(bad_ip) << round.DebugString();

  // get / list / report / results, each as one JSON document.
  auto get = Ctl({"get", v.id(), "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(ParseJson<v1::Verification>(get.out).state(),
            v1::VERIFICATION_STATE_DIVERGED);

  auto list = Ctl({"list", "-o", "json", "--state", "diverged"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto listed = ParseJson<v1::ListVerificationsResponse>(list.out);
  ASSERT_EQ(listed.verifications_size(), 1);
  EXPECT_EQ(listed.verifications(0).id(), v.id());

  auto report = Ctl({"report", v.id(), "-o", "json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto parsed_report = ParseJson<v1::Report>(report.out);
  EXPECT_EQ(parsed_report.verification().id(), v.id());
  EXPECT_EQ(static_cast<uint32_t>(parsed_report.rounds_size()),
            v.rounds_completed());
  auto one_round = Ctl({"report", v.id(), "--round", "1", "-o", "json"});
  ASSERT_EQ(one_round.exit_code, 0) << one_round.err;
  const auto round_one = ParseJson<v1::Report>(one_round.out);
  ASSERT_EQ(round_one.rounds_size(), 1);
  EXPECT_EQ(round_one.rounds(0).round(), 1u);

  auto results = Ctl({"results", v.id(), "--ip", kStaleIp, "--kind", "http",
                      "--region", "eu-west", "-o", "json"});
  ASSERT_EQ(results.exit_code, 0) << results.err;
  const auto parsed_results = ParseJson<v1::QueryResultsResponse>(results.out);
  ASSERT_FALSE(parsed_results.results().empty());
  for (const v1::ProbeResult& p : parsed_results.results()) {
    EXPECT_EQ(p.verification_id(), v.id());
    EXPECT_EQ(p.region(), "eu-west");
    ASSERT_TRUE(p.has_http());
    EXPECT_EQ(p.http().pinned_ip(), kStaleIp);
    EXPECT_EQ(p.http().status(), 404u);
  }

  // The report as a person reads it.
  auto table = Ctl({"report", v.id()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("diverged"));
  EXPECT_THAT(table.out, HasSubstr("www.example.test/signin\nREGION    "
                                   "127.0.0.2  127.0.0.3\n"));
  EXPECT_THAT(table.out, HasSubstr("\neu-west   pass       fail 404\n"));
  EXPECT_THAT(table.out, HasSubstr("BAD_IP: "));
  EXPECT_THAT(table.out, HasSubstr("DNS view"));
  EXPECT_THAT(table.out, HasSubstr("time to consistency: not reached"));

  // watch of a finished verification answers at once with the same code.
  auto watch = Ctl({"watch", v.id()});
  EXPECT_EQ(watch.exit_code, 1) << watch.out << watch.err;
}

TEST_F(VerifyGateTest, NoQuorumIsInconclusiveExitTwo) {
  // Two agents per region are required; each region has one.
  auto r = Ctl(Concat(lab_->VerifyFlags("good.example.test", "4s"),
                      {"--wait", "--min-agents", "2", "-o", "json"}),
               kRunLimit);
  ASSERT_EQ(r.exit_code, 2) << r.out << r.err << lab_->Logs();
  const auto event = ParseJson<v1::VerificationEvent>(r.out);
  EXPECT_EQ(event.verification().state(), v1::VERIFICATION_STATE_INCONCLUSIVE);
  EXPECT_EQ(event.round().verdict(), v1::VERDICT_INCONCLUSIVE);
  bool no_quorum = false;
  for (const v1::Diagnosis& d : event.round().diagnoses()) {
    no_quorum |= d.kind() == v1::DIAGNOSIS_KIND_NO_QUORUM;
  }
  EXPECT_TRUE(no_quorum) << event.round().DebugString();
}

TEST_F(VerifyGateTest, BadSpecsExitThreeNamingTheLine) {
  const std::string unknown_key = lab_->dir().File("unknown.yaml");
  std::ofstream(unknown_key) << "spec:\n"
                                "  hostnames: [good.example.test]\n"
                                "  scheme: http\n"
                                "  expect_status: [200]\n";
  auto r = Ctl({"verify", "-f", unknown_key, "--wait"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(unknown_key + ":4: unknown key 'expect_status' "
                                             "in spec"));

  const std::string bad_host = lab_->dir().File("badhost.yaml");
  std::ofstream(bad_host) << "spec:\n"
                             "  hostnames:\n"
                             "    - good.example.test\n"
                             "    - bad_host..example.test\n";
  r = Ctl({"verify", "-f", bad_host, "--wait"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(bad_host + ":4: spec.hostnames[1]: "
                                          "'bad_host..example.test' is not a "
                                          "valid hostname"));

  // A selector no connected agent matches: the coordinator refuses it
  // (FAILED_PRECONDITION) and nothing can be proven, so inconclusive.
  r = Ctl(Concat(lab_->VerifyFlags("good.example.test", "30s"),
                 {"--regions", "mars", "--wait"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no connected agent matches"));

  r = Ctl({"get", "no-such-id"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no verification 'no-such-id'"));
  EXPECT_THAT(r.err, HasSubstr(lab_->coordinator_address()));
}

TEST_F(VerifyGateTest, CoordinatorDownExitsFour) {
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  auto r =
      RunCommand({BuildPath("cli/propwatchctl"), "--insecure", "--coordinator",
                  address, "verify", "--host", "good.example.test", "--wait"},
                 absl::Seconds(30));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("cannot reach the coordinator at " + address));
}

// Starts `verify --wait` on a converging name with four stable rounds (so
// the restart lands before convergence), kills the coordinator after round
// 1, brings it back after `away` and returns the gate's exit code; `out`
// gets its stdout and stderr.
int GateAcrossARestart(GateLab& lab, const std::string& deadline,
                       absl::Duration away, std::string& out) {
  TempDir dir;
  std::vector<std::string> argv = lab.Ctl(
      Concat(lab.VerifyFlags("good.example.test", deadline), {"--wait"}));
  argv.insert(argv.end(), {"--stable-rounds", "4"});
  Subprocess ctl(argv, dir.File("ctl"));
  EXPECT_TRUE(
      WaitFor([&] { return ctl.Stdout().find("round 1") != std::string::npos; },
              absl::Seconds(20)))
      << ctl.Stdout() << ctl.Stderr();
  lab.KillCoordinator();
  absl::SleepFor(away);
  EXPECT_TRUE(lab.RestartCoordinator().ok());
  auto status = ctl.Wait(away + absl::Seconds(100));
  out = ctl.Stdout() + ctl.Stderr();
  if (!status.has_value() || !WIFEXITED(*status)) return -1;
  return WEXITSTATUS(*status);
}

TEST_F(VerifyGateTest, CoordinatorRestartMidWaitDoesNotFailTheGate) {
  std::string out;
  EXPECT_EQ(GateAcrossARestart(*lab_, "40s", absl::Milliseconds(500), out), 0)
      << out << lab_->Logs();
  EXPECT_THAT(out, HasSubstr("reconnecting"));
  EXPECT_THAT(out, HasSubstr("converged: "));
}

TEST_F(VerifyGateTest, CoordinatorAwayForFortySecondsDoesNotFailTheGate) {
  // The wait used to give up after 12 reconnect attempts (about 36 s) and
  // exit 4 while the verification resumed as an orphan.
  std::string out;
  EXPECT_EQ(GateAcrossARestart(*lab_, "150s", absl::Seconds(40), out), 0)
      << out << lab_->Logs();
  EXPECT_THAT(out, HasSubstr("converged: "));
}

// The id printed in "created verification ID".
std::string CreatedId(const std::string& out) {
  const std::string marker = "created verification ";
  const size_t at = out.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return out.substr(start, out.find_first_of(" \n", start) - start);
}

// Runs `argv` (following a verification that keeps running: many stable
// rounds, a long deadline) and sends it `signal_number` once it shows
// progress.
struct Interrupted {
  int exit_code = -1;
  std::string id, out, err;
};
Interrupted InterruptOnceRunning(GateLab& lab,
                                 const std::vector<std::string>& argv,
                                 int signal_number) {
  TempDir dir;
  Subprocess ctl(argv, dir.File("ctl"));
  Interrupted r;
  // The first progress line: "[+1s] ID running ...".
  const bool started = WaitFor(
      [&] { return ctl.Stdout().find(" running ") != std::string::npos; },
      absl::Seconds(20));
  EXPECT_TRUE(started) << ctl.Stdout() << ctl.Stderr() << lab.Logs();
  ctl.Signal(signal_number);
  auto status = ctl.Wait(absl::Seconds(20));
  EXPECT_TRUE(status.has_value()) << ctl.Stdout() << ctl.Stderr();
  if (status.has_value() && WIFEXITED(*status)) {
    r.exit_code = WEXITSTATUS(*status);
  }
  r.out = ctl.Stdout();
  r.err = ctl.Stderr();
  r.id = CreatedId(r.out);
  return r;
}

TEST_F(VerifyGateTest, InterruptedWaitCancelsTheVerificationItStarted) {
  std::vector<std::string> argv = lab_->Ctl(
      Concat(lab_->VerifyFlags("good.example.test", "60s"), {"--wait"}));
  argv.insert(argv.end(), {"--stable-rounds", "50"});
  const Interrupted r = InterruptOnceRunning(*lab_, argv, SIGINT);
  EXPECT_EQ(r.exit_code, 130) << r.out << r.err;
  ASSERT_FALSE(r.id.empty()) << r.out;
  EXPECT_THAT(
      r.err, HasSubstr("interrupted (SIGINT); cancelled verification " + r.id));
  auto get = Ctl({"get", r.id, "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << get.out << get.err;
  const auto v = ParseJson<v1::Verification>(get.out);
  EXPECT_EQ(v.state(), v1::VERIFICATION_STATE_CANCELLED);
  EXPECT_THAT(v.state_reason(), HasSubstr("interrupted (SIGINT)"));
}

TEST_F(VerifyGateTest, TerminatedWatchLeavesTheVerificationRunning) {
  auto created = Ctl(Concat(lab_->VerifyFlags("good.example.test", "60s"),
                            {"--stable-rounds", "50"}));
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  // Without --wait, verify prints just the id.
  const std::string id(absl::StripAsciiWhitespace(created.out));
  ASSERT_FALSE(id.empty()) << created.out;
  const Interrupted r =
      InterruptOnceRunning(*lab_, lab_->Ctl({"watch", id}), SIGTERM);
  EXPECT_EQ(r.exit_code, 143) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted (SIGTERM); verification " + id +
                               " keeps running"));
  auto get = Ctl({"get", id, "-o", "json"});
  const auto v = ParseJson<v1::Verification>(get.out);
  EXPECT_NE(v.state(), v1::VERIFICATION_STATE_CANCELLED) << get.out;
  ASSERT_EQ(Ctl({"cancel", id}).exit_code, 0);
}

// Runs argv on a pseudo-terminal (80x30) and returns everything it wrote.
std::string RunOnPty(const std::vector<std::string>& argv, int* exit_code,
                     absl::Duration limit) {
  int master = -1;
  winsize size{};
  size.ws_row = 30;
  size.ws_col = 100;
  // Everything exec needs is built before fork: the child of a threaded
  // process may only call async-signal-safe functions.
  std::vector<std::string> env_strings = {"TERM=xterm-256color"};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (entry.rfind("TERM=", 0) != 0 && entry.rfind("NO_COLOR=", 0) != 0) {
      env_strings.push_back(entry);
    }
  }
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) {
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  std::string out;
  const absl::Time deadline = absl::Now() + limit;
  char buffer[4096];
  while (absl::Now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      const ssize_t n = read(master, buffer, sizeof(buffer));
      if (n <= 0) break;  // EIO: the child closed the terminal
      out.append(buffer, n);
    }
  }
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  close(master);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// Drops CSI sequences and carriage returns.
std::string StripAnsi(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      continue;
    }
    if (s[i] != '\r') out += s[i];
  }
  return out;
}

TEST_F(VerifyGateTest, LiveViewOnATerminalEndsShowingTheFailingIpAndRegions) {
  int exit_code = -1;
  const std::string raw =
      RunOnPty(lab_->Ctl(Concat(lab_->VerifyFlags("www.example.test", "4s"),
                                {"--wait"})),
               &exit_code, kRunLimit);
  EXPECT_EQ(exit_code, 1) << raw;
  // Redrawn in place: cursor up + clear to the end of the screen.
  ASSERT_THAT(raw, HasSubstr("A\x1b[J")) << raw;
  EXPECT_THAT(raw, HasSubstr("\x1b[1;31m"));  // failing cells in red
  // The final screen is what follows the last clear.
  const std::string final_screen =
      StripAnsi(raw.substr(raw.rfind("\x1b[J") + 3));
  EXPECT_THAT(final_screen, HasSubstr("diverged"));
  EXPECT_THAT(final_screen,
              HasSubstr("FAIL  127.0.0.3 /signin (404) in ap-south, eu-west, "
                        "us-east"));
  // Each region's row: its one agent answered, both IPs seen, one cell
  // passing and one failing, and the diagnosis naming the stale IP.
  for (const std::string& region : kRegions) {
    const size_t row = final_screen.find("\n" + region + " ");
    ASSERT_NE(row, std::string::npos) << final_screen;
    std::vector<std::string> fields =
        absl::StrSplit(final_screen.substr(
                           row + 1, final_screen.find('\n', row + 1) - row - 1),
                       ' ', absl::SkipEmpty());
    EXPECT_THAT(fields, ::testing::ElementsAre(region, "1/1", "2", "1", "1",
                                               "BAD_IP", kStaleIp))
        << final_screen;
  }
  EXPECT_THAT(final_screen, HasSubstr("diverged: Deadline of 4s passed"));
}

}  // namespace
}  // namespace propwatch::testing
