#ifndef PARTNERGRAPH_CLIENT_GRAPH_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_GRAPH_COMMANDS_H_

// partnerctl's graph questions:
//
//   partnerctl neighbors COMPANY [--depth N] [--max-nodes N] [filter flags]
//       the companies within N hops (NAME, DISPLAY NAME, DISTANCE, SECTORS),
//       then the partnerships among them.
//   partnerctl path FROM TO [--max-depth N] [--max-paths N] [filter flags]
//       shortest paths first, one line each:
//         Micron Technology —[strategic alliance + supply agreement,
//         2025-11-20]→ Anthropic
//       followed by each hop's sources.
//   partnerctl trend [--group-by quarter,sector-pair,...] [filter flags]
//       one row per group: the group_by keys, then COUNT.
//
// Filter flags: --kind, --status, --after, --before, --company,
// --sectors (alias --participant-sector), --min-sources. Company arguments
// take a bare id (micron) or a resource name (companies/micron). `-o json`
// and `-o yaml` print the whole response.

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/client.h"
#include "client/output.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::client {

// What the commands need from partnerctl's main.
struct GraphCommandContext {
  // Resolves the global flags and returns the client; nullptr (after the
  // error was reported) when a flag is bad.
  std::function<PartnergraphClient*()> connect;
  // Reports an error (naming the company id, when there is one, and the
  // action) and records the exit code.
  std::function<void(const absl::Status&, absl::string_view id,
                     absl::string_view action)>
      fail;
  // The -o format (valid once connect succeeded).
  std::function<OutputFormat()> format;
  // Footer of every command's --help.
  std::string footer;
};

void AddGraphCommands(CLI::App& app, GraphCommandContext context);

// "quarter", "sector-pair", "SECTOR_PAIR", ... (case-insensitive, '-' or
// '_'). INVALID_ARGUMENT naming --group-by and the accepted values.
absl::StatusOr<v1::GroupBy> ParseGroupBy(absl::string_view text);

// Renderings of the three responses in `format` (see the file comment for
// the table layouts).
std::string FormatNeighborhood(const v1::GetNeighborhoodResponse& response,
                               OutputFormat format);
std::string FormatPaths(const v1::FindPathsResponse& response,
                        OutputFormat format);
std::string FormatTrend(const v1::AggregatePartnershipsRequest& request,
                        const v1::AggregatePartnershipsResponse& response,
                        OutputFormat format);

// One hop of a path: "—[strategic alliance + supply agreement, 2025-11-20]→".
std::string HopLabel(const v1::Partnership& partnership);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_GRAPH_COMMANDS_H_
