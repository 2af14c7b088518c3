// The RocksDB engine's lifetime, its mutations (each queues a write rule of
// write_plan.h for the commit thread, rocksdb_commit.cc) and the graph
// queries, which traverse the in-memory graph index.

#include "storage/rocksdb_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/graph_query.h"
#include "storage/rocksdb_graph_snapshot.h"
#include "storage/status_macros.h"
#include "storage/validation.h"
#include "storage/write_plan.h"

namespace partnergraph::storage {
namespace {

constexpr char kAllOrNothingRefused[] = "import: all_or_nothing batch refused";

}  // namespace

RocksDbStore::RocksDbStore(std::unique_ptr<rocksdb::DB> db,
                           StoreOptions options, int64_t revision,
                           int64_t compact_revision, std::string token_key)
    : db_(std::move(db)),
      options_(std::move(options)),
      revision_(revision),
      token_key_(std::move(token_key)),
      compact_revision_(compact_revision) {}

absl::Status RocksDbStore::Start() {
  auto snapshot = NewSharedSnapshot(db_.get());
  int64_t revision = revision_.load();
  auto scan = NewRocksDbGraphSnapshot(db_.get(), snapshot, revision);
  RETURN_IF_ERROR(index_.Rebuild(*scan, RecordsAt(snapshot, revision)));
  committer_ = std::thread([this] { CommitLoop(); });
  return absl::OkStatus();
}

RocksDbStore::~RocksDbStore() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  if (committer_.joinable()) committer_.join();
  index_.Reset();  // releases the snapshot it reads records from
  db_->SyncWAL();
  db_->Close();
}

void RocksDbStore::CreateCompanyAsync(CompanyRecord c, std::string rid,
                                      WriteMode mode,
                                      Done<CompanyRecord> done) {
  absl::Status s = PrepareCompanyCreate(&c, rid);
  if (!s.ok()) return done(s);
  Run<CompanyRecord>(
      [c = std::move(c), rid = std::move(rid)](PlanContext& ctx,
                                               CompanyRecord& result) {
        return PlanCreateCompany(ctx, c, rid, &result);
      },
      mode, std::move(done));
}

void RocksDbStore::UpdateCompanyAsync(CompanyRecord patch,
                                      std::vector<std::string> paths,
                                      std::string etag, WriteMode mode,
                                      Done<CompanyRecord> done) {
  absl::Status s = ValidateId("company.name", patch.id());
  if (!s.ok()) return done(s);
  Run<CompanyRecord>(
      [patch = std::move(patch), paths = std::move(paths),
       etag = std::move(etag)](PlanContext& ctx, CompanyRecord& result) {
        return PlanUpdateCompany(ctx, patch, paths, etag, &result);
      },
      mode, std::move(done));
}

void RocksDbStore::DeleteCompanyAsync(std::string id, std::string etag,
                                      bool force, WriteMode mode,
                                      StatusDone done) {
  absl::Status s = ValidateId("name", id);
  if (!s.ok()) return done(s);
  Enqueue(
      [id = std::move(id), etag = std::move(etag), force](PlanContext& ctx) {
        return PlanDeleteCompany(ctx, id, etag, force);
      },
      std::move(done), CommitPath::kGroup, mode);
}

void RocksDbStore::CreatePartnershipAsync(PartnershipRecord p, std::string rid,
                                          WriteMode mode,
                                          Done<PartnershipRecord> done) {
  absl::Status s = PreparePartnershipCreate(&p, rid);
  if (!s.ok()) return done(s);
  Run<PartnershipRecord>(
      [p = std::move(p), rid = std::move(rid)](PlanContext& ctx,
                                               PartnershipRecord& result) {
        return PlanCreatePartnership(ctx, p, rid, &result);
      },
      mode, std::move(done));
}

void RocksDbStore::UpdatePartnershipAsync(PartnershipRecord patch,
                                          std::vector<std::string> paths,
                                          std::string etag, WriteMode mode,
                                          Done<PartnershipRecord> done) {
  absl::Status s = ValidateId("partnership.name", patch.id());
  if (!s.ok()) return done(s);
  Run<PartnershipRecord>(
      [patch = std::move(patch), paths = std::move(paths),
       etag = std::move(etag)](PlanContext& ctx, PartnershipRecord& result) {
        return PlanUpdatePartnership(ctx, patch, paths, etag, &result);
      },
      mode, std::move(done));
}

void RocksDbStore::DeletePartnershipAsync(std::string id, std::string etag,
                                          WriteMode mode, StatusDone done) {
  absl::Status s = ValidateId("name", id);
  if (!s.ok()) return done(s);
  Enqueue(
      [id = std::move(id), etag = std::move(etag)](PlanContext& ctx) {
        return PlanDeletePartnership(ctx, id, etag);
      },
      std::move(done), CommitPath::kGroup, mode);
}

void RocksDbStore::ImportAsync(ImportBatch batch, Done<ImportResult> done) {
  const size_t total = batch.companies.size() + batch.partnerships.size();
  if (total > static_cast<size_t>(kMaxImportRecords)) {
    return done(absl::InvalidArgumentError(
        absl::StrCat("records: want at most ", kMaxImportRecords,
                     " records in one import batch, got ", total)));
  }
  // Validation needs no store state: do it here, off the commit thread.
  auto result = std::make_shared<ImportResult>();
  auto work = std::make_shared<PreparedImport>(
      PrepareImport(std::move(batch), result.get()));
  if (work->batch.companies.empty() && work->batch.partnerships.empty()) {
    result->revision = Revision();
    return done(std::move(*result));
  }
  // Committed in a group of its own, planned against the graph index; a
  // large one as an ingested SST file.
  Enqueue(
      [work, result](PlanContext& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(bool write, PlanImport(ctx, *work, result.get()));
        // Refused: fail the mutation so nothing of it is committed.
        if (!write) return absl::AbortedError(kAllOrNothingRefused);
        return absl::OkStatus();
      },
      CommitDone([this, work, result, done = std::move(done)](
                     absl::Status s, int64_t revision) {
        if (s.ok()) {
          // The revision the engine committed at (see Run).
          if (revision > 0) result->revision = revision;
          return done(std::move(*result));
        }
        if ((work->batch.all_or_nothing || work->batch.dry_run) &&
            absl::IsAborted(s) && s.message() == kAllOrNothingRefused) {
          result->companies_written = 0;
          result->partnerships_written = 0;
          result->revision = Revision();
          return done(std::move(*result));
        }
        done(s);
      }),
      total >= static_cast<size_t>(options_.ingest_min_records)
          ? CommitPath::kIngest
          : CommitPath::kAlone,
      WriteMode::kCommit);
}

int64_t RocksDbStore::Revision() const {
  return revision_.load(std::memory_order_acquire);
}

void RocksDbStore::SetCommitListener(CommitListener listener) {
  absl::MutexLock lock(&listener_mu_);
  listener_ = std::move(listener);
}

QueryLimits RocksDbStore::GraphLimits(absl::Time deadline) const {
  QueryLimits limits;
  limits.deadline = deadline;
  limits.max_entries_examined = options_.max_query_entries;
  return limits;
}

absl::StatusOr<NeighborhoodResult> RocksDbStore::GetNeighborhood(
    const NeighborhoodQuery& query, absl::Time deadline,
    int64_t as_of_revision) {
  ASSIGN_OR_RETURN(auto snap, GraphViewAt(as_of_revision));
  return storage::GetNeighborhood(*snap, query, GraphLimits(deadline));
}

absl::StatusOr<PathsResult> RocksDbStore::FindPaths(const PathQuery& query,
                                                    absl::Time deadline,
                                                    int64_t as_of_revision) {
  ASSIGN_OR_RETURN(auto snap, GraphViewAt(as_of_revision));
  return storage::FindPaths(*snap, query, GraphLimits(deadline));
}

absl::StatusOr<AggregateResult> RocksDbStore::AggregatePartnerships(
    const AggregateQuery& query, absl::Time deadline, int64_t as_of_revision) {
  ASSIGN_OR_RETURN(auto snap, GraphViewAt(as_of_revision));
  return storage::AggregatePartnerships(*snap, query, GraphLimits(deadline));
}

}  // namespace partnergraph::storage
