#ifndef PARTNERGRAPH_CLIENT_YAML_PROTO_H_
#define PARTNERGRAPH_CLIENT_YAML_PROTO_H_

// Reading protobuf messages from YAML (and so from JSON, which yaml-cpp reads
// as YAML), guided by the message's schema.
//
// The YAML tree is converted to the protobuf JSON mapping and then parsed by
// protobuf's own JSON parser, so the accepted shapes are exactly those of
// MessageToJsonString output plus these conveniences:
//   - proto field names (`display_name`) as well as JSON names
//     (`displayName`);
//   - scalars converted to the field's type: `title: 2025` is the string
//     "2025", `valueUsd: "5000"` the number 5000;
//   - enum names in any case, with '-' for '_' (`kinds: [strategic-alliance]`);
//   - a single scalar where a list is expected (`tickers: NASDAQ:MU`);
//   - a null value (`website:` with nothing after it) leaves the field unset.
// Errors are INVALID_ARGUMENT and start with the path of the offending value,
// e.g. `companies[1].tickers[0]: want a string, got a map`.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "yaml-cpp/yaml.h"

namespace partnergraph::client {

// Fills `message` from `node`; `path` prefixes error messages (may be empty).
absl::Status YamlNodeToMessage(const YAML::Node& node, absl::string_view path,
                               google::protobuf::Message* message);

// The contents of the file at `path`, or of standard input for "-".
// INVALID_ARGUMENT naming the path when it cannot be read.
absl::StatusOr<std::string> ReadInput(const std::string& path);

// Parses one YAML or JSON document into `message`.
absl::Status ParseYamlMessage(absl::string_view text,
                              google::protobuf::Message* message);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_YAML_PROTO_H_
