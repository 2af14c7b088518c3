#include "server/response_bounds.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"

namespace partnergraph::server {
namespace {

// Bytes a message takes as one element of a repeated field (numbers < 16:
// a one-byte tag, the length, the body).
size_t ElementBytes(const google::protobuf::Message& m) {
  size_t n = m.ByteSizeLong();
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(n) + n;
}

}  // namespace

void FitNeighborhood(size_t max_bytes, v1::GetNeighborhoodResponse* response) {
  size_t total = response->ByteSizeLong();
  if (total <= max_bytes) return;
  if (!response->truncated()) {
    response->set_truncated(true);
    total += 2;
  }
  auto* partnerships = response->mutable_partnerships();
  while (total > max_bytes && !partnerships->empty()) {
    total -= ElementBytes(*partnerships->rbegin());
    partnerships->RemoveLast();
  }
  auto* nodes = response->mutable_nodes();
  while (total > max_bytes && nodes->size() > 1) {
    total -= ElementBytes(*nodes->rbegin());
    nodes->RemoveLast();
  }
}

absl::Status FitPaths(size_t max_bytes, v1::FindPathsResponse* response) {
  size_t total = response->ByteSizeLong();
  if (total <= max_bytes) return absl::OkStatus();
  if (!response->truncated()) {
    response->set_truncated(true);
    total += 2;
  }
  auto* paths = response->mutable_paths();
  while (total > max_bytes && paths->size() > 1) {
    total -= ElementBytes(*paths->rbegin());
    paths->RemoveLast();
  }
  if (total > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the shortest path alone takes ", total,
                     " bytes, more than the server sends in one message (",
                     max_bytes, ", --max_message_bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace partnergraph::server
