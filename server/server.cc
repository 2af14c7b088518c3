#include "server/server.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/grpc.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/time.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"
#include "server/admin_service.h"
#include "server/checked_request.h"
#include "server/graph_service.h"
#include "server/log.h"
#include "server/services.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;

// "HOST:PORT" with PORT replaced by `port`; `listen` unchanged when it does
// not end in ":digits" (e.g. a unix: address).
std::string BoundAddress(const std::string& listen, int port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return listen;
  for (size_t i = colon + 1; i < listen.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(listen[i]))) {
      return listen;
    }
  }
  return absl::StrCat(listen.substr(0, colon + 1), port);
}

}  // namespace

Server::Server(ServerOptions options, storage::GraphStore* store)
    : options_(std::move(options)), store_(store) {
  services_.push_back(std::make_unique<CompanyServiceImpl>(store_));
  services_.push_back(std::make_unique<PartnershipServiceImpl>(store_));
  ChangeFeedOptions feed_options;
  feed_options.bookmark_interval = options_.watch_bookmark_interval;
  feed_options.max_pending_events = options_.watch_max_pending_events;
  feed_ = std::make_unique<ChangeFeed>(store_, feed_options);
  services_.push_back(std::make_unique<GraphServiceImpl>(
      store_, feed_.get(), static_cast<size_t>(options_.max_message_bytes)));
  services_.push_back(std::make_unique<AdminServiceImpl>(
      store_, AdminOptions{options_.backup_dir}));
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

std::vector<std::string> Server::ServiceNames() {
  return {v1::CompanyService::service_full_name(),
          v1::PartnershipService::service_full_name(),
          v1::GraphService::service_full_name(),
          v1::AdminService::service_full_name()};
}

absl::StatusOr<int> Server::Start() {
  absl::MutexLock lock(&mu_);
  if (server_ != nullptr || shut_down_) {
    return absl::FailedPreconditionError(
        "server already started (a Server starts at most once)");
  }
  RouteProtobufLogs();
  if (options_.max_concurrent_streams <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_concurrent_streams: want > 0, got ",
                     options_.max_concurrent_streams));
  }
  if (options_.max_message_bytes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_bytes: want > 0, got ", options_.max_message_bytes));
  }
  if (options_.max_metadata_bytes < 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_metadata_bytes: want >= 1024, got ", options_.max_metadata_bytes));
  }
  std::shared_ptr<const TokenStore> tokens;
  if (!options_.token_file.empty()) {
    absl::StatusOr<std::unique_ptr<TokenStore>> loaded =
        TokenStore::Load(options_.token_file);
    if (!loaded.ok()) return loaded.status();
    tokens = *std::move(loaded);
    PG_LOG(kInfo) << "authentication on: " << tokens->size()
                  << " token(s) from " << options_.token_file;
  } else {
    PG_LOG(kInfo) << "authentication off: no token file, every call allowed";
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options_.tls, std::move(tokens),
                            options_.access_log);
  if (!credentials.ok()) return credentials.status();
  if (!options_.metrics_listen.empty()) {
    metrics_ = std::make_unique<ServerMetrics>(store_);
    absl::StatusOr<int> metrics_port =
        metrics_->Listen(options_.metrics_listen);
    if (!metrics_port.ok()) {
      metrics_.reset();
      shut_down_ = true;
      return metrics_port.status();
    }
    metrics_port_ = *metrics_port;
  }
  // Both are process-wide switches that take effect for servers built after
  // them.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.listen, *credentials, &port);
  // gRPC sets SO_REUSEPORT by default, which would let a second server start
  // on a busy port and silently share its connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options_.max_concurrent_streams);
  // Limits against header floods and HTTP/2 abuse (README, Operations).
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             options_.max_metadata_bytes);
  if (options_.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(
            std::min(options_.max_connection_age, absl::Hours(24 * 24)))));
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(std::min(
            options_.max_connection_age_grace, absl::Hours(24 * 24)))));
  }
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(
          absl::ToInt64Milliseconds(options_.min_client_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      MakeObservabilityInterceptorFactory(metrics_.get(), options_.access_log));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  for (const auto& service : services_) builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    // The services stay registered with the failed builder's server.
    shut_down_ = true;
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen,
                     " (address in use or not valid?)"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const std::string& name : ServiceNames()) {
    health->SetServingStatus(name, true);
  }
  if (!options_.health_listen.empty()) {
    // Health only: an empty token set lets health checks through and
    // refuses every other method (reflection included) in the transport.
    absl::StatusOr<std::unique_ptr<TokenStore>> none = TokenStore::Parse("");
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> plaintext =
        MakeServerCredentials(TlsOptions(), *std::move(none));
    grpc::ServerBuilder health_builder;
    int bound = 0;
    health_builder.AddListeningPort(options_.health_listen, *plaintext, &bound);
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 16);
    health_builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                                      options_.max_metadata_bytes);
    health_builder.SetMaxReceiveMessageSize(64 << 10);
    std::unique_ptr<grpc::Server> health_server =
        health_builder.BuildAndStart();
    if (health_server == nullptr || bound == 0) {
      if (health_server != nullptr) health_server->Shutdown();
      server->Shutdown();
      shut_down_ = true;
      return absl::UnavailableError(absl::StrCat(
          "health_listen: cannot listen on ", options_.health_listen,
          " (address in use or not valid?)"));
    }
    grpc::HealthCheckServiceInterface* mirror =
        health_server->GetHealthCheckService();
    mirror->SetServingStatus("", true);
    for (const std::string& name : ServiceNames()) {
      mirror->SetServingStatus(name, true);
    }
    health_server_ = std::move(health_server);
    health_port_ = bound;
  }
  server_ = std::move(server);
  address_ = BoundAddress(options_.listen, port);
  PG_LOG(kDebug) << "serving on " << address_;
  return port;
}

int Server::health_port() const {
  absl::MutexLock lock(&mu_);
  return health_port_;
}

std::string Server::address() const {
  absl::MutexLock lock(&mu_);
  return address_;
}

int Server::metrics_port() const {
  absl::MutexLock lock(&mu_);
  return metrics_port_;
}

void Server::SetNotServing() {
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(false);
  // Also refuses later SetServingStatus calls.
  health->Shutdown();
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->SetServingStatus(false);
    health_server_->GetHealthCheckService()->Shutdown();
  }
}

void Server::Shutdown(absl::Duration grace) {
  SetNotServing();
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) {
    shut_down_ = true;
    feed_->Stop();
    return;
  }
  PG_LOG(kDebug) << "stopping: in-flight calls get " << grace;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  // Shutdown returns once every handler has returned; Wait joins the rest.
  server_->Wait();
  server_.reset();
  if (health_server_ != nullptr) {
    // Only health checks run there; open Watch streams end now.
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
    health_server_.reset();
  }
  shut_down_ = true;
  // No watcher is left; the store may close after this.
  feed_->Stop();
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  absl::MutexLock lock(&mu_);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_ == nullptr ? nullptr : server_->InProcessChannel(args);
}

}  // namespace partnergraph::server
