#ifndef PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_
#define PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_

// gRPC handlers of GraphService (callback API). The graph queries
// (GetNeighborhood, FindPaths, AggregatePartnerships) are defined in
// graph_service.cc; the change stream (Watch) in watch_service.cc. A method
// without an override here answers UNIMPLEMENTED.
//
// Borrows the store and the change feed (Watch answers UNIMPLEMENTED without
// one), which must outlive it; safe to call from many threads.

#include <cstddef>
#include <memory>

#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "server/change_feed.h"
#include "server/checked_request.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

// Runs graph queries off the gRPC callback threads (see graph_service.cc).
class GraphQueryPool;

class GraphServiceImpl final
    : public CheckedService<partnergraph::v1::GraphService> {
 public:
  // Graph answers are cut to `max_response_bytes` (see response_bounds.h).
  explicit GraphServiceImpl(storage::GraphStore* store,
                            ChangeFeed* feed = nullptr,
                            size_t max_response_bytes = 4 << 20)
      : store_(store), feed_(feed), max_response_bytes_(max_response_bytes) {
    CheckUnary("GetNeighborhood", &GraphServiceImpl::GetNeighborhood);
    CheckUnary("FindPaths", &GraphServiceImpl::FindPaths);
    CheckUnary("AggregatePartnerships",
               &GraphServiceImpl::AggregatePartnerships);
    CheckServerStream("Watch", &GraphServiceImpl::WatchBytes);
  }

  // Graph queries. Each runs on a small worker pool (one thread per core), at
  // the store snapshot of the moment it starts, and stops with
  // DEADLINE_EXCEEDED at the call's deadline, or kMaxGraphQueryTime after it
  // starts (60 s) when the call has none. INVALID_ARGUMENT names the field and
  // the rule; NOT_FOUND for a company that does not exist; RESOURCE_EXHAUSTED
  // for a query past the store's entry cap; UNAVAILABLE when 256 queries are
  // already waiting for a worker.
  grpc::ServerUnaryReactor* GetNeighborhood(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::GetNeighborhoodRequest* request,
      partnergraph::v1::GetNeighborhoodResponse* response) override;
  grpc::ServerUnaryReactor* FindPaths(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::FindPathsRequest* request,
      partnergraph::v1::FindPathsResponse* response) override;
  grpc::ServerUnaryReactor* AggregatePartnerships(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::AggregatePartnershipsRequest* request,
      partnergraph::v1::AggregatePartnershipsResponse* response) override;

  // Watch, writing each WatchResponse as bytes built from the change feed's
  // shared, once-serialized events (see watch_service.cc); the generated
  // method of that name is not used.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchBytes(
      grpc::CallbackServerContext* context,
      const partnergraph::v1::WatchRequest* request);

 private:
  storage::GraphStore* const store_;
  ChangeFeed* const feed_;
  const size_t max_response_bytes_;
  // Joins its workers when the service is destroyed.
  std::shared_ptr<GraphQueryPool> pool_ = NewGraphQueryPool();

  static std::shared_ptr<GraphQueryPool> NewGraphQueryPool();
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_
