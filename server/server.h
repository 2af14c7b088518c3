#ifndef PARTNERGRAPH_SERVER_SERVER_H_
#define PARTNERGRAPH_SERVER_SERVER_H_

// The partnergraph gRPC server: CompanyService and PartnershipService over a
// GraphStore; GraphService and AdminService registered with every method
// answering UNIMPLEMENTED; gRPC health checking (grpc.health.v1.Health, per
// service and overall "") and server reflection.
//
//   Server server(options, store.get());
//   absl::StatusOr<int> port = server.Start();
//   ...
//   server.Shutdown(absl::Seconds(10));  // then close the store
//
// The server borrows the store: it must stay open until Shutdown returns.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

struct ServerOptions {
  // Address to listen on, "HOST:PORT"; port 0 picks a free port.
  std::string listen = "0.0.0.0:50051";
  // Largest request or response message, in bytes.
  int max_message_bytes = 4 << 20;
  // Calls one client connection may have in flight; more wait in the
  // client's HTTP/2 flow control rather than queue on the server.
  int max_concurrent_streams = 256;
};

class Server {
 public:
  // `store` must outlive the server's Shutdown.
  Server(ServerOptions options, storage::GraphStore* store);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Shuts down with no grace period if still running.
  ~Server();

  // Binds the listening port and starts serving; every service reports
  // SERVING. Returns the bound port (the chosen one when the option's port is
  // 0). UNAVAILABLE when the address cannot be bound; FAILED_PRECONDITION
  // when Start was called before (whatever its outcome) or after Shutdown.
  absl::StatusOr<int> Start();

  // "HOST:PORT" with the bound port; empty before Start.
  std::string address() const;

  // The fully qualified names of the services the server registers and
  // reports health for (besides the overall "").
  static std::vector<std::string> ServiceNames();

  // Reports NOT_SERVING for every service and overall, for good: calls keep
  // being served but health checks and watchers see the server going away.
  // Shutdown calls this first.
  void SetNotServing();

  // SetNotServing, then stops accepting calls, lets in-flight calls finish
  // until `grace` has passed, cancels the rest, and returns once no handler
  // runs any more (so the store may be closed). Open streams such as a
  // client's grpc.health.v1.Health/Watch count as in flight: they receive
  // NOT_SERVING and are cancelled when `grace` runs out unless the client
  // ends them first. Idempotent.
  void Shutdown(absl::Duration grace);

  // A channel to this server that bypasses the network (tests). Requires a
  // started server.
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  const ServerOptions options_;
  storage::GraphStore* const store_;
  std::vector<std::unique_ptr<grpc::Service>> services_;

  mutable absl::Mutex mu_;
  std::unique_ptr<grpc::Server> server_ ABSL_GUARDED_BY(mu_);
  std::string address_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_SERVER_H_
