#include "storage/rocksdb_graph_snapshot.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

absl::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return absl::UnavailableError(msg);
  }
  if (s.IsCorruption()) return absl::DataLossError(msg);
  return absl::InternalError(msg);
}

class RocksDbGraphSnapshot final : public GraphSnapshot {
 public:
  RocksDbGraphSnapshot(rocksdb::DB* db, absl::string_view revision_meta_name)
      : db_(db), snapshot_(db->GetSnapshot()) {
    options_.snapshot = snapshot_;
    std::string v;
    if (db_->Get(options_, keys::MetaKey(revision_meta_name), &v).ok()) {
      absl::string_view in = v;
      uint64_t rev = 0;
      if (keys::ConsumeUint64(&in, &rev)) revision_ = static_cast<int64_t>(rev);
    }
  }
  ~RocksDbGraphSnapshot() override { db_->ReleaseSnapshot(snapshot_); }

  int64_t revision() const override { return revision_; }

  absl::StatusOr<CompanyRecord> Company(absl::string_view id) override {
    return Read<CompanyRecord>(keys::CompanyKey(id), "companies", id);
  }

  absl::StatusOr<PartnershipRecord> Partnership(absl::string_view id) override {
    return Read<PartnershipRecord>(keys::PartnershipKey(id), "partnerships",
                                   id);
  }

  absl::Status ForEachAdjacent(absl::string_view company_id,
                               absl::string_view after,
                               absl::string_view before,
                               const EdgeFn& fn) override {
    return Scan(keys::AdjacencyPrefix(company_id), after, before, true, fn);
  }

  absl::Status ForEachAnnounced(absl::string_view after,
                                absl::string_view before,
                                const EdgeFn& fn) override {
    return Scan(keys::TablePrefix(keys::kAnnounced), after, before, false, fn);
  }

  absl::Status ForEachCompany(
      const std::function<absl::Status(const CompanyRecord&)>& fn) override {
    std::string prefix = keys::TablePrefix(keys::kCompany);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = options_;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    CompanyRecord c;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      if (!c.ParseFromArray(it->value().data(),
                            static_cast<int>(it->value().size()))) {
        return absl::DataLossError("unreadable company record");
      }
      RETURN_IF_ERROR(fn(c));
    }
    return FromRocks(it->status(), "scan companies");
  }

 private:
  template <typename Record>
  absl::StatusOr<Record> Read(const std::string& key,
                              absl::string_view collection,
                              absl::string_view id) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(options_, db_->DefaultColumnFamily(), key, &value);
    if (s.IsNotFound()) {
      return absl::NotFoundError(
          absl::StrCat(collection, "/", id, " not found"));
    }
    RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read ", collection, "/", id)));
    Record r;
    if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(
          absl::StrCat("unreadable record at ", collection, "/", id));
    }
    return r;
  }

  // Entries under `prefix` (adjacency: prefix then date; announced: date)
  // with announced_on in [after, before].
  absl::Status Scan(const std::string& prefix, absl::string_view after,
                    absl::string_view before, bool adjacency,
                    const EdgeFn& fn) {
    std::string lower = prefix;
    if (!after.empty()) keys::AppendString(&lower, after);
    std::string upper;
    if (before.empty()) {
      upper = keys::PrefixSuccessor(prefix);
    } else {
      std::string b = prefix;
      keys::AppendString(&b, before);
      upper = keys::PrefixSuccessor(b);
    }
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = options_;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    AdjacencyRecord info;
    std::string owner, date, pid;
    for (it->Seek(lower); it->Valid(); it->Next()) {
      bool ok =
          adjacency
              ? keys::DecodeAdjacencyKey(View(it->key()), &owner, &date, &pid)
              : keys::DecodeAnnouncedKey(View(it->key()), &date, &pid);
      if (!ok) return absl::DataLossError("malformed graph index key");
      if (it->value().empty()) {
        ASSIGN_OR_RETURN(PartnershipRecord p, Partnership(pid));
        info = AdjacencyRecordFor(p);
      } else if (!info.ParseFromArray(it->value().data(),
                                      static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("unreadable adjacency value of partnerships/", pid));
      }
      EdgeView e;
      e.partnership_id = pid;
      e.announced_on = date;
      e.info = &info;
      RETURN_IF_ERROR(fn(e));
    }
    return FromRocks(it->status(), "scan graph index");
  }

  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
  int64_t revision_ = 0;
};

}  // namespace

std::unique_ptr<GraphSnapshot> NewRocksDbGraphSnapshot(
    rocksdb::DB* db, absl::string_view revision_meta_name) {
  return std::make_unique<RocksDbGraphSnapshot>(db, revision_meta_name);
}

}  // namespace partnergraph::storage
