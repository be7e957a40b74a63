// A misbehaving DNS server in a thread, on 127.0.0.1 and a kernel-chosen
// port, for what real servers cannot be made to do: stay silent, answer
// garbage, truncate, refuse. UDP always; TCP on the same port either served
// or refused (the port is bound but not listening, so connects get a reset).
// The constructor binds TCP to port 0 and then UDP to the same number,
// trying up to kBindAttempts ports, and throws std::runtime_error if none is
// free for both.
#ifndef PROPWATCH_TESTS_AGENT_DNS_FAKE_DNS_SERVER_H_
#define PROPWATCH_TESTS_AGENT_DNS_FAKE_DNS_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/types/span.h"
#include "common/unique_fd.h"

namespace propwatch::dns::testing {

class FakeDnsServer {
 public:
  // Bytes to send back for one query, or nullopt to stay silent.
  using Handler = std::function<std::optional<std::vector<uint8_t>>(
      absl::Span<const uint8_t> query)>;

  // `tcp` empty: TCP connections to the port are refused.
  FakeDnsServer(Handler udp, Handler tcp = nullptr);
  ~FakeDnsServer();
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  static constexpr size_t kBindAttempts = 50;

  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:port"
  int udp_queries() const { return udp_queries_.load(); }
  int tcp_queries() const { return tcp_queries_.load(); }

 private:
  // Binds tcp_ to a kernel-chosen port and udp_ to the same number; false
  // when UDP has it taken (tcp_ then still holds the port).
  bool BindTcpThenUdp();
  void Serve();
  void ServeTcpConnection(int fd);

  Handler udp_handler_;
  Handler tcp_handler_;
  UniqueFd udp_;
  UniqueFd tcp_;
  UniqueFd stop_;  // eventfd
  uint16_t port_ = 0;
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::thread thread_;
};

}  // namespace propwatch::dns::testing

#endif  // PROPWATCH_TESTS_AGENT_DNS_FAKE_DNS_SERVER_H_
