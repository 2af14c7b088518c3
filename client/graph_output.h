#ifndef PARTNERGRAPH_CLIENT_GRAPH_OUTPUT_H_
#define PARTNERGRAPH_CLIENT_GRAPH_OUTPUT_H_

// Renderings of the graph answers for `neighbors`, `path` and `trend` (the
// layouts are described in graph_commands.h). Pure formatting, no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/output.h"
#include "partnergraph/v1/graph_service.pb.h"

namespace partnergraph::client {

// "quarter", "sector-pair", "SECTOR_PAIR", ... (case-insensitive, '-' or
// '_'). INVALID_ARGUMENT naming --group-by and the accepted values.
absl::StatusOr<v1::GroupBy> ParseGroupBy(absl::string_view text);

// Renderings of the three responses in `format` (see the file comment for
// the table layouts).
std::string FormatNeighborhood(const v1::GetNeighborhoodResponse& response,
                               const Output& output);
std::string FormatPaths(const v1::FindPathsResponse& response,
                        const Output& output);
std::string FormatTrend(const v1::AggregatePartnershipsRequest& request,
                        const v1::AggregatePartnershipsResponse& response,
                        const Output& output);

// The groups of `response` with the empty periods added as 0 when one
// group_by entry is YEAR or QUARTER: for each combination of the other
// keys, every period from the first to the last seen, widened to
// `request.filter()`'s announced_after/announced_before when set (at most
// 1000 periods), in key order.
std::vector<v1::AggregateGroup> WithEmptyPeriods(
    const v1::AggregatePartnershipsRequest& request,
    const v1::AggregatePartnershipsResponse& response);

// A bar of `width` cells scaled so that `max` fills it: full blocks, then
// one of the eighths ▏▎▍▌▋▊▉. Empty for 0.
std::string Bar(int64_t count, int64_t max, int width);

// Graphviz renderings (see the file comment).
std::string NeighborhoodDot(const v1::GetNeighborhoodResponse& response);
std::string PathsDot(const v1::FindPathsResponse& response);

// One hop of a path: "—[strategic alliance + supply agreement, 2025-11-20]→".
std::string HopLabel(const v1::Partnership& partnership);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_GRAPH_OUTPUT_H_
