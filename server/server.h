#ifndef PARTNERGRAPH_SERVER_SERVER_H_
#define PARTNERGRAPH_SERVER_SERVER_H_

// The partnergraph gRPC server: CompanyService, PartnershipService,
// GraphService (with Watch fed by a ChangeFeed) and AdminService over a
// GraphStore; gRPC health checking (grpc.health.v1.Health, per
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
#include "server/change_feed.h"
#include "server/observability.h"
#include "server/security.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

struct ServerOptions {
  // Address to listen on, "HOST:PORT"; port 0 picks a free port.
  std::string listen = "0.0.0.0:50051";
  // Largest request or response message, in bytes.
  int max_message_bytes = 4 << 20;
  // Calls one client connection may have in flight; more wait in the
  // client's HTTP/2 flow control rather than queue on the server. Also the
  // first mitigation of HTTP/2 rapid reset (see README, Operations).
  int max_concurrent_streams = 256;
  // Largest header block (metadata) of a request, in bytes; a larger one is
  // refused by the transport (RESOURCE_EXHAUSTED at the client) before any
  // handler runs. GRPC_ARG_MAX_METADATA_SIZE.
  int max_metadata_bytes = 16 << 10;
  // Connections are closed (GOAWAY) after this age, plus a grace period for
  // the calls in flight; zero or negative means never.
  // GRPC_ARG_MAX_CONNECTION_AGE_MS / _GRACE_MS.
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(5);
  // Least interval between client keepalive pings; pings more frequent than
  // this (more than 2 in a row) make the server close the connection.
  // GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS.
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // Transport security (plaintext when tls.enabled() is false) and the token
  // file ("" = no authentication); see server/security.h.
  TlsOptions tls;
  std::string token_file;
  // "HOST:PORT" of the Prometheus HTTP endpoint; "" = none. See
  // server/observability.h.
  std::string metrics_listen;
  // "HOST:PORT" of a second, plaintext gRPC port serving only
  // grpc.health.v1.Health (the same statuses as the main port) for probes
  // that cannot present client certificates; every other method there is
  // refused (UNAUTHENTICATED). "" = none.
  std::string health_listen;
  // Directory AdminService.CreateBackup writes into; "" = backups refused.
  std::string backup_dir;
  // GraphService.Watch: bookmark interval and the events that may wait for
  // one watcher before it is cut off (see server/change_feed.h).
  absl::Duration watch_bookmark_interval = absl::Seconds(10);
  int watch_max_pending_events = 10000;
  // Log one event per call (method, code, latency, peer).
  bool access_log = false;
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
  // 0). UNAVAILABLE when the address (or metrics_listen) cannot be bound;
  // INVALID_ARGUMENT for a bad option (limits, an incomplete TLS set, a
  // malformed token file); NOT_FOUND / PERMISSION_DENIED for an unreadable
  // TLS or token file; FAILED_PRECONDITION when Start was called before
  // (whatever its outcome) or after Shutdown.
  absl::StatusOr<int> Start();

  // "HOST:PORT" with the bound port; empty before Start.
  std::string address() const;

  // The bound port of the metrics endpoint; 0 when it is off or before Start.
  int metrics_port() const;
  // The bound port of the health-only port; 0 when it is off or before Start.
  int health_port() const;

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
  // Follows the store's change log for Watch; stopped by Shutdown.
  std::unique_ptr<ChangeFeed> feed_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<ServerMetrics> metrics_;
  int metrics_port_ = 0;
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;

  mutable absl::Mutex mu_;
  std::unique_ptr<grpc::Server> server_ ABSL_GUARDED_BY(mu_);
  std::string address_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_SERVER_H_
