// The etcd engine's imports: a batch is one Txn while it fits etcd's limits
// (--max-txn-ops, --max-request-bytes); a larger one is committed in chunks
// of records, halving the chunk each time etcd refuses one as too large
// (nothing of a refused Txn is written).

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "storage/etcd/etcd_engine.h"

namespace partnergraph::storage {
namespace {

// Records per Txn tried first.
constexpr size_t kFirstChunk = 1000;

// etcd refused the Txn for its size: a smaller chunk may pass.
bool TooLarge(const absl::Status& s) {
  return absl::IsInvalidArgument(s) &&
         (absl::StrContains(s.message(), "too many operations") ||
          absl::StrContains(s.message(), "request is too large"));
}

void Merge(ImportResult part, ImportResult* into) {
  into->companies_written += part.companies_written;
  into->partnerships_written += part.partnerships_written;
  into->revision = std::max(into->revision, part.revision);
  for (ImportError& e : part.errors) into->errors.push_back(std::move(e));
  for (auto& h : part.held_back) into->held_back.push_back(std::move(h));
}

}  // namespace

struct EtcdStore::ChunkedImport {
  ImportBatch batch;
  Done<ImportResult> done;
  ImportResult result;
  // The next record to commit: companies first, then partnerships.
  size_t next_company = 0;
  size_t next_partnership = 0;
  size_t chunk = kFirstChunk;
  // An all_or_nothing batch split in chunks is checked whole first.
  bool checked = false;

  size_t remaining() const {
    return batch.companies.size() - next_company + batch.partnerships.size() -
           next_partnership;
  }
};

void EtcdStore::ImportAsync(ImportBatch batch, Done<ImportResult> done) {
  if (batch.dry_run) {
    return RocksDbStore::ImportAsync(std::move(batch), std::move(done));
  }
  auto work = std::make_shared<ChunkedImport>();
  work->batch = std::move(batch);
  work->done = std::move(done);
  bool start = false;
  {
    absl::MutexLock lock(&mu_);
    imports_.push_back(work);
    start = imports_.size() == 1;
  }
  if (start) ImportNext(std::move(work));
}

void EtcdStore::FinishImport(std::shared_ptr<ChunkedImport> work,
                             absl::StatusOr<ImportResult> result) {
  std::shared_ptr<ChunkedImport> next;
  {
    absl::MutexLock lock(&mu_);
    imports_.pop_front();
    if (!imports_.empty()) next = imports_.front();
  }
  work->done(std::move(result));
  if (next != nullptr) ImportNext(std::move(next));
}

void EtcdStore::ImportNext(std::shared_ptr<ChunkedImport> work) {
  ImportBatch& all = work->batch;
  if (work->remaining() == 0) {
    if (work->result.revision == 0) work->result.revision = Revision();
    return FinishImport(work, std::move(work->result));
  }
  if (all.all_or_nothing && !work->checked && work->remaining() > work->chunk) {
    // Split: every record is checked against the store as it is now, and
    // nothing is written when one fails.
    work->checked = true;
    ImportBatch check = all;
    check.dry_run = true;
    return RocksDbStore::ImportAsync(
        std::move(check), [this, work](absl::StatusOr<ImportResult> r) {
          if (!r.ok()) return FinishImport(work, r.status());
          if (!r->errors.empty()) {
            r->companies_written = 0;
            r->partnerships_written = 0;
            return FinishImport(work, std::move(r));
          }
          ImportNext(work);
        });
  }
  ImportBatch part;
  part.hold_back_missing = all.hold_back_missing;
  part.all_or_nothing = all.all_or_nothing;
  size_t room = work->chunk;
  const size_t companies =
      std::min(room, all.companies.size() - work->next_company);
  part.companies.assign(all.companies.begin() + work->next_company,
                        all.companies.begin() + work->next_company + companies);
  room -= companies;
  const size_t partnerships =
      std::min(room, all.partnerships.size() - work->next_partnership);
  part.partnerships.assign(
      all.partnerships.begin() + work->next_partnership,
      all.partnerships.begin() + work->next_partnership + partnerships);
  RocksDbStore::ImportAsync(
      std::move(part),
      [this, work, companies, partnerships](absl::StatusOr<ImportResult> r) {
        if (!r.ok()) {
          if (TooLarge(r.status()) && work->chunk > 1) {
            work->chunk = std::max<size_t>(1, work->chunk / 2);
            return ImportNext(work);
          }
          return FinishImport(work, r.status());
        }
        work->next_company += companies;
        work->next_partnership += partnerships;
        const bool refused = work->batch.all_or_nothing && !r->errors.empty();
        Merge(*std::move(r), &work->result);
        // Checked whole, then refused by a write that landed meanwhile: the
        // chunks before stay written, none after is tried.
        if (refused) return FinishImport(work, std::move(work->result));
        ImportNext(work);
      });
}

}  // namespace partnergraph::storage
