#include "tests/agent/dns/dnsmasq_server.h"

#include "absl/strings/str_cat.h"
#include "tests/testing/free_port.h"

namespace propwatch::dns::testing {

absl::StatusOr<std::unique_ptr<DnsmasqServer>> DnsmasqServer::Start(
    std::vector<std::string> options, std::string probe_name) {
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::unique_ptr<DnsmasqServer> server(new DnsmasqServer());
    server->port_ = ::propwatch::testing::FreePort();
    std::vector<std::string> argv = {
        "/usr/sbin/dnsmasq",
        "--keep-in-foreground",
        "--no-resolv",
        "--no-hosts",
        "--conf-file=/dev/null",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--log-facility=-",
        absl::StrCat("--port=", server->port_),
        absl::StrCat("--pid-file=", server->dir_.File("dnsmasq.pid")),
    };
    argv.insert(argv.end(), options.begin(), options.end());
    const std::string log = server->dir_.File("dnsmasq.log");
    if (absl::Status s = server->process_.Spawn(argv, log); !s.ok()) return s;
    last = WaitForDnsServer("127.0.0.1", server->port_, probe_name,
                            &server->process_);
    if (last.ok()) return server;
    last = absl::UnavailableError(
        absl::StrCat("dnsmasq did not come up: ", last.message(), "\n",
                     ReadFileOrEmpty(log)));
  }
  return last;
}

std::string DnsmasqServer::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

}  // namespace propwatch::dns::testing
