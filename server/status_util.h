#ifndef PARTNERGRAPH_SERVER_STATUS_UTIL_H_
#define PARTNERGRAPH_SERVER_STATUS_UTIL_H_

// The one place where absl::Status and grpc::Status meet.

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace partnergraph::server {

// Maps `status` to the gRPC status with the same-numbered code (absl and gRPC
// share the canonical code space: kInvalidArgument -> INVALID_ARGUMENT,
// kAborted -> ABORTED, ...) and the same message. A code outside the
// canonical range becomes UNKNOWN, keeping the message. Payloads are dropped.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse: same-numbered absl code, same message. A code outside the
// canonical range becomes kUnknown.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_STATUS_UTIL_H_
