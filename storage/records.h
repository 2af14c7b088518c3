#ifndef PARTNERGRAPH_STORAGE_RECORDS_H_
#define PARTNERGRAPH_STORAGE_RECORDS_H_

// Reading stored records back: their collection names, parsing, and the
// NOT_FOUND every engine answers for a missing one.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Collection names, as in resource names and request-id keys.
inline constexpr char kCompanies[] = "companies";
inline constexpr char kPartnerships[] = "partnerships";

// DATA_LOSS naming `what` (and `id`) when `bytes` do not parse.
template <typename Record>
absl::StatusOr<Record> ParseRecord(absl::string_view bytes,
                                   absl::string_view what,
                                   absl::string_view id = "") {
  Record r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("unreadable record at ", what, id.empty() ? "" : "/", id));
  }
  return r;
}

inline absl::Status NotFound(absl::string_view collection,
                             absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(collection, "/", id, " not found"));
}

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_RECORDS_H_
