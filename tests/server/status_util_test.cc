#include "server/status_util.h"

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace partnergraph::server {
namespace {

struct CodePair {
  absl::StatusCode absl_code;
  grpc::StatusCode grpc_code;
};

// Every canonical code, spelled out on both sides so that a mapping by
// number that went wrong would show here.
constexpr CodePair kCodes[] = {
    {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
    {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
    {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
    {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
    {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
    {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
    {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
    {absl::StatusCode::kResourceExhausted,
     grpc::StatusCode::RESOURCE_EXHAUSTED},
    {absl::StatusCode::kFailedPrecondition,
     grpc::StatusCode::FAILED_PRECONDITION},
    {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
    {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
    {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
    {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
    {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
    {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
    {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
};

TEST(StatusUtilTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(StatusUtilTest, EveryCodeMapsToItsCounterpartKeepingTheMessage) {
  for (const CodePair& pair : kCodes) {
    SCOPED_TRACE(absl::StatusCodeToString(pair.absl_code));
    const std::string message =
        "company.tickers[1]: want EXCHANGE:SYMBOL, got \"mu\"";
    const grpc::Status to = ToGrpcStatus(absl::Status(pair.absl_code, message));
    EXPECT_EQ(to.error_code(), pair.grpc_code);
    EXPECT_EQ(to.error_message(), message);

    const absl::Status from =
        FromGrpcStatus(grpc::Status(pair.grpc_code, message));
    EXPECT_EQ(from.code(), pair.absl_code);
    EXPECT_EQ(from.message(), message);
  }
}

TEST(StatusUtilTest, EmptyAndBinaryMessagesSurvive) {
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("")).error_message(), "");
  const std::string binary("a\0b\xff", 4);
  EXPECT_EQ(ToGrpcStatus(absl::InternalError(binary)).error_message(), binary);
}

TEST(StatusUtilTest, NonCanonicalCodesBecomeUnknown) {
  const absl::Status odd(static_cast<absl::StatusCode>(42), "odd");
  const grpc::Status to = ToGrpcStatus(odd);
  EXPECT_EQ(to.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(to.error_message(), "odd");

  // 20 is no gRPC code but within the enum's range of values (0..31), so
  // holding it is defined behaviour.
  const absl::Status from =
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd"));
  EXPECT_EQ(from.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(from.message(), "odd");
}

}  // namespace
}  // namespace partnergraph::server
