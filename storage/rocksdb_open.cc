// Opening the RocksDB engine: its options, the schema check, the meta keys
// a new store starts with, and the index entries an older store lacks.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "storage/graph_store.h"
#include "storage/key_codec.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_engine.h"
#include "storage/rocksdb_store.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {

namespace {

rocksdb::Options DbOptionsFor(const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(static_cast<size_t>(
      std::max<int64_t>(options.block_cache_bytes, 1 << 20)));
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // A whole-key bloom filter on the memtable too: most point lookups (an
  // import checks every record id and participant) are for absent keys.
  db_options.memtable_whole_key_filtering = true;
  db_options.memtable_prefix_bloom_size_ratio = 0.02;
  return db_options;
}

constexpr char kIngestFilePrefix[] = "ingest-";

// SST files an import was writing when the process stopped: never ingested
// (an ingested file is renamed into the store's own files), so never
// acknowledged.
void RemoveIngestLeftovers(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, kIngestFilePrefix) &&
        absl::EndsWith(name, ".tmp")) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return wo;
}

// Initialises an empty store (schema version, page-token key, revision 0);
// FAILED_PRECONDITION for data of another schema version or none.
absl::Status InitOrCheckSchema(rocksdb::DB* db, const std::string& path) {
  std::string version;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), keys::MetaKey(keys::kMetaSchemaVersion),
              &version);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " holds data without a partnergraph schema version"));
    }
    absl::BitGen gen;
    std::string token_key;
    keys::AppendUint64(&token_key, absl::Uniform<uint64_t>(gen));
    keys::AppendUint64(&token_key, absl::Uniform<uint64_t>(gen));
    rocksdb::WriteBatch init;
    init.Put(keys::MetaKey(keys::kMetaSchemaVersion), keys::kSchemaVersion);
    init.Put(keys::MetaKey(keys::kMetaTokenKey), token_key);
    init.Put(keys::MetaKey(keys::kMetaRevision), keys::EncodeInt64(0));
    init.Put(keys::MetaKey(keys::kMetaTickerIndex), "");
    init.Put(keys::MetaKey(keys::kMetaHistoryIndex), "");
    RETURN_IF_ERROR(
        FromRocks(db->Write(SyncWrite(), &init), "initialise store"));
    version = keys::kSchemaVersion;
  } else {
    RETURN_IF_ERROR(FromRocks(s, "read schema version"));
  }
  if (version != keys::kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " holds schema version ", version,
                     "; this build reads ", keys::kSchemaVersion));
  }
  return absl::OkStatus();
}

// Builds the ticker entries (keys::TickerKey) of a store written before
// they existed, then sets the meta marker that says they are complete. Every
// ticker of every company gets its entry, so a store that holds one ticker
// twice indexes both holders: it keeps serving, a third company cannot take
// the ticker, and the consistency checker reports the pair. Nothing else
// writes while the store opens, and the marker is written last, so a build
// interrupted part way is simply done again at the next open.
absl::Status BuildTickerIndex(rocksdb::DB* db) {
  std::string marker;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(),
                              keys::MetaKey(keys::kMetaTickerIndex), &marker);
  if (!s.IsNotFound()) return FromRocks(s, "read ticker index marker");
  // Bounds each WriteBatch on a large store.
  constexpr int kCompaniesPerBatch = 10000;
  const std::string prefix = keys::TablePrefix(keys::kCompany);
  const std::string upper = keys::PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  rocksdb::WriteBatch batch;
  int in_batch = 0;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(CompanyRecord c,
                     ParseRecord<CompanyRecord>(View(it->value()), "company"));
    for (const std::string& t : c.tickers()) {
      batch.Put(keys::TickerKey(t, c.id()), "");
    }
    if (++in_batch == kCompaniesPerBatch) {
      RETURN_IF_ERROR(
          FromRocks(db->Write(SyncWrite(), &batch), "build ticker index"));
      batch.Clear();
      in_batch = 0;
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "build ticker index"));
  batch.Put(keys::MetaKey(keys::kMetaTickerIndex), "");
  return FromRocks(db->Write(SyncWrite(), &batch), "build ticker index");
}

// Trims the change log to `history_limit` revisions (a smaller limit than
// before); returns the compact revision.
absl::StatusOr<int64_t> TrimHistory(rocksdb::DB* db, int64_t revision,
                                    int64_t history_limit) {
  std::string compact_bytes;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), keys::MetaKey(keys::kMetaCompactRevision),
              &compact_bytes);
  int64_t compact = s.ok() ? keys::DecodeInt64(compact_bytes) : 0;
  int64_t want_compact = revision - history_limit;
  if (want_compact <= compact) return compact;
  rocksdb::WriteBatch trim;
  // The trimmed revisions' history entries first: they are found through
  // the change-log entries.
  RETURN_IF_ERROR(ForEachChangeBatch(
      db, rocksdb::ReadOptions(), compact + 1, want_compact,
      [&](const ChangeBatchRecord& changes) {
        ForEachHistoryEntry(
            changes, [&](std::string k, std::string) { trim.Delete(k); });
        return absl::OkStatus();
      }));
  trim.DeleteRange(keys::ChangeKey(compact + 1),
                   keys::ChangeKey(want_compact + 1));
  trim.Put(keys::MetaKey(keys::kMetaCompactRevision),
           keys::EncodeInt64(want_compact));
  RETURN_IF_ERROR(FromRocks(db->Write(SyncWrite(), &trim), "trim history"));
  return want_compact;
}

}  // namespace

std::string IngestFilePath(const std::string& dir, int64_t revision) {
  return absl::StrCat(dir, "/", kIngestFilePrefix, revision, ".tmp");
}

absl::StatusOr<OpenedRocksDb> OpenRocksDb(const std::string& path,
                                          const StoreOptions& options) {
  if (options.history_limit < 1) {
    return absl::InvalidArgumentError("history_limit: want >= 1");
  }
  if (options.max_group_size < 1) {
    return absl::InvalidArgumentError("max_group_size: want >= 1");
  }
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(DbOptionsFor(options), path, &raw),
                absl::StrCat("open store at ", path)));
  OpenedRocksDb out;
  out.db.reset(raw);
  rocksdb::DB* db = out.db.get();
  RemoveIngestLeftovers(path);
  RETURN_IF_ERROR(InitOrCheckSchema(db, path));
  RETURN_IF_ERROR(BuildTickerIndex(db));
  RETURN_IF_ERROR(BuildHistoryIndex(db));
  std::string rev_bytes;
  RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(),
                        keys::MetaKey(keys::kMetaRevision), &rev_bytes),
                "read revision"));
  RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(),
                        keys::MetaKey(keys::kMetaTokenKey), &out.token_key),
                "read token key"));
  out.revision = keys::DecodeInt64(rev_bytes);
  ASSIGN_OR_RETURN(out.compact_revision,
                   TrimHistory(db, out.revision, options.history_limit));
  return out;
}

absl::StatusOr<std::unique_ptr<GraphStore>> OpenRocksDbStore(
    const std::string& path, const StoreOptions& options) {
  ASSIGN_OR_RETURN(OpenedRocksDb opened, OpenRocksDb(path, options));
  auto store = std::make_unique<RocksDbStore>(
      std::move(opened.db), options, opened.revision, opened.compact_revision,
      opened.token_key);
  RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace partnergraph::storage
