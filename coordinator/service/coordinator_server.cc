#include "coordinator/service/coordinator_server.h"

#include <grpc/support/log.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/describe_process.h"
#include "common/host_port.h"
#include "common/token_file.h"
#include "common/unique_fd.h"

namespace propwatch {
namespace {

absl::StatusOr<AgentAuthorizer> MakeAuthorizer(
    const CoordinatorOptions& options) {
  AgentTokens tokens;
  if (!options.agent_tokens_file.empty()) {
    auto text = ReadTokenTableFile(options.agent_tokens_file, "--agent-tokens");
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
  auto text =
      ReadTokenTableFile(options.control_tokens_file, "--control-tokens");
  if (!text.ok()) return text.status();
  auto parsed = ControlAuthorizer::ParseTokenFile(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--control-tokens: ", parsed.status().message()));
  }
  return ControlAuthorizer(*std::move(parsed));
}

// gRPC's own log lines go through spdlog, so they carry the coordinator's
// format. While Start() binds they are held back instead: a failed bind logs
// several lines of gRPC internals, and the one line Start() returns says the
// same with the fix. Leaked on purpose: gRPC threads may log during exit.
class GrpcLog {
 public:
  static GrpcLog& Get() {
    static GrpcLog* log = [] {
      auto* created = new GrpcLog();
      gpr_set_log_function(&GrpcLog::Trampoline);
      return created;
    }();
    return *log;
  }
  void Hold() {
    std::lock_guard<std::mutex> lock(mutex_);
    holding_ = true;
  }
  // Stops holding; returns the lines held since Hold().
  std::vector<std::string> Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    holding_ = false;
    return std::exchange(held_, {});
  }

 private:
  static void Trampoline(gpr_log_func_args* args) { Get().Log(*args); }
  void Log(const gpr_log_func_args& args) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (holding_) {
        held_.emplace_back(args.message);
        return;
      }
    }
    const spdlog::level::level_enum level =
        args.severity == GPR_LOG_SEVERITY_ERROR  ? spdlog::level::err
        : args.severity == GPR_LOG_SEVERITY_INFO ? spdlog::level::info
                                                 : spdlog::level::debug;
    spdlog::log(level, "grpc {}:{}: {}", args.file, args.line, args.message);
  }

  std::mutex mutex_;
  bool holding_ = false;
  std::vector<std::string> held_;
};

// The pid of a process with a TCP socket listening on `port` (any address),
// or 0 when none is visible: the socket's inode from /proc/net/tcp{,6}, then
// the /proc/PID/fd link that points at it. Sees every process only as root.
pid_t ListenerPid(uint16_t port) {
  std::string inode;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (inode.empty() && std::getline(in, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
      // inode; addresses are HEXADDR:HEXPORT, st 0A is LISTEN.
      std::vector<absl::string_view> f =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() < 10 || f[3] != "0A") continue;
      const size_t colon = f[1].rfind(':');
      uint32_t local_port = 0;
      if (colon == absl::string_view::npos ||
          !absl::SimpleHexAtoi(f[1].substr(colon + 1), &local_port) ||
          local_port != port) {
        continue;
      }
      inode = std::string(f[9]);
    }
  }
  if (inode.empty() || inode == "0") return 0;
  // Processes come and go while this looks: every step takes an
  // error_code instead of throwing.
  namespace fs = std::filesystem;
  const fs::path target = absl::StrCat("socket:[", inode, "]");
  std::error_code error;
  for (fs::directory_iterator process("/proc", error), end;
       !error && process != end; process.increment(error)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(process->path().filename().string(), &pid)) continue;
    std::error_code fd_error;
    for (fs::directory_iterator fd(process->path() / "fd", fd_error);
         !fd_error && fd != end; fd.increment(fd_error)) {
      std::error_code link_error;
      if (fs::read_symlink(fd->path(), link_error) == target) return pid;
    }
  }
  return 0;
}

// Why gRPC could not listen on `listen` (the --listen text `flag_value`).
// gRPC keeps the bind error to its log, so this binds a socket the way gRPC
// does (SO_REUSEADDR on, SO_REUSEPORT off) to learn it.
absl::Status ExplainListenFailure(const std::string& flag_value,
                                  const HostPort& listen) {
  const std::string prefix = absl::StrCat("--listen ", flag_value, ": ");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const int gai =
      getaddrinfo(listen.host.c_str(), std::to_string(listen.port).c_str(),
                  &hints, &addresses);
  if (gai != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "cannot resolve ", listen.host, " (", gai_strerror(gai),
        "): give an address of this host, or 0.0.0.0 for all"));
  }
  int bind_error = 0;
  for (addrinfo* a = addresses; a != nullptr && bind_error == 0;
       a = a->ai_next) {
    UniqueFd fd(
        socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) continue;
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0) bind_error = errno;
  }
  freeaddrinfo(addresses);
  switch (bind_error) {
    case EADDRINUSE:
      return absl::UnavailableError(
          absl::StrCat(prefix, "port ", listen.port, " is already in use by ",
                       DescribeProcess(ListenerPid(listen.port)),
                       ": stop it or choose another port"));
    case EADDRNOTAVAIL:
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, listen.host,
          " is not an address of this host: listen on one of its addresses, "
          "or 0.0.0.0 for all"));
    case EACCES:
      return absl::PermissionDeniedError(absl::StrCat(
          prefix, "port ", listen.port,
          " needs root or CAP_NET_BIND_SERVICE: choose a port above 1023"));
    case 0:
      return absl::UnavailableError(absl::StrCat(
          prefix,
          "gRPC cannot listen there: run with --log-level debug to see why"));
    default:
      return absl::UnavailableError(
          absl::StrCat(prefix, "cannot listen (", std::strerror(bind_error),
                       "): choose another --listen address"));
  }
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
  server->command_log_ = std::make_unique<StoredCommandLog>(*server->store_);
  server->tracker_ = std::make_unique<CommandTracker>(
      [] { return absl::Now(); }, server->command_log_.get());
  // Commands still open when the previous process stopped: their results
  // are in flight in the agents' outboxes.
  auto open_commands = server->command_log_->LoadOpen(absl::Now());
  if (!open_commands.ok()) return open_commands.status();
  if (!open_commands->empty()) {
    spdlog::info("{} commands still open from before the restart",
                 open_commands->size());
  }
  server->tracker_->Restore(*std::move(open_commands));
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
      *server->tracker_, *server->events_, *server->policy_,
      options.expected_region_window);
  server->agent_service_ = std::make_unique<AgentService>(
      *server->registry_, *server->ingest_, *server->tracker_,
      std::move(*authorizer), options.heartbeat_interval);
  server->control_service_ = std::make_unique<ControlService>(
      *server->store_, *server->registry_, *server->dispatcher_,
      *server->tracker_, *server->verifications_, *server->runner_,
      *server->events_, *server->policy_, *std::move(control_authorizer));

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
  // gRPC sets SO_REUSEPORT by default: a second coordinator on the same port
  // would then listen too, and the kernel would split agents and control
  // calls between two databases. Off, the second one fails to bind.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // A larger message ends its stream with RESOURCE_EXHAUSTED before it is
  // parsed (an agent's batch of 50 results is about 40 KB).
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.AddListeningPort(FormatHostPort(*listen), *credentials,
                           &server->port_);
  builder.RegisterService(server->agent_service_.get());
  builder.RegisterService(server->control_service_.get());
  GrpcLog::Get().Hold();
  server->server_ = builder.BuildAndStart();
  std::vector<std::string> grpc_lines = GrpcLog::Get().Release();
  const bool listening = server->server_ != nullptr && server->port_ != 0;
  for (const std::string& line : grpc_lines) {
    spdlog::log(listening ? spdlog::level::warn : spdlog::level::debug,
                "grpc: {}", line);
  }
  if (!listening) return ExplainListenFailure(options.listen, *listen);
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
  // Start() failed before it was listening: nothing to stop.
  if (server_ == nullptr) return;
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
