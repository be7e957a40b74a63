#include "tests/agent/dns/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "agent/dns/dns_message.h"
#include "agent/dns/dns_query.h"
#include "common/unique_fd.h"

extern char** environ;

namespace propwatch::dns::testing {

absl::Status ChildProcess::Spawn(const std::vector<std::string>& argv,
                                 const std::string& log_path) {
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const int error =
      posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    return absl::InternalError(
        absl::StrCat("posix_spawn ", argv[0], ": ", std::strerror(error)));
  }
  reaped_ = false;
  return absl::OkStatus();
}

bool ChildProcess::Exited() {
  if (pid_ <= 0 || reaped_) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return reaped_;
}

void ChildProcess::Stop(absl::Duration grace) {
  if (pid_ <= 0 || Exited()) return;
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + grace;
  while (absl::Now() < give_up) {
    if (Exited()) return;
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
}

absl::Status WaitForDnsServer(const std::string& ip, uint16_t port,
                              const std::string& name, ChildProcess* process,
                              absl::Duration timeout) {
  absl::StatusOr<std::vector<uint8_t>> query =
      BuildDnsQuery(name, kTypeSoa, /*recursion_desired=*/false);
  if (!query.ok()) return query.status();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    if (process != nullptr && process->Exited()) {
      return absl::UnavailableError("the server process exited");
    }
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sendto(fd.get(), query->data(), query->size(), 0,
           reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, 100) == 1) {
      uint8_t reply[4096];
      if (recv(fd.get(), reply, sizeof(reply), 0) > 0) return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no DNS answer from ", ip, ":", port, " within ",
                   absl::FormatDuration(timeout)));
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace propwatch::dns::testing
