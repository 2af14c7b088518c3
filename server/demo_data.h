#ifndef PARTNERGRAPH_SERVER_DEMO_DATA_H_
#define PARTNERGRAPH_SERVER_DEMO_DATA_H_

// A small demonstration graph: the Micron–Anthropic partnership of
// data/micron-anthropic-article.txt plus a handful of publicly reported deals
// among well-known memory makers, AI labs and cloud companies, so that
// search, list and graph queries have something to show.

#include <cstdint>

#include "absl/status/statusor.h"
#include "storage/graph_store.h"

namespace partnergraph::server {

// The date the demo's Micron–Anthropic record uses for `announced_on`.
// The article is undated; this is the date the record (and the storage
// tests' fixture) assume, not one the article states.
inline constexpr char kMicronAnthropicAnnouncedOn[] = "2025-11-20";

struct DemoSummary {
  int companies = 0;
  int partnerships = 0;
};

// Writes the demo graph through the store API (so every record is validated
// as any client's would be). FAILED_PRECONDITION, writing nothing, when the
// store is not empty (revision > 0); otherwise the store's error from the
// first write that failed.
absl::StatusOr<DemoSummary> LoadDemoGraph(storage::GraphStore* store);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_DEMO_DATA_H_
