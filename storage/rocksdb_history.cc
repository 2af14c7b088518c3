// Point in time and record history on the RocksDB engine.
//
// The history table (keys::HistoryKey) holds one entry per record and
// revision that changed it, naming where its events are in that revision's
// change batch. It is written with each change-log entry, trimmed with it,
// and lets one record's state at R (its first change after R) or its
// versions be found with one seek instead of a walk of the change log.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/as_of.h"
#include "storage/key_codec.h"
#include "storage/page_token.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_store.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

const std::string& EventId(const ChangeEventRecord& e) {
  return e.has_company() ? e.company().id() : e.partnership().id();
}

char EventTable(const ChangeEventRecord& e) {
  return e.has_company() ? keys::kCompany : keys::kPartnership;
}

// `table` is keys::kCompany or keys::kPartnership.
absl::string_view CollectionOf(char table) {
  return table == keys::kCompany ? kCompanies : kPartnerships;
}

std::string RecordKey(char table, absl::string_view id) {
  return table == keys::kCompany ? keys::CompanyKey(id)
                                 : keys::PartnershipKey(id);
}

absl::Status NoHistory(char table, absl::string_view id) {
  return absl::DataLossError(absl::StrCat("history of ", CollectionOf(table),
                                          "/", id, " is missing a change"));
}

template <typename Record>
std::optional<Record> Before(const ChangeEventRecord& e);
template <>
std::optional<CompanyRecord> Before(const ChangeEventRecord& e) {
  return CompanyBefore(e);
}
template <>
std::optional<PartnershipRecord> Before(const ChangeEventRecord& e) {
  return PartnershipBefore(e);
}

}  // namespace

void ForEachHistoryEntry(
    const ChangeBatchRecord& changes,
    const std::function<void(std::string key, std::string value)>& fn) {
  // A record changed twice in one revision (one entry, both positions).
  absl::flat_hash_map<std::string, std::pair<int, int>> positions;
  positions.reserve(changes.events_size());
  for (int i = 0; i < changes.events_size(); ++i) {
    const ChangeEventRecord& e = changes.events(i);
    auto [it, added] = positions.try_emplace(
        keys::HistoryKey(EventTable(e), EventId(e), changes.revision()), i, i);
    if (!added) it->second.second = i;
  }
  for (auto& [key, pos] : positions) {
    fn(key, keys::EncodeHistoryValue(pos.first, pos.second));
  }
}

absl::Status ForEachChangeBatch(
    rocksdb::DB* db, const rocksdb::ReadOptions& ro, int64_t from, int64_t to,
    const std::function<absl::Status(const ChangeBatchRecord&)>& fn) {
  const std::string upper =
      to == 0 ? keys::PrefixSuccessor(keys::TablePrefix(keys::kChange))
              : keys::ChangeKey(to + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions bounded = ro;
  bounded.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(bounded));
  for (it->Seek(keys::ChangeKey(from)); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(
        ChangeBatchRecord changes,
        ParseRecord<ChangeBatchRecord>(View(it->value()), "change log"));
    RETURN_IF_ERROR(fn(changes));
  }
  return FromRocks(it->status(), "read change log");
}

absl::Status BuildHistoryIndex(rocksdb::DB* db) {
  std::string marker;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(),
                              keys::MetaKey(keys::kMetaHistoryIndex), &marker);
  if (!s.IsNotFound()) return FromRocks(s, "read history index marker");
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(ForEachChangeBatch(
      db, rocksdb::ReadOptions(), 0, 0, [&](const ChangeBatchRecord& changes) {
        ForEachHistoryEntry(
            changes, [&](std::string k, std::string v) { batch.Put(k, v); });
        if (batch.Count() < 10000) return absl::OkStatus();
        absl::Status written =
            FromRocks(db->Write(wo, &batch), "build history index");
        batch.Clear();
        return written;
      }));
  batch.Put(keys::MetaKey(keys::kMetaHistoryIndex), "");
  return FromRocks(db->Write(wo, &batch), "build history index");
}

absl::StatusOr<int64_t> RocksDbStore::CheckAsOf(
    const RocksDbSnapshotReader& snap, int64_t as_of_revision,
    int64_t revision) {
  if (revision == 0) {
    ASSIGN_OR_RETURN(revision, snap.Revision());
  }
  ASSIGN_OR_RETURN(int64_t compact, snap.MetaInt(keys::kMetaCompactRevision));
  if (as_of_revision < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "as_of_revision: want 0 (now) or a revision, got ", as_of_revision));
  }
  if (as_of_revision > revision) {
    return absl::OutOfRangeError(
        absl::StrCat("as_of_revision: want at most ", revision,
                     " (the current revision), got ", as_of_revision));
  }
  if (as_of_revision <= compact) {
    return absl::OutOfRangeError(absl::StrCat(
        "as_of_revision: revision ", as_of_revision,
        " is no longer held; the oldest revision held is ", compact + 1));
  }
  return revision;
}

absl::StatusOr<std::shared_ptr<const AsOfOverlay>> RocksDbStore::OverlayAt(
    const rocksdb::ReadOptions& ro, int64_t as_of_revision, int64_t revision) {
  {
    absl::MutexLock lock(&overlay_mu_);
    if (last_overlay_ != nullptr &&
        last_overlay_->revision() == as_of_revision &&
        last_overlay_to_ == revision) {
      return last_overlay_;
    }
  }
  auto overlay = std::make_shared<AsOfOverlay>(as_of_revision);
  // A revision missing was trimmed since the caller checked.
  int64_t expect = as_of_revision + 1;
  auto gone = [&] {
    return absl::OutOfRangeError(absl::StrCat("as_of_revision: revision ",
                                              expect, " is no longer held"));
  };
  RETURN_IF_ERROR(ForEachChangeBatch(db_.get(), ro, expect, revision,
                                     [&](const ChangeBatchRecord& changes) {
                                       if (changes.revision() != expect)
                                         return gone();
                                       overlay->Add(changes);
                                       ++expect;
                                       return absl::OkStatus();
                                     }));
  if (expect != revision + 1) return gone();
  overlay->Seal();
  absl::MutexLock lock(&overlay_mu_);
  last_overlay_ = overlay;
  last_overlay_to_ = revision;
  return overlay;
}

template <typename Record>
absl::StatusOr<std::optional<Record>> RocksDbStore::RecordAt(
    const rocksdb::ReadOptions& ro, char table, absl::string_view id,
    int64_t as_of_revision) {
  const absl::string_view collection = CollectionOf(table);
  std::string bytes;
  rocksdb::Status s = db_->Get(ro, RecordKey(table, id), &bytes);
  std::optional<Record> now;
  if (!s.IsNotFound()) {
    RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read ", collection, "/", id)));
    ASSIGN_OR_RETURN(now, ParseRecord<Record>(bytes, collection, id));
    // Not changed since: as it is now.
    if (now->update_revision() <= as_of_revision) return now;
  }
  // Its first change after R tells what it was at R.
  const std::string prefix = keys::HistoryPrefix(table, id);
  const std::string upper = keys::PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions bounded = ro;
  bounded.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded));
  it->Seek(keys::HistoryKey(table, id, as_of_revision + 1));
  RETURN_IF_ERROR(FromRocks(it->status(), "read history"));
  if (!it->Valid()) {
    if (now.has_value()) return NoHistory(table, id);
    return std::optional<Record>();
  }
  int64_t revision = 0;
  int first = 0, last = 0;
  if (!keys::DecodeHistoryKey(View(it->key()), prefix, &revision) ||
      !keys::DecodeHistoryValue(View(it->value()), &first, &last)) {
    return absl::DataLossError("malformed history entry");
  }
  std::string batch;
  s = db_->Get(ro, keys::ChangeKey(revision), &batch);
  if (s.IsNotFound()) return NoHistory(table, id);
  RETURN_IF_ERROR(FromRocks(s, "read change log"));
  ASSIGN_OR_RETURN(ChangeEventRecord event, ChangeBatchEvent(batch, first));
  return Before<Record>(event);
}

template absl::StatusOr<std::optional<CompanyRecord>>
RocksDbStore::RecordAt<CompanyRecord>(const rocksdb::ReadOptions&, char,
                                      absl::string_view, int64_t);
template absl::StatusOr<std::optional<PartnershipRecord>>
RocksDbStore::RecordAt<PartnershipRecord>(const rocksdb::ReadOptions&, char,
                                          absl::string_view, int64_t);

absl::StatusOr<std::unique_ptr<GraphSnapshot>> RocksDbStore::GraphViewAt(
    int64_t as_of_revision) {
  std::unique_ptr<GraphSnapshot> view = index_.OpenView();
  if (as_of_revision == 0) return view;
  // The change log is read at a later snapshot than the view's; only the
  // revisions up to the view's are folded.
  RocksDbSnapshotReader snap(db_.get());
  ASSIGN_OR_RETURN(const int64_t revision,
                   CheckAsOf(snap, as_of_revision, view->revision()));
  ASSIGN_OR_RETURN(auto overlay,
                   OverlayAt(snap.options(), as_of_revision, revision));
  return NewAsOfSnapshot(std::move(view), std::move(overlay));
}

absl::StatusOr<int64_t> RocksDbStore::RevisionAt(absl::Time time) {
  RocksDbSnapshotReader snap(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, snap.Revision());
  ASSIGN_OR_RETURN(int64_t compact, snap.MetaInt(keys::kMetaCompactRevision));
  if (revision == 0) return 0;
  const int64_t want = absl::ToUnixMicros(time);
  auto time_of = [&](int64_t rev) -> absl::StatusOr<int64_t> {
    std::string bytes;
    rocksdb::Status s = db_->Get(snap.options(), keys::ChangeKey(rev), &bytes);
    if (s.IsNotFound()) {
      return absl::OutOfRangeError(
          absl::StrCat("revision ", rev, " is no longer held"));
    }
    RETURN_IF_ERROR(FromRocks(s, "read change log"));
    return ChangeBatchTime(bytes);
  };
  // The last revision in (compact, revision] committed at or before `want`
  // (commit times grow with revisions).
  int64_t lo = compact + 1, hi = revision;
  ASSIGN_OR_RETURN(int64_t oldest, time_of(lo));
  if (oldest > want) {
    return absl::OutOfRangeError(absl::StrCat(
        "as_of_time: ", absl::FormatTime(time, absl::UTCTimeZone()),
        " is before the oldest revision held (", lo, ", committed at ",
        absl::FormatTime(absl::FromUnixMicros(oldest), absl::UTCTimeZone()),
        ")"));
  }
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo + 1) / 2;
    ASSIGN_OR_RETURN(int64_t t, time_of(mid));
    if (t <= want) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

absl::StatusOr<RevisionsPage> RocksDbStore::ListRevisions(
    RecordKind kind, absl::string_view id, int page_size,
    absl::string_view page_token) {
  RETURN_IF_ERROR(ValidateId("name", id));
  RETURN_IF_ERROR(ValidatePageSize("page_size", page_size));
  const int limit = ClampPageSize(page_size, kDefaultPageSize, kMaxPageSize);
  const char table =
      kind == RecordKind::kCompany ? keys::kCompany : keys::kPartnership;
  const uint64_t fp = HistoryFingerprint(kind, id);
  ASSIGN_OR_RETURN(std::string after,
                   OpenToken(token_key_, page_token, "revisions", fp));
  RocksDbSnapshotReader snap(db_.get());
  RevisionsPage page;
  ASSIGN_OR_RETURN(page.revision, snap.Revision());
  ASSIGN_OR_RETURN(int64_t compact, snap.MetaInt(keys::kMetaCompactRevision));

  const std::string prefix = keys::HistoryPrefix(table, id);
  BackwardScan it(db_.get(), snap.options(),
                  keys::HistoryKey(table, id, compact + 1),
                  keys::PrefixSuccessor(prefix), after);
  std::string last_key;
  std::string batch;
  for (; it->Valid(); it->Prev()) {
    if (static_cast<int>(page.versions.size()) >= limit) {
      page.next_page_token = SealToken(token_key_, "revisions", fp, last_key);
      break;
    }
    RecordVersion v;
    int first = 0, last = 0;
    if (!keys::DecodeHistoryKey(View(it->key()), prefix, &v.revision) ||
        !keys::DecodeHistoryValue(View(it->value()), &first, &last)) {
      return absl::DataLossError("malformed history entry");
    }
    last_key = it->key().ToString();
    rocksdb::Status s =
        db_->Get(snap.options(), keys::ChangeKey(v.revision), &batch);
    if (s.IsNotFound()) return NoHistory(table, id);
    RETURN_IF_ERROR(FromRocks(s, "read change log"));
    ASSIGN_OR_RETURN(v.time_micros, ChangeBatchTime(batch));
    ASSIGN_OR_RETURN(v.event, ChangeBatchEvent(batch, last));
    v.event.clear_previous_company();
    v.event.clear_previous_partnership();
    page.versions.push_back(std::move(v));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list revisions"));
  if (page.versions.empty() && after.empty()) {
    // No version held: NOT_FOUND unless the record exists (every change of
    // it trimmed).
    std::string record;
    rocksdb::Status s = db_->Get(snap.options(), RecordKey(table, id), &record);
    if (s.IsNotFound()) return NotFound(CollectionOf(table), id);
    RETURN_IF_ERROR(FromRocks(s, "read record"));
  }
  return page;
}

}  // namespace partnergraph::storage
