#ifndef PARTNERGRAPH_STORAGE_RECORD_MASK_H_
#define PARTNERGRAPH_STORAGE_RECORD_MASK_H_

// Field masks, output-only fields and etags of companies and partnerships.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// OK when `etag` is empty or names `update_revision`; ABORTED naming
// `resource` otherwise.
absl::Status CheckEtag(absl::string_view etag, int64_t update_revision,
                       absl::string_view resource);

// Copies the fields named in `paths` from `patch` onto `target`, each of
// which must be one of `mutable_fields` (INVALID_ARGUMENT otherwise). Empty
// `paths`: every mutable field set in `patch`; "*": all of them.
absl::Status ApplyMask(const CompanyRecord& patch,
                       const std::vector<std::string>& paths,
                       const std::vector<std::string>& mutable_fields,
                       CompanyRecord* target);
absl::Status ApplyMask(const PartnershipRecord& patch,
                       const std::vector<std::string>& paths,
                       const std::vector<std::string>& mutable_fields,
                       PartnershipRecord* target);

// Clears the fields the store sets (revisions and times).
template <typename Record>
void ClearOutputOnly(Record* r) {
  r->clear_create_revision();
  r->clear_update_revision();
  r->clear_create_time_micros();
  r->clear_update_time_micros();
}

// Stamps a record created, or updated, at `revision` and `now_micros`.
template <typename Record>
void SetCreated(int64_t revision, int64_t now_micros, Record* r) {
  r->set_create_revision(revision);
  r->set_update_revision(revision);
  r->set_create_time_micros(now_micros);
  r->set_update_time_micros(now_micros);
}

template <typename Record>
void SetUpdated(int64_t revision, int64_t now_micros, Record* r) {
  r->set_update_revision(revision);
  r->set_update_time_micros(now_micros);
}

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_RECORD_MASK_H_
