#include "storage/graph_query.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::storage {

AdjacencyRecord AdjacencyRecordFor(const PartnershipRecord& p) {
  AdjacencyRecord a;
  for (const auto& part : p.participants()) {
    a.add_participant_ids(part.company_id());
  }
  uint32_t mask = 0;
  for (int k : p.kinds()) {
    if (k > 0 && k < 32) mask |= 1u << k;
  }
  a.set_kinds_mask(mask);
  a.set_status(p.status());
  a.set_sources(p.sources_size());
  return a;
}

namespace {

// Counts index entries against the cap and watches the deadline.
class Budget {
 public:
  explicit Budget(const QueryLimits& limits) : limits_(limits) {}

  absl::Status Start() const {
    if (absl::Now() >= limits_.deadline) {
      return absl::DeadlineExceededError(
          "deadline passed before the query started");
    }
    return absl::OkStatus();
  }

  absl::Status CheckDeadline() const {
    if (absl::Now() >= limits_.deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "deadline passed after examining ", examined_, " index entries"));
    }
    return absl::OkStatus();
  }

  absl::Status Tick() {
    ++examined_;
    if (examined_ > limits_.max_entries_examined) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "query would examine more than ", limits_.max_entries_examined,
          " index entries; narrow the filter or lower the depth"));
    }
    if (examined_ % kDeadlineCheckInterval == 0 &&
        absl::Now() >= limits_.deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "deadline passed after examining ", examined_, " index entries"));
    }
    return absl::OkStatus();
  }

 private:
  const QueryLimits& limits_;
  int64_t examined_ = 0;
};

absl::Status RangeError(absl::string_view field, int lo, int hi, int got) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": want ", lo, "..", hi, ", got ", got));
}

// 0 means `def`; otherwise lo..hi.
absl::StatusOr<int> Bounded(absl::string_view field, int value, int def,
                            int hi) {
  if (value == 0) return def;
  if (value < 1 || value > hi) return RangeError(field, 1, hi, value);
  return value;
}

// True when each required bit can be given to a different participant
// (bipartite matching by backtracking; at most 8 prefixes, 32 participants).
bool Assign(const std::vector<uint32_t>& masks, int prefix, int prefixes,
            std::vector<bool>* used) {
  if (prefix == prefixes) return true;
  for (size_t j = 0; j < masks.size(); ++j) {
    if ((*used)[j] || (masks[j] & (1u << prefix)) == 0) continue;
    (*used)[j] = true;
    if (Assign(masks, prefix + 1, prefixes, used)) return true;
    (*used)[j] = false;
  }
  return false;
}

// A PartnershipQuery evaluated on adjacency values, with the participants'
// sectors cached for the query.
class EdgeFilter {
 public:
  EdgeFilter(GraphSnapshot& snapshot, const PartnershipQuery& q)
      : snapshot_(snapshot), q_(q) {
    for (int k : q.kinds()) {
      if (k > 0 && k < 32) kinds_mask_ |= 1u << k;
    }
  }

  absl::StatusOr<bool> Matches(const EdgeView& e) {
    const AdjacencyRecord& a = *e.info;
    if (kinds_mask_ != 0 && (a.kinds_mask() & kinds_mask_) == 0) return false;
    if (q_.statuses_size() > 0 &&
        std::find(q_.statuses().begin(), q_.statuses().end(), a.status()) ==
            q_.statuses().end()) {
      return false;
    }
    if (!q_.announced_after().empty() && e.announced_on < q_.announced_after())
      return false;
    if (!q_.announced_before().empty() &&
        e.announced_on > q_.announced_before())
      return false;
    if (!q_.company_id().empty() &&
        std::find(a.participant_ids().begin(), a.participant_ids().end(),
                  q_.company_id()) == a.participant_ids().end()) {
      return false;
    }
    if (a.sources() < q_.min_sources()) return false;
    if (q_.participant_sectors_size() == 0) return true;
    std::vector<uint32_t> masks;
    masks.reserve(a.participant_ids_size());
    for (const std::string& id : a.participant_ids()) {
      ASSIGN_OR_RETURN(uint32_t m, PrefixMask(id));
      masks.push_back(m);
    }
    std::vector<bool> used(masks.size());
    return Assign(masks, 0, q_.participant_sectors_size(), &used);
  }

  // Bit i set when the company has a sector under participant_sectors[i].
  absl::StatusOr<uint32_t> PrefixMask(const std::string& id) {
    auto it = prefix_masks_.find(id);
    if (it != prefix_masks_.end()) return it->second;
    if (prefix_masks_complete_) return 0;
    ASSIGN_OR_RETURN(const std::vector<std::string>* sectors, Sectors(id));
    uint32_t m = MaskOf(*sectors);
    prefix_masks_[id] = m;
    return m;
  }

  template <typename Strings>
  uint32_t MaskOf(const Strings& sectors) const {
    uint32_t m = 0;
    for (int i = 0; i < q_.participant_sectors_size(); ++i) {
      for (const std::string& s : sectors) {
        if (SectorHasPrefix(s, q_.participant_sectors(i))) m |= 1u << i;
      }
    }
    return m;
  }

  // Marks the prefix masks as known for every company (absent means 0).
  void SetPrefixMask(const std::string& id, uint32_t m) {
    if (m != 0) prefix_masks_[id] = m;
  }
  void SetPrefixMasksComplete() { prefix_masks_complete_ = true; }

  // The company's sectors; a company that does not exist has none.
  absl::StatusOr<const std::vector<std::string>*> Sectors(
      const std::string& id) {
    auto it = sectors_.find(id);
    if (it != sectors_.end()) return &it->second;
    absl::StatusOr<CompanyRecord> c = snapshot_.Company(id);
    if (!c.ok() && !absl::IsNotFound(c.status())) return c.status();
    std::vector<std::string>& slot = sectors_[id];
    if (c.ok()) slot.assign(c->sectors().begin(), c->sectors().end());
    return &slot;
  }

 private:
  GraphSnapshot& snapshot_;
  const PartnershipQuery& q_;
  uint32_t kinds_mask_ = 0;
  absl::flat_hash_map<std::string, uint32_t> prefix_masks_;
  bool prefix_masks_complete_ = false;
  // Pointer-stable: Sectors() hands out pointers to the values.
  std::unordered_map<std::string, std::vector<std::string>> sectors_;
};

// Reads records once per query.
class RecordCache {
 public:
  explicit RecordCache(GraphSnapshot& snapshot) : snapshot_(snapshot) {}
  absl::StatusOr<const CompanyRecord*> Company(const std::string& id) {
    auto& slot = companies_[id];
    if (slot == nullptr) {
      ASSIGN_OR_RETURN(CompanyRecord c, snapshot_.Company(id));
      slot = std::make_unique<CompanyRecord>(std::move(c));
    }
    return slot.get();
  }
  absl::StatusOr<const PartnershipRecord*> Partnership(const std::string& id) {
    auto& slot = partnerships_[id];
    if (slot == nullptr) {
      ASSIGN_OR_RETURN(PartnershipRecord p, snapshot_.Partnership(id));
      slot = std::make_unique<PartnershipRecord>(std::move(p));
    }
    return slot.get();
  }

 private:
  GraphSnapshot& snapshot_;
  absl::flat_hash_map<std::string, std::unique_ptr<CompanyRecord>> companies_;
  absl::flat_hash_map<std::string, std::unique_ptr<PartnershipRecord>>
      partnerships_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Neighbourhood

absl::StatusOr<NeighborhoodResult> GetNeighborhood(
    GraphSnapshot& snapshot, const NeighborhoodQuery& query,
    const QueryLimits& limits) {
  RETURN_IF_ERROR(ValidateId("company", query.company_id));
  ASSIGN_OR_RETURN(int depth,
                   Bounded("depth", query.depth, kDefaultNeighborhoodDepth,
                           kMaxNeighborhoodDepth));
  ASSIGN_OR_RETURN(int max_nodes,
                   Bounded("max_nodes", query.max_nodes,
                           kDefaultNeighborhoodNodes, kMaxNeighborhoodNodes));
  RETURN_IF_ERROR(ValidatePartnershipQuery("filter", query.filter));
  Budget budget(limits);
  RETURN_IF_ERROR(budget.Start());

  NeighborhoodResult result;
  result.revision = snapshot.revision();
  ASSIGN_OR_RETURN(CompanyRecord start, snapshot.Company(query.company_id));

  EdgeFilter filter(snapshot, query.filter);
  const PartnershipQuery& f = query.filter;
  // Node -> distance, and the nodes in discovery order.
  absl::flat_hash_map<std::string, int> distance;
  std::vector<std::string> order;
  distance[start.id()] = 0;
  order.push_back(start.id());
  absl::flat_hash_set<std::string> expanded;
  // Matching partnerships seen: id -> (announced_on, participants).
  struct Candidate {
    std::string announced_on;
    std::vector<std::string> participants;
  };
  absl::flat_hash_map<std::string, Candidate> candidates;
  auto remember = [&](const EdgeView& e) {
    auto [it, inserted] = candidates.try_emplace(e.partnership_id);
    if (inserted) {
      it->second.announced_on = std::string(e.announced_on);
      it->second.participants.assign(e.info->participant_ids().begin(),
                                     e.info->participant_ids().end());
    }
  };

  bool full = false;
  std::vector<std::string> frontier = {start.id()};
  for (int level = 0; level < depth && !frontier.empty() && !full; ++level) {
    std::vector<std::string> next;
    for (const std::string& u : frontier) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          u, f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            ASSIGN_OR_RETURN(bool match, filter.Matches(e));
            if (!match) return absl::OkStatus();
            remember(e);
            for (const std::string& v : e.info->participant_ids()) {
              if (distance.contains(v)) continue;
              if (static_cast<int>(order.size()) >= max_nodes) {
                full = true;
                result.truncated = true;
                continue;
              }
              distance[v] = level + 1;
              order.push_back(v);
              next.push_back(v);
            }
            return absl::OkStatus();
          }));
      expanded.insert(u);
      if (full) break;
    }
    frontier = std::move(next);
  }

  // Partnerships among returned nodes that no expanded node has shown yet
  // join two unexpanded nodes: scan those.
  for (const std::string& u : order) {
    if (expanded.contains(u)) continue;
    RETURN_IF_ERROR(snapshot.ForEachAdjacent(
        u, f.announced_after(), f.announced_before(),
        [&](const EdgeView& e) -> absl::Status {
          RETURN_IF_ERROR(budget.Tick());
          if (candidates.contains(e.partnership_id)) return absl::OkStatus();
          int inside = 0;
          for (const std::string& v : e.info->participant_ids()) {
            if (distance.contains(v)) ++inside;
          }
          if (inside < 2) return absl::OkStatus();
          ASSIGN_OR_RETURN(bool match, filter.Matches(e));
          if (match) remember(e);
          return absl::OkStatus();
        }));
  }

  std::vector<std::pair<std::string, std::string>> joined;  // (date, id)
  for (const auto& [id, c] : candidates) {
    int inside = 0;
    for (const std::string& v : c.participants) {
      if (distance.contains(v)) ++inside;
    }
    if (inside >= 2) joined.emplace_back(c.announced_on, id);
  }
  std::sort(joined.begin(), joined.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  if (static_cast<int>(joined.size()) > kMaxNeighborhoodPartnerships) {
    joined.resize(kMaxNeighborhoodPartnerships);
    result.truncated = true;
  }

  std::vector<std::pair<int, std::string>> sorted;
  sorted.reserve(order.size());
  for (const std::string& id : order) sorted.emplace_back(distance[id], id);
  std::sort(sorted.begin(), sorted.end());
  result.nodes.reserve(sorted.size());
  RETURN_IF_ERROR(budget.CheckDeadline());
  for (const auto& [d, id] : sorted) {
    NeighborhoodNode node;
    if (d == 0) {
      node.company = start;
    } else {
      ASSIGN_OR_RETURN(node.company, snapshot.Company(id));
    }
    node.distance = d;
    result.nodes.push_back(std::move(node));
  }
  result.partnerships.reserve(joined.size());
  RETURN_IF_ERROR(budget.CheckDeadline());
  for (const auto& [date, id] : joined) {
    ASSIGN_OR_RETURN(PartnershipRecord p, snapshot.Partnership(id));
    result.partnerships.push_back(std::move(p));
  }
  return result;
}

// ---------------------------------------------------------------------------
// Paths

namespace {

// One side of the bidirectional search.
struct SearchSide {
  absl::flat_hash_map<std::string, int> distance;
  // Node -> (neighbour one step nearer this side's origin, partnership).
  absl::flat_hash_map<std::string,
                      std::vector<std::pair<std::string, std::string>>>
      parents;
  std::vector<std::string> frontier;
  int radius = 0;
};

}  // namespace

absl::StatusOr<PathsResult> FindPaths(GraphSnapshot& snapshot,
                                      const PathQuery& query,
                                      const QueryLimits& limits) {
  RETURN_IF_ERROR(ValidateId("from", query.from_id));
  RETURN_IF_ERROR(ValidateId("to", query.to_id));
  if (query.from_id == query.to_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to: must differ from from, got \"", query.to_id, "\" for both"));
  }
  ASSIGN_OR_RETURN(int max_depth, Bounded("max_depth", query.max_depth,
                                          kDefaultPathDepth, kMaxPathDepth));
  ASSIGN_OR_RETURN(int max_paths, Bounded("max_paths", query.max_paths,
                                          kDefaultMaxPaths, kMaxPaths));
  RETURN_IF_ERROR(ValidatePartnershipQuery("filter", query.filter));
  Budget budget(limits);
  RETURN_IF_ERROR(budget.Start());

  PathsResult result;
  result.revision = snapshot.revision();
  RecordCache records(snapshot);
  ASSIGN_OR_RETURN(const CompanyRecord* from, records.Company(query.from_id));
  RETURN_IF_ERROR(records.Company(query.to_id).status());

  EdgeFilter filter(snapshot, query.filter);
  const PartnershipQuery& f = query.filter;
  SearchSide fwd, bwd;
  fwd.distance[query.from_id] = 0;
  fwd.frontier.push_back(query.from_id);
  bwd.distance[query.to_id] = 0;
  bwd.frontier.push_back(query.to_id);

  std::vector<std::string> meeting;
  while (fwd.radius + bwd.radius < max_depth && !fwd.frontier.empty() &&
         !bwd.frontier.empty()) {
    bool forward = fwd.frontier.size() <= bwd.frontier.size();
    SearchSide& side = forward ? fwd : bwd;
    SearchSide& other = forward ? bwd : fwd;
    const int next_distance = side.radius + 1;
    std::vector<std::string> next;
    for (const std::string& u : side.frontier) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          u, f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            ASSIGN_OR_RETURN(bool match, filter.Matches(e));
            if (!match) return absl::OkStatus();
            for (const std::string& v : e.info->participant_ids()) {
              if (v == u) continue;
              auto [it, inserted] = side.distance.try_emplace(v, next_distance);
              if (inserted) next.push_back(v);
              if (it->second == next_distance) {
                side.parents[v].emplace_back(u, std::string(e.partnership_id));
              }
            }
            return absl::OkStatus();
          }));
    }
    side.radius = next_distance;
    side.frontier = std::move(next);
    // The first level that touches the other side fixes the shortest length
    // (fwd.radius + bwd.radius); every shortest path crosses that level.
    for (const std::string& v : side.frontier) {
      if (other.distance.contains(v)) meeting.push_back(v);
    }
    if (!meeting.empty()) break;
  }
  if (meeting.empty()) return result;
  const int length = fwd.radius + bwd.radius;

  // The DAG of all shortest paths: company -> (next company, partnership).
  absl::flat_hash_map<std::string,
                      std::vector<std::pair<std::string, std::string>>>
      next_hops;
  {
    absl::flat_hash_set<std::string> seen(meeting.begin(), meeting.end());
    std::vector<std::string> stack = meeting;
    while (!stack.empty()) {
      std::string w = std::move(stack.back());
      stack.pop_back();
      auto it = fwd.parents.find(w);
      if (it == fwd.parents.end()) continue;
      for (const auto& [u, pid] : it->second) {
        next_hops[u].emplace_back(w, pid);
        if (seen.insert(u).second) stack.push_back(u);
      }
    }
  }
  {
    absl::flat_hash_set<std::string> seen(meeting.begin(), meeting.end());
    std::vector<std::string> stack = meeting;
    while (!stack.empty()) {
      std::string w = std::move(stack.back());
      stack.pop_back();
      auto it = bwd.parents.find(w);
      if (it == bwd.parents.end()) continue;
      for (const auto& [x, pid] : it->second) {
        next_hops[w].emplace_back(x, pid);
        if (seen.insert(x).second) stack.push_back(x);
      }
    }
  }
  for (auto& [node, hops] : next_hops) std::sort(hops.begin(), hops.end());

  // Depth-first in (company id, partnership id) order: lexicographic paths.
  std::vector<std::vector<std::pair<std::string, std::string>>> found;
  std::vector<std::pair<std::string, std::string>> current;
  std::function<void(const std::string&)> walk = [&](const std::string& u) {
    if (static_cast<int>(found.size()) >= max_paths) return;
    if (static_cast<int>(current.size()) == length) {
      if (u == query.to_id) found.push_back(current);
      return;
    }
    auto it = next_hops.find(u);
    if (it == next_hops.end()) return;
    for (const auto& hop : it->second) {
      current.push_back(hop);
      walk(hop.first);
      current.pop_back();
      if (static_cast<int>(found.size()) >= max_paths) return;
    }
  };
  walk(query.from_id);

  for (const auto& hops : found) {
    GraphPath path;
    path.from = *from;
    for (const auto& [company, pid] : hops) {
      PathStep step;
      ASSIGN_OR_RETURN(const PartnershipRecord* p, records.Partnership(pid));
      ASSIGN_OR_RETURN(const CompanyRecord* c, records.Company(company));
      step.partnership = *p;
      step.company = *c;
      path.steps.push_back(std::move(step));
    }
    result.paths.push_back(std::move(path));
  }
  return result;
}

// ---------------------------------------------------------------------------
// Aggregation

namespace {

const char* DimName(GroupDim d) {
  switch (d) {
    case GroupDim::kKind:
      return "KIND";
    case GroupDim::kYear:
      return "YEAR";
    case GroupDim::kQuarter:
      return "QUARTER";
    case GroupDim::kSectorPair:
      return "SECTOR_PAIR";
    case GroupDim::kCompany:
      return "COMPANY";
  }
  return "?";
}

std::string KindKey(int k) {
  std::string name = Kind_Name(static_cast<Kind>(k));
  constexpr absl::string_view kPrefix = "KIND_";
  if (absl::string_view(name).substr(0, kPrefix.size()) == kPrefix) {
    name = name.substr(kPrefix.size());
  }
  return name;
}

}  // namespace

absl::StatusOr<AggregateResult> AggregatePartnerships(
    GraphSnapshot& snapshot, const AggregateQuery& query,
    const QueryLimits& limits) {
  if (query.group_by.empty() ||
      static_cast<int>(query.group_by.size()) > kMaxGroupBy) {
    return absl::InvalidArgumentError(
        absl::StrCat("group_by: want 1..", kMaxGroupBy, " dimensions, got ",
                     query.group_by.size()));
  }
  for (size_t i = 0; i < query.group_by.size(); ++i) {
    int d = static_cast<int>(query.group_by[i]);
    if (d < 1 || d > 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "group_by[", i,
          "]: want KIND, YEAR, QUARTER, SECTOR_PAIR or COMPANY, got ", d));
    }
    for (size_t j = 0; j < i; ++j) {
      if (query.group_by[j] == query.group_by[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat("group_by[", i, "]: ", DimName(query.group_by[i]),
                         " already given at group_by[", j, "]"));
      }
    }
  }
  ASSIGN_OR_RETURN(int max_groups, Bounded("max_groups", query.max_groups,
                                           kDefaultMaxGroups, kMaxGroups));
  RETURN_IF_ERROR(ValidatePartnershipQuery("filter", query.filter));
  Budget budget(limits);
  RETURN_IF_ERROR(budget.Start());

  AggregateResult result;
  result.revision = snapshot.revision();
  const PartnershipQuery& f = query.filter;
  EdgeFilter filter(snapshot, f);
  absl::flat_hash_map<std::vector<std::string>, int64_t> counts;

  std::vector<std::vector<std::string>> dim_keys(query.group_by.size());
  auto count = [&](const EdgeView& e) -> absl::Status {
    ASSIGN_OR_RETURN(bool match, filter.Matches(e));
    if (!match) return absl::OkStatus();
    ++result.total;
    const AdjacencyRecord& a = *e.info;
    size_t product = 1;
    for (size_t i = 0; i < query.group_by.size(); ++i) {
      std::vector<std::string>& keys = dim_keys[i];
      keys.clear();
      switch (query.group_by[i]) {
        case GroupDim::kKind:
          for (int k = 1; k < 32; ++k) {
            if (a.kinds_mask() & (1u << k)) keys.push_back(KindKey(k));
          }
          break;
        case GroupDim::kYear:
          keys.emplace_back(e.announced_on.substr(0, 4));
          break;
        case GroupDim::kQuarter: {
          int month = 0;
          if (e.announced_on.size() >= 7) {
            month = (e.announced_on[5] - '0') * 10 + (e.announced_on[6] - '0');
          }
          keys.push_back(
              absl::StrCat(e.announced_on.substr(0, 4), "-Q", (month + 2) / 3));
          break;
        }
        case GroupDim::kSectorPair: {
          std::vector<std::string> ids(a.participant_ids().begin(),
                                       a.participant_ids().end());
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          std::vector<const std::vector<std::string>*> sectors;
          for (const std::string& id : ids) {
            ASSIGN_OR_RETURN(const std::vector<std::string>* s,
                             filter.Sectors(id));
            sectors.push_back(s);
          }
          absl::flat_hash_set<std::string> pairs;
          for (size_t x = 0; x < sectors.size(); ++x) {
            for (size_t y = x + 1; y < sectors.size(); ++y) {
              for (const std::string& s1 : *sectors[x]) {
                for (const std::string& s2 : *sectors[y]) {
                  pairs.insert(s1 < s2 ? absl::StrCat(s1, " x ", s2)
                                       : absl::StrCat(s2, " x ", s1));
                }
              }
            }
          }
          keys.assign(pairs.begin(), pairs.end());
          if (keys.empty()) keys.push_back("(none)");
          break;
        }
        case GroupDim::kCompany:
          keys.assign(a.participant_ids().begin(), a.participant_ids().end());
          std::sort(keys.begin(), keys.end());
          keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
          break;
      }
      product *= keys.size();
      if (product > static_cast<size_t>(kMaxGroupsPerPartnership)) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "partnerships/", e.partnership_id, " falls in more than ",
            kMaxGroupsPerPartnership, " groups; group by fewer dimensions"));
      }
    }
    if (product == 0) return absl::OkStatus();
    // Cross product of the keys, odometer style.
    std::vector<size_t> at(dim_keys.size(), 0);
    std::vector<std::string> group(dim_keys.size());
    bool done = false;
    while (!done) {
      for (size_t j = 0; j < dim_keys.size(); ++j) {
        group[j] = dim_keys[j][at[j]];
      }
      ++counts[group];
      done = true;
      for (size_t j = dim_keys.size(); j-- > 0;) {
        if (++at[j] < dim_keys[j].size()) {
          done = false;
          break;
        }
        at[j] = 0;
      }
    }
    if (counts.size() > static_cast<size_t>(kMaxGroupsTracked)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "more than ", kMaxGroupsTracked,
          " distinct groups; narrow the filter or group by fewer dimensions"));
    }
    return absl::OkStatus();
  };

  if (!f.company_id().empty()) {
    RETURN_IF_ERROR(snapshot.ForEachAdjacent(
        f.company_id(), f.announced_after(), f.announced_before(),
        [&](const EdgeView& e) -> absl::Status {
          RETURN_IF_ERROR(budget.Tick());
          return count(e);
        }));
  } else if (f.participant_sectors_size() > 0) {
    // Companies under each prefix; walk those of the rarest prefix.
    std::vector<std::vector<std::string>> under(f.participant_sectors_size());
    RETURN_IF_ERROR(
        snapshot.ForEachCompany([&](const CompanyRecord& c) -> absl::Status {
          RETURN_IF_ERROR(budget.Tick());
          uint32_t m = filter.MaskOf(c.sectors());
          filter.SetPrefixMask(c.id(), m);
          for (int i = 0; i < f.participant_sectors_size(); ++i) {
            if (m & (1u << i)) under[i].push_back(c.id());
          }
          return absl::OkStatus();
        }));
    filter.SetPrefixMasksComplete();
    size_t rarest = 0;
    for (size_t i = 1; i < under.size(); ++i) {
      if (under[i].size() < under[rarest].size()) rarest = i;
    }
    absl::flat_hash_set<std::string> seen;
    for (const std::string& id : under[rarest]) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          id, f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            if (!seen.emplace(e.partnership_id).second) {
              return absl::OkStatus();
            }
            return count(e);
          }));
    }
  } else {
    RETURN_IF_ERROR(
        snapshot.ForEachAnnounced(f.announced_after(), f.announced_before(),
                                  [&](const EdgeView& e) -> absl::Status {
                                    RETURN_IF_ERROR(budget.Tick());
                                    return count(e);
                                  }));
  }

  std::vector<std::pair<std::vector<std::string>, int64_t>> sorted(
      counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  if (static_cast<int>(sorted.size()) > max_groups) {
    sorted.resize(max_groups);
    result.truncated = true;
  }
  result.groups.reserve(sorted.size());
  for (auto& [keys, n] : sorted) {
    AggregateGroup g;
    g.keys = std::move(keys);
    g.count = n;
    result.groups.push_back(std::move(g));
  }
  return result;
}

}  // namespace partnergraph::storage
