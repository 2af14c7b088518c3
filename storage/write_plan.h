#ifndef PARTNERGRAPH_STORAGE_WRITE_PLAN_H_
#define PARTNERGRAPH_STORAGE_WRITE_PLAN_H_

// The write rules, engine-neutral: step 1 of DESIGN.md's plan -> commit ->
// apply. Each rule reads what it needs through a PlanContext and produces a
// WritePlan: the keys to put or delete (records, index entries, request ids),
// the change events, and the preconditions the reads relied on. It never
// writes to an engine; the engine commits the plan (the embedded engine as
// one WriteBatch at the next revision, an etcd engine as one Txn whose
// compares are the preconditions).
//
// A rule that returns an error has planned nothing that may be committed:
// the caller discards the plan. The change-log entry and the revision
// counter are the engine's, not the plan's.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/graph_store.h"
#include "storage/index_entries.h"
#include "storage/plan_context.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Validation and defaults before a create is queued; needs no store state.
// The company id is derived from display_name when empty; a partnership
// without an id gets a random one.
absl::Status PrepareCompanyCreate(CompanyRecord* c,
                                  const std::string& request_id);
absl::Status PreparePartnershipCreate(PartnershipRecord* p,
                                      const std::string& request_id);

// The rules of GraphStore's mutations (see graph_store.h for their
// contracts and status codes). A no-op update plans nothing.
absl::Status PlanCreateCompany(PlanContext& ctx, const CompanyRecord& c,
                               const std::string& request_id,
                               CompanyRecord* result);
absl::Status PlanUpdateCompany(PlanContext& ctx, const CompanyRecord& patch,
                               const std::vector<std::string>& paths,
                               const std::string& etag, CompanyRecord* result);
absl::Status PlanDeleteCompany(PlanContext& ctx, const std::string& id,
                               const std::string& etag, bool force);
absl::Status PlanCreatePartnership(PlanContext& ctx, const PartnershipRecord& p,
                                   const std::string& request_id,
                                   PartnershipRecord* result);
absl::Status PlanUpdatePartnership(PlanContext& ctx,
                                   const PartnershipRecord& patch,
                                   const std::vector<std::string>& paths,
                                   const std::string& etag,
                                   PartnershipRecord* result);
absl::Status PlanDeletePartnership(PlanContext& ctx, const std::string& id,
                                   const std::string& etag);

// An import batch checked and derived as far as it can be without the
// store, so that its planning (on the engine's commit path) does only what
// needs the store.
struct PreparedImport {
  // The records not refused yet, with the batch's flags (dry_run set when
  // all_or_nothing already failed).
  ImportBatch batch;
  // The index entries of each record, in batch order.
  std::vector<IndexEntries> company_entries;
  std::vector<IndexEntries> partnership_entries;
};

// Bulk load. PrepareImport validates each record as the single creates do,
// moves the refused ones into result->errors and derives the index entries
// of the others.
PreparedImport PrepareImport(ImportBatch batch, ImportResult* result);
// Creates or replaces each record of a prepared batch by the rules of the
// single writes (participants, duplicates, tickers, index entries, change
// events), filling in `result`; the records and entries are moved out.
// Returns false when nothing may be written (a dry run, or an
// all_or_nothing batch with an error): the plan is then to be discarded. An
// error is a storage failure of the whole import.
absl::StatusOr<bool> PlanImport(PlanContext& ctx, PreparedImport& work,
                                ImportResult* result);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_WRITE_PLAN_H_
