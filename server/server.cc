#include "server/server.h"

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
  services_.push_back(std::make_unique<GraphServiceImpl>(store_));
  // The generated base class answers every method with UNIMPLEMENTED.
  services_.push_back(std::make_unique<v1::AdminService::Service>());
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
  if (options_.max_concurrent_streams <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_concurrent_streams: want > 0, got ",
                     options_.max_concurrent_streams));
  }
  if (options_.max_message_bytes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_bytes: want > 0, got ", options_.max_message_bytes));
  }
  // Both are process-wide switches that take effect for servers built after
  // them.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(),
                           &port);
  // gRPC sets SO_REUSEPORT by default, which would let a second server start
  // on a busy port and silently share its connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options_.max_concurrent_streams);
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
  server_ = std::move(server);
  address_ = BoundAddress(options_.listen, port);
  PG_LOG(kDebug) << "serving on " << address_;
  return port;
}

std::string Server::address() const {
  absl::MutexLock lock(&mu_);
  return address_;
}

void Server::SetNotServing() {
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(false);
  // Also refuses later SetServingStatus calls.
  health->Shutdown();
}

void Server::Shutdown(absl::Duration grace) {
  SetNotServing();
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) {
    shut_down_ = true;
    return;
  }
  PG_LOG(kDebug) << "stopping: in-flight calls get " << grace;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  // Shutdown returns once every handler has returned; Wait joins the rest.
  server_->Wait();
  server_.reset();
  shut_down_ = true;
}

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  absl::MutexLock lock(&mu_);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  return server_ == nullptr ? nullptr : server_->InProcessChannel(args);
}

}  // namespace partnergraph::server
