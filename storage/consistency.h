#ifndef PARTNERGRAPH_STORAGE_CONSISTENCY_H_
#define PARTNERGRAPH_STORAGE_CONSISTENCY_H_

// The consistency checker: records against the index entries they need
// (index_entries.h), participants against companies, each ticker against
// its holders (one company at most), and the change log against the store
// revision, over any engine's key space at one snapshot.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/graph_store.h"

namespace partnergraph::storage {

// Calls `fn` with every key and value of one table (key_codec.h), in key
// order, at the snapshot being checked; returns the first error of `fn` or
// of the scan.
using TableScan = std::function<absl::Status(
    char table, const std::function<absl::Status(
                    absl::string_view key, absl::string_view value)>& fn)>;

// Adds to `report` the counts and every disagreement found (at most
// `max_problems` problems in all) in a snapshot at store revision `revision`
// whose change log is trimmed up to `compact_revision`. Fails only when a
// scan fails.
// `revisions_skip`: the store's revisions are another engine's (an etcd
// replica) and the change log may skip numbers, but still ends at the store
// revision.
absl::Status CheckStoredRecords(const TableScan& scan, int64_t revision,
                                int64_t compact_revision, bool revisions_skip,
                                size_t max_problems, ConsistencyReport* report);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_CONSISTENCY_H_
