#ifndef PARTNERGRAPH_STORAGE_VALIDATION_H_
#define PARTNERGRAPH_STORAGE_VALIDATION_H_

// Every rule and bound of the API, in one place. The store applies these to
// every write; the server applies the request-level ones (names, page sizes,
// filters) before calling the store.
//
// Each function returns OK or INVALID_ARGUMENT with a message that starts with
// the field path and states the rule and the bad value, e.g.
//   company.tickers[1]: want EXCHANGE:SYMBOL, got "mu"
// Field paths use the API's names (`company.`, `partnership.`, `filter.`).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Bounds (bytes of UTF-8 unless noted).
inline constexpr int kMaxIdBytes = 63;
inline constexpr int kMaxDisplayNameBytes = 200;
inline constexpr int kMaxLegalNameBytes = 300;
inline constexpr int kMaxAliases = 32;
inline constexpr int kMaxTickers = 16;
inline constexpr int kMaxSectors = 16;
inline constexpr int kMaxSectorBytes = 100;
inline constexpr int kMaxSectorSegments = 4;
inline constexpr int kMaxUrlBytes = 2048;
inline constexpr int kMaxDescriptionBytes = 4000;
inline constexpr int kMaxLabels = 64;
inline constexpr int kMaxLabelValueBytes = 256;
inline constexpr int kMaxTitleBytes = 300;
inline constexpr int kMaxSummaryBytes = 4000;
inline constexpr int kMinParticipants = 2;
inline constexpr int kMaxParticipants = 32;
inline constexpr int kMaxKinds = 8;
inline constexpr int kMaxTermsDescriptionBytes = 2000;
inline constexpr long long kMaxValueUsd = 10000000000000ll;  // 10^13
inline constexpr int kMaxSources = 32;
inline constexpr int kMaxSourceTitleBytes = 500;
inline constexpr int kMaxPublisherBytes = 200;
inline constexpr int kMaxExcerptBytes = 2000;
inline constexpr int kMaxMarketReactions = 32;
inline constexpr int kMaxNoteBytes = 500;
inline constexpr int kMaxRequestIdBytes = 128;
inline constexpr int kMaxSearchQueryBytes = 200;
inline constexpr int kMaxFilterSectors = 8;
inline constexpr int kMaxEtagBytes = 64;
inline constexpr int kMaxPageTokenBytes = 1024;

// `value` quoted for an error message: valid UTF-8 kept; quotes,
// backslashes, control characters and bad bytes escaped; cut after 80 bytes
// with "...". Every value a client sent is quoted this way.
std::string Quote(absl::string_view value);

// `[a-z0-9][a-z0-9-]{0,62}`.
absl::Status ValidateId(absl::string_view field, absl::string_view id);

// Parses `{collection}/{id}` (e.g. "companies/micron") into the id.
// INVALID_ARGUMENT naming `field` when the form or the id is wrong.
absl::StatusOr<std::string> ParseResourceName(absl::string_view field,
                                              absl::string_view name,
                                              absl::string_view collection);

// `YYYY-MM-DD`, a real calendar date (leap years included), years 1800..9999.
absl::Status ValidateDate(absl::string_view field, absl::string_view date);

// 1..kMaxRequestIdBytes printable ASCII; empty is allowed (no request id).
absl::Status ValidateRequestId(absl::string_view field,
                               absl::string_view request_id);

// An etag as a request carries it: empty (none) or at most kMaxEtagBytes.
absl::Status ValidateEtag(absl::string_view field, absl::string_view etag);

// A complete company as it will be stored (id set, output-only fields
// ignored). Paths start with "company.".
absl::Status ValidateCompany(const CompanyRecord& company);

// Fills defaults of a partnership about to be stored: role PARTNER, status
// ANNOUNCED, terms disclosure UNKNOWN where unspecified.
void ApplyPartnershipDefaults(PartnershipRecord* partnership);

// A complete partnership after ApplyPartnershipDefaults (id set). Checks the
// shape only; that participants exist is the store's to check. Paths start
// with "partnership.".
absl::Status ValidatePartnership(const PartnershipRecord& partnership);

// A partnership filter; paths start with `field` (e.g. "filter").
absl::Status ValidatePartnershipQuery(absl::string_view field,
                                      const PartnershipQuery& query);

// A company list filter: sector path prefix, country code, label selector
// ("key" or "key=value"). Paths are "sector", "country", "label".
absl::Status ValidateCompanyFilter(absl::string_view sector,
                                   absl::string_view country,
                                   absl::string_view label);

// 0..max (0 means the default). Negative is INVALID_ARGUMENT; larger values
// are allowed here and capped by the caller.
absl::Status ValidatePageSize(absl::string_view field, int page_size);

// 1..kMaxSearchQueryBytes of valid UTF-8 with at least one letter or digit.
absl::Status ValidateSearchQuery(absl::string_view field,
                                 absl::string_view query);

// The fields an update may name in its mask (record field names, which are
// also the API's), in declaration order.
const std::vector<std::string>& CompanyMutableFields();
const std::vector<std::string>& PartnershipMutableFields();

// True when `sector` is `prefix` or lies under it on a segment boundary.
bool SectorHasPrefix(absl::string_view sector, absl::string_view prefix);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_VALIDATION_H_
