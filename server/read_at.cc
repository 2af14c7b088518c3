#include "server/read_at.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/convert.h"
#include "storage/status_macros.h"

namespace partnergraph::server {

absl::StatusOr<int64_t> ResolveAsOf(storage::GraphStore* store,
                                    int64_t as_of_revision, bool has_time,
                                    const google::protobuf::Timestamp& time) {
  if (as_of_revision < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of_revision: want 0 (now) or a revision >= 1, got ",
                     as_of_revision));
  }
  if (has_time && as_of_revision != 0) {
    return absl::InvalidArgumentError(
        "as_of_revision, as_of_time: want at most one of the two set");
  }
  if (!has_time) return as_of_revision;
  ASSIGN_OR_RETURN(int64_t micros, TimestampToMicros("as_of_time", time));
  return store->RevisionAt(absl::FromUnixMicros(micros));
}

absl::Status CheckMinRevision(storage::GraphStore* store,
                              int64_t min_revision) {
  if (min_revision < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_revision: want 0 (no wait) or a revision >= 1, got ",
                     min_revision));
  }
  if (min_revision == 0) return absl::OkStatus();
  return store->AwaitRevision(min_revision, absl::Now() + kMaxRevisionWait);
}

void ReportRevision(grpc::CallbackServerContext* context, int64_t revision) {
  context->AddInitialMetadata(kRevisionMetadata, absl::StrCat(revision));
}

}  // namespace partnergraph::server
