#ifndef PARTNERGRAPH_STORAGE_ROCKSDB_GRAPH_SNAPSHOT_H_
#define PARTNERGRAPH_STORAGE_ROCKSDB_GRAPH_SNAPSHOT_H_

// GraphSnapshot over one RocksDB snapshot of the graph store's key space
// (key_codec.h). Used by the RocksDB store's graph queries.

#include <memory>

#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "storage/graph_query.h"

namespace partnergraph::storage {

// Takes a snapshot of `db` (borrowed; must outlive the result), released when
// the result is destroyed. The revision is the int64 meta value named
// `revision_meta_name` at that snapshot (0 when absent). Adjacency and
// announced-date entries with an empty value (written before AdjacencyRecord
// existed) are served by reading the partnership record.
//
// Scans decode keys and AdjacencyRecord values as views into the iterator's
// buffers (no copies per entry); Companies/Partnerships read with batched
// MultiGet over sorted keys; the sector methods read only the id and
// sectors fields of the company records.
std::unique_ptr<GraphSnapshot> NewRocksDbGraphSnapshot(
    rocksdb::DB* db, absl::string_view revision_meta_name);

// A snapshot of `db` (borrowed; must outlive every holder) shared by the
// views that read it, released with the last of them.
std::shared_ptr<const rocksdb::Snapshot> NewSharedSnapshot(rocksdb::DB* db);

// As above over an existing snapshot whose store revision is `revision`.
std::unique_ptr<GraphSnapshot> NewRocksDbGraphSnapshot(
    rocksdb::DB* db, std::shared_ptr<const rocksdb::Snapshot> snapshot,
    int64_t revision);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ROCKSDB_GRAPH_SNAPSHOT_H_
