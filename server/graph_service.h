#ifndef PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_
#define PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_

// gRPC handlers of GraphService (callback API). The graph queries
// (GetNeighborhood, FindPaths, AggregatePartnerships) are defined in
// graph_service.cc; the change stream (Watch) in watch_service.cc. A method
// without an override here answers UNIMPLEMENTED.
//
// Borrows the store, which must outlive it; safe to call from many threads.

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

class GraphServiceImpl final
    : public partnergraph::v1::GraphService::CallbackService {
 public:
  explicit GraphServiceImpl(storage::GraphStore* store) : store_(store) {}

 private:
  storage::GraphStore* const store_;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_GRAPH_SERVICE_H_
