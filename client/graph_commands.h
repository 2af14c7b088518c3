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
//       one row per group: the group_by keys, COUNT and a bar drawn with
//       block characters (█ and the eighths ▏▎▍▌▋▊▉, the longest bar 40
//       cells). Grouped by quarter or year, the periods with no deal
//       between the first and the last (or --after/--before when given)
//       are rows with 0.
//
// -o dot (neighbors and path): a Graphviz graph to render with
//   partnerctl neighbors micron -o dot | dot -Tsvg > micron.svg
// Companies are boxes labelled with their display names; a partnership of
// two companies is an edge labelled with its kinds and date, one of more
// companies a small node joined to each participant.
//
// Filter flags: --kind, --status, --after, --before, --company,
// --sectors (alias --participant-sector), --min-sources. --as-of REV|TIME
// asks the question of the graph as it was at that store revision or commit
// time (cli_flags.h); --company must name a company that existed then.
// Company arguments take a bare id (micron) or a resource name
// (companies/micron). `-o json` and `-o yaml` print the whole response.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli_context.h"
#include "client/client.h"
#include "client/graph_output.h"
#include "client/output.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::client {

void AddGraphCommands(CLI::App& app, CliContext& cli);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_GRAPH_COMMANDS_H_
