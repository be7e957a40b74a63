#include "tests/testing/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdexcept>

#include "common/unique_fd.h"

namespace propwatch::testing {
namespace {

bool CanBind(int type, uint16_t port, uint16_t* chosen) {
  UniqueFd fd(socket(AF_INET, type, 0));
  if (!fd.valid()) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return false;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  if (chosen != nullptr) *chosen = ntohs(addr.sin_port);
  return true;
}

}  // namespace

uint16_t FreePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    uint16_t port = 0;
    if (!CanBind(SOCK_STREAM, 0, &port)) continue;
    if (CanBind(SOCK_DGRAM, port, nullptr)) return port;
  }
  throw std::runtime_error("no free loopback port after 50 attempts");
}

}  // namespace propwatch::testing
