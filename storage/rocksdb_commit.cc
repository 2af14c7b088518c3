// The commit queue of the RocksDB engine: group commit of planned writes.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/import_reader.h"
#include "storage/key_codec.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_graph_snapshot.h"
#include "storage/rocksdb_store.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

// The store as a mutation of a group finds it: the DB with the writes of
// the group's earlier mutations, through the group's batch.
class BatchReader final : public PlanReader {
 public:
  BatchReader(rocksdb::DB* db, rocksdb::WriteBatchWithIndex* batch)
      : db_(db), batch_(batch) {}

  absl::StatusOr<bool> Get(const std::string& key,
                           std::string* value) override {
    rocksdb::Status s =
        batch_->GetFromBatchAndDB(db_, rocksdb::ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    RETURN_IF_ERROR(FromRocks(s, "read"));
    return true;
  }

  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated) override {
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = upper.empty() ? nullptr : &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(batch_->NewIteratorWithBase(
        db_->DefaultColumnFamily(), db_->NewIterator(ro), &ro));
    return ScanPrefix(it.get(), prefix, limit, out, truncated, "scan");
  }

 private:
  rocksdb::DB* db_;
  rocksdb::WriteBatchWithIndex* batch_;
};

// The store as a mutation committed alone (a bulk import) finds it: the DB
// itself, the group's batch being empty. One iterator serves every scan:
// nothing else writes while the group runs.
class DbReader final : public PlanReader {
 public:
  explicit DbReader(rocksdb::DB* db) : db_(db) {}

  absl::StatusOr<bool> Get(const std::string& key,
                           std::string* value) override {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, value);
    if (s.IsNotFound()) return false;
    RETURN_IF_ERROR(FromRocks(s, "import read"));
    return true;
  }

  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated) override {
    if (it_ == nullptr) it_.reset(db_->NewIterator(rocksdb::ReadOptions()));
    return ScanPrefix(it_.get(), prefix, limit, out, truncated, "import scan");
  }

 private:
  rocksdb::DB* db_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Adds a plan's writes to the batch. A mutation committed alone bypasses
// the batch's index (later reads through the batch do not see them), in key
// order, which the memtable inserts far faster.
absl::Status AddPlan(const WritePlan& plan, bool unindexed,
                     rocksdb::WriteBatchWithIndex* batch) {
  rocksdb::WriteBatch* raw = batch->GetWriteBatch();
  for (const auto& [key, value] : plan.writes) {
    rocksdb::Status s;
    if (value.has_value()) {
      rocksdb::Slice v(value->data(), value->size());
      s = unindexed ? raw->Put(key, v) : batch->Put(key, v);
    } else {
      s = unindexed ? raw->Delete(key) : batch->Delete(key);
    }
    RETURN_IF_ERROR(FromRocks(s, "write"));
  }
  return absl::OkStatus();
}

// The revisions in [from, to] to trim: each of them for a local write
// (which trims one, `to`), those whose change-log entry exists when the
// revisions may skip numbers.
std::vector<int64_t> HeldRevisions(rocksdb::DB* db, int64_t from, int64_t to,
                                   bool sparse) {
  std::vector<int64_t> out;
  if (from > to) return out;
  if (!sparse) {
    for (int64_t r = from; r <= to; ++r) out.push_back(r);
    return out;
  }
  const std::string upper = keys::ChangeKey(to + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (it->Seek(keys::ChangeKey(from)); it->Valid(); it->Next()) {
    int64_t r = 0;
    if (keys::DecodeChangeKey(View(it->key()), &r)) out.push_back(r);
  }
  return out;
}

// Removes revision `trim` from the change log: its entry and its history
// entries. `get` reads a key as the write will find it; `del` deletes one.
absl::Status TrimRevision(
    int64_t trim,
    const std::function<rocksdb::Status(const std::string&, std::string*)>& get,
    const std::function<void(const std::string&)>& del) {
  const std::string key = keys::ChangeKey(trim);
  std::string bytes;
  rocksdb::Status s = get(key, &bytes);
  if (s.IsNotFound()) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocks(s, "read change log"));
  ASSIGN_OR_RETURN(ChangeBatchRecord changes,
                   ParseRecord<ChangeBatchRecord>(bytes, "change log"));
  ForEachHistoryEntry(changes, [&](std::string k, std::string) { del(k); });
  del(key);
  return absl::OkStatus();
}

}  // namespace

absl::Status ScanPrefix(rocksdb::Iterator* it, const std::string& prefix,
                        int limit,
                        std::vector<std::pair<std::string, std::string>>* out,
                        bool* truncated, absl::string_view what) {
  *truncated = false;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (static_cast<int>(out->size()) >= limit) {
      *truncated = true;
      break;
    }
    out->emplace_back(it->key().ToString(), it->value().ToString());
  }
  return FromRocks(it->status(), what);
}

void RocksDbStore::Enqueue(Mutation fn, StatusDone done, CommitPath path,
                           WriteMode mode) {
  Enqueue(std::move(fn),
          CommitDone([done = std::move(done)](absl::Status s, int64_t) {
            done(std::move(s));
          }),
          path, mode);
}

void RocksDbStore::Enqueue(Mutation fn, CommitDone done, CommitPath path,
                           WriteMode mode) {
  auto pending = std::make_unique<Pending>();
  pending->fn = std::move(fn);
  pending->done = std::move(done);
  pending->path = path;
  pending->validate_only = mode == WriteMode::kValidateOnly;
  Submit(std::move(pending));
}

void RocksDbStore::Submit(std::unique_ptr<Pending> pending) {
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      return;
    }
  }
  pending->done(absl::UnavailableError("store is closing"), 0);
}

void RocksDbStore::ApplyCommitted(int64_t revision, int64_t time_micros,
                                  WritePlan plan, StatusDone done) {
  auto pending = std::make_unique<Pending>();
  auto shared = std::make_shared<WritePlan>(std::move(plan));
  pending->fn = [shared](PlanContext& ctx) {
    ctx.plan() = std::move(*shared);
    return absl::OkStatus();
  };
  pending->done = [done = std::move(done)](absl::Status s, int64_t) {
    done(std::move(s));
  };
  pending->revision = revision;
  pending->time_micros = time_micros;
  RocksDbStore::Submit(std::move(pending));
}

void RocksDbStore::CommitLoop() {
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0,
                                     /*overwrite_key=*/true);
  while (true) {
    std::vector<std::unique_ptr<Pending>> group;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](RocksDbStore* s) { return s->stopping_ || !s->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() &&
             static_cast<int>(group.size()) < options_.max_group_size) {
        const bool alone = queue_.front()->path != CommitPath::kGroup;
        if (alone && !group.empty()) break;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
        if (alone) break;
      }
    }
    if (group.front()->path == CommitPath::kIngest) {
      CommitIngest(*group.front());
    } else {
      CommitGroup(group, &batch);
    }
  }
}

absl::Status RocksDbStore::PlanAndBatch(Pending& p, int64_t revision,
                                        int64_t now,
                                        rocksdb::WriteBatchWithIndex* batch,
                                        ChangeBatchRecord* changes) {
  BatchReader batch_reader(db_.get(), batch);
  DbReader db_reader(db_.get());
  ImportReader import_reader(&index_, &db_reader);
  const bool alone = p.path != CommitPath::kGroup;
  PlanReader* reader = alone ? static_cast<PlanReader*>(&import_reader)
                             : static_cast<PlanReader*>(&batch_reader);
  // The commit thread is the only writer: a plan's preconditions hold by
  // construction here, so none are recorded.
  PlanContext ctx(reader, revision, now, &options_.fault_injector,
                  /*track_preconditions=*/false);
  RETURN_IF_ERROR(p.fn(ctx));
  WritePlan& plan = ctx.plan();
  RETURN_IF_ERROR(AddPlan(plan, alone, batch));
  if (plan.changes.events_size() == 0) return absl::OkStatus();
  // The change-log entry, trimming the history beyond its limit. Entries at
  // or below compact_revision_ are gone already.
  plan.changes.set_revision(revision);
  plan.changes.set_time_micros(now);
  RETURN_IF_ERROR(FromRocks(
      batch->Put(keys::ChangeKey(revision), plan.changes.SerializeAsString()),
      "write"));
  absl::Status s;
  ForEachHistoryEntry(plan.changes, [&](std::string k, std::string v) {
    if (s.ok()) s = FromRocks(batch->Put(k, v), "write");
  });
  RETURN_IF_ERROR(s);
  int64_t trim = revision - options_.history_limit;
  // Revisions committed elsewhere may skip numbers: every one held up to
  // `trim` goes, not only `trim` itself.
  int64_t first_trim = p.revision > 0 ? compact_revision_ + 1 : trim;
  for (int64_t t :
       HeldRevisions(db_.get(), std::max(first_trim, compact_revision_ + 1),
                     trim, p.revision > 0)) {
    RETURN_IF_ERROR(TrimRevision(
        t,
        [&](const std::string& key, std::string* value) {
          return batch->GetFromBatchAndDB(db_.get(), rocksdb::ReadOptions(),
                                          key, value);
        },
        [&](const std::string& key) {
          if (s.ok()) s = FromRocks(batch->Delete(key), "write");
        }));
    RETURN_IF_ERROR(s);
  }
  *changes = std::move(plan.changes);
  return absl::OkStatus();
}

absl::Status RocksDbStore::WriteGroup(int64_t next, int64_t* compact,
                                      rocksdb::WriteBatchWithIndex* batch) {
  // The revision (and the trimmed history's bound) once per group: every
  // mutation's own entries are already in the batch.
  RETURN_IF_ERROR(FromRocks(
      batch->Put(keys::MetaKey(keys::kMetaRevision), keys::EncodeInt64(next)),
      "commit"));
  if (next - options_.history_limit > *compact) {
    *compact = next - options_.history_limit;
    RETURN_IF_ERROR(
        FromRocks(batch->Put(keys::MetaKey(keys::kMetaCompactRevision),
                             keys::EncodeInt64(*compact)),
                  "commit"));
  }
  if (options_.fault_injector) {
    RETURN_IF_ERROR(options_.fault_injector("commit"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, batch->GetWriteBatch()), "commit");
}

void RocksDbStore::CommitGroup(
    const std::vector<std::unique_ptr<Pending>>& group,
    rocksdb::WriteBatchWithIndex* batch) {
  batch->Clear();
  const int64_t base = revision_.load(std::memory_order_relaxed);
  int64_t next = base;
  int64_t compact = compact_revision_;
  const int64_t now = absl::ToUnixMicros(absl::Now());
  std::vector<ChangeBatchRecord> committed;
  for (const auto& p : group) {
    batch->SetSavePoint();
    ChangeBatchRecord changes;
    const int64_t revision = p->revision > 0 ? p->revision : next + 1;
    absl::Status s =
        p->revision > 0 && p->revision <= next
            ? absl::InternalError(
                  absl::StrCat("revision ", p->revision,
                               " committed elsewhere is not above ", next))
            : PlanAndBatch(*p, revision, p->revision > 0 ? p->time_micros : now,
                           batch, &changes);
    // A check-only write is planned exactly as it would commit (against the
    // writes before it in this group) and then taken back.
    if (!s.ok() || p->validate_only) {
      batch->RollbackToSavePoint();
    } else {
      batch->PopSavePoint();
      if (changes.events_size() > 0) {
        next = revision;
        p->committed = revision;
        committed.push_back(std::move(changes));
      }
    }
    p->status = s;
  }
  absl::Status write_status;
  if (next != base) {
    write_status = WriteGroup(next, &compact, batch);
    if (write_status.ok()) Publish(next, compact, std::move(committed));
  }
  for (const auto& p : group) {
    if (!write_status.ok() && p->status.ok()) p->status = write_status;
    p->done(std::move(p->status), write_status.ok() ? p->committed : 0);
  }
}

void RocksDbStore::Publish(int64_t next, int64_t compact,
                           std::vector<ChangeBatchRecord> committed) {
  // Only this thread writes: the snapshot is exactly revision `next`.
  index_.Apply(committed, RecordsAt(NewSharedSnapshot(db_.get()), next));
  revision_.store(next, std::memory_order_release);
  compact_revision_ = compact;
  auto batches = std::make_shared<const std::vector<ChangeBatchRecord>>(
      std::move(committed));
  {
    absl::MutexLock lock(&listener_mu_);
    if (listener_) listener_(next, std::move(batches));
  }
  OnPublished(next);
}

void RocksDbStore::CommitIngest(Pending& p) {
  const int64_t next = revision_.load(std::memory_order_relaxed) + 1;
  const int64_t now = absl::ToUnixMicros(absl::Now());
  DbReader db_reader(db_.get());
  ImportReader reader(&index_, &db_reader);
  PlanContext ctx(&reader, next, now, &options_.fault_injector,
                  /*track_preconditions=*/false);
  absl::Status s = p.fn(ctx);
  WritePlan& plan = ctx.plan();
  if (s.ok() && !p.validate_only && plan.changes.events_size() > 0) {
    int64_t compact = compact_revision_;
    s = IngestPlan(plan, next, now, &compact);
    if (s.ok()) {
      std::vector<ChangeBatchRecord> committed;
      committed.push_back(std::move(plan.changes));
      Publish(next, compact, std::move(committed));
      p.committed = next;
    }
  }
  p.done(std::move(s), p.committed);
}

absl::Status RocksDbStore::IngestPlan(WritePlan& plan, int64_t revision,
                                      int64_t now, int64_t* compact) {
  // What a grouped commit adds beside its plans (PlanAndBatch, WriteGroup),
  // here among the plan's keys: the file must be written in key order.
  auto& writes = plan.writes;
  plan.changes.set_revision(revision);
  plan.changes.set_time_micros(now);
  writes.Set(keys::ChangeKey(revision), plan.changes.SerializeAsString());
  ForEachHistoryEntry(plan.changes, [&](std::string k, std::string v) {
    writes.Set(std::move(k), std::move(v));
  });
  const int64_t trim = revision - options_.history_limit;
  if (trim > *compact) {
    RETURN_IF_ERROR(TrimRevision(
        trim,
        [&](const std::string& key, std::string* value) {
          return db_->Get(rocksdb::ReadOptions(), key, value);
        },
        [&](const std::string& key) { writes.Set(key, std::nullopt); }));
    *compact = trim;
    writes.Set(keys::MetaKey(keys::kMetaCompactRevision),
               keys::EncodeInt64(*compact));
  }
  writes.Set(keys::MetaKey(keys::kMetaRevision), keys::EncodeInt64(revision));
  if (options_.fault_injector) {
    RETURN_IF_ERROR(options_.fault_injector("commit"));
  }
  const std::string path = IngestFilePath(db_->GetName(), revision);
  // Uncompressed: the file is compacted soon (it overlaps the store), and
  // compaction compresses what it writes; the commit thread is spared.
  rocksdb::Options file_options = db_->GetOptions();
  file_options.compression = rocksdb::kNoCompression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options);
  absl::Status s = FromRocks(writer.Open(path), "ingest");
  for (auto it = writes.begin(); s.ok() && it != writes.end(); ++it) {
    s = FromRocks(it->second.has_value() ? writer.Put(it->first, *it->second)
                                         : writer.Delete(it->first),
                  "ingest");
  }
  if (s.ok()) s = FromRocks(writer.Finish(), "ingest");
  if (s.ok()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    ingest.write_global_seqno = false;
    s = FromRocks(db_->IngestExternalFile({path}, ingest), "ingest");
  }
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  return s;
}

RecordSnapshotFactory RocksDbStore::RecordsAt(
    std::shared_ptr<const rocksdb::Snapshot> snapshot, int64_t revision) {
  return [db = db_.get(), snapshot = std::move(snapshot), revision] {
    return NewRocksDbGraphSnapshot(db, snapshot, revision);
  };
}

}  // namespace partnergraph::storage
