#ifndef PARTNERGRAPH_STORAGE_ROCKSDB_ENGINE_H_
#define PARTNERGRAPH_STORAGE_ROCKSDB_ENGINE_H_

// The embedded RocksDB engine of GraphStore (`--store=rocksdb`): opening a
// store directory, and restoring one from a checkpoint.
//
// Of StoreOptions it reads: `sync` (fsync the WAL before a write is
// acknowledged), `block_cache_bytes` (RocksDB's block cache, at least 1 MiB),
// `history_limit`, `max_group_size` (mutations per WriteBatch and WAL write)
// and the test hook `fault_injector`. StoreStats' engine gauges are RocksDB
// properties: sst_bytes (kTotalSstFilesSize), memtable_bytes
// (kCurSizeAllMemTables), write_stopped (kIsWriteStopped) and
// delayed_write_rate (kActualDelayedWriteRate). A checkpoint
// (CreateCheckpoint) is a RocksDB checkpoint, hard-linked on one filesystem.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/graph_store.h"

namespace partnergraph::storage {

// Opens (creating if needed) the RocksDB store at `path`. A store written
// before the ticker index existed gets its ticker entries built first (see
// keys::kMetaTickerIndex). FAILED_PRECONDITION when the directory holds a
// store of another schema version; UNAVAILABLE when another process holds
// it; INVALID_ARGUMENT for a history_limit or max_group_size below 1;
// DATA_LOSS for an unreadable company record while the ticker entries are
// built.
absl::StatusOr<std::unique_ptr<GraphStore>> OpenRocksDbStore(
    const std::string& path, const StoreOptions& options);

// Copies the checkpoint in `checkpoint_dir` (see CreateCheckpoint) into
// `path`, which must be missing or empty (FAILED_PRECONDITION otherwise), so
// that OpenRocksDbStore(path) gives exactly the checkpoint's state. NOT_FOUND
// when `checkpoint_dir` holds no store. Returns the checkpoint's revision.
absl::StatusOr<int64_t> RestoreRocksDbCheckpoint(
    const std::string& checkpoint_dir, const std::string& path);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ROCKSDB_ENGINE_H_
