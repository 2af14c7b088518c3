#ifndef PARTNERGRAPH_CLIENT_FIELD_DIFF_H_
#define PARTNERGRAPH_CLIENT_FIELD_DIFF_H_

// Which top-level fields of a resource differ between two versions, and how
// to print the change: `apply --dry-run`, `diff -f` and `watch` all show
// changes this way, one field a line:
//
//   title: "micron & anthropic" → "Micron and Anthropic"
//   kinds: ["STRATEGIC_ALLIANCE"] → ["STRATEGIC_ALLIANCE","SUPPLY_AGREEMENT"]
//   website: (unset) → "https://www.micron.com"

#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace partnergraph::client {

struct FieldChange {
  // Proto field name, e.g. "display_name".
  std::string field;
  // The value in protobuf's compact JSON mapping ("text", 5, ["A","B"],
  // {"disclosure":"UNDISCLOSED"}), or "(unset)".
  std::string before;
  std::string after;
};

// The fields of `before` and `after` (the same message type) that differ,
// in field-number order. With `fields` non-empty, only those proto field
// names are compared ({"*"}: every field). The output-only fields every
// resource has (name, create/update revision and time, etag) are never
// reported.
std::vector<FieldChange> ChangedFields(
    const google::protobuf::Message& before,
    const google::protobuf::Message& after,
    const std::vector<std::string>& fields = {});

// "field: before → after".
std::string FormatFieldChange(const FieldChange& change);

// The field names of `changes`, joined by ", ".
std::string ChangedFieldNames(const std::vector<FieldChange>& changes);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_FIELD_DIFF_H_
