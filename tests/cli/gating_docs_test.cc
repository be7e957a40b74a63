// The pipeline examples in deploy/examples/ (docs/gating.md points at them),
// exercised: the spec loads as written; every propwatchctl command line in
// the GitHub, Helm and Argo documents goes through the real binary's flag
// parser (--dry-run); the plain shell step, the Octopus script and the
// GitHub workflow's run step run unchanged against a real coordinator and
// agents (with the spec pointed at the lab).
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

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// The source tree's root, with a trailing slash.
std::string SourceRoot() { return SourcePath(""); }

// The example files by name, relative to the source root.
const std::map<std::string, std::string>& ExampleFiles() {
  static const auto* files = new std::map<std::string, std::string>{
      {"spec", "deploy/examples/propwatch/www.yaml"},
      {"shell", "deploy/examples/shell/propwatch-gate.sh"},
      {"github", "deploy/examples/github-actions/propagation-gate.yml"},
      {"helm", "deploy/examples/helm-hook/propwatch-gate-job.yaml"},
      {"argo", "deploy/examples/argo-rollouts/analysis-template.yaml"},
      {"octopus", "deploy/examples/octopus/propwatch-gate.sh"},
  };
  return *files;
}

std::string Example(const std::string& name) {
  return ReadFile(SourceRoot() + ExampleFiles().at(name));
}

// Replaces template expressions ({{ .Release.Name }}, {{args.release}},
// ${{ github.sha }}) by `value`: what a CI system would have put there.
std::string Untemplate(const std::string& text, const std::string& value) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t open = text.find("{{", pos);
    const size_t close =
        open == std::string::npos ? open : text.find("}}", open + 2);
    if (close == std::string::npos) break;
    const size_t start = open > 0 && text[open - 1] == '$' ? open - 1 : open;
    out.append(text, pos, start - pos).append(value);
    pos = close + 2;
  }
  return out.append(text, pos, std::string::npos);
}

// docs/gating.md shows each example after a "<!-- example:PATH -->" line;
// the block must be the file, byte for byte, so the doc cannot drift.
TEST(GatingDocsTest, EveryExampleIsThereAndShownAsIsInTheDoc) {
  const std::string doc = ReadFile(SourceRoot() + "docs/gating.md");
  for (const auto& [name, path] : ExampleFiles()) {
    const std::string file = Example(name);
    EXPECT_FALSE(file.empty()) << path;
    const std::string marker = "<!-- example:" + path + " -->";
    const size_t at = doc.find(marker);
    ASSERT_NE(at, std::string::npos) << "docs/gating.md does not show " << path;
    const size_t fence = doc.find("```", at);
    const size_t body = doc.find('\n', fence) + 1;
    const size_t close = doc.find("\n```", body);
    EXPECT_EQ(doc.substr(body, close + 1 - body), file)
        << "docs/gating.md's copy of " << path << " differs from the file";
  }
}

TEST(GatingDocsTest, SpecLoadsAsWritten) {
  auto r = RunCommand({BuildPath("cli/propwatchctl"), "verify", "-f",
                       SourceRoot() + ExampleFiles().at("spec"), "--dry-run"},
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

// A container's propwatchctl command line, through the real flag parser:
// the mounted spec replaced by the example spec, templates by "r-42", and
// --dry-run added. Returns the request it would send.
v1::CreateVerificationRequest DryRunContainer(const YAML::Node& container) {
  v1::CreateVerificationRequest request;
  EXPECT_EQ(container["command"][0].as<std::string>(), "propwatchctl");
  std::vector<std::string> argv = {BuildPath("cli/propwatchctl")};
  for (const YAML::Node& arg : container["args"]) {
    std::string value = Untemplate(arg.as<std::string>(), "r-42");
    if (value == "/spec/www.yaml") {
      value = SourceRoot() + ExampleFiles().at("spec");
    }
    argv.push_back(value);
  }
  EXPECT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[1], "verify");
  EXPECT_THAT(argv, ::testing::Contains("--wait"));
  argv.push_back("--dry-run");
  auto r = RunCommand(argv, absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &request).ok())
      << r.out;
  return request;
}

TEST(GatingDocsTest, HelmHookIsAPostReleaseJobCallingTheGate) {
  YAML::Node helm = YAML::Load(Example("helm"));
  EXPECT_EQ(helm["kind"].as<std::string>(), "Job");
  const std::string hook =
      helm["metadata"]["annotations"]["helm.sh/hook"].as<std::string>();
  EXPECT_THAT(hook, HasSubstr("post-install"));
  EXPECT_THAT(hook, HasSubstr("post-upgrade"));
  EXPECT_TRUE(helm["metadata"]["annotations"]["helm.sh/hook-weight"]);
  EXPECT_THAT(helm["metadata"]["annotations"]["helm.sh/hook-delete-policy"]
                  .as<std::string>(),
              HasSubstr("before-hook-creation"));
  EXPECT_EQ(helm["spec"]["backoffLimit"].as<int>(), 0);
  const YAML::Node pod = helm["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"].as<std::string>(), "Never");
  const auto request = DryRunContainer(pod["containers"][0]);
  EXPECT_EQ(request.spec().hostnames(0), "www.example.com");
  EXPECT_EQ(request.source().release(), "r-42-r-42");
}

TEST(GatingDocsTest, ArgoAnalysisTemplateJobCallsTheGate) {
  YAML::Node argo = YAML::Load(Example("argo"));
  EXPECT_EQ(argo["apiVersion"].as<std::string>(), "argoproj.io/v1alpha1");
  EXPECT_EQ(argo["kind"].as<std::string>(), "AnalysisTemplate");
  EXPECT_EQ(argo["spec"]["args"][0]["name"].as<std::string>(), "release");
  const YAML::Node job = argo["spec"]["metrics"][0]["provider"]["job"];
  ASSERT_TRUE(job) << "not the job provider";
  EXPECT_EQ(job["spec"]["backoffLimit"].as<int>(), 0);
  const auto request =
      DryRunContainer(job["spec"]["template"]["spec"]["containers"][0]);
  EXPECT_EQ(request.source().release(), "r-42");
}

TEST(GatingDocsTest, GitHubWorkflowRunsOnDeploymentStatus) {
  YAML::Node github = YAML::Load(Example("github"));
  EXPECT_EQ(github["on"].as<std::string>(), "deployment_status");
  const YAML::Node job = github["jobs"]["propwatch"];
  EXPECT_THAT(job["if"].as<std::string>(),
              HasSubstr("deployment_status.state == 'success'"));
  EXPECT_TRUE(job["env"]["PROPWATCH_COORDINATOR"]);
  EXPECT_THAT(job["steps"][1]["run"].as<std::string>(),
              HasSubstr("verify -f propwatch/www.yaml --wait"));
}

class GatingDocsLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = GateLab::Start();
    ASSERT_TRUE(lab.ok()) << lab.status();
    lab_ = std::move(*lab);
    spec_ = Example("spec");
    // The documented spec, pointed at the lab: its hostname, plain HTTP on
    // the lab's port (so no TLS expectation), short rounds and deadline
    // (a gate that cannot decide ends with its code, not the test's kill).
    // Everything else (record types, resolvers, paths, pin mode, regions,
    // quorum) stays as written.
    std::string spec = absl::StrReplaceAll(
        spec_, {{"www.example.com", "good.example.test"},
                {"scheme: https",
                 absl::StrCat("scheme: http\n  port: ", lab_->http_port())},
                {"    tls_min_days_left: 14\n", ""},
                {"deadline: 10m", "deadline: 30s"},
                {"round_interval: 10s",
                 "round_interval: 1s\n  phase_timeout: 800ms"}});
    ASSERT_NE(spec, spec_);
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
  std::string spec_;
  std::string work_;
};

TEST_F(GatingDocsLabTest, ShellStepPassesAConvergedChange) {
  auto r = RunScript("/bin/sh", Example("shell"),
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
  auto r = RunScript("/bin/sh", Example("shell"));
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
  std::string script = Example("octopus");
  script.insert(script.find('\n') + 1, stubs);
  auto r = RunScript("/bin/bash", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Diagnose();
  EXPECT_THAT(r.out, HasSubstr("artifact propwatch-result.json"));
  EXPECT_THAT(r.out,
              HasSubstr("##octopus[stdout-highlight]propagation verified"));
  EXPECT_EQ(Result().verification().source().release(), "2024.6.1");
}

TEST_F(GatingDocsLabTest, GitHubWorkflowStepPassesAConvergedChange) {
  // The run step as the runner gets it: expressions filled in, and a
  // `docker` that runs the CLI image's entrypoint (propwatchctl) here.
  YAML::Node github = YAML::Load(Example("github"));
  std::string run =
      github["jobs"]["propwatch"]["steps"][1]["run"].as<std::string>();
  run = absl::StrReplaceAll(
      run, {{"${{ github.workflow }}", "propagation-gate"},
            {"${{ github.event.deployment.environment }}", "production"},
            {"${{ github.event.deployment.sha }}", "0badc0de"}});
  ASSERT_EQ(run.find("${{"), std::string::npos) << run;
  const std::string docker = absl::StrCat(
      "docker() {\n"
      "  [ \"$1\" = run ] || return 127; shift\n"
      "  while [ $# -gt 0 ]; do case $1 in\n"
      "    --rm) shift ;;\n"
      "    --network|-v|-e|-w|--user) shift 2 ;;\n"
      "    -*) echo \"unknown docker option $1\" >&2; return 125 ;;\n"
      "    *) [ \"$1\" = \"$PROPWATCH_CLI_IMAGE\" ] || return 125; shift; "
      "break ;;\n"
      "  esac; done\n"
      "  propwatchctl \"$@\"\n"
      "}\n");
  auto r = RunScript(
      "/bin/bash", absl::StrCat("set -e\n", docker, run),
      {"PROPWATCH_CLI_IMAGE=registry.example.com/propwatch-cli:0.1.0"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Diagnose();
  const v1::VerificationEvent event = Result();
  EXPECT_EQ(event.verification().state(), v1::VERIFICATION_STATE_CONVERGED);
  EXPECT_EQ(event.verification().source().pipeline(), "propagation-gate");
  EXPECT_EQ(event.verification().source().release(), "production");
  EXPECT_EQ(event.verification().source().commit(), "0badc0de");
}

}  // namespace
}  // namespace propwatch::testing
