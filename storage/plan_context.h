#ifndef PARTNERGRAPH_STORAGE_PLAN_CONTEXT_H_
#define PARTNERGRAPH_STORAGE_PLAN_CONTEXT_H_

// What a write plan is, and the context a write rule plans in (see
// write_plan.h for the rules). An engine implements PlanReader; the
// context overlays the plan's own writes on it and records, for each first
// read of the store, the precondition the plan relies on.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/index_entries.h"
#include "storage/plan_writes.h"
#include "storage/record.pb.h"
#include "storage/records.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {

// What a plan relied on; it must still hold when the plan is committed.
struct Precondition {
  enum class Kind {
    // `key` does not exist.
    kAbsent,
    // `key` exists (its value did not matter).
    kExists,
    // The record at `key` was last written at `revision`.
    kModRevision,
    // No key starting with the prefix `key` was written after `revision`.
    kRangeUnchanged,
  };
  std::string key;
  Kind kind = Kind::kAbsent;
  int64_t revision = 0;
};

struct WritePlan {
  // The final value of every key the write changes, in key order; nullopt
  // deletes the key.
  PlanWrites writes;
  // One per key (or scanned prefix) read from the store, in read order.
  std::vector<Precondition> preconditions;
  // The change events; the engine sets the revision and time.
  ChangeBatchRecord changes;
};

// The store as a write finds it, implemented by each engine. Reads see every
// write committed (or, on the embedded engine, queued) before this one.
class PlanReader {
 public:
  virtual ~PlanReader() = default;
  // Sets *value and returns true when `key` exists.
  virtual absl::StatusOr<bool> Get(const std::string& key,
                                   std::string* value) = 0;
  // Whether `key` exists; a reader that can tell without the value
  // overrides it.
  virtual absl::StatusOr<bool> Exists(const std::string& key) {
    std::string value;
    return Get(key, &value);
  }
  // Appends the keys under `prefix` with their values, in key order, at most
  // `limit` (*truncated set when there are more).
  virtual absl::Status Scan(
      const std::string& prefix, int limit,
      std::vector<std::pair<std::string, std::string>>* out,
      bool* truncated) = 0;
};

// Test hook of StoreOptions::fault_injector, called at named points.
using FaultInjector = std::function<absl::Status(absl::string_view point)>;

// One write's view while it is planned: reads go through the plan's own
// writes to the PlanReader, and each first read of the store is recorded as
// a precondition.
class PlanContext {
 public:
  // `revision` is the one the write will take; `fault` may be null. An
  // engine whose plans cannot race (the embedded one: a single commit
  // thread) may pass track_preconditions false: nothing is recorded.
  PlanContext(PlanReader* reader, int64_t revision, int64_t now_micros,
              const FaultInjector* fault = nullptr,
              bool track_preconditions = true);

  int64_t revision() const { return revision_; }
  int64_t now_micros() const { return now_micros_; }

  // Sets *value and returns true when `key` exists.
  absl::StatusOr<bool> Get(const std::string& key, std::string* value);
  // As Get, for a caller that needs only whether the key exists.
  absl::StatusOr<bool> Exists(const std::string& key);
  // As Get, parsing a company or partnership record; one found in the store
  // is required to be still at its update_revision.
  template <typename Record>
  absl::StatusOr<bool> GetRecord(const std::string& key, Record* out);
  // As PlanReader::Scan, merged with the plan's own writes.
  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated);

  void Put(std::string key, std::string value);
  void Delete(const std::string& key);
  // Writes only the keys whose presence or value differs.
  void ReplaceEntries(const IndexEntries& old_entries,
                      IndexEntries new_entries);
  // Appends a change event; `previous` is the replaced version (UPDATED).
  void AddEvent(ChangeEventRecord::Type type, CompanyRecord r,
                const CompanyRecord* previous = nullptr);
  void AddEvent(ChangeEventRecord::Type type, PartnershipRecord r,
                const PartnershipRecord* previous = nullptr);

  // The fault injector's verdict at `point` (OK without one).
  absl::Status Fault(absl::string_view point) const;

  WritePlan& plan() { return plan_; }

 private:
  // Reads `key` from the plan's writes or else (*from_store set) the
  // store, recording a precondition for the latter.
  absl::StatusOr<bool> Read(const std::string& key, std::string* value,
                            bool* from_store);
  void Require(const std::string& key, Precondition::Kind kind,
               int64_t revision);

  PlanReader* reader_;
  const int64_t revision_;
  const int64_t now_micros_;
  const FaultInjector* fault_;
  const bool track_preconditions_;
  // Key -> index of its precondition in plan_.preconditions.
  absl::flat_hash_map<std::string, size_t> required_;
  WritePlan plan_;
};

// Implementation details below.

template <typename Record>
absl::StatusOr<bool> PlanContext::GetRecord(const std::string& key,
                                            Record* out) {
  std::string value;
  bool from_store = false;
  ASSIGN_OR_RETURN(bool found, Read(key, &value, &from_store));
  if (!found) return false;
  ASSIGN_OR_RETURN(*out, ParseRecord<Record>(value, "record"));
  if (from_store && track_preconditions_) {
    Require(key, Precondition::Kind::kModRevision, out->update_revision());
  }
  return true;
}

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_PLAN_CONTEXT_H_
