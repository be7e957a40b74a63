// A real nginx (Debian nginx-light) run by a test in a temp directory.
#ifndef PROPWATCH_TESTS_AGENT_HTTP_NGINX_SERVER_H_
#define PROPWATCH_TESTS_AGENT_HTTP_NGINX_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/host_port.h"

namespace propwatch::testing {

struct NginxOptions {
  // Existing directory for the config, pid file, logs and temp paths; the
  // caller owns it (a TempDir) and can put certificates in it.
  std::string work_dir;
  // Placed verbatim inside the http { } block: server blocks and the like.
  // Use absolute paths (work_dir) for certificates.
  std::string http_config;
  // Start() returns once each of these accepts TCP connections.
  std::vector<HostPort> ready_addresses;
  absl::Duration start_timeout = absl::Seconds(10);
  std::string binary = "/usr/sbin/nginx";
};

// One nginx process in the foreground (daemon off, master_process off), so
// the test owns exactly one pid. The destructor stops it (SIGTERM, then
// SIGKILL after 5 s) and reaps it.
//
// Threading: one thread owns it.
class NginxServer {
 public:
  // Fails with the error log's text when nginx exits or does not accept on
  // every ready address within start_timeout.
  static absl::StatusOr<std::unique_ptr<NginxServer>> Start(
      NginxOptions options);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& config_path() const { return config_path_; }
  // The error log so far, for failure messages.
  std::string ErrorLog() const;

 private:
  NginxServer(pid_t pid, NginxOptions options, std::string config_path)
      : pid_(pid),
        options_(std::move(options)),
        config_path_(std::move(config_path)) {}
  void Stop();

  pid_t pid_;
  NginxOptions options_;
  std::string config_path_;
};

// True when a TCP connect to `address` succeeds now.
bool AcceptsTcp(const HostPort& address);

}  // namespace propwatch::testing

#endif  // PROPWATCH_TESTS_AGENT_HTTP_NGINX_SERVER_H_
