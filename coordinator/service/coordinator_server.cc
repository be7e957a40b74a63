#include "coordinator/service/coordinator_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/host_port.h"

namespace propwatch {
namespace {

// The text of the token file named by `flag`.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view flag) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<AgentAuthorizer> MakeAuthorizer(
    const CoordinatorOptions& options) {
  std::map<std::string, std::string> tokens;
  if (!options.agent_tokens_file.empty()) {
    auto text = ReadTokenFile(options.agent_tokens_file, "--agent-tokens");
    if (!text.ok()) return text.status();
    auto parsed = AgentAuthorizer::ParseTokenFile(*text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--agent-tokens: ", parsed.status().message()));
    }
    tokens = std::move(*parsed);
  }
  const bool certificates = !options.insecure && !options.tls.ca.empty();
  if (options.insecure && tokens.empty()) {
    spdlog::warn(
        "--insecure without --agent-tokens: any agent may claim any "
        "agent_id (local demos and tests only)");
    return AgentAuthorizer::Open();
  }
  if (!certificates && tokens.empty()) {
    return absl::InvalidArgumentError(
        "agents cannot prove who they are: give --tls-ca (mutual TLS) "
        "and/or --agent-tokens");
  }
  return AgentAuthorizer(certificates, std::move(tokens));
}

absl::StatusOr<ControlAuthorizer> MakeControlAuthorizer(
    const CoordinatorOptions& options) {
  if (options.control_tokens_file.empty()) {
    if (!options.insecure) {
      spdlog::warn(
          "no --control-tokens: anyone who reaches {} can create "
          "verifications and make every agent probe; give --control-tokens",
          options.listen);
    }
    return ControlAuthorizer::Open();
  }
  auto text = ReadTokenFile(options.control_tokens_file, "--control-tokens");
  if (!text.ok()) return text.status();
  auto parsed = ControlAuthorizer::ParseTokenFile(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--control-tokens: ", parsed.status().message()));
  }
  return ControlAuthorizer(*std::move(parsed));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorOptions& options) {
  auto listen = ParseHostPort(options.listen, 0);
  if (!listen.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: ", listen.status().message()));
  }
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError(
        "--data-dir is required: the directory for the coordinator's RocksDB");
  }
  auto credentials = ServerCredentials(options.tls, options.insecure);
  if (!credentials.ok()) return credentials.status();
  auto authorizer = MakeAuthorizer(options);
  if (!authorizer.ok()) return authorizer.status();
  auto control_authorizer = MakeControlAuthorizer(options);
  if (!control_authorizer.ok()) return control_authorizer.status();
  std::unique_ptr<CoordinatorServer> server(new CoordinatorServer());
  auto store = Store::Open(options.data_dir);
  if (!store.ok()) return store.status();
  server->store_ = std::move(store).value();
  server->registry_ = std::make_unique<AgentRegistry>(
      *server->store_, options.heartbeat_interval * 3);
  server->ingest_ =
      std::make_unique<IngestWriter>(*server->store_, options.ingest_capacity);
  server->tracker_ = std::make_unique<CommandTracker>();
  server->dispatcher_ = std::make_unique<CommandDispatcher>(*server->registry_);
  server->verifications_ = std::make_unique<VerificationStore>(*server->store_);
  server->events_ = std::make_unique<VerificationEvents>();
  server->policy_ = std::make_unique<TargetPolicy>(
      options.allowed_targets, options.allow_private_targets);
  if (options.retention > absl::ZeroDuration()) {
    auto deleted = server->verifications_->DeleteCreatedBefore(
        absl::Now() - options.retention);
    if (!deleted.ok()) return deleted.status();
    if (*deleted > 0) {
      spdlog::info("retention: deleted {} verifications older than {}",
                   *deleted, absl::FormatDuration(options.retention));
    }
  }
  server->runner_ = std::make_unique<VerificationRunner>(
      *server->verifications_, *server->registry_, *server->dispatcher_,
      *server->tracker_, *server->events_, *server->policy_);
  server->agent_service_ = std::make_unique<AgentService>(
      *server->registry_, *server->ingest_, *server->tracker_,
      std::move(*authorizer), options.heartbeat_interval);
  server->control_service_ = std::make_unique<ControlService>(
      *server->store_, *server->registry_, *server->dispatcher_,
      *server->verifications_, *server->runner_, *server->events_,
      *server->policy_, *std::move(control_authorizer));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Agents send keepalive pings even while idle; without these the server
  // answers them with GOAWAY too_many_pings and drops healthy agents.
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(
          absl::ToInt64Milliseconds(options.min_agent_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddListeningPort(FormatHostPort(*listen), *credentials,
                           &server->port_);
  builder.RegisterService(server->agent_service_.get());
  builder.RegisterService(server->control_service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on '", options.listen,
        "': the address is in use or not local to this host (--listen)"));
  }
  // Agents reconnect within seconds of a restart; resuming right away would
  // record them as missing in the first round.
  if (absl::Status s = server->runner_->ResumeRunning(); !s.ok()) {
    spdlog::error("resume verifications: {}", s.ToString());
  }
  spdlog::info("coordinator {} listening on {}:{} with data in {}",
               PROPWATCH_VERSION, listen->host, server->port_,
               options.data_dir);
  return server;
}

void CoordinatorServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->Shutdown();
  registry_->CloseAll(absl::UnavailableError("coordinator shutting down"));
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
  server_->Wait();
}

CoordinatorServer::~CoordinatorServer() {
  Shutdown(absl::Seconds(1));
  // Sessions are gone once the server has shut down; the registry's records
  // are then final.
  server_.reset();
  control_service_.reset();
  runner_.reset();  // stops rounds; running verifications resume next start
  agent_service_.reset();
  registry_.reset();
  ingest_.reset();  // drains the queue: everything acked is written
  store_.reset();
}

}  // namespace propwatch
