// docs/gating.md's examples, exercised: the spec loads as written; the
// plain shell step and the Octopus script run unchanged against a real
// coordinator and agents (with the spec pointed at the lab); the GitHub,
// Helm and Argo documents are valid YAML that call the gate.
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "propwatch/v1/control.pb.h"
#include "tests/cli/gate_lab.h"

namespace propwatch::testing {
namespace {

using ::testing::HasSubstr;

// Code blocks of docs/gating.md by the name in the
// "<!-- gating-test:NAME -->" comment before them.
std::map<std::string, std::string> DocBlocks() {
  // The path is compiled in: ctest's environment carries only the build
  // directory (see the note in tests/cli/CMakeLists.txt).
  std::ifstream in(PROPWATCH_GATING_DOC);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  std::map<std::string, std::string> blocks;
  const std::string marker = "<!-- gating-test:";
  for (size_t at = doc.find(marker); at != std::string::npos;
       at = doc.find(marker, at + 1)) {
    const size_t name_end = doc.find(" -->", at);
    const std::string name =
        doc.substr(at + marker.size(), name_end - at - marker.size());
    const size_t fence = doc.find("```", name_end);
    const size_t body = doc.find('\n', fence) + 1;
    const size_t close = doc.find("\n```", body);
    blocks[name] = doc.substr(body, close + 1 - body);
  }
  return blocks;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(GatingDocsTest, EveryExampleIsThere) {
  const auto blocks = DocBlocks();
  for (const char* name :
       {"spec", "shell", "github", "helm", "argo", "octopus"}) {
    EXPECT_TRUE(blocks.count(name)) << name;
  }
}

TEST(GatingDocsTest, SpecLoadsAsWritten) {
  TempDir dir;
  const std::string spec = dir.File("www.yaml");
  WriteFile(spec, DocBlocks()["spec"]);
  auto r = RunCommand(
      {BuildPath("cli/propwatchctl"), "verify", "-f", spec, "--dry-run"},
      absl::Seconds(10));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  v1::CreateVerificationRequest request;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &request).ok())
      << r.out;
  EXPECT_EQ(request.spec().hostnames(0), "www.example.com");
  EXPECT_EQ(request.spec().pin_mode(), v1::PIN_MODE_ALL_OBSERVED);
  EXPECT_THAT(request.selector().regions(),
              ::testing::ElementsAre("eu-west", "us-east", "ap-south"));
  EXPECT_EQ(request.schedule().deadline().seconds(), 600);
}

TEST(GatingDocsTest, PipelineDocumentsCallTheGate) {
  auto blocks = DocBlocks();
  // GitHub Actions: a run step with the gate.
  YAML::Node github = YAML::Load(blocks["github"]);
  EXPECT_EQ(github["on"].as<std::string>(), "deployment_status");
  const std::string run =
      github["jobs"]["propwatch"]["steps"][1]["run"].as<std::string>();
  EXPECT_THAT(run,
              HasSubstr("propwatchctl verify -f propwatch/www.yaml --wait"));
  // Helm hook and Argo job: the container's args.
  YAML::Node helm = YAML::Load(blocks["helm"]);
  EXPECT_THAT(helm["metadata"]["annotations"]["helm.sh/hook"].as<std::string>(),
              HasSubstr("post-upgrade"));
  EXPECT_EQ(helm["spec"]["backoffLimit"].as<int>(), 0);
  YAML::Node helm_container = helm["spec"]["template"]["spec"]["containers"][0];
  YAML::Node argo = YAML::Load(blocks["argo"]);
  EXPECT_EQ(argo["kind"].as<std::string>(), "AnalysisTemplate");
  YAML::Node argo_container = argo["spec"]["metrics"][0]["provider"]["job"]
                                  ["spec"]["template"]["spec"]["containers"][0];
  for (const YAML::Node& c : {helm_container, argo_container}) {
    EXPECT_EQ(c["command"][0].as<std::string>(), "propwatchctl");
    std::vector<std::string> args = c["args"].as<std::vector<std::string>>();
    ASSERT_GE(args.size(), 4u);
    EXPECT_EQ(args[0], "verify");
    EXPECT_EQ(args[1], "-f");
    EXPECT_EQ(args[3], "--wait");
  }
}

class GatingDocsLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = GateLab::Start();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = std::move(*lab);
    blocks_ = DocBlocks();
    // The documented spec, pointed at the lab: its hostname, plain HTTP on
    // the lab's port (so no TLS expectation), short rounds and deadline
    // (a gate that cannot decide ends with its code, not the test's kill).
    // Everything else (record types, resolvers, paths, pin mode, regions,
    // quorum) stays as written.
    std::string spec = absl::StrReplaceAll(
        blocks_["spec"],
        {{"www.example.com", "good.example.test"},
         {"scheme: https",
          absl::StrCat("scheme: http\n  port: ", lab_->http_port())},
         {"    tls_min_days_left: 14\n", ""},
         {"deadline: 10m", "deadline: 30s"},
         {"round_interval: 10s",
          "round_interval: 1s\n  phase_timeout: 800ms"}});
    ASSERT_NE(spec, blocks_["spec"]);
    work_ = lab_->dir().File("repo");
    ASSERT_EQ(
        RunCommand({"/bin/mkdir", "-p", work_ + "/propwatch"}, absl::Seconds(5))
            .exit_code,
        0);
    WriteFile(work_ + "/propwatch/www.yaml", spec);
  }

  // Runs `script` with `shell` in the repository directory, propwatchctl on
  // PATH and the lab's coordinator in the environment.
  CommandResult RunScript(const std::string& shell, const std::string& script,
                          std::vector<std::string> env = {}) {
    WriteFile(work_ + "/gate.sh", script);
    const std::string cli_dir = BuildPath("cli");
    env.push_back("PROPWATCH_COORDINATOR=" + lab_->coordinator_address());
    env.push_back("PROPWATCH_INSECURE=1");
    return RunCommand({"/bin/sh", "-c",
                       absl::StrCat("cd '", work_, "' && PATH='", cli_dir,
                                    "':\"$PATH\" exec ", shell, " gate.sh")},
                      absl::Seconds(60), env);
  }

  // The newest verification's first round, result by result: what a
  // failing example saw.
  std::string Diagnose() {
    auto list = RunCommand(lab_->Ctl({"list", "--limit", "1", "-o", "json"}),
                           absl::Seconds(10));
    v1::ListVerificationsResponse parsed;
    if (!google::protobuf::util::JsonStringToMessage(list.out, &parsed).ok() ||
        parsed.verifications().empty()) {
      return list.out + list.err;
    }
    const std::string id = parsed.verifications(0).id();
    auto results = RunCommand(lab_->Ctl({"results", id, "--round", "1"}),
                              absl::Seconds(10));
    return absl::StrCat(parsed.verifications(0).DebugString(), results.out,
                        results.err);
  }

  v1::VerificationEvent Result() {
    v1::VerificationEvent event;
    const std::string json = ReadFile(work_ + "/propwatch-result.json");
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &event).ok())
        << json;
    return event;
  }

  std::unique_ptr<GateLab> lab_;
  std::map<std::string, std::string> blocks_;
  std::string work_;
};

TEST_F(GatingDocsLabTest, ShellStepPassesAConvergedChange) {
  auto r = RunScript("/bin/sh", blocks_["shell"],
                     {"RELEASE=r-17", "COMMIT=0badc0de"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Diagnose();
  EXPECT_THAT(r.out, HasSubstr("propagation verified"));
  const v1::VerificationEvent event = Result();
  EXPECT_EQ(event.verification().state(), v1::VERIFICATION_STATE_CONVERGED);
  EXPECT_EQ(event.verification().source().pipeline(), "deploy-www");
  EXPECT_EQ(event.verification().source().release(), "r-17");
  EXPECT_EQ(event.verification().source().commit(), "0badc0de");
  EXPECT_TRUE(event.verification().has_time_to_consistency());
}

TEST_F(GatingDocsLabTest, ShellStepFailsADivergedChange) {
  // Same step, a spec whose name has a stale edge and a short deadline.
  std::string spec = ReadFile(work_ + "/propwatch/www.yaml");
  spec = absl::StrReplaceAll(spec, {{"good.example.test", "www.example.test"},
                                    {"deadline: 30s", "deadline: 4s"}});
  WriteFile(work_ + "/propwatch/www.yaml", spec);
  auto r = RunScript("/bin/sh", blocks_["shell"]);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err << Diagnose();
  EXPECT_THAT(r.out, HasSubstr("propagation FAILED"));
  EXPECT_EQ(Result().verification().state(), v1::VERIFICATION_STATE_DIVERGED);
}

TEST_F(GatingDocsLabTest, OctopusScriptStep) {
  // Octopus provides these two functions to Bash script steps.
  const std::string stubs = absl::StrCat(
      "get_octopusvariable() { case \"$1\" in\n"
      "  Propwatch.Coordinator) echo '",
      lab_->coordinator_address(),
      "' ;;\n"
      "  Propwatch.Token) echo t0ken ;;\n"
      "  Octopus.Release.Number) echo 2024.6.1 ;;\n"
      "esac; }\n"
      "new_octopusartifact() { echo \"artifact $2\"; }\n");
  std::string script = blocks_["octopus"];
  script.insert(script.find('\n') + 1, stubs);
  auto r = RunScript("/bin/bash", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Diagnose();
  EXPECT_THAT(r.out, HasSubstr("artifact propwatch-result.json"));
  EXPECT_THAT(r.out,
              HasSubstr("##octopus[stdout-highlight]propagation verified"));
  EXPECT_EQ(Result().verification().source().release(), "2024.6.1");
}

}  // namespace
}  // namespace propwatch::testing
