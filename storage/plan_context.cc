#include "storage/plan_context.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "storage/key_codec.h"

namespace partnergraph::storage {

PlanContext::PlanContext(PlanReader* reader, int64_t revision,
                         int64_t now_micros, const FaultInjector* fault,
                         bool track_preconditions)
    : reader_(reader),
      revision_(revision),
      now_micros_(now_micros),
      fault_(fault),
      track_preconditions_(track_preconditions) {}

void PlanContext::Require(const std::string& key, Precondition::Kind kind,
                          int64_t revision) {
  if (!track_preconditions_) return;
  auto [it, inserted] = required_.try_emplace(key, plan_.preconditions.size());
  if (inserted) {
    plan_.preconditions.push_back({key, kind, revision});
    return;
  }
  // A key first checked for existence, then read as a record.
  Precondition& p = plan_.preconditions[it->second];
  if (kind == Precondition::Kind::kModRevision &&
      p.kind == Precondition::Kind::kExists) {
    p.kind = kind;
    p.revision = revision;
  }
}

absl::StatusOr<bool> PlanContext::Read(const std::string& key,
                                       std::string* value, bool* from_store) {
  *from_store = false;
  if (const PlanWrites::Value* w = plan_.writes.Find(key)) {
    if (!w->has_value()) return false;
    *value = **w;
    return true;
  }
  ASSIGN_OR_RETURN(bool found, reader_->Get(key, value));
  *from_store = true;
  Require(key,
          found ? Precondition::Kind::kExists : Precondition::Kind::kAbsent, 0);
  return found;
}

absl::StatusOr<bool> PlanContext::Get(const std::string& key,
                                      std::string* value) {
  bool from_store = false;
  return Read(key, value, &from_store);
}

absl::StatusOr<bool> PlanContext::Exists(const std::string& key) {
  if (const PlanWrites::Value* w = plan_.writes.Find(key)) {
    return w->has_value();
  }
  // Read before: nothing but this plan changes the store while it is made.
  auto r = required_.find(key);
  if (r != required_.end()) {
    const Precondition::Kind kind = plan_.preconditions[r->second].kind;
    if (kind != Precondition::Kind::kRangeUnchanged) {
      return kind != Precondition::Kind::kAbsent;
    }
  }
  ASSIGN_OR_RETURN(bool found, reader_->Exists(key));
  Require(key,
          found ? Precondition::Kind::kExists : Precondition::Kind::kAbsent, 0);
  return found;
}

absl::Status PlanContext::Scan(
    const std::string& prefix, int limit,
    std::vector<std::pair<std::string, std::string>>* out, bool* truncated) {
  Require(prefix, Precondition::Kind::kRangeUnchanged, revision_ - 1);
  const PlanWrites::Sorted planned = plan_.writes.Under(prefix);
  if (planned.empty()) return reader_->Scan(prefix, limit, out, truncated);
  // Each planned write hides at most one stored key: read that many more,
  // so the first `limit` of the merged keys are exact.
  std::vector<std::pair<std::string, std::string>> stored;
  bool stored_truncated = false;
  RETURN_IF_ERROR(reader_->Scan(prefix,
                                limit + static_cast<int>(planned.size()),
                                &stored, &stored_truncated));
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& kv : stored) {
    if (plan_.writes.Find(kv.first) == nullptr) {
      merged.push_back(std::move(kv));
    }
  }
  for (const PlanWrites::value_type* w : planned) {
    if (w->second.has_value()) merged.emplace_back(w->first, *w->second);
  }
  std::sort(merged.begin(), merged.end());
  *truncated = stored_truncated || static_cast<int>(merged.size()) > limit;
  if (static_cast<int>(merged.size()) > limit) merged.resize(limit);
  for (auto& kv : merged) out->push_back(std::move(kv));
  return absl::OkStatus();
}

void PlanContext::Put(std::string key, std::string value) {
  plan_.writes.Set(std::move(key), std::move(value));
}

void PlanContext::Delete(const std::string& key) {
  plan_.writes.Set(key, std::nullopt);
}

void PlanContext::ReplaceEntries(const IndexEntries& old_entries,
                                 IndexEntries new_entries) {
  for (const auto& [k, v] : old_entries) {
    if (new_entries.count(k) == 0) Delete(k);
  }
  while (!new_entries.empty()) {
    auto node = new_entries.extract(new_entries.begin());
    auto it = old_entries.find(node.key());
    if (it == old_entries.end() || it->second != node.mapped()) {
      Put(std::move(node.key()), std::move(node.mapped()));
    }
  }
}

void PlanContext::AddEvent(ChangeEventRecord::Type type, CompanyRecord r,
                           const CompanyRecord* previous) {
  auto* e = plan_.changes.add_events();
  e->set_type(type);
  *e->mutable_company() = std::move(r);
  if (previous != nullptr) *e->mutable_previous_company() = *previous;
}

void PlanContext::AddEvent(ChangeEventRecord::Type type, PartnershipRecord r,
                           const PartnershipRecord* previous) {
  auto* e = plan_.changes.add_events();
  e->set_type(type);
  *e->mutable_partnership() = std::move(r);
  if (previous != nullptr) *e->mutable_previous_partnership() = *previous;
}

absl::Status PlanContext::Fault(absl::string_view point) const {
  if (fault_ == nullptr || !*fault_) return absl::OkStatus();
  return (*fault_)(point);
}

}  // namespace partnergraph::storage
