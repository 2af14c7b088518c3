#ifndef PARTNERGRAPH_STORAGE_ROCKS_STATUS_H_
#define PARTNERGRAPH_STORAGE_ROCKS_STATUS_H_

// The one mapping of rocksdb::Status to absl::Status, for the RocksDB code
// of storage/ only: NotFound -> NOT_FOUND; Busy, TryAgain, TimedOut and a
// held lock file -> UNAVAILABLE; Corruption -> DATA_LOSS; anything else ->
// INTERNAL. The message is `context: ` followed by RocksDB's own.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace partnergraph::storage {

inline absl::Status FromRocks(const rocksdb::Status& s,
                              absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(msg);
  }
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

// The bytes of a RocksDB slice, without a copy.
inline absl::string_view View(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ROCKS_STATUS_H_
