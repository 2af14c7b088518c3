// Reads of the RocksDB engine, each at one snapshot: point reads,
// listings, search, the change log, stats and the consistency check's scans.

#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "storage/as_of.h"
#include "storage/consistency.h"
#include "storage/key_codec.h"
#include "storage/page_token.h"
#include "storage/partnership_filter.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_store.h"
#include "storage/status_macros.h"
#include "storage/text.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

// A search examines at most this many index entries.
constexpr int kMaxSearchScan = 20000;

// Newest first: a listing walks the announced-date index (or the company's
// adjacency, which is ordered the same way) backwards, between the filter's
// dates.
void PartnershipScanBounds(const PartnershipQuery& query, std::string* prefix,
                           std::string* lower, std::string* upper) {
  *prefix = query.company_id().empty()
                ? keys::TablePrefix(keys::kAnnounced)
                : keys::AdjacencyPrefix(query.company_id());
  *lower = *prefix;
  *upper = keys::PrefixSuccessor(*prefix);
  if (!query.announced_after().empty()) {
    keys::AppendString(lower, query.announced_after());
  }
  if (!query.announced_before().empty()) {
    std::string b = *prefix;
    keys::AppendString(&b, query.announced_before());
    *upper = keys::PrefixSuccessor(b);
  }
}

// The index keys (between `lower` and `upper`, before `resume` when set)
// that the overlay's partnerships had at its revision, newest first: their
// adjacency keys under `company_id`, or their announced-date keys.
std::vector<std::pair<std::string, const PartnershipRecord*>> OverlayIndexKeys(
    const AsOfOverlay& overlay, const std::string& company_id,
    const std::string& lower, const std::string& upper,
    const std::string& resume) {
  std::vector<std::pair<std::string, const PartnershipRecord*>> out;
  for (const auto& [id, p] : overlay.partnerships()) {
    if (!p.has_value()) continue;
    std::string key;
    if (company_id.empty()) {
      key = keys::AnnouncedKey(p->announced_on(), id);
    } else {
      bool takes_part = false;
      for (const auto& part : p->participants()) {
        takes_part = takes_part || part.company_id() == company_id;
      }
      if (!takes_part) continue;
      key = keys::AdjacencyKey(company_id, p->announced_on(), id);
    }
    if (key < lower || key >= upper) continue;
    if (!resume.empty() && key >= resume) continue;
    out.emplace_back(std::move(key), &*p);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.first > y.first; });
  return out;
}

}  // namespace

RocksDbSnapshotReader::RocksDbSnapshotReader(rocksdb::DB* db)
    : db_(db), snapshot_(db->GetSnapshot()) {
  options_.snapshot = snapshot_;
}

RocksDbSnapshotReader::~RocksDbSnapshotReader() {
  db_->ReleaseSnapshot(snapshot_);
}

BackwardScan::BackwardScan(rocksdb::DB* db, const rocksdb::ReadOptions& ro,
                           std::string lower, std::string upper,
                           const std::string& resume)
    : lower_(std::move(lower)),
      upper_(std::move(upper)),
      lower_slice_(lower_),
      upper_slice_(upper_) {
  rocksdb::ReadOptions bounded = ro;
  bounded.iterate_lower_bound = &lower_slice_;
  bounded.iterate_upper_bound = &upper_slice_;
  it_.reset(db->NewIterator(bounded));
  if (resume.empty()) {
    it_->SeekToLast();
  } else {
    it_->SeekForPrev(resume);
    if (it_->Valid() && it_->key() == resume) it_->Prev();
  }
}

absl::StatusOr<int64_t> RocksDbSnapshotReader::MetaInt(
    absl::string_view name) const {
  std::string v;
  rocksdb::Status s = db_->Get(options_, keys::MetaKey(name), &v);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, "read meta"));
  return keys::DecodeInt64(v);
}

absl::StatusOr<int64_t> RocksDbSnapshotReader::Revision() const {
  return MetaInt(keys::kMetaRevision);
}

template <typename Record>
absl::StatusOr<Record> RocksDbStore::ReadRecord(const rocksdb::ReadOptions& ro,
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

absl::StatusOr<CompanyRecord> RocksDbStore::GetCompany(absl::string_view id,
                                                       int64_t as_of_revision) {
  RETURN_IF_ERROR(ValidateId("name", id));
  if (as_of_revision == 0) {
    return ReadRecord<CompanyRecord>(rocksdb::ReadOptions(),
                                     keys::CompanyKey(id), kCompanies, id);
  }
  RocksDbSnapshotReader snap(db_.get());
  RETURN_IF_ERROR(CheckAsOf(snap, as_of_revision).status());
  ASSIGN_OR_RETURN(auto c,
                   RecordAt<CompanyRecord>(snap.options(), keys::kCompany, id,
                                           as_of_revision));
  if (!c.has_value()) return NotFound(kCompanies, id);
  return *std::move(c);
}

absl::StatusOr<std::vector<CompanyRecord>> RocksDbStore::BatchGetCompanies(
    const std::vector<std::string>& ids, int64_t as_of_revision) {
  if (ids.empty() || static_cast<int>(ids.size()) > kMaxBatchGet) {
    return absl::InvalidArgumentError(absl::StrCat(
        "names: want 1..", kMaxBatchGet, " entries, got ", ids.size()));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    RETURN_IF_ERROR(ValidateId(absl::StrCat("names[", i, "]"), ids[i]));
  }
  RocksDbSnapshotReader snap(db_.get());
  // Now is the snapshot's revision: every record is as it is there.
  int64_t at = as_of_revision;
  if (at == 0) {
    ASSIGN_OR_RETURN(at, snap.Revision());
  } else {
    RETURN_IF_ERROR(CheckAsOf(snap, at).status());
  }
  std::vector<CompanyRecord> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto c, RecordAt<CompanyRecord>(snap.options(),
                                                     keys::kCompany, id, at));
    if (!c.has_value()) return NotFound(kCompanies, id);
    out.push_back(*std::move(c));
  }
  return out;
}

absl::StatusOr<CompanyPage> RocksDbStore::ListCompanies(
    const CompanyFilter& filter, int page_size, absl::string_view page_token,
    int64_t as_of_revision) {
  RETURN_IF_ERROR(ValidatePageSize("page_size", page_size));
  RETURN_IF_ERROR(
      ValidateCompanyFilter(filter.sector, filter.country, filter.label));
  int limit = ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize);
  uint64_t fp = AsOfFingerprint(FilterFingerprint(filter), as_of_revision);
  std::string prefix = keys::TablePrefix(keys::kCompany);
  ASSIGN_OR_RETURN(std::string after,
                   OpenToken(token_key_, page_token, kCompanies, fp));
  RocksDbSnapshotReader snap(db_.get());
  CompanyPage page;
  ASSIGN_OR_RETURN(page.revision, snap.Revision());
  // As of R: the companies changed since R come from the overlay, in id
  // order among the others.
  std::shared_ptr<const AsOfOverlay> overlay;
  if (as_of_revision != 0) {
    ASSIGN_OR_RETURN(int64_t revision, CheckAsOf(snap, as_of_revision));
    ASSIGN_OR_RETURN(overlay,
                     OverlayAt(snap.options(), as_of_revision, revision));
    page.revision = as_of_revision;
  }
  std::string upper = keys::PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro = snap.options();
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::string after_id;
  if (after.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(after);
    if (it->Valid() && it->key() == after) it->Next();
    if (!keys::DecodeCompanyKey(after, &after_id)) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
  }
  using OverlayIt =
      absl::btree_map<std::string,
                      std::optional<CompanyRecord>>::const_iterator;
  OverlayIt ov, ov_end;
  if (overlay != nullptr) {
    ov = after.empty() ? overlay->companies().begin()
                       : overlay->companies().upper_bound(after_id);
    ov_end = overlay->companies().end();
  }
  std::string id;
  int scanned = 0;
  std::string last_key;
  for (;;) {
    // The next current record not changed since R, and the next company of
    // the overlay that existed at R.
    bool have_current = false;
    for (; it->Valid(); it->Next()) {
      if (overlay == nullptr) {
        have_current = true;
        break;
      }
      if (!keys::DecodeCompanyKey(View(it->key()), &id)) {
        return absl::DataLossError("malformed company key");
      }
      if (overlay->Company(id) == nullptr) {
        have_current = true;
        break;
      }
    }
    if (overlay != nullptr) {
      while (ov != ov_end && !ov->second.has_value()) ++ov;
    }
    const bool have_overlay = overlay != nullptr && ov != ov_end;
    if (!have_current && !have_overlay) break;
    if (static_cast<int>(page.companies.size()) >= limit ||
        scanned >= kMaxScanPerPage) {
      page.next_page_token = SealToken(token_key_, kCompanies, fp, last_key);
      break;
    }
    ++scanned;
    CompanyRecord c;
    if (have_overlay && (!have_current || ov->first < id)) {
      c = *ov->second;
      last_key = keys::CompanyKey(ov->first);
      ++ov;
    } else {
      last_key = it->key().ToString();
      ASSIGN_OR_RETURN(
          c, ParseRecord<CompanyRecord>(View(it->value()), "company"));
      it->Next();
    }
    if (CompanyMatches(filter, c)) page.companies.push_back(std::move(c));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list companies"));
  return page;
}

absl::StatusOr<SearchResult> RocksDbStore::SearchCompanies(
    absl::string_view query, int limit) {
  RETURN_IF_ERROR(ValidateSearchQuery("query", query));
  RETURN_IF_ERROR(ValidatePageSize("page_size", limit));
  limit = ClampPageSize(limit, kDefaultSearchLimit, kMaxSearchLimit);
  std::string q = FoldForSearch(query);
  RocksDbSnapshotReader snap(db_.get());
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
                     ReadRecord<CompanyRecord>(snap.options(),
                                               keys::CompanyKey(ranked[i]->id),
                                               kCompanies, ranked[i]->id));
    result.hits.push_back(
        SearchHit{std::move(c), ranked[i]->match, ranked[i]->text});
  }
  return result;
}

absl::StatusOr<PartnershipRecord> RocksDbStore::GetPartnership(
    absl::string_view id, int64_t as_of_revision) {
  RETURN_IF_ERROR(ValidateId("name", id));
  if (as_of_revision == 0) {
    return ReadRecord<PartnershipRecord>(
        rocksdb::ReadOptions(), keys::PartnershipKey(id), kPartnerships, id);
  }
  RocksDbSnapshotReader snap(db_.get());
  RETURN_IF_ERROR(CheckAsOf(snap, as_of_revision).status());
  ASSIGN_OR_RETURN(
      auto p, RecordAt<PartnershipRecord>(snap.options(), keys::kPartnership,
                                          id, as_of_revision));
  if (!p.has_value()) return NotFound(kPartnerships, id);
  return *std::move(p);
}

absl::StatusOr<PartnershipPage> RocksDbStore::ListPartnerships(
    const PartnershipQuery& query, int page_size, absl::string_view page_token,
    int64_t as_of_revision) {
  RETURN_IF_ERROR(ValidatePageSize("page_size", page_size));
  RETURN_IF_ERROR(ValidatePartnershipQuery("filter", query));
  int limit = ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize);
  uint64_t fp = AsOfFingerprint(FilterFingerprint(query), as_of_revision);
  ASSIGN_OR_RETURN(std::string after,
                   OpenToken(token_key_, page_token, kPartnerships, fp));

  std::string prefix, lower, upper;
  PartnershipScanBounds(query, &prefix, &lower, &upper);
  const std::string resume = after.empty() ? "" : prefix + after;
  RocksDbSnapshotReader snap(db_.get());
  PartnershipPage page;
  ASSIGN_OR_RETURN(page.revision, snap.Revision());
  // As of R: the partnerships changed since R come from the overlay, each
  // under the index key it had at R, merged in key order (backwards).
  std::shared_ptr<const AsOfOverlay> overlay;
  std::vector<std::pair<std::string, const PartnershipRecord*>> extra;
  if (as_of_revision != 0) {
    ASSIGN_OR_RETURN(int64_t revision, CheckAsOf(snap, as_of_revision));
    ASSIGN_OR_RETURN(overlay,
                     OverlayAt(snap.options(), as_of_revision, revision));
    page.revision = as_of_revision;
    extra =
        OverlayIndexKeys(*overlay, query.company_id(), lower, upper, resume);
  }
  BackwardScan it(db_.get(), snap.options(), lower, upper, resume);
  // Participants read once per page, as of the listing's revision; an
  // unreadable one has no sectors.
  absl::flat_hash_map<std::string, std::unique_ptr<CompanyRecord>> companies;
  auto participant =
      [&](const std::string& id) -> absl::StatusOr<const CompanyRecord*> {
    auto& slot = companies[id];
    if (slot == nullptr) {
      slot = std::make_unique<CompanyRecord>();
      const auto* at = overlay ? overlay->Company(id) : nullptr;
      if (at != nullptr) {
        if (at->has_value()) *slot = **at;
      } else {
        auto c = ReadRecord<CompanyRecord>(snap.options(), keys::CompanyKey(id),
                                           kCompanies, id);
        if (c.ok()) *slot = *std::move(c);
      }
    }
    return slot.get();
  };
  size_t next_extra = 0;
  int scanned = 0;
  std::string last_suffix;
  std::string a, date, pid;
  for (;;) {
    // The next index entry of a partnership not changed since R.
    bool have_current = false;
    for (; it->Valid(); it->Prev()) {
      bool ok =
          query.company_id().empty()
              ? keys::DecodeAnnouncedKey(View(it->key()), &date, &pid)
              : keys::DecodeAdjacencyKey(View(it->key()), &a, &date, &pid);
      if (!ok) return absl::DataLossError("malformed partnership index key");
      if (overlay == nullptr || overlay->Partnership(pid) == nullptr) {
        have_current = true;
        break;
      }
    }
    const bool have_extra = next_extra < extra.size();
    if (!have_current && !have_extra) break;
    if (static_cast<int>(page.partnerships.size()) >= limit ||
        scanned >= kMaxScanPerPage) {
      page.next_page_token =
          SealToken(token_key_, kPartnerships, fp, last_suffix);
      break;
    }
    ++scanned;
    PartnershipRecord p;
    if (have_extra &&
        (!have_current ||
         absl::string_view(extra[next_extra].first) > View(it->key()))) {
      last_suffix = extra[next_extra].first.substr(prefix.size());
      p = *extra[next_extra].second;
      ++next_extra;
    } else {
      last_suffix = it->key().ToString().substr(prefix.size());
      ASSIGN_OR_RETURN(p, ReadRecord<PartnershipRecord>(
                              snap.options(), keys::PartnershipKey(pid),
                              kPartnerships, pid));
      it->Prev();
    }
    ASSIGN_OR_RETURN(bool match,
                     PartnershipMatchesQuery(query, p, participant));
    if (!match) continue;
    page.partnerships.push_back(std::move(p));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list partnerships"));
  return page;
}

absl::StatusOr<ChangesPage> RocksDbStore::ReadChanges(int64_t start_revision,
                                                      int max_batches) {
  if (start_revision < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("start_revision: want >= 1, got ", start_revision));
  }
  if (max_batches < 1 || max_batches > kMaxChangeBatches) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_batches: want 1..", kMaxChangeBatches, ", got ", max_batches));
  }
  RocksDbSnapshotReader snap(db_.get());
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
    ASSIGN_OR_RETURN(ChangeBatchRecord b, ParseRecord<ChangeBatchRecord>(
                                              View(it->value()), "change log"));
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

absl::StatusOr<bool> RocksDbStore::PartnershipMatches(
    const PartnershipQuery& query, const PartnershipRecord& p) {
  std::deque<CompanyRecord> companies;
  return PartnershipMatchesQuery(
      query, p,
      [&](const std::string& id) -> absl::StatusOr<const CompanyRecord*> {
        absl::StatusOr<CompanyRecord> c = ReadRecord<CompanyRecord>(
            rocksdb::ReadOptions(), keys::CompanyKey(id), kCompanies, id);
        if (absl::IsNotFound(c.status())) return nullptr;
        if (!c.ok()) return c.status();
        companies.push_back(*std::move(c));
        return &companies.back();
      });
}

absl::StatusOr<StoreStats> RocksDbStore::GetStats() {
  RocksDbSnapshotReader snap(db_.get());
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

absl::StatusOr<int64_t> RocksDbStore::CountPrefix(
    const RocksDbSnapshotReader& snap, const std::string& prefix) {
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

absl::StatusOr<ConsistencyReport> RocksDbStore::CheckConsistency() {
  constexpr size_t kMaxProblems = 1000;
  RocksDbSnapshotReader snap(db_.get());
  ConsistencyReport report;
  ASSIGN_OR_RETURN(int64_t revision, snap.Revision());
  ASSIGN_OR_RETURN(int64_t compact, snap.MetaInt(keys::kMetaCompactRevision));
  std::string source;
  rocksdb::Status s =
      db_->Get(snap.options(), keys::MetaKey(keys::kMetaEtcdSource), &source);
  if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "read etcd source"));
  const bool revisions_skip = s.ok();
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
  RETURN_IF_ERROR(CheckStoredRecords(scan, revision, compact, revisions_skip,
                                     kMaxProblems, &report));
  // The graph index, applied revision by revision, against one rebuilt from
  // the store.
  RETURN_IF_ERROR(index_.Verify(kMaxProblems, &report.problems));
  return report;
}

}  // namespace partnergraph::storage
