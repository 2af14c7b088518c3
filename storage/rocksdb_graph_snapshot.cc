#include "storage/rocksdb_graph_snapshot.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

// Protobuf wire format, just enough to read AdjacencyRecord and the sectors
// of a CompanyRecord without building messages.
bool ReadVarint(absl::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

// Reads one field: its number, and either its varint value or (length
// delimited) its bytes. Fixed-width fields are skipped (number 0 returned
// with `*bytes` empty is never produced: field numbers start at 1).
bool ReadField(absl::string_view* in, int* field, uint64_t* varint,
               absl::string_view* bytes, int* wire_type) {
  uint64_t tag;
  if (!ReadVarint(in, &tag)) return false;
  *field = static_cast<int>(tag >> 3);
  *wire_type = static_cast<int>(tag & 7);
  switch (*wire_type) {
    case 0:
      return ReadVarint(in, varint);
    case 1:
      if (in->size() < 8) return false;
      in->remove_prefix(8);
      return true;
    case 2: {
      uint64_t len;
      if (!ReadVarint(in, &len) || len > in->size()) return false;
      *bytes = in->substr(0, len);
      in->remove_prefix(len);
      return true;
    }
    case 5:
      if (in->size() < 4) return false;
      in->remove_prefix(4);
      return true;
    default:
      return false;
  }
}

// AdjacencyRecord into `e` (participants into `*ids`, which `e` then views).
bool ParseAdjacency(absl::string_view in, std::vector<absl::string_view>* ids,
                    EdgeView* e) {
  ids->clear();
  e->kinds_mask = 0;
  e->status = 0;
  e->sources = 0;
  while (!in.empty()) {
    int field, wire_type;
    uint64_t v = 0;
    absl::string_view bytes;
    if (!ReadField(&in, &field, &v, &bytes, &wire_type)) return false;
    if (field == 1 && wire_type == 2) {
      ids->push_back(bytes);
    } else if (wire_type == 0) {
      if (field == 2) e->kinds_mask = static_cast<uint32_t>(v);
      if (field == 3) e->status = static_cast<int>(static_cast<int32_t>(v));
      if (field == 4) e->sources = static_cast<int32_t>(v);
    }
  }
  e->participant_ids = *ids;
  return true;
}

// CompanyRecord's id and sectors.
bool ParseCompanySectors(absl::string_view in, absl::string_view* id,
                         std::vector<absl::string_view>* sectors) {
  sectors->clear();
  *id = {};
  while (!in.empty()) {
    int field, wire_type;
    uint64_t v = 0;
    absl::string_view bytes;
    if (!ReadField(&in, &field, &v, &bytes, &wire_type)) return false;
    if (wire_type != 2) continue;
    if (field == 1) *id = bytes;
    if (field == 6) sectors->push_back(bytes);
  }
  return true;
}

class RocksDbGraphSnapshot final : public GraphSnapshot {
 public:
  RocksDbGraphSnapshot(rocksdb::DB* db, absl::string_view revision_meta_name)
      : db_(db), snapshot_(NewSharedSnapshot(db)) {
    options_.snapshot = snapshot_.get();
    std::string v;
    if (db_->Get(options_, keys::MetaKey(revision_meta_name), &v).ok()) {
      absl::string_view in = v;
      uint64_t rev = 0;
      if (keys::ConsumeUint64(&in, &rev)) revision_ = static_cast<int64_t>(rev);
    }
  }
  RocksDbGraphSnapshot(rocksdb::DB* db,
                       std::shared_ptr<const rocksdb::Snapshot> snapshot,
                       int64_t revision)
      : db_(db), snapshot_(std::move(snapshot)), revision_(revision) {
    options_.snapshot = snapshot_.get();
  }

  int64_t revision() const override { return revision_; }

  absl::StatusOr<CompanyRecord> Company(absl::string_view id) override {
    return Read<CompanyRecord>(keys::CompanyKey(id), "companies", id);
  }

  absl::StatusOr<PartnershipRecord> Partnership(absl::string_view id) override {
    return Read<PartnershipRecord>(keys::PartnershipKey(id), "partnerships",
                                   id);
  }

  absl::Status Companies(absl::Span<const absl::string_view> ids,
                         std::vector<CompanyRecord>* out) override {
    return MultiRead(ids, &keys::CompanyKey, "companies", out);
  }

  absl::Status Partnerships(absl::Span<const absl::string_view> ids,
                            std::vector<PartnershipRecord>* out) override {
    return MultiRead(ids, &keys::PartnershipKey, "partnerships", out);
  }

  absl::StatusOr<std::vector<std::string>> CompanySectors(
      absl::string_view id) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(options_, db_->DefaultColumnFamily(),
                                 keys::CompanyKey(id), &value);
    std::vector<std::string> out;
    if (s.IsNotFound()) return out;
    RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read companies/", id)));
    absl::string_view got_id;
    std::vector<absl::string_view> sectors;
    if (!ParseCompanySectors(View(value), &got_id, &sectors)) {
      return absl::DataLossError(
          absl::StrCat("unreadable record at companies/", id));
    }
    for (absl::string_view sector : sectors) out.emplace_back(sector);
    return out;
  }

  absl::Status ForEachCompanySectors(const CompanySectorsFn& fn) override {
    std::string prefix = keys::TablePrefix(keys::kCompany);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro = options_;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    absl::string_view id;
    std::vector<absl::string_view> sectors;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      if (!ParseCompanySectors(View(it->value()), &id, &sectors)) {
        return absl::DataLossError("unreadable company record");
      }
      RETURN_IF_ERROR(fn(id, sectors));
    }
    return FromRocks(it->status(), "scan companies");
  }

  absl::Status ForEachAdjacent(absl::string_view company_id,
                               absl::string_view after,
                               absl::string_view before,
                               const EdgeFn& fn) override {
    return Scan(keys::AdjacencyPrefix(company_id), after, before, fn);
  }

  absl::Status ForEachAnnounced(absl::string_view after,
                                absl::string_view before,
                                const EdgeFn& fn) override {
    return Scan(keys::TablePrefix(keys::kAnnounced), after, before, fn);
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

  // The records at `key_of(id)` for each id with one batched MultiGet of the
  // sorted distinct keys.
  template <typename Record>
  absl::Status MultiRead(absl::Span<const absl::string_view> ids,
                         std::string (*key_of)(absl::string_view),
                         absl::string_view collection,
                         std::vector<Record>* out) {
    out->clear();
    out->resize(ids.size());
    std::vector<std::pair<std::string, size_t>> keyed;
    keyed.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i)
      keyed.emplace_back(key_of(ids[i]), i);
    std::sort(keyed.begin(), keyed.end());
    constexpr size_t kChunk = 1024;
    std::vector<rocksdb::Slice> slices;
    std::vector<rocksdb::PinnableSlice> values(kChunk);
    std::vector<rocksdb::Status> statuses(kChunk);
    for (size_t start = 0; start < keyed.size(); start += kChunk) {
      size_t end = std::min(keyed.size(), start + kChunk);
      slices.clear();
      // Distinct keys only; `first` maps each slice back to keyed[].
      std::vector<size_t> first;
      for (size_t i = start; i < end; ++i) {
        if (i > start && keyed[i].first == keyed[i - 1].first) continue;
        slices.emplace_back(keyed[i].first);
        first.push_back(i);
      }
      for (auto& v : values) v.Reset();
      db_->MultiGet(options_, db_->DefaultColumnFamily(), slices.size(),
                    slices.data(), values.data(), statuses.data(),
                    /*sorted_input=*/true);
      for (size_t j = 0; j < slices.size(); ++j) {
        size_t i = first[j];
        absl::string_view id = ids[keyed[i].second];
        if (statuses[j].IsNotFound()) {
          return absl::NotFoundError(
              absl::StrCat(collection, "/", id, " not found"));
        }
        RETURN_IF_ERROR(
            FromRocks(statuses[j], absl::StrCat("read ", collection, "/", id)));
        Record& r = (*out)[keyed[i].second];
        if (!r.ParseFromArray(values[j].data(),
                              static_cast<int>(values[j].size()))) {
          return absl::DataLossError(
              absl::StrCat("unreadable record at ", collection, "/", id));
        }
        size_t last = j + 1 < first.size() ? first[j + 1] : end;
        for (size_t k = i + 1; k < last; ++k) (*out)[keyed[k].second] = r;
      }
    }
    return absl::OkStatus();
  }

  // Entries under `prefix` (adjacency: prefix then date; announced: date)
  // with announced_on in [after, before]. Keys and values are decoded as
  // views; the prefix part of the key is not decoded.
  absl::Status Scan(const std::string& prefix, absl::string_view after,
                    absl::string_view before, const EdgeFn& fn) {
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
    // Reused across entries.
    EdgeView e;
    std::string date_scratch, pid_scratch;
    std::vector<absl::string_view> ids;
    AdjacencyRecord legacy;
    std::vector<absl::string_view> legacy_ids;
    for (it->Seek(lower); it->Valid(); it->Next()) {
      absl::string_view key = View(it->key());
      if (key.size() < prefix.size()) {
        return absl::DataLossError("malformed graph index key");
      }
      key.remove_prefix(prefix.size());
      if (!keys::ConsumeStringView(&key, &date_scratch, &e.announced_on) ||
          !keys::ConsumeStringView(&key, &pid_scratch, &e.partnership_id) ||
          !key.empty()) {
        return absl::DataLossError("malformed graph index key");
      }
      if (it->value().empty()) {
        // Written before adjacency values existed: read the record.
        ASSIGN_OR_RETURN(PartnershipRecord p, Partnership(e.partnership_id));
        legacy = AdjacencyRecordFor(p);
        legacy_ids.assign(legacy.participant_ids().begin(),
                          legacy.participant_ids().end());
        e.participant_ids = legacy_ids;
        e.kinds_mask = legacy.kinds_mask();
        e.status = legacy.status();
        e.sources = legacy.sources();
      } else if (!ParseAdjacency(View(it->value()), &ids, &e)) {
        return absl::DataLossError(absl::StrCat(
            "unreadable adjacency value of partnerships/", e.partnership_id));
      }
      RETURN_IF_ERROR(fn(e));
    }
    return FromRocks(it->status(), "scan graph index");
  }

  rocksdb::DB* db_;
  std::shared_ptr<const rocksdb::Snapshot> snapshot_;
  rocksdb::ReadOptions options_;
  int64_t revision_ = 0;
};

}  // namespace

std::shared_ptr<const rocksdb::Snapshot> NewSharedSnapshot(rocksdb::DB* db) {
  return std::shared_ptr<const rocksdb::Snapshot>(
      db->GetSnapshot(),
      [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

std::unique_ptr<GraphSnapshot> NewRocksDbGraphSnapshot(
    rocksdb::DB* db, absl::string_view revision_meta_name) {
  return std::make_unique<RocksDbGraphSnapshot>(db, revision_meta_name);
}

std::unique_ptr<GraphSnapshot> NewRocksDbGraphSnapshot(
    rocksdb::DB* db, std::shared_ptr<const rocksdb::Snapshot> snapshot,
    int64_t revision) {
  return std::make_unique<RocksDbGraphSnapshot>(db, std::move(snapshot),
                                                revision);
}

}  // namespace partnergraph::storage
