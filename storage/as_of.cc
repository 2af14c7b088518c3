#include "storage/as_of.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "storage/records.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

using google::protobuf::internal::WireFormatLite;

// ChangeBatchRecord's field numbers (record.proto).
constexpr int kTimeField = 2;
constexpr int kEventsField = 3;

absl::Status Unreadable() {
  return absl::DataLossError("unreadable change-log entry");
}

// Calls fn(field, in) for each field of `batch` until fn returns false; fn
// consumes the field's value when it wants it, else it is skipped.
template <typename Fn>
absl::Status ForEachField(absl::string_view batch, Fn fn) {
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(batch.data()),
      static_cast<int>(batch.size()));
  while (uint32_t tag = in.ReadTag()) {
    bool consumed = false;
    bool more = true;
    ASSIGN_OR_RETURN(more,
                     fn(WireFormatLite::GetTagFieldNumber(tag),
                        WireFormatLite::GetTagWireType(tag), &in, &consumed));
    if (!more) return absl::OkStatus();
    if (!consumed && !WireFormatLite::SkipField(&in, tag)) return Unreadable();
  }
  if (!in.ConsumedEntireMessage()) return Unreadable();
  return absl::OkStatus();
}

// The partnership's participants, once each, in record order.
std::vector<absl::string_view> DistinctParticipants(
    const PartnershipRecord& p) {
  std::vector<absl::string_view> ids;
  for (const auto& part : p.participants()) {
    if (std::find(ids.begin(), ids.end(), part.company_id()) == ids.end()) {
      ids.push_back(part.company_id());
    }
  }
  return ids;
}

bool InWindow(absl::string_view date, absl::string_view after,
              absl::string_view before) {
  return (after.empty() || date >= after) && (before.empty() || date <= before);
}

// (announced_on, id) order, the adjacency and date indexes' order.
bool EdgeBefore(const PartnershipRecord& p, absl::string_view date,
                absl::string_view id) {
  return std::make_pair(absl::string_view(p.announced_on()),
                        absl::string_view(p.id())) < std::make_pair(date, id);
}

absl::Status EmitEdge(const PartnershipRecord& p, const EdgeFn& fn) {
  std::vector<absl::string_view> ids;
  ids.reserve(p.participants_size());
  for (const auto& part : p.participants()) ids.push_back(part.company_id());
  const AdjacencyRecord a = AdjacencyRecordFor(p);
  EdgeView e;
  e.partnership_id = p.id();
  e.announced_on = p.announced_on();
  e.participant_ids = ids;
  e.kinds_mask = a.kinds_mask();
  e.status = a.status();
  e.sources = a.sources();
  return fn(e);
}

// The records of `ids` at R: the overlay's (`at`) where it has them, the
// base's (`base`, one batch) for the rest; when one did not exist at R,
// `one_by_one` answers, naming the first missing one in request order.
template <typename Record, typename At, typename Base, typename OneByOne>
absl::Status Stitch(absl::Span<const absl::string_view> ids,
                    std::vector<Record>* out, At at, Base base,
                    OneByOne one_by_one) {
  std::vector<absl::string_view> unchanged;
  for (absl::string_view id : ids) {
    const std::optional<Record>* then = at(id);
    if (then == nullptr) {
      unchanged.push_back(id);
    } else if (!then->has_value()) {
      return one_by_one();
    }
  }
  std::vector<Record> current;
  RETURN_IF_ERROR(base(unchanged, &current));
  out->clear();
  out->reserve(ids.size());
  size_t next = 0;
  for (absl::string_view id : ids) {
    const std::optional<Record>* then = at(id);
    out->push_back(then == nullptr ? std::move(current[next++]) : **then);
  }
  return absl::OkStatus();
}

class AsOfSnapshot final : public GraphSnapshot {
 public:
  AsOfSnapshot(std::unique_ptr<GraphSnapshot> base,
               std::shared_ptr<const AsOfOverlay> overlay)
      : base_(std::move(base)), overlay_(std::move(overlay)) {}

  int64_t revision() const override { return overlay_->revision(); }

  absl::StatusOr<CompanyRecord> Company(absl::string_view id) override {
    if (const auto* at = overlay_->Company(id)) {
      if (!at->has_value()) return NotFound(kCompanies, id);
      return **at;
    }
    return base_->Company(id);
  }

  absl::StatusOr<PartnershipRecord> Partnership(absl::string_view id) override {
    if (const auto* at = overlay_->Partnership(id)) {
      if (!at->has_value()) return NotFound(kPartnerships, id);
      return **at;
    }
    return base_->Partnership(id);
  }

  absl::Status ForEachAdjacent(absl::string_view company_id,
                               absl::string_view after,
                               absl::string_view before,
                               const EdgeFn& fn) override {
    return Merge(overlay_->PartnershipsOf(company_id), after, before, fn,
                 [&](const EdgeFn& base_fn) {
                   return base_->ForEachAdjacent(company_id, after, before,
                                                 base_fn);
                 });
  }

  absl::Status ForEachAnnounced(absl::string_view after,
                                absl::string_view before,
                                const EdgeFn& fn) override {
    return Merge(overlay_->PartnershipsByDate(), after, before, fn,
                 [&](const EdgeFn& base_fn) {
                   return base_->ForEachAnnounced(after, before, base_fn);
                 });
  }

  absl::Status ForEachCompany(
      const std::function<absl::Status(const CompanyRecord&)>& fn) override {
    return MergeCompanies(fn, [&](const Gate& gate) {
      return base_->ForEachCompany([&](const CompanyRecord& c) {
        ASSIGN_OR_RETURN(bool unchanged, gate(c.id()));
        return unchanged ? fn(c) : absl::OkStatus();
      });
    });
  }

  absl::Status Companies(absl::Span<const absl::string_view> ids,
                         std::vector<CompanyRecord>* out) override {
    return Stitch(
        ids, out, [&](absl::string_view id) { return overlay_->Company(id); },
        [&](absl::Span<const absl::string_view> unchanged,
            std::vector<CompanyRecord>* current) {
          return base_->Companies(unchanged, current);
        },
        [&] { return GraphSnapshot::Companies(ids, out); });
  }

  absl::Status Partnerships(absl::Span<const absl::string_view> ids,
                            std::vector<PartnershipRecord>* out) override {
    return Stitch(
        ids, out,
        [&](absl::string_view id) { return overlay_->Partnership(id); },
        [&](absl::Span<const absl::string_view> unchanged,
            std::vector<PartnershipRecord>* current) {
          return base_->Partnerships(unchanged, current);
        },
        [&] { return GraphSnapshot::Partnerships(ids, out); });
  }

  absl::StatusOr<std::vector<std::string>> CompanySectors(
      absl::string_view id) override {
    if (const auto* at = overlay_->Company(id)) {
      std::vector<std::string> out;
      if (at->has_value()) {
        out.assign((*at)->sectors().begin(), (*at)->sectors().end());
      }
      return out;
    }
    return base_->CompanySectors(id);
  }

  absl::Status ForEachCompanySectors(const CompanySectorsFn& fn) override {
    std::vector<absl::string_view> sectors;
    auto emit = [&](const CompanyRecord& c) {
      sectors.assign(c.sectors().begin(), c.sectors().end());
      return fn(c.id(), sectors);
    };
    return MergeCompanies(emit, [&](const Gate& gate) {
      return base_->ForEachCompanySectors(
          [&](absl::string_view id, absl::Span<const absl::string_view> s) {
            ASSIGN_OR_RETURN(bool unchanged, gate(id));
            return unchanged ? fn(id, s) : absl::OkStatus();
          });
    });
  }

 private:
  // Called by a company scan of the base with each id, in id order: emits
  // the overlay's companies before it, and says whether the base's record
  // is the one at R (false: it changed after R, the overlay has it).
  using Gate = std::function<absl::StatusOr<bool>(absl::string_view id)>;

  // Runs `scan` over the base's companies with a Gate, calling `emit` with
  // each overlay company that existed at R, interleaved in id order.
  template <typename Emit, typename Scan>
  absl::Status MergeCompanies(const Emit& emit, const Scan& scan) {
    auto next = overlay_->companies().begin();
    const auto end = overlay_->companies().end();
    auto emit_before = [&](absl::string_view id, bool all) -> absl::Status {
      for (; next != end && (all || next->first < id); ++next) {
        if (next->second.has_value()) RETURN_IF_ERROR(emit(*next->second));
      }
      return absl::OkStatus();
    };
    const Gate gate = [&](absl::string_view id) -> absl::StatusOr<bool> {
      if (overlay_->Company(id) != nullptr) return false;
      RETURN_IF_ERROR(emit_before(id, false));
      return true;
    };
    RETURN_IF_ERROR(scan(gate));
    return emit_before("", true);
  }

 private:
  // Runs `scan` over the base with the partnerships changed after R left
  // out, and interleaves `extra` (their versions at R, in (date, id) order)
  // within [after, before].
  template <typename Scan>
  absl::Status Merge(const std::vector<const PartnershipRecord*>& extra,
                     absl::string_view after, absl::string_view before,
                     const EdgeFn& fn, Scan scan) {
    size_t next = 0;
    auto emit_before = [&](absl::string_view date, absl::string_view id,
                           bool all) -> absl::Status {
      for (; next < extra.size() && (all || EdgeBefore(*extra[next], date, id));
           ++next) {
        if (InWindow(extra[next]->announced_on(), after, before)) {
          RETURN_IF_ERROR(EmitEdge(*extra[next], fn));
        }
      }
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(scan([&](const EdgeView& e) {
      if (overlay_->Partnership(e.partnership_id) != nullptr) {
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(emit_before(e.announced_on, e.partnership_id, false));
      return fn(e);
    }));
    return emit_before("", "", true);
  }

  std::unique_ptr<GraphSnapshot> base_;
  std::shared_ptr<const AsOfOverlay> overlay_;
};

}  // namespace

std::optional<CompanyRecord> CompanyBefore(const ChangeEventRecord& event) {
  switch (event.type()) {
    case ChangeEventRecord::UPDATED:
      return event.previous_company();
    case ChangeEventRecord::DELETED:
      return event.company();
    default:
      return std::nullopt;
  }
}

std::optional<PartnershipRecord> PartnershipBefore(
    const ChangeEventRecord& event) {
  switch (event.type()) {
    case ChangeEventRecord::UPDATED:
      return event.previous_partnership();
    case ChangeEventRecord::DELETED:
      return event.partnership();
    default:
      return std::nullopt;
  }
}

absl::StatusOr<int64_t> ChangeBatchTime(absl::string_view batch) {
  int64_t time = 0;
  RETURN_IF_ERROR(ForEachField(batch,
                               [&](int field, WireFormatLite::WireType type,
                                   google::protobuf::io::CodedInputStream* in,
                                   bool* consumed) -> absl::StatusOr<bool> {
                                 if (field != kTimeField ||
                                     type != WireFormatLite::WIRETYPE_VARINT) {
                                   return true;
                                 }
                                 uint64_t v = 0;
                                 if (!in->ReadVarint64(&v)) return Unreadable();
                                 time = static_cast<int64_t>(v);
                                 *consumed = true;
                                 return false;
                               }));
  return time;
}

absl::StatusOr<ChangeEventRecord> ChangeBatchEvent(absl::string_view batch,
                                                   int index) {
  int seen = 0;
  bool found = false;
  ChangeEventRecord event;
  RETURN_IF_ERROR(
      ForEachField(batch,
                   [&](int field, WireFormatLite::WireType type,
                       google::protobuf::io::CodedInputStream* in,
                       bool* consumed) -> absl::StatusOr<bool> {
                     if (field != kEventsField ||
                         type != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
                       return true;
                     }
                     if (seen++ != index) return true;
                     uint32_t size = 0;
                     std::string bytes;
                     if (!in->ReadVarint32(&size) ||
                         !in->ReadString(&bytes, static_cast<int>(size)) ||
                         !event.ParseFromString(bytes)) {
                       return Unreadable();
                     }
                     *consumed = true;
                     found = true;
                     return false;
                   }));
  if (!found) return Unreadable();
  return event;
}

void AsOfOverlay::Add(const ChangeBatchRecord& batch) {
  // The first change after R decides; later ones leave the entry alone.
  for (const ChangeEventRecord& e : batch.events()) {
    if (e.has_company()) {
      companies_.try_emplace(e.company().id(), CompanyBefore(e));
    } else if (e.has_partnership()) {
      partnerships_.try_emplace(e.partnership().id(), PartnershipBefore(e));
    }
  }
}

void AsOfOverlay::Seal() {
  for (const auto& [id, p] : partnerships_) {
    if (!p.has_value()) continue;
    by_date_.push_back(&*p);
    for (absl::string_view c : DistinctParticipants(*p)) {
      by_company_[c].push_back(&*p);
    }
  }
  auto less = [](const PartnershipRecord* a, const PartnershipRecord* b) {
    return EdgeBefore(*a, b->announced_on(), b->id());
  };
  std::sort(by_date_.begin(), by_date_.end(), less);
  for (auto& [c, list] : by_company_) {
    std::sort(list.begin(), list.end(), less);
  }
}

const std::vector<const PartnershipRecord*>& AsOfOverlay::PartnershipsOf(
    absl::string_view company_id) const {
  static const auto* const kNone = new std::vector<const PartnershipRecord*>;
  auto it = by_company_.find(company_id);
  return it == by_company_.end() ? *kNone : it->second;
}

const std::optional<CompanyRecord>* AsOfOverlay::Company(
    absl::string_view id) const {
  auto it = companies_.find(id);
  return it == companies_.end() ? nullptr : &it->second;
}

const std::optional<PartnershipRecord>* AsOfOverlay::Partnership(
    absl::string_view id) const {
  auto it = partnerships_.find(id);
  return it == partnerships_.end() ? nullptr : &it->second;
}

std::unique_ptr<GraphSnapshot> NewAsOfSnapshot(
    std::unique_ptr<GraphSnapshot> base,
    std::shared_ptr<const AsOfOverlay> overlay) {
  return std::make_unique<AsOfSnapshot>(std::move(base), std::move(overlay));
}

}  // namespace partnergraph::storage
