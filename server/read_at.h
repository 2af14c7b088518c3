#ifndef PARTNERGRAPH_SERVER_READ_AT_H_
#define PARTNERGRAPH_SERVER_READ_AT_H_

// Point-in-time reads: the `as_of_revision` / `as_of_time` pair of the read
// requests, resolved to one store revision, and the revision a response
// reports in its metadata.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/server_context.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

// The response metadata key carrying the revision a read was answered at.
inline constexpr char kRevisionMetadata[] = "partnergraph-revision";

// The revision to read at: 0 for now, else the one named or the last one
// committed at or before the time. INVALID_ARGUMENT for a negative
// revision, both set, or a time out of the Timestamp range; OUT_OF_RANGE
// from the store (see GraphStore::RevisionAt).
absl::StatusOr<int64_t> ResolveAsOf(storage::GraphStore* store,
                                    int64_t as_of_revision, bool has_time,
                                    const google::protobuf::Timestamp& time);

template <typename Request>
absl::StatusOr<int64_t> ResolveAsOf(storage::GraphStore* store,
                                    const Request& request) {
  return ResolveAsOf(store, request.as_of_revision(), request.has_as_of_time(),
                     request.as_of_time());
}

// The longest a read waits for its min_revision (the call's deadline may
// end it sooner).
inline constexpr absl::Duration kMaxRevisionWait = absl::Seconds(10);

// OK once the store has applied `min_revision` (0: no wait);
// INVALID_ARGUMENT when negative. The embedded store applies every revision
// before it acknowledges it, so it never waits: OUT_OF_RANGE past its
// current revision. A replica of the etcd engine waits for a revision
// committed elsewhere (up to kMaxRevisionWait, then DEADLINE_EXCEEDED) and
// answers OUT_OF_RANGE for one not committed yet.
absl::Status CheckMinRevision(storage::GraphStore* store, int64_t min_revision);

template <typename Request>
absl::Status CheckMinRevision(storage::GraphStore* store,
                              const Request& request) {
  return CheckMinRevision(store, request.min_revision());
}

// Adds kRevisionMetadata to the response's initial metadata.
void ReportRevision(grpc::CallbackServerContext* context, int64_t revision);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_READ_AT_H_
