#ifndef PARTNERGRAPH_SERVER_CONVERT_H_
#define PARTNERGRAPH_SERVER_CONVERT_H_

// Conversions between the API messages (partnergraph.v1) and the store's
// records (storage/record.proto). The two schemas use the same field names
// and enum numbers; the differences handled here are
//   - resource names (`companies/{id}`, `partnerships/{id}`) vs bare ids,
//     including Participant.company vs ParticipantRecord.company_id and
//     PartnershipFilter.company vs PartnershipQuery.company_id;
//   - google.protobuf.Timestamp vs int64 microseconds since the Unix epoch
//     (sub-microsecond precision is dropped; 0 micros means "unset");
//   - the etag, computed from update_revision with storage::EtagFor.
//
// Functions that read client input return INVALID_ARGUMENT with a message
// that starts with the API field path (e.g. `partnership.participants[1].
// company: ...`) and write nothing on error. They check only what the
// conversion needs (name syntax, enum values, timestamp range); the store
// validates every other rule.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "partnergraph/v1/resources.pb.h"
#include "storage/record.pb.h"

namespace partnergraph::server {

inline constexpr char kCompaniesCollection[] = "companies";
inline constexpr char kPartnershipsCollection[] = "partnerships";

// Most paths accepted in one update_mask.
inline constexpr int kMaxUpdateMaskPaths = 32;

// "companies/{id}" and "partnerships/{id}".
std::string CompanyName(absl::string_view id);
std::string PartnershipName(absl::string_view id);

// Microseconds since the epoch to a Timestamp (nanos always >= 0).
void MicrosToTimestamp(int64_t micros, google::protobuf::Timestamp* out);

// A Timestamp to microseconds since the epoch. INVALID_ARGUMENT naming
// `field` when it lies outside 0001-01-01..9999-12-31 or nanos is outside
// 0..999999999.
absl::StatusOr<int64_t> TimestampToMicros(
    absl::string_view field, const google::protobuf::Timestamp& timestamp);

// Record -> API, with name, timestamps and etag filled in.
partnergraph::v1::Company CompanyToApi(const storage::CompanyRecord& record);
partnergraph::v1::Partnership PartnershipToApi(
    const storage::PartnershipRecord& record);

// API -> record: the client-settable fields. The record's id is left empty
// (the caller sets it from the request); output-only fields are ignored.
// Fields that are unset in the API message stay unset in the record, so
// "every field set" semantics of an empty update_mask carry over.
// Company: infallible (the store validates values).
storage::CompanyRecord CompanyFromApi(const partnergraph::v1::Company& company);
// Partnership: INVALID_ARGUMENT for a participant company that is not a
// well-formed `companies/{id}` name, an enum value outside its enum, or a
// source retrieved_time out of range. Paths start with "partnership.".
absl::StatusOr<storage::PartnershipRecord> PartnershipFromApi(
    const partnergraph::v1::Partnership& partnership);

// A PartnershipFilter to the store's query; paths start with `field`
// (e.g. "filter"). INVALID_ARGUMENT for a malformed `company` name or an
// enum value outside its enum; the caller validates the rest with
// storage::ValidatePartnershipQuery.
absl::StatusOr<storage::PartnershipQuery> PartnershipQueryFromApi(
    absl::string_view field, const partnergraph::v1::PartnershipFilter& filter);

// The store paths of an update_mask, checked against the fields the API lets
// clients update ("*" passes through). INVALID_ARGUMENT naming
// `update_mask.paths[i]` for any other path, or when there are more than
// kMaxUpdateMaskPaths paths.
absl::StatusOr<std::vector<std::string>> CompanyUpdatePaths(
    const google::protobuf::FieldMask& mask);
absl::StatusOr<std::vector<std::string>> PartnershipUpdatePaths(
    const google::protobuf::FieldMask& mask);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_CONVERT_H_
