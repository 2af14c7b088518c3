#ifndef PARTNERGRAPH_STORAGE_GRAPH_QUERY_H_
#define PARTNERGRAPH_STORAGE_GRAPH_QUERY_H_

// Graph queries over one consistent snapshot of the store: the neighbourhood
// of a company, the shortest connecting paths between two companies, and
// partnership counts grouped by kind, date, sector pair or company.
//
// The algorithms run against GraphSnapshot, a small read interface over one
// snapshot, so they do not depend on RocksDB. They walk adjacency entries
// (AdjacencyRecord values: participants, kinds, status, number of sources)
// and read a partnership record only for what they return.
//
// The graph: companies are nodes; a partnership joins each pair of its
// distinct participants. A partnership is followed only when it matches the
// query's PartnershipQuery (same semantics as ListPartnerships, including
// `participant_sectors`: each prefix matched by a different participant).
//
// Every query
//   - returns DEADLINE_EXCEEDED once `deadline` has passed (checked before it
//     starts and every kDeadlineCheckInterval index entries);
//   - examines at most `max_entries_examined` index entries (adjacency,
//     announced-date and company entries) and returns RESOURCE_EXHAUSTED
//     naming the cap beyond it;
//   - returns INVALID_ARGUMENT naming the field and the rule for a bad
//     argument, NOT_FOUND for a company that does not exist.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Bounds of the graph queries (the API documents the same).
inline constexpr int kDefaultNeighborhoodDepth = 1;
inline constexpr int kMaxNeighborhoodDepth = 4;
inline constexpr int kDefaultNeighborhoodNodes = 1000;
inline constexpr int kMaxNeighborhoodNodes = 10000;
// A neighbourhood returns at most this many partnerships; more set
// `truncated`.
inline constexpr int kMaxNeighborhoodPartnerships = 20000;
inline constexpr int kDefaultPathDepth = 4;
inline constexpr int kMaxPathDepth = 6;
inline constexpr int kDefaultMaxPaths = 5;
inline constexpr int kMaxPaths = 20;
inline constexpr int kMaxGroupBy = 3;
inline constexpr int kDefaultMaxGroups = 1000;
inline constexpr int kMaxGroups = 10000;
// An aggregation keeps at most this many distinct groups while counting
// (RESOURCE_EXHAUSTED beyond; narrow the filter or group by less).
inline constexpr int kMaxGroupsTracked = 200000;
// One partnership contributes to at most this many groups (the cross product
// of its keys over the group_by dimensions); RESOURCE_EXHAUSTED beyond.
inline constexpr int kMaxGroupsPerPartnership = 100000;
// Default cap on index entries examined by one query.
inline constexpr int64_t kDefaultMaxEntriesExamined = 5000000;
// The deadline is checked every this many index entries.
inline constexpr int kDeadlineCheckInterval = 256;

// The adjacency value of a partnership (see record.proto).
AdjacencyRecord AdjacencyRecordFor(const PartnershipRecord& p);

// One adjacency or announced-date entry as a traversal sees it: the key and
// the decoded AdjacencyRecord value. Views (and the span) are valid only
// during the callback that receives them.
struct EdgeView {
  absl::string_view partnership_id;
  absl::string_view announced_on;
  // AdjacencyRecord fields.
  absl::Span<const absl::string_view> participant_ids;
  uint32_t kinds_mask = 0;
  int status = 0;
  int32_t sources = 0;
};

// Called once per entry; a non-OK status stops the scan and is returned.
using EdgeFn = std::function<absl::Status(const EdgeView&)>;

// Read access to one consistent snapshot. Implementations are used by one
// query on one thread.
class GraphSnapshot {
 public:
  virtual ~GraphSnapshot() = default;

  // The store revision of the snapshot.
  virtual int64_t revision() const = 0;

  // NOT_FOUND when absent.
  virtual absl::StatusOr<CompanyRecord> Company(absl::string_view id) = 0;
  virtual absl::StatusOr<PartnershipRecord> Partnership(
      absl::string_view id) = 0;

  // The partnerships of `company_id` announced within [after, before]
  // (inclusive; empty means unbounded), oldest first.
  virtual absl::Status ForEachAdjacent(absl::string_view company_id,
                                       absl::string_view after,
                                       absl::string_view before,
                                       const EdgeFn& fn) = 0;

  // Every partnership announced within [after, before], oldest first.
  virtual absl::Status ForEachAnnounced(absl::string_view after,
                                        absl::string_view before,
                                        const EdgeFn& fn) = 0;

  // Every company, in id order; a non-OK status from `fn` stops the scan.
  virtual absl::Status ForEachCompany(
      const std::function<absl::Status(const CompanyRecord&)>& fn) = 0;

  // The methods below have plain implementations on top of the ones above;
  // a store overrides them with faster ones.

  // The records of `ids`, in the order given (duplicates allowed), replacing
  // `*out`. NOT_FOUND naming the first missing one.
  virtual absl::Status Companies(absl::Span<const absl::string_view> ids,
                                 std::vector<CompanyRecord>* out);
  virtual absl::Status Partnerships(absl::Span<const absl::string_view> ids,
                                    std::vector<PartnershipRecord>* out);

  // The sectors of one company; empty when it does not exist.
  virtual absl::StatusOr<std::vector<std::string>> CompanySectors(
      absl::string_view id);

  // Every company's id and sectors, in id order (views valid during the
  // call); a non-OK status from `fn` stops the scan.
  using CompanySectorsFn = std::function<absl::Status(
      absl::string_view id, absl::Span<const absl::string_view> sectors)>;
  virtual absl::Status ForEachCompanySectors(const CompanySectorsFn& fn);
};

// Shared by every query.
struct QueryLimits {
  // Past this the query stops with DEADLINE_EXCEEDED.
  absl::Time deadline = absl::InfiniteFuture();
  // RESOURCE_EXHAUSTED when a query would examine more index entries.
  int64_t max_entries_examined = kDefaultMaxEntriesExamined;
};

struct NeighborhoodQuery {
  std::string company_id;
  // 1..kMaxNeighborhoodDepth; 0 means kDefaultNeighborhoodDepth.
  int depth = 0;
  // 1..kMaxNeighborhoodNodes; 0 means kDefaultNeighborhoodNodes. Counts the
  // start company.
  int max_nodes = 0;
  PartnershipQuery filter;
};

struct NeighborhoodNode {
  CompanyRecord company;
  int distance = 0;
};

struct NeighborhoodResult {
  // Breadth-first: by distance, then by id. When `max_nodes` cuts the
  // result, every company nearer than the farthest returned one is present
  // and the farthest level is partial.
  std::vector<NeighborhoodNode> nodes;
  // The matching partnerships with at least two participants among `nodes`,
  // each once, newest announced_on first, then by id.
  std::vector<PartnershipRecord> partnerships;
  // True when max_nodes or kMaxNeighborhoodPartnerships cut the result.
  bool truncated = false;
  int64_t revision = 0;
};

// Work: walks the adjacency of every company nearer than the farthest level
// (all of it), then, to find the partnerships that join only farthest-level
// companies, the adjacency of the farthest-level companies but one, by date
// windows from the newest (one year six times, then two years, four, the
// rest) until more than kMaxNeighborhoodPartnerships are known; then reads
// the returned records in batches.
//
// Field paths in errors: "company", "depth", "max_nodes", "filter...".
absl::StatusOr<NeighborhoodResult> GetNeighborhood(
    GraphSnapshot& snapshot, const NeighborhoodQuery& query,
    const QueryLimits& limits);

struct PathQuery {
  std::string from_id;
  std::string to_id;
  // 1..kMaxPathDepth hops; 0 means kDefaultPathDepth.
  int max_depth = 0;
  // 1..kMaxPaths; 0 means kDefaultMaxPaths.
  int max_paths = 0;
  PartnershipQuery filter;
};

struct PathStep {
  // Joins the previous company to `company`.
  PartnershipRecord partnership;
  CompanyRecord company;
};

struct GraphPath {
  CompanyRecord from;
  std::vector<PathStep> steps;
};

struct PathsResult {
  std::vector<GraphPath> paths;
  int64_t revision = 0;
};

// The shortest paths (fewest partnership hops, at most max_depth) from
// `from_id` to `to_id` over matching partnerships, found by bidirectional
// breadth-first search that always expands the smaller frontier.
//
// Exactly which paths: every path of the shortest length L, where a path is
// a sequence of distinct companies and, for each hop, one matching
// partnership with both companies among its participants. Two companies
// joined by several partnerships therefore give one path per partnership.
// Paths are ordered lexicographically by their hops, each hop compared as
// (company id, partnership id), and the first max_paths are returned. No
// path longer than L is returned. Empty when `to_id` is not reachable within
// max_depth hops.
//
// INVALID_ARGUMENT ("from", "to" equal to "from", "max_depth", "max_paths",
// "filter..."), NOT_FOUND for either company.
absl::StatusOr<PathsResult> FindPaths(GraphSnapshot& snapshot,
                                      const PathQuery& query,
                                      const QueryLimits& limits);

// A dimension to group partnerships by; numbers equal the API's GroupBy.
enum class GroupDim {
  kKind = 1,
  kYear = 2,
  kQuarter = 3,
  kSectorPair = 4,
  kCompany = 5,
};

struct AggregateQuery {
  PartnershipQuery filter;
  // 1..kMaxGroupBy distinct dimensions.
  std::vector<GroupDim> group_by;
  // 1..kMaxGroups; 0 means kDefaultMaxGroups.
  int max_groups = 0;
};

struct AggregateGroup {
  // One key per group_by entry, in request order:
  //   kKind       "SUPPLY_AGREEMENT" (one group per kind of the partnership);
  //   kYear       "2025";
  //   kQuarter    "2025-Q4";
  //   kSectorPair "ai/frontier-lab x semiconductors/memory": the two sectors
  //               sorted, one from each of two different participants; one
  //               count per distinct pair of the partnership; "(none)" when
  //               no two participants have sectors;
  //   kCompany    the participant's company id (one group per participant).
  std::vector<std::string> keys;
  int64_t count = 0;
};

struct AggregateResult {
  // Ordered by keys; at most max_groups.
  std::vector<AggregateGroup> groups;
  // Partnerships that matched the filter.
  int64_t total = 0;
  // More groups than max_groups.
  bool truncated = false;
  int64_t revision = 0;
};

// Counts matching partnerships per group. Strategy: with `company_id` set,
// walks that company's adjacency; else with `participant_sectors` set, scans
// the companies once (their ids and sectors only), takes those under the
// listed prefix matched by the fewest companies and walks their adjacency
// (a partnership is counted at the first of its participants under that
// prefix, so no per-query set of partnerships is kept); otherwise scans the
// announced-date index. All within the filter's date range, without reading
// partnership records.
//
// INVALID_ARGUMENT ("group_by", "group_by[i]", "max_groups", "filter...");
// RESOURCE_EXHAUSTED beyond kMaxGroupsTracked, kMaxGroupsPerPartnership or
// the entries cap.
absl::StatusOr<AggregateResult> AggregatePartnerships(
    GraphSnapshot& snapshot, const AggregateQuery& query,
    const QueryLimits& limits);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_GRAPH_QUERY_H_
