#ifndef PARTNERGRAPH_STORAGE_ROCKSDB_STORE_H_
#define PARTNERGRAPH_STORAGE_ROCKSDB_STORE_H_

// The embedded RocksDB engine of GraphStore, for storage/ only (callers open
// it with OpenRocksDbStore, rocksdb_engine.h). Its methods live by concern:
//   rocksdb_store.cc    lifetime, the mutations (each queues a write rule
//                       of write_plan.h), graph queries on the index
//   rocksdb_commit.cc   the commit queue: group commit, plans into one
//                       WriteBatch, the change log, applying to the index
//   rocksdb_reads.cc    point reads, listings, search, changes, stats and
//                       the consistency check's scans, at one snapshot
//   rocksdb_export.cc   export cursor, checkpoint and restore
//   rocksdb_open.cc     options, opening and the schema/meta keys at open
//
// Writes go through one committer thread that drains a queue of mutations.
// Each mutation plans its write against the store as the group's batch has
// left it (so it sees the mutations queued before it) at the next revision;
// a plan is added to the group's WriteBatchWithIndex only when its rule
// succeeds. The whole group is then written with one WAL write (fsync'ed
// when StoreOptions::sync), applied to the graph index, and only then are
// its callers answered. Reads never take the committer's path.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/as_of.h"
#include "storage/graph_index.h"
#include "storage/graph_store.h"
#include "storage/plan_context.h"

namespace partnergraph::storage {

// Reads at one RocksDB snapshot, released on destruction.
class RocksDbSnapshotReader {
 public:
  explicit RocksDbSnapshotReader(rocksdb::DB* db);
  ~RocksDbSnapshotReader();
  RocksDbSnapshotReader(const RocksDbSnapshotReader&) = delete;
  RocksDbSnapshotReader& operator=(const RocksDbSnapshotReader&) = delete;

  const rocksdb::ReadOptions& options() const { return options_; }
  // An int64 meta value (0 when absent).
  absl::StatusOr<int64_t> MetaInt(absl::string_view name) const;
  absl::StatusOr<int64_t> Revision() const;

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

// A walk backwards over the keys in [lower, upper) at `ro`'s snapshot, from
// the last one before `resume` (from the last one, for an empty `resume`):
// how a newest-first listing reads a page.
class BackwardScan {
 public:
  BackwardScan(rocksdb::DB* db, const rocksdb::ReadOptions& ro,
               std::string lower, std::string upper, const std::string& resume);
  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  const std::string lower_, upper_;
  const rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksDbStore : public GraphStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, StoreOptions options,
               int64_t revision, int64_t compact_revision,
               std::string token_key);
  ~RocksDbStore() override;

  // Rebuilds the graph index from the store, then starts taking writes.
  absl::Status Start();

  // Mutations (rocksdb_store.cc).
  void CreateCompanyAsync(CompanyRecord c, std::string request_id,
                          WriteMode mode, Done<CompanyRecord> done) override;
  void UpdateCompanyAsync(CompanyRecord patch, std::vector<std::string> paths,
                          std::string etag, WriteMode mode,
                          Done<CompanyRecord> done) override;
  void DeleteCompanyAsync(std::string id, std::string etag, bool force,
                          WriteMode mode, StatusDone done) override;
  void CreatePartnershipAsync(PartnershipRecord p, std::string request_id,
                              WriteMode mode,
                              Done<PartnershipRecord> done) override;
  void UpdatePartnershipAsync(PartnershipRecord patch,
                              std::vector<std::string> paths, std::string etag,
                              WriteMode mode,
                              Done<PartnershipRecord> done) override;
  void DeletePartnershipAsync(std::string id, std::string etag, WriteMode mode,
                              StatusDone done) override;
  void ImportAsync(ImportBatch batch, Done<ImportResult> done) override;
  int64_t Revision() const override;
  void SetCommitListener(CommitListener listener) override;

  using GraphStore::AggregatePartnerships;
  using GraphStore::BatchGetCompanies;
  using GraphStore::FindPaths;
  using GraphStore::GetCompany;
  using GraphStore::GetNeighborhood;
  using GraphStore::GetPartnership;
  using GraphStore::ListCompanies;
  using GraphStore::ListPartnerships;

  // Graph queries on the in-memory index (rocksdb_store.cc).
  absl::StatusOr<NeighborhoodResult> GetNeighborhood(
      const NeighborhoodQuery& query, absl::Time deadline,
      int64_t as_of_revision) override;
  absl::StatusOr<PathsResult> FindPaths(const PathQuery& query,
                                        absl::Time deadline,
                                        int64_t as_of_revision) override;
  absl::StatusOr<AggregateResult> AggregatePartnerships(
      const AggregateQuery& query, absl::Time deadline,
      int64_t as_of_revision) override;

  // Reads (rocksdb_reads.cc).
  absl::StatusOr<CompanyRecord> GetCompany(absl::string_view id,
                                           int64_t as_of_revision) override;
  absl::StatusOr<std::vector<CompanyRecord>> BatchGetCompanies(
      const std::vector<std::string>& ids, int64_t as_of_revision) override;
  absl::StatusOr<CompanyPage> ListCompanies(const CompanyFilter& filter,
                                            int page_size,
                                            absl::string_view page_token,
                                            int64_t as_of_revision) override;
  absl::StatusOr<SearchResult> SearchCompanies(absl::string_view query,
                                               int limit) override;
  absl::StatusOr<PartnershipRecord> GetPartnership(
      absl::string_view id, int64_t as_of_revision) override;
  absl::StatusOr<PartnershipPage> ListPartnerships(
      const PartnershipQuery& query, int page_size,
      absl::string_view page_token, int64_t as_of_revision) override;

  // Point in time and record history (rocksdb_history.cc).
  absl::StatusOr<int64_t> RevisionAt(absl::Time time) override;
  absl::StatusOr<RevisionsPage> ListRevisions(
      RecordKind kind, absl::string_view id, int page_size,
      absl::string_view page_token) override;
  absl::StatusOr<ChangesPage> ReadChanges(int64_t start_revision,
                                          int max_batches) override;
  absl::StatusOr<bool> PartnershipMatches(const PartnershipQuery& query,
                                          const PartnershipRecord& p) override;
  absl::StatusOr<StoreStats> GetStats() override;
  absl::StatusOr<ConsistencyReport> CheckConsistency() override;

  // Export and checkpoint (rocksdb_export.cc).
  absl::StatusOr<std::unique_ptr<RecordCursor>> OpenExport() override;
  absl::StatusOr<CheckpointInfo> CreateCheckpoint(
      const std::string& dir) override;

 protected:
  // A write rule, planned on the commit thread.
  using Mutation = std::function<absl::Status(PlanContext&)>;
  // A mutation's outcome and the revision it was committed at (0 when it
  // took none: refused, checked only, or nothing to change).
  using CommitDone = std::function<void(absl::Status, int64_t revision)>;

  // How a mutation is committed.
  enum class CommitPath {
    // With the others of its group, in one WriteBatch.
    kGroup,
    // In a group of its own, planned against memory (a bulk import; see
    // import_reader.h), written through the WriteBatch.
    kAlone,
    // As kAlone, written as one SST file and ingested (a large import).
    kIngest,
  };

  struct Pending {
    Mutation fn;
    CommitDone done;
    absl::Status status;
    CommitPath path = CommitPath::kGroup;
    // Planned, then rolled back: nothing written, no revision taken.
    bool validate_only = false;
    // A revision committed elsewhere (an etcd replica applying it): written
    // at exactly this revision and commit time instead of the next one and
    // now. 0 for a local write.
    int64_t revision = 0;
    int64_t time_micros = 0;
    // Set by the committer: the revision the mutation took (0: none).
    int64_t committed = 0;
  };

  // Commit queue (rocksdb_commit.cc).
  // Queues `fn` for the committer; `done` gets its status once the group it
  // was committed in is durable (or failed).
  void Enqueue(Mutation fn, StatusDone done,
               CommitPath path = CommitPath::kGroup,
               WriteMode mode = WriteMode::kCommit);
  void Enqueue(Mutation fn, CommitDone done, CommitPath path, WriteMode mode);
  // Hands a mutation to whoever commits it: the commit thread here; an
  // engine committing elsewhere overrides it.
  virtual void Submit(std::unique_ptr<Pending> p);
  // Commits a revision made elsewhere: `plan`'s writes and change events at
  // `revision` (above the current one) with commit time `time_micros`,
  // through the commit thread, applied and published like a local write.
  void ApplyCommitted(int64_t revision, int64_t time_micros, WritePlan plan,
                      StatusDone done);
  // Called on the commit thread once `revision` is published.
  virtual void OnPublished(int64_t revision) {}
  rocksdb::DB* db() const { return db_.get(); }
  const StoreOptions& options() const { return options_; }

 private:
  // Enqueue for a rule that produces a record: `body` fills it in.
  template <typename T, typename Body>
  void Run(Body body, WriteMode mode, Done<T> done);
  void CommitLoop();
  void CommitGroup(const std::vector<std::unique_ptr<Pending>>& group,
                   rocksdb::WriteBatchWithIndex* batch);
  // Plans one mutation at revision `revision` and adds its plan, change-log
  // entry and history trim to `batch`. *changes gets its change batch.
  absl::Status PlanAndBatch(Pending& p, int64_t revision, int64_t now,
                            rocksdb::WriteBatchWithIndex* batch,
                            ChangeBatchRecord* changes);
  // Writes the group's batch with the revision meta keys.
  absl::Status WriteGroup(int64_t next, int64_t* compact,
                          rocksdb::WriteBatchWithIndex* batch);
  // Commits an ingest mutation alone: its plan, change-log entry and meta
  // keys as one sorted SST file, ingested at the next revision.
  void CommitIngest(Pending& p);
  absl::Status IngestPlan(WritePlan& plan, int64_t revision, int64_t now,
                          int64_t* compact);
  // After a successful write up to revision `next`: applies `committed` to
  // the index, publishes the revision and hands the batches to the
  // listener.
  void Publish(int64_t next, int64_t compact,
               std::vector<ChangeBatchRecord> committed);
  RecordSnapshotFactory RecordsAt(
      std::shared_ptr<const rocksdb::Snapshot> snapshot, int64_t revision);

  // Reads (rocksdb_reads.cc).
  template <typename Record>
  absl::StatusOr<Record> ReadRecord(const rocksdb::ReadOptions& ro,
                                    const std::string& key,
                                    absl::string_view collection,
                                    absl::string_view id);
  absl::StatusOr<int64_t> CountPrefix(const RocksDbSnapshotReader& snap,
                                      const std::string& prefix);

  // Point in time (rocksdb_history.cc). `revision` (0: the one `snap` is
  // at), once `as_of_revision` (> 0) is known to be readable there: not past
  // it, not trimmed at `snap` (see GraphStore).
  absl::StatusOr<int64_t> CheckAsOf(const RocksDbSnapshotReader& snap,
                                    int64_t as_of_revision,
                                    int64_t revision = 0);
  // The changes of revisions (as_of_revision, revision], read at `ro`.
  absl::StatusOr<std::shared_ptr<const AsOfOverlay>> OverlayAt(
      const rocksdb::ReadOptions& ro, int64_t as_of_revision, int64_t revision);
  // One record as it was at `as_of_revision`; nullopt when it did not exist.
  template <typename Record>
  absl::StatusOr<std::optional<Record>> RecordAt(const rocksdb::ReadOptions& ro,
                                                 char table,
                                                 absl::string_view id,
                                                 int64_t as_of_revision);
  // The graph index's view, seen as of `as_of_revision` (0: now).
  absl::StatusOr<std::unique_ptr<GraphSnapshot>> GraphViewAt(
      int64_t as_of_revision);
  QueryLimits GraphLimits(absl::Time deadline) const;

  std::unique_ptr<rocksdb::DB> db_;
  const StoreOptions options_;
  std::atomic<int64_t> revision_;
  // Declared after db_: destroyed first, releasing its snapshots.
  GraphIndex index_;
  const std::string token_key_;
  // Revisions up to this one are trimmed from the change log. Never moves
  // back, even when a later open keeps a longer history. Commit thread only.
  int64_t compact_revision_;

  absl::Mutex queue_mu_;
  std::deque<std::unique_ptr<Pending>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread committer_;

  // The last overlay built, and the revision it reaches: reads as of the
  // same revision while no write lands share it.
  absl::Mutex overlay_mu_;
  std::shared_ptr<const AsOfOverlay> last_overlay_ ABSL_GUARDED_BY(overlay_mu_);
  int64_t last_overlay_to_ ABSL_GUARDED_BY(overlay_mu_) = 0;

  absl::Mutex listener_mu_;
  CommitListener listener_ ABSL_GUARDED_BY(listener_mu_);
};

template <typename T, typename Body>
void RocksDbStore::Run(Body body, WriteMode mode, Done<T> done) {
  auto out = std::make_shared<T>();
  Enqueue([body = std::move(body),
           out](PlanContext& ctx) { return body(ctx, *out); },
          CommitDone(
              [out, done = std::move(done)](absl::Status s, int64_t revision) {
                if (!s.ok()) return done(s);
                // Planned at the revision the write expected to take; an engine
                // whose commit decides the revision (etcd) may have given
                // another.
                if (revision > 0 && out->update_revision() != revision) {
                  if (out->create_revision() == out->update_revision()) {
                    out->set_create_revision(revision);
                  }
                  out->set_update_revision(revision);
                }
                done(std::move(*out));
              }),
          CommitPath::kGroup, mode);
}

// PlanReader::Scan over `it`: the keys under `prefix` with their values,
// at most `limit` (*truncated set when there are more); `what` names the
// read in an error (rocksdb_commit.cc).
absl::Status ScanPrefix(rocksdb::Iterator* it, const std::string& prefix,
                        int limit,
                        std::vector<std::pair<std::string, std::string>>* out,
                        bool* truncated, absl::string_view what);

// Where the SST file of an ingest at `revision` is written, in the store's
// directory `dir` (rocksdb_open.cc, which removes such files left over by a
// stop mid-write).
std::string IngestFilePath(const std::string& dir, int64_t revision);

// The history entries (keys::HistoryKey) of one committed change batch
// (rocksdb_history.cc): fn(key, value) once per record it changed.
void ForEachHistoryEntry(
    const ChangeBatchRecord& changes,
    const std::function<void(std::string key, std::string value)>& fn);

// Calls fn with each change-log entry of revisions [from, to] (to 0: to the
// last) held at `ro`, parsed, in revision order; a non-OK status from fn
// stops the walk and is returned (rocksdb_history.cc).
absl::Status ForEachChangeBatch(
    rocksdb::DB* db, const rocksdb::ReadOptions& ro, int64_t from, int64_t to,
    const std::function<absl::Status(const ChangeBatchRecord&)>& fn);

// Writes the history entries of every change-log entry held, once, for a
// store written before the history table existed (rocksdb_history.cc).
absl::Status BuildHistoryIndex(rocksdb::DB* db);

// A RocksDB store opened, checked and trimmed (rocksdb_open.cc), before an
// engine object takes it.
struct OpenedRocksDb {
  std::unique_ptr<rocksdb::DB> db;
  int64_t revision = 0;
  int64_t compact_revision = 0;
  std::string token_key;
};
absl::StatusOr<OpenedRocksDb> OpenRocksDb(const std::string& path,
                                          const StoreOptions& options);

// Reads the store revision of the (closed) store in `dir`
// (rocksdb_export.cc).
absl::StatusOr<int64_t> ReadRocksDbRevisionAt(const std::string& dir);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ROCKSDB_STORE_H_
