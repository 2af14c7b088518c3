#ifndef PARTNERGRAPH_CLIENT_OUTPUT_H_
#define PARTNERGRAPH_CLIENT_OUTPUT_H_

// Rendering API messages for people and scripts, and reading them back.
//
// Three formats, chosen with `-o`:
//   table  aligned columns, one row per resource (the default);
//   json   protobuf's canonical JSON mapping (MessageToJsonString, lowerCamel
//          field names, enums by name, int64 as strings), pretty-printed;
//   yaml   the same document as YAML: the JSON parsed by yaml-cpp and emitted
//          in block style, with strings that would read back as another type
//          ("12", "true", "") double-quoted so nothing changes type.
//
// Every rendering ends with a newline. An empty table prints its header only
// (a "No resources found." note is the caller's to print on stderr).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

namespace v1 = ::partnergraph::v1;

enum class OutputFormat { kTable, kJson, kYaml };

// "table", "json" or "yaml" (case-insensitive; "yml" too). INVALID_ARGUMENT
// otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// Pretty JSON of `message`. With `always_print_primitive_fields`, fields with
// default values (empty lists included) are printed too.
std::string ToJson(const google::protobuf::Message& message,
                   bool always_print_primitive_fields = false);

// Re-renders a JSON document as YAML (see the file comment). INVALID_ARGUMENT
// when `json` does not parse.
absl::StatusOr<std::string> JsonToYaml(absl::string_view json);

// YAML of `message`: JsonToYaml(ToJson(message)).
std::string ToYaml(const google::protobuf::Message& message,
                   bool always_print_primitive_fields = false);

// Aligned columns: every cell padded to its column's widest cell (counted in
// UTF-8 characters), columns separated by three spaces, no trailing spaces.
// Empty cells print as "-" so columns stay parseable with awk.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// Table columns.
//   companies:    NAME  DISPLAY NAME  TICKERS  SECTORS  COUNTRY
//   search:       NAME  DISPLAY NAME  TICKERS  SECTORS  COUNTRY  MATCH
//   partnerships: NAME  ANNOUNCED  KINDS  PARTICIPANTS  STATUS  TITLE
// NAME is the bare id ("micron"); lists are joined with ","; a participant
// whose role is not PARTNER shows as "id:ROLE".
std::string CompanyTable(
    const google::protobuf::RepeatedPtrField<v1::Company>& companies);
std::string SearchTable(
    const google::protobuf::RepeatedPtrField<v1::SearchResult>& results);
std::string PartnershipTable(
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships);

// A whole command output in `format`. Single resources render as a one-row
// table; list and search responses as their JSON/YAML document (with
// `revision` and `nextPageToken`), the item list printed even when empty.
std::string FormatCompany(const v1::Company& company, OutputFormat format);
std::string FormatPartnership(const v1::Partnership& partnership,
                              OutputFormat format);
std::string FormatCompanyList(const v1::ListCompaniesResponse& response,
                              OutputFormat format);
std::string FormatPartnershipList(const v1::ListPartnershipsResponse& response,
                                  OutputFormat format);
std::string FormatSearch(const v1::SearchCompaniesResponse& response,
                         OutputFormat format);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_OUTPUT_H_
