#ifndef PARTNERGRAPH_SERVER_RESPONSE_BOUNDS_H_
#define PARTNERGRAPH_SERVER_RESPONSE_BOUNDS_H_

// Graph answers cut to what the server may send (--max_message_bytes), so a
// large answer is delivered in part and flagged instead of failing after
// all the work with gRPC's RESOURCE_EXHAUSTED.

#include <cstddef>

#include "absl/status/status.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::server {

// Drops the oldest partnerships (the last ones) until the serialized
// response fits in `max_bytes`, then, should the nodes alone not fit, the
// farthest nodes (never the start); sets `truncated` when it drops anything.
// What stays keeps the response's contract: nodes nearest first, each
// partnership joining two returned nodes, newest first.
void FitNeighborhood(size_t max_bytes, v1::GetNeighborhoodResponse* response);

// Drops the last paths until the response fits, setting `truncated`;
// RESOURCE_EXHAUSTED when not even the first path fits.
absl::Status FitPaths(size_t max_bytes, v1::FindPathsResponse* response);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_RESPONSE_BOUNDS_H_
