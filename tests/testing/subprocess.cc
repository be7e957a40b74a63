#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "absl/time/clock.h"
#include "tests/testing/temp_dir.h"

namespace propwatch::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Subprocess::Subprocess(std::vector<std::string> argv,
                       const std::string& log_prefix,
                       std::vector<std::string> extra_env)
    : log_prefix_(log_prefix) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string out_path = log_prefix + ".out";
  const std::string err_path = log_prefix + ".err";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Children must not inherit the test's blocked signal mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (std::string& e : extra_env) putenv(e.data());
    execv(args[0], args.data());
    _exit(127);
  }
}

Subprocess::~Subprocess() {
  if (running()) {
    Signal(SIGKILL);
    Wait(absl::Seconds(10));
  }
}

void Subprocess::Signal(int signal_number) {
  if (pid_ > 0 && !status_.has_value()) kill(pid_, signal_number);
}

std::optional<int> Subprocess::Wait(absl::Duration timeout) {
  if (status_.has_value()) return status_;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      return status_;
    }
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

bool Subprocess::running() {
  if (pid_ <= 0 || status_.has_value()) return false;
  return !Wait(absl::ZeroDuration()).has_value();
}

std::string Subprocess::Stdout() const {
  return ReadFile(log_prefix_ + ".out");
}
std::string Subprocess::Stderr() const {
  return ReadFile(log_prefix_ + ".err");
}

CommandResult RunCommand(std::vector<std::string> argv, absl::Duration timeout,
                         std::vector<std::string> extra_env) {
  TempDir dir;
  Subprocess process(std::move(argv), dir.File("cmd"), std::move(extra_env));
  CommandResult result;
  std::optional<int> status = process.Wait(timeout);
  if (!status.has_value()) {
    process.Signal(SIGKILL);
    status = process.Wait(absl::Seconds(10));
  }
  if (status.has_value()) {
    result.exit_code =
        WIFEXITED(*status) ? WEXITSTATUS(*status) : -WTERMSIG(*status);
  }
  result.out = process.Stdout();
  result.err = process.Stderr();
  return result;
}

std::string BuildPath(const std::string& relative) {
  const char* dir = std::getenv("PROPWATCH_BUILD_DIR");
  return std::string(dir != nullptr ? dir : PROPWATCH_DEFAULT_BUILD_DIR) + "/" +
         relative;
}

std::string SourcePath(const std::string& relative) {
  const char* dir = std::getenv("PROPWATCH_SOURCE_DIR");
  return std::string(dir != nullptr ? dir : PROPWATCH_DEFAULT_SOURCE_DIR) +
         "/" + relative;
}

}  // namespace propwatch::testing
