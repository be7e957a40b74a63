// propwatch-grpc-floor: the least a gRPC agent built on Debian's shared
// libgrpc++ can be. It opens one plaintext channel to the coordinator, waits
// until connected, then idles for --hold seconds so the benchmark can read
// its RSS beside propwatch-agent's and blackbox_exporter's. It sends no RPC
// and loads no probe library, so its RSS is the pages of libgrpc, OpenSSL,
// protobuf, abseil and libstdc++ that any such client maps and touches.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"

int main(int argc, char** argv) {
  std::string coordinator;
  double hold_s = 5;
  CLI::App app{"propwatch-grpc-floor: idle RSS of a bare gRPC client"};
  app.add_option("--coordinator", coordinator, "host:port (plaintext)")
      ->required();
  app.add_option("--hold", hold_s, "seconds to stay connected and idle")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(coordinator, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                 std::chrono::seconds(10))) {
    std::fprintf(stderr, "cannot connect to %s within 10 s\n",
                 coordinator.c_str());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  return 0;
}
