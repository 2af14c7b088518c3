#ifndef PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_

// partnerctl's operating commands: watch, import, export, backup, stats.
//
//   partnerctl watch [--from-revision N] [filter flags] [--max-events N]
//       one line per event: "REVISION TYPE NAME"; -o json: JSON Lines of
//       partnergraph.v1.ChangeEvent.
//   partnerctl import FILE [--all-or-nothing]
//       FILE ("-" = stdin) holds JSON Lines of partnergraph.v1.Record
//       ({"company":{...}} / {"partnership":{...}}); prints the counts and
//       each refused record with its line number.
//   partnerctl export [-f FILE]
//       JSON Lines of partnergraph.v1.Record at one snapshot (stdout by
//       default); `import` takes the file back unchanged.
//   partnerctl backup / partnerctl stats
//
// import and export draw a progress bar on stderr when stderr is a terminal,
// nothing otherwise.

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/client.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::client {

// What the commands need from partnerctl's main.
struct AdminCommandContext {
  // Resolves the global flags and returns the client; nullptr (after the
  // error was reported) when a flag is bad.
  std::function<PartnergraphClient*()> connect;
  // Reports an error and records the exit code.
  std::function<void(const absl::Status&)> fail;
  // True when `-o json` was given.
  std::function<bool()> json_output;
};

void AddAdminCommands(CLI::App& app, AdminCommandContext context);

// One JSON Lines line of a message: protobuf JSON, no whitespace, map entries
// in key order (so equal messages give equal lines).
std::string ToJsonLine(const google::protobuf::Message& message);

// Parses one JSON Lines line into a Record. INVALID_ARGUMENT naming the
// problem.
absl::StatusOr<v1::Record> ParseRecordLine(absl::string_view line);

// "REVISION TYPE NAME", e.g. "12 UPDATED partnerships/p1".
std::string WatchEventLine(const v1::ChangeEvent& event);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_
