#ifndef PARTNERGRAPH_CLIENT_OUTPUT_H_
#define PARTNERGRAPH_CLIENT_OUTPUT_H_

// Rendering API messages for people and scripts, and reading them back.
//
// Formats, chosen with `-o`:
//   table  aligned columns, one row per resource (the default), cut to fit
//          80 columns: the free-text columns are shortened with "…";
//   wide   every column, nothing cut;
//   json   protobuf's canonical JSON mapping (MessageToJsonString, lowerCamel
//          field names, enums by name, int64 as strings), pretty-printed;
//   yaml   the same document as YAML: the JSON parsed by yaml-cpp and emitted
//          in block style, with strings that would read back as another type
//          ("12", "true", "") double-quoted so nothing changes type;
//   name   resource names only, one a line ("companies/micron");
//   dot    a Graphviz graph (neighbors and path only, see graph_commands.h).
// Each command says which formats it gives (see cli_context.h); the others
// are refused as a usage error.
//
// Every rendering ends with a newline. An empty table prints its header only
// (a "No resources found." note is the caller's to print on stderr).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

namespace v1 = ::partnergraph::v1;

enum class OutputFormat { kTable, kWide, kJson, kYaml, kName, kDot };

// "table", "wide", "json", "yaml" ("yml"), "name" or "dot",
// case-insensitive. INVALID_ARGUMENT otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// The name of a format as -o takes it: "table", "wide", ...
absl::string_view OutputFormatName(OutputFormat format);

// Width the default table is cut to.
inline constexpr size_t kTableWidth = 80;

// How a command prints: the format and, for tables, whether to print the
// header row (--no-headers turns it off).
struct Output {
  Output(OutputFormat f = OutputFormat::kTable) : format(f) {}  // NOLINT
  OutputFormat format;
  bool headers = true;
  // The width -o table fits in.
  size_t width = kTableWidth;

  bool table() const {
    return format == OutputFormat::kTable || format == OutputFormat::kWide;
  }
  bool wide() const { return format == OutputFormat::kWide; }
};

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

struct TableOptions {
  bool headers = true;
  // 0: no limit. Otherwise columns are narrowed until a line fits: those
  // whose `shrink_tier` is 1 first, then tier 2, ...; within a tier each in
  // proportion to its width, none below 10 characters. Tier 0 (or a column
  // past the end of `shrink_tier`) is never narrowed. Cut cells end with "…".
  size_t max_width = 0;
  std::vector<int> shrink_tier;
};

// Aligned columns: every cell padded to its column's widest cell (counted in
// UTF-8 characters), columns separated by three spaces, no trailing spaces.
// Empty cells print as "-" so columns stay parseable with awk.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows,
                        const TableOptions& options = {});

// `text` cut to `width` characters, the last one "…" when it was cut.
std::string Truncate(absl::string_view text, size_t width);

// Characters, not bytes, of UTF-8 text.
size_t DisplayWidth(absl::string_view text);

// "micron:SUPPLIER,anthropic": participants' ids, with the role when it is
// not PARTNER.
std::string ParticipantsCell(const v1::Partnership& partnership);
// "STRATEGIC_ALLIANCE,SUPPLY_AGREEMENT".
std::string KindsCell(const v1::Partnership& partnership);

// A progress line for a long transfer: `what`, and with a known total
// (bytes) a 30-character bar and the percentage; then the records so far,
// their rate and, once the rate is known and the total is, the time left:
//   "import [#########.....................]  31% 340000 records
//    41000/s ETA 0:23"
// `done` and `total` are bytes; `elapsed` the time since the start.
std::string ProgressLine(absl::string_view what, int64_t done, int64_t total,
                         int64_t records, absl::Duration elapsed);

// "2025-11-20T08:00:00Z" (seconds, UTC); "-" for an unset time.
std::string FormatTime(const google::protobuf::Timestamp& time);

// Table columns (-o table; -o wide adds the bracketed ones and cuts
// nothing):
//   companies:    NAME  DISPLAY NAME  TICKERS  SECTORS  COUNTRY
//                 [LEGAL NAME  WEBSITE  LABELS  REVISION]
//   search:       the company columns, then MATCH
//   partnerships: NAME  ANNOUNCED  PARTICIPANTS  TITLE
//                 -o wide: NAME  ANNOUNCED  KINDS  PARTICIPANTS  STATUS
//                 SOURCES  REACTIONS  REVISION  TITLE
// The default table narrows TICKERS and SECTORS, then DISPLAY NAME; and
// TITLE, then PARTICIPANTS (names are never cut).
// NAME is the bare id ("micron"); lists are joined with ","; a participant
// whose role is not PARTNER shows as "id:ROLE".
std::string CompanyTable(
    const google::protobuf::RepeatedPtrField<v1::Company>& companies,
    const Output& output = {});
std::string SearchTable(
    const google::protobuf::RepeatedPtrField<v1::SearchResult>& results,
    const Output& output = {});
std::string PartnershipTable(
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships,
    const Output& output = {});

// A whole command output. Single resources render as a one-row table; list
// and search responses as their JSON/YAML document (with `revision` and
// `nextPageToken`), the item list printed even when empty; -o name prints
// the resource names.
std::string FormatCompany(const v1::Company& company, const Output& output);
std::string FormatPartnership(const v1::Partnership& partnership,
                              const Output& output);
std::string FormatCompanyList(const v1::ListCompaniesResponse& response,
                              const Output& output);
std::string FormatPartnershipList(const v1::ListPartnershipsResponse& response,
                                  const Output& output);
std::string FormatSearch(const v1::SearchCompaniesResponse& response,
                         const Output& output);

// JSON or YAML of `message` for -o json / -o yaml (pretty JSON otherwise).
std::string Document(const google::protobuf::Message& message,
                     const Output& output,
                     bool always_print_primitive_fields = false);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_OUTPUT_H_
