#ifndef PARTNERGRAPH_CLIENT_REQUESTS_H_
#define PARTNERGRAPH_CLIENT_REQUESTS_H_

// Turning what a person types into API requests: resource names from bare
// ids, enum values from loose spellings, and create/update requests from the
// field values given on a command line. No I/O and no gRPC here, so all of it
// is unit-tested without a server.
//
// Every parse function returns INVALID_ARGUMENT with a message that names the
// flag and the accepted values, e.g.
//   --kind: unknown value "alliance"; want one of STRATEGIC_ALLIANCE, ...

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

namespace v1 = ::partnergraph::v1;

inline constexpr char kCompaniesCollection[] = "companies";
inline constexpr char kPartnershipsCollection[] = "partnerships";

// "micron" -> "companies/micron"; "companies/micron" stays as is. Anything
// else containing a '/' is returned unchanged for the server to reject.
std::string CompanyName(absl::string_view id_or_name);
// As CompanyName, for "partnerships/".
std::string PartnershipName(absl::string_view id_or_name);
// "companies/micron" -> "micron", "partnerships/x" -> "x"; anything else is
// returned unchanged.
absl::string_view ShortName(absl::string_view name);

// Enum values by name, ignoring case and accepting '-' for '_':
// "strategic-alliance" and "STRATEGIC_ALLIANCE" are the same. The
// *_UNSPECIFIED values are never accepted. `flag` names the flag in errors.
absl::StatusOr<v1::PartnershipKind> ParseKind(absl::string_view flag,
                                              absl::string_view text);
absl::StatusOr<v1::PartnershipStatus> ParseStatus(absl::string_view flag,
                                                  absl::string_view text);
absl::StatusOr<v1::ParticipantRole> ParseRole(absl::string_view flag,
                                              absl::string_view text);
absl::StatusOr<v1::TermsDisclosure> ParseDisclosure(absl::string_view flag,
                                                    absl::string_view text);

// "micron", "companies/micron" or either followed by ":ROLE"
// ("micron:supplier"). The role is PARTNER when not given.
absl::StatusOr<v1::Participant> ParseParticipant(absl::string_view flag,
                                                 absl::string_view text);

// Evidence given on a command line:
//   --source URL[,title=TEXT][,publisher=TEXT][,published=YYYY-MM-DD]
//            [,excerpt=TEXT]
// e.g. "https://example.com/a,title=Micron jumps,publisher=Example News,
// published=2025-11-20". A value runs to the next ",KEY=" of one of those
// keys, so it may itself hold commas.
absl::StatusOr<v1::Source> ParseSource(absl::string_view flag,
                                       absl::string_view text);
//   --market-reaction TICKER:CHANGE%[@YYYY-MM-DD][/WINDOW][,note=TEXT]
// e.g. "NASDAQ:MU:+5.58%@2025-11-20/1d": NASDAQ:MU rose 5.58% over one day
// on 2025-11-20. The '%' and the '+' are optional; the server checks the
// ticker, the range (-100..10000), the date and the window (1..3 digits then
// h, d, w or m).
absl::StatusOr<v1::MarketReaction> ParseMarketReaction(absl::string_view flag,
                                                       absl::string_view text);

// "key=value", or "key" alone for an empty value.
absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(
    absl::string_view flag, absl::string_view text);

// A duration as "5s", "1500ms", "2m", "1m30s", or a bare number of seconds
// ("5", "0.5"). Must be positive.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view flag,
                                            absl::string_view text);

// A point in time to read at (--as-of): a store revision or a commit time,
// at most one of them. Neither set means now.
struct AsOf {
  // A store revision, >= 1; 0 when not set.
  int64_t revision = 0;
  std::optional<google::protobuf::Timestamp> time;
};

// --as-of REV|TIME. A plain positive integer ("42") is a store revision; an
// RFC 3339 date-time with a UTC offset ("2026-01-31T12:00:00Z",
// "2026-01-31T14:00:00+02:00", fractions of a second allowed) is a commit
// time. INVALID_ARGUMENT naming `flag` and both forms for anything else: an
// empty value, 0, a negative number, a time without an offset, or an
// impossible date ("2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z").
absl::StatusOr<AsOf> ParseAsOf(absl::string_view flag, absl::string_view text);

// Sets `request`'s as_of_revision or as_of_time from `as_of` (neither when it
// is not set). For every read request that has the two fields.
template <typename Request>
void SetAsOf(const AsOf& as_of, Request* request) {
  if (as_of.revision > 0) request->set_as_of_revision(as_of.revision);
  if (as_of.time.has_value()) *request->mutable_as_of_time() = *as_of.time;
}

// Company fields given on a command line; unset optionals were not given.
// Repeated values replace the whole list.
struct CompanyFields {
  std::optional<std::string> display_name;
  std::optional<std::string> legal_name;
  std::optional<std::vector<std::string>> aliases;
  std::optional<std::vector<std::string>> tickers;
  std::optional<std::vector<std::string>> sectors;
  std::optional<std::string> country;
  std::optional<std::string> website;
  std::optional<std::string> description;
  // "key=value" entries; replace every label.
  std::optional<std::vector<std::string>> labels;
};

// Writes the given fields into `company` and, when `mask` is not null, adds
// the proto field name of each given field to it (e.g. "display_name").
absl::Status ApplyCompanyFields(const CompanyFields& fields,
                                v1::Company* company,
                                google::protobuf::FieldMask* mask);

// Partnership fields given on a command line, as CompanyFields.
struct PartnershipFields {
  std::optional<std::string> title;
  std::optional<std::string> summary;
  // ParseParticipant syntax.
  std::optional<std::vector<std::string>> participants;
  // ParseKind syntax.
  std::optional<std::vector<std::string>> kinds;
  std::optional<std::string> status;
  std::optional<std::string> announced_on;
  std::optional<std::string> ended_on;
  // Terms: when any of the three is given on an update, the whole `terms`
  // field is replaced, starting from `base_terms` in ApplyPartnershipFields.
  std::optional<std::string> disclosure;
  std::optional<int64_t> value_usd;
  std::optional<std::string> terms_description;
  // ParseSource syntax.
  std::optional<std::vector<std::string>> sources;
  // ParseMarketReaction syntax.
  std::optional<std::vector<std::string>> market_reactions;
  std::optional<std::vector<std::string>> labels;

  bool HasTerms() const {
    return disclosure.has_value() || value_usd.has_value() ||
           terms_description.has_value();
  }
};

// As ApplyCompanyFields. When terms fields are given, `partnership->terms()`
// is the starting point, so pass a partnership whose terms are the current
// ones to change one part of the terms only. A value_usd without a
// disclosure sets the disclosure to DISCLOSED.
absl::Status ApplyPartnershipFields(const PartnershipFields& fields,
                                    v1::Partnership* partnership,
                                    google::protobuf::FieldMask* mask);

// Filter values of `partnership list`.
struct PartnershipFilterFields {
  std::vector<std::string> kinds;
  std::vector<std::string> statuses;
  std::string announced_after;
  std::string announced_before;
  std::string company;  // id or resource name
  std::vector<std::string> participant_sectors;
  int min_sources = 0;
};

absl::StatusOr<v1::PartnershipFilter> BuildPartnershipFilter(
    const PartnershipFilterFields& fields);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_REQUESTS_H_
