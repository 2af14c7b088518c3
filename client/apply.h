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
// A record names the fields it sets; the fields it leaves out are left
// alone on the server (a description set with `company update` survives a
// re-apply). A field the file names is written whole: a list, the labels
// map or `terms` replace the server's. Companies are applied first (in file
// order), then partnerships:
//   - missing                          -> created (with the id from its
//     name; a partnership without a title gets DefaultTitle, as `partnership
//     create` gives it);
//   - present, the named fields equal  -> unchanged (nothing is written);
//   - present, some named field differs -> updated with an update_mask of
//     exactly the named fields that differ, conditional on the etag just
//     read.
// A record that fails is reported and the rest are still applied.
// Output-only fields in the file (revisions, times, etag) are ignored. A
// company without a name gets the id the server would derive from its
// display_name (storage::Slugify). So applying the same file twice writes
// nothing the second time and leaves the store revision unchanged.
//
// A dry run sends the same creates and updates with validate_only (AIP-163):
// the server runs every check and writes nothing. A partnership whose
// participants the same file would create cannot be checked that way (they
// do not exist yet); it is reported as created, with a note.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/client.h"
#include "client/field_diff.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::client {

struct ApplySpec {
  // Names are full resource names ("companies/micron"), participants too.
  std::vector<v1::Company> companies;
  std::vector<v1::Partnership> partnerships;
  // For each record, the proto names of the fields the file names
  // ("display_name", ...), output-only ones left out.
  std::vector<std::vector<std::string>> company_fields;
  std::vector<std::vector<std::string>> partnership_fields;
};

// Parses the text of an apply file. INVALID_ARGUMENT naming the record and
// field (`partnerships[0].kinds[1]: unknown value ...`), for a partnership
// without a name, or for two records with the same name.
absl::StatusOr<ApplySpec> ParseApplySpec(absl::string_view text);

// Reads and parses a file; "-" reads standard input. INVALID_ARGUMENT (a
// usage error) when the file cannot be opened.
absl::StatusOr<ApplySpec> ReadApplyFile(const std::string& path);

enum class ApplyAction { kCreated, kUpdated, kUnchanged, kFailed };

// "created", "updated", "unchanged", "failed".
absl::string_view ApplyActionName(ApplyAction action);

struct ApplyResult {
  // "company" or "partnership".
  std::string kind;
  // Resource name, e.g. "companies/micron".
  std::string name;
  ApplyAction action;
  // kUpdated: the fields written, with the server's value and the file's.
  std::vector<FieldChange> changes;
  // kFailed: why.
  absl::Status status;
  // A remark on a dry-run result that could not be checked in full.
  std::string note;
};

struct ApplyOptions {
  // Check every write on the server with validate_only; write nothing.
  bool dry_run = false;
};

struct ApplySummary {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  int failed = 0;
  // The status of the first record that failed.
  absl::Status first_failure;
};

// "2 created, 1 updated, 3 unchanged, 0 failed".
std::string FormatSummary(const ApplySummary& summary);

// Applies `spec` record by record, calling `on_result` after each one, and
// goes on past records that fail.
ApplySummary Apply(PartnergraphClient& client, const ApplySpec& spec,
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
