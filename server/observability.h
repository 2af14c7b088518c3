#ifndef PARTNERGRAPH_SERVER_OBSERVABILITY_H_
#define PARTNERGRAPH_SERVER_OBSERVABILITY_H_

// Prometheus metrics and the access log of partnergraphd.
//
// A server interceptor (so every service, present and future, is covered)
// counts each call that reaches a handler with the names and labels of
// go-grpc-prometheus:
//
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} histogram
//
// Calls refused before a handler (by the token check: UNAUTHENTICATED /
// PERMISSION_DENIED; by transport limits such as the metadata size cap) are
// not counted there; with the access log on, the token check logs its
// refusals as "auth_refused" events (see security.h).
//
// Store gauges are read at scrape time from GraphStore::GetStats (which
// counts records with a prefix scan, so a scrape costs O(records)):
//
//   partnergraph_store_companies, partnergraph_store_partnerships,
//   partnergraph_store_revision, partnergraph_store_compact_revision,
//   partnergraph_store_live_data_bytes, partnergraph_store_sst_bytes,
//   partnergraph_store_memtable_bytes, partnergraph_store_write_stopped,
//   partnergraph_store_delayed_write_rate_bytes (write stalls),
//   partnergraph_store_scrape_errors_total
//   partnergraph_watchers (open Watch streams, see AddActiveWatchers)
//
// The access log (when enabled) writes one event per call that reaches a
// handler: method, code, latency, peer. It never writes metadata, so tokens
// cannot appear in it.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/support/server_interceptor.h"
#include "storage/graph_store.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace partnergraph::server {

// Open Watch streams, process-wide: the Watch handler adds 1 when a stream
// starts and -1 when it ends. Exported as the partnergraph_watchers gauge.
void AddActiveWatchers(int64_t delta);
int64_t ActiveWatchers();

class ServerMetrics;

// Response header naming the server's release (PARTNERGRAPH_VERSION), sent
// with the initial metadata of every call that reaches a handler.
inline constexpr char kVersionHeader[] = "partnergraph-version";

// Creates the interceptor of every call: metrics, the access log and the
// version header. `metrics` may be null (no metrics); it must outlive the
// server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(ServerMetrics* metrics, bool access_log);

// The metric registry and, once Listen succeeded, its HTTP endpoint
// (GET /metrics). Borrows the store, which must outlive it.
class ServerMetrics {
 public:
  explicit ServerMetrics(storage::GraphStore* store);
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Serves the metrics over HTTP on `address` ("HOST:PORT", port 0 picks a
  // free one). Returns the bound port; UNAVAILABLE when it cannot bind.
  absl::StatusOr<int> Listen(const std::string& address);

  // Records one call (used by the interceptor).
  void Started(const std::string& type, const std::string& service,
               const std::string& method);
  void Handled(const std::string& type, const std::string& service,
               const std::string& method, const std::string& code,
               double seconds);

  // The text exposition of every metric (what GET /metrics answers).
  std::string Render() const;

 private:
  struct Families;
  class StoreCollector;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::shared_ptr<StoreCollector> store_collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_OBSERVABILITY_H_
