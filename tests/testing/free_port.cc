#include "tests/testing/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/unique_fd.h"

namespace propwatch::testing {
namespace {

// A socket of `type` bound to 127.0.0.1:`port` with SO_REUSEADDR off, so
// the bind fails while anything else has the port, TIME_WAIT connections
// included; invalid when it fails. `*chosen` gets the bound port.
UniqueFd Bind(int type, uint16_t port, uint16_t* chosen) {
  UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  const int off = 0;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &off, sizeof(off));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return UniqueFd();
  }
  socklen_t len = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  if (chosen != nullptr) *chosen = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

uint16_t FreePort() {
  // Ports this process has handed out: the kernel may offer a released port
  // again at once, and a test that asks twice wants two ports.
  static std::mutex mutex;
  static std::set<uint16_t>* given = new std::set<uint16_t>();
  // Sockets of rejected ports stay bound until the end, so the kernel offers
  // other ones.
  std::vector<UniqueFd> rejected;
  for (int attempt = 0; attempt < kFreePortAttempts; ++attempt) {
    uint16_t port = 0;
    UniqueFd tcp = Bind(SOCK_STREAM, 0, &port);
    if (!tcp.valid()) continue;
    UniqueFd udp = Bind(SOCK_DGRAM, port, nullptr);
    std::lock_guard<std::mutex> lock(mutex);
    if (udp.valid() && given->insert(port).second) return port;
    rejected.push_back(std::move(tcp));
  }
  throw std::runtime_error(absl::StrCat("no free loopback port after ",
                                        kFreePortAttempts, " attempts"));
}

}  // namespace propwatch::testing
