#ifndef PARTNERGRAPH_STORAGE_AS_OF_H_
#define PARTNERGRAPH_STORAGE_AS_OF_H_

// Point in time: the graph as it was at a past revision R, from the current
// state and the change log. Engine-neutral: it sees change batches and a
// GraphSnapshot, never RocksDB.
//
// A record's state at R is decided by its first change after R: CREATED
// means it did not exist at R, UPDATED carries the version it replaced,
// DELETED the last version. A record with no change after R is as it is
// now. So the state at R is the current state with the records changed in
// (R, now] put back: an AsOfOverlay, built by folding those change batches,
// and an AsOfSnapshot, the current snapshot seen through it. The cost is
// proportional to the changes since R, not to the graph.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/graph_query.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// The state a change found: the record before `event`, or nullopt when it
// did not exist (a CREATED event).
std::optional<CompanyRecord> CompanyBefore(const ChangeEventRecord& event);
std::optional<PartnershipRecord> PartnershipBefore(
    const ChangeEventRecord& event);

// Reads a serialized ChangeBatchRecord without parsing all of it: its commit
// time, or only event number `index`. DATA_LOSS for bytes that do not parse
// or an index past the last event.
absl::StatusOr<int64_t> ChangeBatchTime(absl::string_view batch);
absl::StatusOr<ChangeEventRecord> ChangeBatchEvent(absl::string_view batch,
                                                   int index);

// The records changed after a revision R, each as it was at R.
class AsOfOverlay {
 public:
  explicit AsOfOverlay(int64_t revision) : revision_(revision) {}

  // Folds one change batch; batches come in revision order, each above R.
  void Add(const ChangeBatchRecord& batch);
  // Orders the partnerships that existed at R by (announced_on, id), all of
  // them and per participant; once, after the last Add.
  void Seal();

  int64_t revision() const { return revision_; }
  // nullptr when the record did not change after R (it is as it is now);
  // otherwise the state at R, nullopt when it did not exist then.
  const std::optional<CompanyRecord>* Company(absl::string_view id) const;
  const std::optional<PartnershipRecord>* Partnership(
      absl::string_view id) const;

  const absl::btree_map<std::string, std::optional<CompanyRecord>>& companies()
      const {
    return companies_;
  }
  const absl::btree_map<std::string, std::optional<PartnershipRecord>>&
  partnerships() const {
    return partnerships_;
  }
  // After Seal: the overlay's partnerships that existed at R, in (date, id)
  // order; all of them, or those `company_id` took part in.
  const std::vector<const PartnershipRecord*>& PartnershipsByDate() const {
    return by_date_;
  }
  const std::vector<const PartnershipRecord*>& PartnershipsOf(
      absl::string_view company_id) const;

 private:
  int64_t revision_;
  absl::btree_map<std::string, std::optional<CompanyRecord>> companies_;
  absl::btree_map<std::string, std::optional<PartnershipRecord>> partnerships_;
  std::vector<const PartnershipRecord*> by_date_;
  absl::flat_hash_map<std::string, std::vector<const PartnershipRecord*>>
      by_company_;
};

// `base` (a snapshot at a revision V >= R) seen as it was at the overlay's
// revision R, given the overlay of exactly the changes in (R, V]. Answers
// every GraphSnapshot call in the order and with the bounds the interface
// promises, so the graph queries run on it unchanged.
std::unique_ptr<GraphSnapshot> NewAsOfSnapshot(
    std::unique_ptr<GraphSnapshot> base,
    std::shared_ptr<const AsOfOverlay> overlay);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_AS_OF_H_
