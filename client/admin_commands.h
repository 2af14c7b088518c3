#ifndef PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_

// partnerctl's operating commands: watch, import, export, backup, stats.
//
//   partnerctl watch [--since N [--exit]] [filter flags] [--max-events N]
//       one line per event:
//         TIME  REVISION  TYPE  NAME  CHANGES
//         2025-11-20T08:00:00Z  12  UPDATED  partnerships/p1  status:
//         "ANNOUNCED" → "ACTIVE"
//       (TIME is the commit time, the resource's update_time; "-" for a
//       DELETED event, whose resource is the last version; CHANGES the
//       fields an UPDATED event changed). --since N starts at revision N;
//       with --exit it stops at the revision current when the command
//       started. -o json: JSON Lines of partnergraph.v1.ChangeEvent; -o yaml:
//       one YAML document per event.
//   partnerctl import FILE [--all-or-nothing]
//       FILE ("-" = stdin) holds JSON Lines of partnergraph.v1.Record
//       ({"company":{...}} / {"partnership":{...}}); prints the counts and
//       each refused record with its line number.
//   partnerctl export [-f FILE]
//       JSON Lines of partnergraph.v1.Record at one snapshot (stdout by
//       default); `import` takes the file back unchanged.
//   partnerctl backup / partnerctl stats      (-o json and -o yaml too)
//
// import and export draw a progress bar on stderr when stderr is a terminal,
// nothing otherwise.

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli_context.h"
#include "client/client.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::client {

void AddAdminCommands(CLI::App& app, CliContext& cli);

// One JSON Lines line of a message: protobuf JSON, no whitespace, map entries
// in key order (so equal messages give equal lines).
std::string ToJsonLine(const google::protobuf::Message& message);

// Parses one JSON Lines line into a Record. INVALID_ARGUMENT naming the
// problem.
absl::StatusOr<v1::Record> ParseRecordLine(absl::string_view line);

// "TIME  REVISION  TYPE  NAME  CHANGES" (see above), fields separated by
// two spaces, e.g.
// "2025-11-20T08:00:00Z  12  UPDATED  partnerships/p1  title: "a" → "b"".
std::string WatchEventLine(const v1::ChangeEvent& event);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_ADMIN_COMMANDS_H_
