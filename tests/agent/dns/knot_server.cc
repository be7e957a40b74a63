#include "tests/agent/dns/knot_server.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/testing/free_port.h"

namespace propwatch::dns::testing {
namespace {

constexpr char kKnotd[] = "/usr/sbin/knotd";

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.close();
  if (!file) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<KnotServer>> KnotServer::Start(
    std::vector<KnotZone> zones, std::vector<std::string> listen_ips) {
  if (zones.empty() || listen_ips.empty()) {
    return absl::InvalidArgumentError("knot needs a zone and an address");
  }
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::unique_ptr<KnotServer> server(new KnotServer());
    server->listen_ips_ = listen_ips;
    server->port_ = ::propwatch::testing::FreePort();
    const std::string& dir = server->dir_.path();
    std::vector<std::string> listen;
    for (const std::string& ip : listen_ips) {
      listen.push_back(absl::StrCat(ip, "@", server->port_));
    }
    std::string conf = absl::StrCat(
        "server:\n"
        "    rundir: \"",
        dir,
        "\"\n"
        "    listen: [ ",
        absl::StrJoin(listen, ", "),
        " ]\n"
        "    udp-workers: 1\n"
        "    tcp-workers: 1\n"
        "    background-workers: 1\n"
        "database:\n"
        "    storage: \"",
        dir,
        "\"\n"
        "control:\n"
        "    listen: \"",
        dir,
        "/knot.sock\"\n"
        "log:\n"
        "  - target: stderr\n"
        "    any: info\n"
        "template:\n"
        "  - id: default\n"
        "    storage: \"",
        dir,
        "\"\n"
        "    file: \"%s.zone\"\n"
        "zone:\n");
    for (const KnotZone& zone : zones) {
      absl::StrAppend(&conf, "  - domain: ", zone.origin, "\n");
      if (absl::Status s =
              WriteFile(server->dir_.File(zone.origin + ".zone"), zone.text);
          !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = WriteFile(server->dir_.File("knot.conf"), conf);
        !s.ok()) {
      return s;
    }
    const std::string log = server->dir_.File("knotd.log");
    if (absl::Status s = server->process_.Spawn(
            {kKnotd, "-c", server->dir_.File("knot.conf")}, log);
        !s.ok()) {
      return s;
    }
    last = absl::OkStatus();
    for (const std::string& ip : listen_ips) {
      last = WaitForDnsServer(ip, server->port_, zones[0].origin,
                              &server->process_);
      if (!last.ok()) break;
    }
    if (last.ok()) return server;
    last = absl::UnavailableError(absl::StrCat(
        "knotd did not come up: ", last.message(), "\n", ReadFileOrEmpty(log)));
  }
  return last;
}

std::string KnotServer::address() const {
  return absl::StrCat(listen_ips_[0], ":", port_);
}

}  // namespace propwatch::dns::testing
