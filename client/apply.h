#ifndef PARTNERGRAPH_CLIENT_APPLY_H_
#define PARTNERGRAPH_CLIENT_APPLY_H_

// `partnerctl apply -f FILE`: make the store hold the records of a file.
//
// The file is YAML or JSON (JSON is read as YAML), one or more documents,
// each a map with the lists `companies` and `partnerships` in the protobuf
// JSON mapping (lowerCamel or snake_case field names):
//
//   companies:
//     - name: companies/micron          # or a bare id: micron
//       displayName: Micron Technology
//       tickers: [NASDAQ:MU]
//       sectors: [semiconductors/memory]
//   partnerships:
//     - name: micron-anthropic-2025     # required: it makes apply idempotent
//       title: Micron and Anthropic strategic partnership
//       participants: [{company: micron}, {company: anthropic}]
//       kinds: [STRATEGIC_ALLIANCE, SUPPLY_AGREEMENT]
//       announcedOn: "2025-11-20"
//
// The output of `partnerctl company list -o yaml` (or `partnership list`,
// or -o json) is such a file: its `revision` and `nextPageToken` are ignored.
//
// Each record in the file is its whole desired state. Companies are applied
// first (in file order), then partnerships:
//   - missing                      -> created (with the id from its name);
//   - present with the same fields -> unchanged (nothing is written);
//   - present and different        -> updated, every field replaced
//     (update_mask "*"), conditional on the etag just read.
// Output-only fields in the file (revisions, times, etag) are ignored. A
// company without a name gets the id the server would derive from its
// display_name (storage::Slugify). So
// applying the same file twice writes nothing the second time and leaves the
// store revision unchanged.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/client.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

struct ApplySpec {
  // Names are full resource names ("companies/micron"), participants too.
  std::vector<v1::Company> companies;
  std::vector<v1::Partnership> partnerships;
};

// Parses the text of an apply file. INVALID_ARGUMENT naming the record and
// field (`partnerships[0].kinds[1]: unknown value ...`), for a partnership
// without a name, or for two records with the same name.
absl::StatusOr<ApplySpec> ParseApplySpec(absl::string_view text);

// Reads and parses a file; "-" reads standard input. INVALID_ARGUMENT (a
// usage error) when the file cannot be opened.
absl::StatusOr<ApplySpec> ReadApplyFile(const std::string& path);

enum class ApplyAction { kCreated, kUpdated, kUnchanged };

// "created", "updated", "unchanged".
absl::string_view ApplyActionName(ApplyAction action);

struct ApplyResult {
  // "company" or "partnership".
  std::string kind;
  // Resource name, e.g. "companies/micron".
  std::string name;
  ApplyAction action;
};

struct ApplyOptions {
  // Compute and report the actions without writing anything.
  bool dry_run = false;
};

// Applies `spec` record by record, calling `on_result` after each one. Stops
// at the first failure and returns its status with the record's name
// prefixed to the message (the code unchanged); records before it stay
// applied.
absl::Status Apply(PartnergraphClient& client, const ApplySpec& spec,
                   const ApplyOptions& options,
                   const std::function<void(const ApplyResult&)>& on_result);

// Whether `desired` (from a file) and `current` (from the server) hold the
// same user-settable fields, once server defaults (role PARTNER, status
// ANNOUNCED, disclosure UNKNOWN) are applied to both and output-only fields
// are ignored.
bool SameCompany(const v1::Company& desired, const v1::Company& current);
bool SamePartnership(const v1::Partnership& desired,
                     const v1::Partnership& current);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_APPLY_H_
