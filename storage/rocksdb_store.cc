// The RocksDB implementation of GraphStore.
//
// Writes go through one committer thread that drains a queue of mutations.
// Each mutation is a write rule of write_plan.h, planned against the store as
// the group's WriteBatchWithIndex has left it (so it sees the mutations
// queued before it) at the next revision; its plan is added to the batch only
// when the rule succeeds. The whole group is then written with one WAL write
// (fsync'ed when StoreOptions::sync), and only then are its callers
// answered. Reads never take the committer's path.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "storage/consistency.h"
#include "storage/graph_index.h"
#include "storage/graph_store.h"
#include "storage/index_entries.h"
#include "storage/key_codec.h"
#include "storage/page_token.h"
#include "storage/partnership_filter.h"
#include "storage/plan_context.h"
#include "storage/record_mask.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_graph_snapshot.h"
#include "storage/status_macros.h"
#include "storage/text.h"
#include "storage/validation.h"
#include "storage/write_plan.h"

namespace partnergraph::storage {

namespace {

// A search examines at most this many index entries.
constexpr int kMaxSearchScan = 20000;

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
    *truncated = false;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      if (!it->key().starts_with(prefix)) break;
      if (static_cast<int>(out->size()) >= limit) {
        *truncated = true;
        break;
      }
      out->emplace_back(it->key().ToString(), it->value().ToString());
    }
    return FromRocks(it->status(), "scan");
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
    *truncated = false;
    for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix);
         it_->Next()) {
      if (static_cast<int>(out->size()) >= limit) {
        *truncated = true;
        break;
      }
      out->emplace_back(it_->key().ToString(), it_->value().ToString());
    }
    return FromRocks(it_->status(), "import scan");
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

using Mutation = std::function<absl::Status(PlanContext&)>;

class RocksDbStore : public GraphStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, StoreOptions options,
               int64_t revision, int64_t compact_revision,
               std::string token_key)
      : db_(std::move(db)),
        options_(std::move(options)),
        revision_(revision),
        token_key_(std::move(token_key)),
        compact_revision_(compact_revision) {}

  // Rebuilds the graph index from the store, then starts taking writes.
  absl::Status Start() {
    auto snapshot = NewSharedSnapshot(db_.get());
    int64_t revision = revision_.load();
    auto scan = NewRocksDbGraphSnapshot(db_.get(), snapshot, revision);
    RETURN_IF_ERROR(index_.Rebuild(*scan, RecordsAt(snapshot, revision)));
    committer_ = std::thread([this] { CommitLoop(); });
    return absl::OkStatus();
  }

  const GraphIndex& graph_index() const { return index_; }

  ~RocksDbStore() override {
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    if (committer_.joinable()) committer_.join();
    index_.Reset();  // releases the snapshot it reads records from
    db_->SyncWAL();
    db_->Close();
  }

  void CreateCompanyAsync(CompanyRecord c, std::string rid,
                          Done<CompanyRecord> done) override {
    absl::Status s = PrepareCompanyCreate(&c, rid);
    if (!s.ok()) return done(s);
    Run<CompanyRecord>(
        [c = std::move(c), rid = std::move(rid)](PlanContext& ctx,
                                                 CompanyRecord& result) {
          return PlanCreateCompany(ctx, c, rid, &result);
        },
        std::move(done));
  }

  absl::StatusOr<CompanyRecord> GetCompany(absl::string_view id) override {
    RETURN_IF_ERROR(ValidateId("name", id));
    return ReadRecord<CompanyRecord>(rocksdb::ReadOptions(),
                                     keys::CompanyKey(id), kCompanies, id);
  }

  absl::StatusOr<std::vector<CompanyRecord>> BatchGetCompanies(
      const std::vector<std::string>& ids) override {
    if (ids.empty() || static_cast<int>(ids.size()) > kMaxBatchGet) {
      return absl::InvalidArgumentError(absl::StrCat(
          "names: want 1..", kMaxBatchGet, " entries, got ", ids.size()));
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      RETURN_IF_ERROR(ValidateId(absl::StrCat("names[", i, "]"), ids[i]));
    }
    SnapshotReader snap(db_.get());
    std::vector<CompanyRecord> out;
    out.reserve(ids.size());
    for (const std::string& id : ids) {
      ASSIGN_OR_RETURN(
          CompanyRecord c,
          ReadRecord<CompanyRecord>(snap.options(), keys::CompanyKey(id),
                                    kCompanies, id));
      out.push_back(std::move(c));
    }
    return out;
  }

  void UpdateCompanyAsync(CompanyRecord patch, std::vector<std::string> paths,
                          std::string etag, Done<CompanyRecord> done) override {
    absl::Status s = ValidateId("company.name", patch.id());
    if (!s.ok()) return done(s);
    Run<CompanyRecord>(
        [patch = std::move(patch), paths = std::move(paths),
         etag = std::move(etag)](PlanContext& ctx, CompanyRecord& result) {
          return PlanUpdateCompany(ctx, patch, paths, etag, &result);
        },
        std::move(done));
  }

  void DeleteCompanyAsync(std::string id, std::string etag, bool force,
                          StatusDone done) override {
    absl::Status s = ValidateId("name", id);
    if (!s.ok()) return done(s);
    Enqueue(
        [id = std::move(id), etag = std::move(etag), force](PlanContext& ctx) {
          return PlanDeleteCompany(ctx, id, etag, force);
        },
        std::move(done));
  }

  absl::StatusOr<CompanyPage> ListCompanies(
      const CompanyFilter& filter, int page_size,
      absl::string_view page_token) override {
    RETURN_IF_ERROR(ValidatePageSize("page_size", page_size));
    RETURN_IF_ERROR(
        ValidateCompanyFilter(filter.sector, filter.country, filter.label));
    int limit = ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize);
    uint64_t fp = FilterFingerprint(filter);
    std::string prefix = keys::TablePrefix(keys::kCompany);
    ASSIGN_OR_RETURN(std::string after,
                     OpenToken(token_key_, page_token, kCompanies, fp));
    SnapshotReader snap(db_.get());
    CompanyPage page;
    ASSIGN_OR_RETURN(page.revision, snap.Revision());
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    if (after.empty()) {
      it->Seek(prefix);
    } else {
      it->Seek(after);
      if (it->Valid() && it->key() == after) it->Next();
    }
    int scanned = 0;
    std::string last_key;
    for (; it->Valid(); it->Next()) {
      if (static_cast<int>(page.companies.size()) >= limit ||
          scanned >= kMaxScanPerPage) {
        page.next_page_token = SealToken(token_key_, kCompanies, fp, last_key);
        break;
      }
      ++scanned;
      last_key = it->key().ToString();
      ASSIGN_OR_RETURN(CompanyRecord c, ParseRecord<CompanyRecord>(
                                            View(it->value()), "company"));
      if (CompanyMatches(filter, c)) page.companies.push_back(std::move(c));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "list companies"));
    return page;
  }

  absl::StatusOr<SearchResult> SearchCompanies(absl::string_view query,
                                               int limit) override {
    RETURN_IF_ERROR(ValidateSearchQuery("query", query));
    RETURN_IF_ERROR(ValidatePageSize("page_size", limit));
    limit = ClampPageSize(limit, kDefaultSearchLimit, kMaxSearchLimit);
    std::string q = FoldForSearch(query);
    SnapshotReader snap(db_.get());
    SearchResult result;
    ASSIGN_OR_RETURN(result.revision, snap.Revision());
    std::string prefix = keys::SearchTermPrefix(q);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    struct Best {
      MatchKind match;
      std::string text;
      std::string display_name;
      std::string id;
    };
    absl::flat_hash_map<std::string, Best> best;
    int scanned = 0;
    for (it->Seek(prefix); it->Valid() && scanned < kMaxSearchScan;
         it->Next(), ++scanned) {
      std::string term, company_id;
      if (!keys::DecodeSearchKey(View(it->key()), &term, &company_id)) {
        return absl::DataLossError("malformed search key");
      }
      ASSIGN_OR_RETURN(
          SearchTermRecord rec,
          ParseRecord<SearchTermRecord>(View(it->value()), "search term"));
      MatchKind match;
      switch (rec.source()) {
        case SearchTermRecord::TICKER:
          match = term == q ? MatchKind::kExactTicker : MatchKind::kPrefix;
          break;
        case SearchTermRecord::NAME:
        case SearchTermRecord::ALIAS:
          match = term == q ? MatchKind::kExactName : MatchKind::kPrefix;
          break;
        default:
          match = MatchKind::kWordPrefix;
      }
      auto [pos, inserted] = best.try_emplace(company_id);
      if (inserted || match < pos->second.match) {
        pos->second = Best{match, rec.text(), rec.display_name(), company_id};
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "search"));
    // Rank on what the index holds; read only the companies returned.
    std::vector<const Best*> ranked;
    ranked.reserve(best.size());
    for (const auto& [id, b] : best) ranked.push_back(&b);
    const size_t n = std::min(ranked.size(), static_cast<size_t>(limit));
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(),
                      [](const Best* a, const Best* b) {
                        return std::tie(a->match, a->display_name, a->id) <
                               std::tie(b->match, b->display_name, b->id);
                      });
    for (size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(CompanyRecord c,
                       ReadRecord<CompanyRecord>(
                           snap.options(), keys::CompanyKey(ranked[i]->id),
                           kCompanies, ranked[i]->id));
      result.hits.push_back(
          SearchHit{std::move(c), ranked[i]->match, ranked[i]->text});
    }
    return result;
  }

  void CreatePartnershipAsync(PartnershipRecord p, std::string rid,
                              Done<PartnershipRecord> done) override {
    absl::Status s = PreparePartnershipCreate(&p, rid);
    if (!s.ok()) return done(s);
    Run<PartnershipRecord>(
        [p = std::move(p), rid = std::move(rid)](PlanContext& ctx,
                                                 PartnershipRecord& result) {
          return PlanCreatePartnership(ctx, p, rid, &result);
        },
        std::move(done));
  }

  absl::StatusOr<PartnershipRecord> GetPartnership(
      absl::string_view id) override {
    RETURN_IF_ERROR(ValidateId("name", id));
    return ReadRecord<PartnershipRecord>(
        rocksdb::ReadOptions(), keys::PartnershipKey(id), kPartnerships, id);
  }

  void UpdatePartnershipAsync(PartnershipRecord patch,
                              std::vector<std::string> paths, std::string etag,
                              Done<PartnershipRecord> done) override {
    absl::Status s = ValidateId("partnership.name", patch.id());
    if (!s.ok()) return done(s);
    Run<PartnershipRecord>(
        [patch = std::move(patch), paths = std::move(paths),
         etag = std::move(etag)](PlanContext& ctx, PartnershipRecord& result) {
          return PlanUpdatePartnership(ctx, patch, paths, etag, &result);
        },
        std::move(done));
  }

  void DeletePartnershipAsync(std::string id, std::string etag,
                              StatusDone done) override {
    absl::Status s = ValidateId("name", id);
    if (!s.ok()) return done(s);
    Enqueue(
        [id = std::move(id), etag = std::move(etag)](PlanContext& ctx) {
          return PlanDeletePartnership(ctx, id, etag);
        },
        std::move(done));
  }

  absl::StatusOr<PartnershipPage> ListPartnerships(
      const PartnershipQuery& query, int page_size,
      absl::string_view page_token) override {
    RETURN_IF_ERROR(ValidatePageSize("page_size", page_size));
    RETURN_IF_ERROR(ValidatePartnershipQuery("filter", query));
    int limit = ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize);
    uint64_t fp = FilterFingerprint(query);
    ASSIGN_OR_RETURN(std::string after,
                     OpenToken(token_key_, page_token, kPartnerships, fp));

    // Newest first: walk the announced-date index (or the company's
    // adjacency, which is ordered the same way) backwards, between the
    // filter's dates.
    std::string prefix = query.company_id().empty()
                             ? keys::TablePrefix(keys::kAnnounced)
                             : keys::AdjacencyPrefix(query.company_id());
    std::string lower = prefix, upper = keys::PrefixSuccessor(prefix);
    if (!query.announced_after().empty()) {
      lower = prefix;
      keys::AppendString(&lower, query.announced_after());
    }
    if (!query.announced_before().empty()) {
      std::string b = prefix;
      keys::AppendString(&b, query.announced_before());
      upper = keys::PrefixSuccessor(b);
    }
    SnapshotReader snap(db_.get());
    PartnershipPage page;
    ASSIGN_OR_RETURN(page.revision, snap.Revision());
    rocksdb::Slice lower_slice(lower), upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_lower_bound = &lower_slice;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    if (after.empty()) {
      it->SeekToLast();
    } else {
      std::string resume = prefix + after;
      it->SeekForPrev(resume);
      if (it->Valid() && it->key() == resume) it->Prev();
    }
    absl::flat_hash_map<std::string, std::unique_ptr<CompanyRecord>> companies;
    int scanned = 0;
    std::string last_suffix;
    for (; it->Valid(); it->Prev()) {
      if (static_cast<int>(page.partnerships.size()) >= limit ||
          scanned >= kMaxScanPerPage) {
        page.next_page_token =
            SealToken(token_key_, kPartnerships, fp, last_suffix);
        break;
      }
      ++scanned;
      std::string a, date, pid;
      bool ok =
          query.company_id().empty()
              ? keys::DecodeAnnouncedKey(View(it->key()), &date, &pid)
              : keys::DecodeAdjacencyKey(View(it->key()), &a, &date, &pid);
      if (!ok) return absl::DataLossError("malformed partnership index key");
      last_suffix = it->key().ToString().substr(prefix.size());
      ASSIGN_OR_RETURN(
          PartnershipRecord p,
          ReadRecord<PartnershipRecord>(
              snap.options(), keys::PartnershipKey(pid), kPartnerships, pid));
      if (!MatchesBasics(query, p)) continue;
      if (query.participant_sectors_size() > 0) {
        std::vector<const CompanyRecord*> parts;
        for (const auto& part : p.participants()) {
          auto& slot = companies[part.company_id()];
          if (slot == nullptr) {
            slot = std::make_unique<CompanyRecord>();
            auto c = ReadRecord<CompanyRecord>(
                snap.options(), keys::CompanyKey(part.company_id()), kCompanies,
                part.company_id());
            if (c.ok()) *slot = *std::move(c);
          }
          parts.push_back(slot.get());
        }
        if (!SectorsMatch(query, parts)) continue;
      }
      page.partnerships.push_back(std::move(p));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "list partnerships"));
    return page;
  }

  absl::StatusOr<ChangesPage> ReadChanges(int64_t start_revision,
                                          int max_batches) override {
    if (start_revision < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("start_revision: want >= 1, got ", start_revision));
    }
    if (max_batches < 1 || max_batches > kMaxChangeBatches) {
      return absl::InvalidArgumentError(absl::StrCat(
          "max_batches: want 1..", kMaxChangeBatches, ", got ", max_batches));
    }
    SnapshotReader snap(db_.get());
    ChangesPage page;
    ASSIGN_OR_RETURN(page.revision, snap.Revision());
    ASSIGN_OR_RETURN(page.compact_revision,
                     snap.MetaInt(keys::kMetaCompactRevision));
    if (start_revision <= page.compact_revision) {
      return absl::OutOfRangeError(
          absl::StrCat("start_revision: ", start_revision,
                       " has been compacted; the oldest revision held is ",
                       page.compact_revision + 1));
    }
    std::string prefix = keys::TablePrefix(keys::kChange);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(keys::ChangeKey(start_revision));
         it->Valid() && static_cast<int>(page.batches.size()) < max_batches;
         it->Next()) {
      ASSIGN_OR_RETURN(
          ChangeBatchRecord b,
          ParseRecord<ChangeBatchRecord>(View(it->value()), "change log"));
      page.batches.push_back(std::move(b));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read changes"));
    if (!page.batches.empty() &&
        page.batches.front().revision() != start_revision) {
      return absl::DataLossError(absl::StrCat(
          "change log: revision ", start_revision, " is missing (next held is ",
          page.batches.front().revision(), ")"));
    }
    return page;
  }

  int64_t Revision() const override {
    return revision_.load(std::memory_order_acquire);
  }

  absl::StatusOr<ConsistencyReport> CheckConsistency() override;

  void SetCommitListener(CommitListener listener) override {
    absl::MutexLock lock(&listener_mu_);
    listener_ = std::move(listener);
  }

  absl::StatusOr<bool> PartnershipMatches(const PartnershipQuery& query,
                                          const PartnershipRecord& p) override {
    if (!MatchesBasics(query, p)) return false;
    if (query.participant_sectors_size() == 0) return true;
    std::vector<CompanyRecord> companies(p.participants_size());
    std::vector<const CompanyRecord*> parts;
    for (int i = 0; i < p.participants_size(); ++i) {
      const std::string& id = p.participants(i).company_id();
      absl::StatusOr<CompanyRecord> c = ReadRecord<CompanyRecord>(
          rocksdb::ReadOptions(), keys::CompanyKey(id), kCompanies, id);
      if (c.ok()) {
        companies[i] = *std::move(c);
        parts.push_back(&companies[i]);
      } else if (absl::IsNotFound(c.status())) {
        parts.push_back(nullptr);
      } else {
        return c.status();
      }
    }
    return SectorsMatch(query, parts);
  }

  void ImportAsync(ImportBatch batch, Done<ImportResult> done) override;

  absl::StatusOr<std::unique_ptr<RecordCursor>> OpenExport() override;

  absl::StatusOr<CheckpointInfo> CreateCheckpoint(
      const std::string& dir) override;

  absl::StatusOr<StoreStats> GetStats() override {
    SnapshotReader snap(db_.get());
    StoreStats stats;
    ASSIGN_OR_RETURN(stats.revision, snap.Revision());
    ASSIGN_OR_RETURN(stats.compact_revision,
                     snap.MetaInt(keys::kMetaCompactRevision));
    ASSIGN_OR_RETURN(stats.companies,
                     CountPrefix(snap, keys::TablePrefix(keys::kCompany)));
    ASSIGN_OR_RETURN(stats.partnerships,
                     CountPrefix(snap, keys::TablePrefix(keys::kPartnership)));
    // Every file of the store: tables, write-ahead log, manifest. Data still
    // only in the memtable is counted through the log that holds it.
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(db_->GetName(), ec)) {
      if (entry.is_regular_file(ec)) {
        const uintmax_t size = entry.file_size(ec);
        if (!ec) stats.disk_bytes += static_cast<int64_t>(size);
      }
    }
    stats.schema_version = keys::kSchemaVersion;
    const std::pair<const std::string&, int64_t*> engine[] = {
        {rocksdb::DB::Properties::kTotalSstFilesSize, &stats.sst_bytes},
        {rocksdb::DB::Properties::kCurSizeAllMemTables, &stats.memtable_bytes},
        {rocksdb::DB::Properties::kIsWriteStopped, &stats.write_stopped},
        {rocksdb::DB::Properties::kActualDelayedWriteRate,
         &stats.delayed_write_rate}};
    for (const auto& [property, out] : engine) {
      uint64_t value = 0;
      if (db_->GetIntProperty(property, &value)) {
        *out = static_cast<int64_t>(value);
      }
    }
    return stats;
  }

  absl::StatusOr<NeighborhoodResult> GetNeighborhood(
      const NeighborhoodQuery& query, absl::Time deadline) override {
    auto snap = index_.OpenView();
    return storage::GetNeighborhood(*snap, query, GraphLimits(deadline));
  }

  absl::StatusOr<PathsResult> FindPaths(const PathQuery& query,
                                        absl::Time deadline) override {
    auto snap = index_.OpenView();
    return storage::FindPaths(*snap, query, GraphLimits(deadline));
  }

  absl::StatusOr<AggregateResult> AggregatePartnerships(
      const AggregateQuery& query, absl::Time deadline) override {
    auto snap = index_.OpenView();
    return storage::AggregatePartnerships(*snap, query, GraphLimits(deadline));
  }

 private:
  struct Pending {
    Mutation fn;
    StatusDone done;
    absl::Status status;
    // Committed in a group of its own (bulk import).
    bool exclusive = false;
  };

  // Reads at one snapshot, released on destruction.
  class SnapshotReader {
   public:
    explicit SnapshotReader(rocksdb::DB* db)
        : db_(db), snapshot_(db->GetSnapshot()) {
      options_.snapshot = snapshot_;
    }
    ~SnapshotReader() { db_->ReleaseSnapshot(snapshot_); }
    const rocksdb::ReadOptions& options() const { return options_; }
    absl::StatusOr<int64_t> MetaInt(absl::string_view name) const {
      std::string v;
      rocksdb::Status s = db_->Get(options_, keys::MetaKey(name), &v);
      if (s.IsNotFound()) return 0;
      RETURN_IF_ERROR(FromRocks(s, "read meta"));
      return keys::DecodeInt64(v);
    }
    absl::StatusOr<int64_t> Revision() const {
      return MetaInt(keys::kMetaRevision);
    }

   private:
    rocksdb::DB* db_;
    const rocksdb::Snapshot* snapshot_;
    rocksdb::ReadOptions options_;
  };

  QueryLimits GraphLimits(absl::Time deadline) const {
    QueryLimits limits;
    limits.deadline = deadline;
    limits.max_entries_examined = options_.max_query_entries;
    return limits;
  }

  template <typename Record>
  absl::StatusOr<Record> ReadRecord(const rocksdb::ReadOptions& ro,
                                    const std::string& key,
                                    absl::string_view collection,
                                    absl::string_view id) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, db_->DefaultColumnFamily(), key, &value);
    if (s.IsNotFound()) return NotFound(collection, id);
    if (!s.ok()) {
      return FromRocks(s, absl::StrCat("read ", collection, "/", id));
    }
    return ParseRecord<Record>(View(value), collection, id);
  }

  absl::StatusOr<int64_t> CountPrefix(const SnapshotReader& snap,
                                      const std::string& prefix) {
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    int64_t n = 0;
    for (it->Seek(prefix); it->Valid(); it->Next()) ++n;
    RETURN_IF_ERROR(FromRocks(it->status(), "count"));
    return n;
  }

  // Queues `fn` for the committer; `done` gets its status once the group it
  // was committed in is durable (or failed).
  void Enqueue(Mutation fn, StatusDone done, bool exclusive = false) {
    auto pending = std::make_unique<Pending>();
    pending->fn = std::move(fn);
    pending->done = std::move(done);
    pending->exclusive = exclusive;
    {
      absl::MutexLock lock(&queue_mu_);
      if (!stopping_) {
        queue_.push_back(std::move(pending));
        return;
      }
    }
    pending->done(absl::UnavailableError("store is closing"));
  }

  // Enqueue for a mutation that produces a record: `body` fills it in.
  template <typename T, typename Body>
  void Run(Body body, Done<T> done) {
    auto out = std::make_shared<T>();
    Enqueue([body = std::move(body),
             out](PlanContext& ctx) { return body(ctx, *out); },
            [out, done = std::move(done)](absl::Status s) {
              if (s.ok()) {
                done(std::move(*out));
              } else {
                done(s);
              }
            });
  }

  void CommitLoop() {
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
          if (queue_.front()->exclusive && !group.empty()) break;
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
          if (group.back()->exclusive) break;
        }
      }
      CommitGroup(group, &batch);
    }
  }

  absl::Status PlanAndBatch(Pending& p, int64_t revision, int64_t now,
                            rocksdb::WriteBatchWithIndex* batch,
                            ChangeBatchRecord* changes) {
    BatchReader batch_reader(db_.get(), batch);
    DbReader db_reader(db_.get());
    PlanReader* reader = p.exclusive ? static_cast<PlanReader*>(&db_reader)
                                     : static_cast<PlanReader*>(&batch_reader);
    // The commit thread is the only writer: the preconditions the plan records
    // hold by construction here.
    PlanContext ctx(reader, revision, now, &options_.fault_injector);
    RETURN_IF_ERROR(p.fn(ctx));
    WritePlan& plan = ctx.plan();
    RETURN_IF_ERROR(AddPlan(plan, p.exclusive, batch));
    if (plan.changes.events_size() == 0) return absl::OkStatus();
    // The change-log entry, trimming the history beyond its limit. Entries at
    // or below compact_revision_ are gone already.
    plan.changes.set_revision(revision);
    plan.changes.set_time_micros(now);
    RETURN_IF_ERROR(FromRocks(
        batch->Put(keys::ChangeKey(revision), plan.changes.SerializeAsString()),
        "write"));
    int64_t trim = revision - options_.history_limit;
    if (trim > compact_revision_) {
      RETURN_IF_ERROR(FromRocks(batch->Delete(keys::ChangeKey(trim)), "write"));
    }
    *changes = std::move(plan.changes);
    return absl::OkStatus();
  }

  absl::Status WriteGroup(int64_t next, int64_t* compact,
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

  void CommitGroup(const std::vector<std::unique_ptr<Pending>>& group,
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
      absl::Status s = PlanAndBatch(*p, next + 1, now, batch, &changes);
      if (!s.ok()) {
        batch->RollbackToSavePoint();
      } else {
        batch->PopSavePoint();
        if (changes.events_size() > 0) {
          ++next;
          committed.push_back(std::move(changes));
        }
      }
      p->status = s;
    }
    absl::Status write_status;
    if (next != base) write_status = WriteGroup(next, &compact, batch);
    if (write_status.ok()) {
      if (next != base) {
        // Only this thread writes: the snapshot is exactly revision `next`.
        index_.Apply(committed, compact,
                     RecordsAt(NewSharedSnapshot(db_.get()), next));
      }
      revision_.store(next, std::memory_order_release);
      compact_revision_ = compact;
      if (next != base) {
        auto batches = std::make_shared<const std::vector<ChangeBatchRecord>>(
            std::move(committed));
        absl::MutexLock lock(&listener_mu_);
        if (listener_) listener_(next, std::move(batches));
      }
    }
    for (const auto& p : group) {
      if (!write_status.ok() && p->status.ok()) p->status = write_status;
      p->done(std::move(p->status));
    }
  }

  RecordSnapshotFactory RecordsAt(
      std::shared_ptr<const rocksdb::Snapshot> snapshot, int64_t revision) {
    return [db = db_.get(), snapshot = std::move(snapshot), revision] {
      return NewRocksDbGraphSnapshot(db, snapshot, revision);
    };
  }

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

  absl::Mutex listener_mu_;
  CommitListener listener_ ABSL_GUARDED_BY(listener_mu_);
};

// Reads the store revision of the (closed) store in `dir`.
absl::StatusOr<int64_t> ReadRevisionAt(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw),
                absl::StrCat("open ", dir)));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  RETURN_IF_ERROR(FromRocks(db->Get(rocksdb::ReadOptions(),
                                    keys::MetaKey(keys::kMetaRevision), &value),
                            absl::StrCat("read the revision of ", dir)));
  return keys::DecodeInt64(value);
}

int64_t DirectoryBytes(const std::string& dir) {
  std::error_code ec;
  int64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) {
      total += static_cast<int64_t>(entry.file_size(ec));
    }
  }
  return total;
}

class RocksDbRecordCursor final : public RecordCursor {
 public:
  explicit RocksDbRecordCursor(rocksdb::DB* db)
      : db_(db), snapshot_(db->GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~RocksDbRecordCursor() override {
    it_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }

  absl::Status Init() {
    std::string value;
    rocksdb::Status s =
        db_->Get(options_, keys::MetaKey(keys::kMetaRevision), &value);
    if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "read revision"));
    revision_ = s.ok() ? keys::DecodeInt64(value) : 0;
    return Open(keys::kCompany);
  }

  int64_t revision() const override { return revision_; }

  absl::StatusOr<bool> Next(
      int max_records, std::vector<CompanyRecord>* companies,
      std::vector<PartnershipRecord>* partnerships) override {
    int n = 0;
    while (it_ != nullptr && n < max_records) {
      if (!it_->Valid()) {
        RETURN_IF_ERROR(FromRocks(it_->status(), "export"));
        if (table_ == keys::kCompany) {
          RETURN_IF_ERROR(Open(keys::kPartnership));
        } else {
          it_.reset();
        }
        continue;
      }
      if (table_ == keys::kCompany) {
        ASSIGN_OR_RETURN(CompanyRecord c, ParseRecord<CompanyRecord>(
                                              View(it_->value()), kCompanies));
        companies->push_back(std::move(c));
      } else {
        ASSIGN_OR_RETURN(
            PartnershipRecord p,
            ParseRecord<PartnershipRecord>(View(it_->value()), kPartnerships));
        partnerships->push_back(std::move(p));
      }
      ++n;
      it_->Next();
    }
    return it_ != nullptr;
  }

 private:
  absl::Status Open(char table) {
    table_ = table;
    prefix_ = keys::TablePrefix(table);
    upper_ = keys::PrefixSuccessor(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro = options_;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db_->NewIterator(ro));
    it_->Seek(prefix_);
    return FromRocks(it_->status(), "export");
  }

  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
  int64_t revision_ = 0;
  char table_ = 0;
  std::string prefix_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

constexpr char kAllOrNothingRefused[] = "import: all_or_nothing batch refused";

void RocksDbStore::ImportAsync(ImportBatch batch, Done<ImportResult> done) {
  const size_t total = batch.companies.size() + batch.partnerships.size();
  if (total > static_cast<size_t>(kMaxImportRecords)) {
    return done(absl::InvalidArgumentError(
        absl::StrCat("records: want at most ", kMaxImportRecords,
                     " records in one import batch, got ", total)));
  }
  // Validation needs no store state: do it here, off the commit thread.
  auto result = std::make_shared<ImportResult>();
  auto work = std::make_shared<ImportBatch>(
      PrepareImport(std::move(batch), result.get()));
  if (work->companies.empty() && work->partnerships.empty()) {
    result->revision = Revision();
    return done(std::move(*result));
  }
  // Committed in a group of its own, with no per-record fsync.
  Enqueue(
      [work, result](PlanContext& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(bool write, PlanImport(ctx, *work, result.get()));
        // Refused: fail the mutation so nothing of it is committed.
        if (!write) return absl::AbortedError(kAllOrNothingRefused);
        return absl::OkStatus();
      },
      [this, work, result, done = std::move(done)](absl::Status s) {
        if (s.ok()) return done(std::move(*result));
        if ((work->all_or_nothing || work->dry_run) && absl::IsAborted(s) &&
            s.message() == kAllOrNothingRefused) {
          result->companies_written = 0;
          result->partnerships_written = 0;
          result->revision = Revision();
          return done(std::move(*result));
        }
        done(s);
      },
      /*exclusive=*/true);
}

absl::StatusOr<std::unique_ptr<RecordCursor>> RocksDbStore::OpenExport() {
  auto cursor = std::make_unique<RocksDbRecordCursor>(db_.get());
  RETURN_IF_ERROR(cursor->Init());
  return std::unique_ptr<RecordCursor>(std::move(cursor));
}

absl::StatusOr<CheckpointInfo> RocksDbStore::CreateCheckpoint(
    const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(dir, " already exists"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // A checkpoint is one consistent point of the DB; the revision meta key is
  // written in the same batch as the records, so reading it back from the
  // copy gives exactly the revision the copy holds.
  RETURN_IF_ERROR(FromRocks(checkpoint->CreateCheckpoint(dir, 0),
                            absl::StrCat("checkpoint into ", dir)));
  CheckpointInfo info;
  ASSIGN_OR_RETURN(info.revision, ReadRevisionAt(dir));
  info.size_bytes = DirectoryBytes(dir);
  return info;
}

absl::StatusOr<ConsistencyReport> RocksDbStore::CheckConsistency() {
  constexpr size_t kMaxProblems = 1000;
  SnapshotReader snap(db_.get());
  ConsistencyReport report;
  ASSIGN_OR_RETURN(int64_t revision, snap.Revision());
  ASSIGN_OR_RETURN(int64_t compact, snap.MetaInt(keys::kMetaCompactRevision));
  auto scan = [&](char table, const std::function<absl::Status(
                                  absl::string_view, absl::string_view)>& fn) {
    std::string prefix = keys::TablePrefix(table);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = snap.options();
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      RETURN_IF_ERROR(fn(View(it->key()), View(it->value())));
    }
    return FromRocks(it->status(), "consistency scan");
  };
  RETURN_IF_ERROR(
      CheckStoredRecords(scan, revision, compact, kMaxProblems, &report));
  // The graph index, applied revision by revision, against one rebuilt from
  // the store.
  RETURN_IF_ERROR(index_.Verify(kMaxProblems, &report.problems));
  return report;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GraphStore>> OpenRocksDbStore(
    const std::string& path, const StoreOptions& options) {
  if (options.history_limit < 1) {
    return absl::InvalidArgumentError("history_limit: want >= 1");
  }
  if (options.max_group_size < 1) {
    return absl::InvalidArgumentError("max_group_size: want >= 1");
  }
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
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, path, &raw),
                            absl::StrCat("open store at ", path)));
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string version;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), keys::MetaKey(keys::kMetaSchemaVersion),
              &version);
  rocksdb::WriteOptions wo;
  wo.sync = true;
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
    RETURN_IF_ERROR(FromRocks(db->Write(wo, &init), "initialise store"));
    version = keys::kSchemaVersion;
  } else {
    RETURN_IF_ERROR(FromRocks(s, "read schema version"));
  }
  if (version != keys::kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " holds schema version ", version,
                     "; this build reads ", keys::kSchemaVersion));
  }
  std::string rev_bytes, compact_bytes, token_key;
  RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(),
                        keys::MetaKey(keys::kMetaRevision), &rev_bytes),
                "read revision"));
  RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(),
                        keys::MetaKey(keys::kMetaTokenKey), &token_key),
                "read token key"));
  int64_t revision = keys::DecodeInt64(rev_bytes);
  s = db->Get(rocksdb::ReadOptions(), keys::MetaKey(keys::kMetaCompactRevision),
              &compact_bytes);
  int64_t compact = s.ok() ? keys::DecodeInt64(compact_bytes) : 0;
  // A smaller history_limit than before: trim the excess now.
  int64_t want_compact = revision - options.history_limit;
  if (want_compact > compact) {
    rocksdb::WriteBatch trim;
    trim.DeleteRange(keys::ChangeKey(compact + 1),
                     keys::ChangeKey(want_compact + 1));
    trim.Put(keys::MetaKey(keys::kMetaCompactRevision),
             keys::EncodeInt64(want_compact));
    RETURN_IF_ERROR(FromRocks(db->Write(wo, &trim), "trim history"));
    compact = want_compact;
  }
  auto store = std::make_unique<RocksDbStore>(std::move(db), options, revision,
                                              compact, token_key);
  RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<GraphStore>(std::move(store));
}

absl::StatusOr<int64_t> RestoreRocksDbCheckpoint(
    const std::string& checkpoint_dir, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(checkpoint_dir) / "CURRENT", ec)) {
    return absl::NotFoundError(
        absl::StrCat("restore_from: ", checkpoint_dir, " holds no store"));
  }
  if (fs::exists(path, ec) && !fs::is_empty(path, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir: ", path,
                     " is not empty; restore only into a new or empty "
                     "directory"));
  }
  fs::create_directories(path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("create ", path, ": ", ec.message()));
  }
  for (const auto& entry : fs::directory_iterator(checkpoint_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    fs::copy_file(entry.path(), fs::path(path) / entry.path().filename(), ec);
    if (ec) {
      return absl::InternalError(absl::StrCat(
          "copy ", entry.path().string(), " to ", path, ": ", ec.message()));
    }
  }
  if (ec) {
    return absl::InternalError(
        absl::StrCat("read ", checkpoint_dir, ": ", ec.message()));
  }
  return ReadRevisionAt(path);
}

}  // namespace partnergraph::storage
