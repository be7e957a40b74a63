#include "tests/agent/http/nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/unique_fd.h"
#include "tests/testing/subprocess.h"

extern char** environ;

namespace propwatch::testing {
namespace {

std::string Config(const NginxOptions& o) {
  const std::string& d = o.work_dir;
  return absl::StrCat(
      "daemon off;\n"
      "master_process off;\n"
      "worker_processes 1;\n"
      "pid ",
      d,
      "/nginx.pid;\n"
      "error_log ",
      d,
      "/error.log info;\n"
      "events { worker_connections 1024; }\n"
      "http {\n"
      "  access_log ",
      d,
      "/access.log;\n"
      "  client_body_temp_path ",
      d,
      "/client_body;\n"
      "  proxy_temp_path ",
      d,
      "/proxy;\n"
      "  fastcgi_temp_path ",
      d,
      "/fastcgi;\n"
      "  uwsgi_temp_path ",
      d,
      "/uwsgi;\n"
      "  scgi_temp_path ",
      d,
      "/scgi;\n"
      "  default_type text/plain;\n",
      o.http_config, "\n}\n");
}

// Reaps `pid` if it has exited; true when it has.
bool Exited(pid_t pid, int* status) {
  return waitpid(pid, status, WNOHANG) == pid;
}

}  // namespace

bool AcceptsTcp(const HostPort& address) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
      inet_pton(AF_INET, address.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port);
    length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET6, address.host.c_str(), &v6->sin6_addr) != 1) {
      return false;
    }
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(address.port);
    length = sizeof(sockaddr_in6);
  }
  UniqueFd fd(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() &&
         connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) == 0;
}

absl::StatusOr<std::unique_ptr<NginxServer>> NginxServer::Start(
    NginxOptions options) {
  const std::string config_path = options.work_dir + "/nginx.conf";
  {
    std::ofstream out(config_path, std::ios::trunc);
    out << Config(options);
    if (!out) return absl::InternalError("cannot write " + config_path);
  }
  const std::string prefix = options.work_dir + "/";
  const std::string error_log = options.work_dir + "/error.log";
  const std::string console = options.work_dir + "/console.log";
  std::vector<std::string> args = {options.binary, "-e", error_log,  "-p",
                                   prefix,         "-c", config_path};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, console.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, options.binary.c_str(), &actions, nullptr,
                             argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("posix_spawn ", options.binary, ": ", strerror(rc)));
  }
  std::unique_ptr<NginxServer> server(
      new NginxServer(pid, options, config_path));

  const absl::Time deadline = absl::Now() + options.start_timeout;
  for (;;) {
    int status = 0;
    if (Exited(pid, &status)) {
      server->pid_ = -1;
      return absl::InternalError(
          absl::StrCat("nginx exited during start-up (status ", status,
                       "): ", ReadFile(console), ReadFile(error_log)));
    }
    bool ready = true;
    for (const HostPort& address : options.ready_addresses) {
      ready = ready && AcceptsTcp(address);
    }
    if (ready) return server;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("nginx did not accept within ",
                       absl::FormatDuration(options.start_timeout), ": ",
                       ReadFile(console), ReadFile(error_log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

NginxServer::~NginxServer() { Stop(); }

void NginxServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!Exited(pid_, &status)) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string NginxServer::ErrorLog() const {
  return ReadFile(options_.work_dir + "/error.log");
}

}  // namespace propwatch::testing
