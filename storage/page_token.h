#ifndef PARTNERGRAPH_STORAGE_PAGE_TOKEN_H_
#define PARTNERGRAPH_STORAGE_PAGE_TOKEN_H_

// Paging: sealing and opening page tokens, filter fingerprints, page sizes.
//
// A token names the listing, the fingerprint of its filter and the last key
// returned, sealed with a keyed 64-bit hash under the store's token key so a
// tampered token or one from another store is refused. Not a MAC: a forged
// token can only name a cursor position, which a caller may reach anyway.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/graph_store.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// A fingerprint of a listing's filter: a page token is refused under
// another one.
uint64_t FilterFingerprint(const CompanyFilter& filter);
uint64_t FilterFingerprint(const PartnershipQuery& query);
// `fingerprint` bound to a listing's point in time (unchanged for 0, now).
uint64_t AsOfFingerprint(uint64_t fingerprint, int64_t as_of_revision);
// The fingerprint of one record's version listing.
uint64_t HistoryFingerprint(RecordKind kind, absl::string_view id);

// The token resuming `listing` after `after_key`.
std::string SealToken(absl::string_view token_key, absl::string_view listing,
                      uint64_t fingerprint, const std::string& after_key);

// The resume key of `token`; empty for an empty token (the first page).
// INVALID_ARGUMENT when it is malformed, tampered, from another store or
// issued for another listing or filter.
absl::StatusOr<std::string> OpenToken(absl::string_view token_key,
                                      absl::string_view token,
                                      absl::string_view listing,
                                      uint64_t fingerprint);

// `requested` when positive, capped at `max_size`; `default_size` for 0.
int ClampPageSize(int requested, int default_size, int max_size);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_PAGE_TOKEN_H_
