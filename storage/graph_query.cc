#include "storage/graph_query.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "storage/index_entries.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::storage {

AdjacencyRecord AdjacencyRecordFor(const PartnershipRecord& p) {
  AdjacencyRecord a;
  for (const auto& part : p.participants()) {
    a.add_participant_ids(part.company_id());
  }
  a.set_kinds_mask(KindMask(p));
  a.set_status(p.status());
  a.set_sources(p.sources_size());
  return a;
}

absl::Status GraphSnapshot::Companies(absl::Span<const absl::string_view> ids,
                                      std::vector<CompanyRecord>* out) {
  out->clear();
  out->reserve(ids.size());
  for (absl::string_view id : ids) {
    ASSIGN_OR_RETURN(CompanyRecord c, Company(id));
    out->push_back(std::move(c));
  }
  return absl::OkStatus();
}

absl::Status GraphSnapshot::Partnerships(
    absl::Span<const absl::string_view> ids,
    std::vector<PartnershipRecord>* out) {
  out->clear();
  out->reserve(ids.size());
  for (absl::string_view id : ids) {
    ASSIGN_OR_RETURN(PartnershipRecord p, Partnership(id));
    out->push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> GraphSnapshot::CompanySectors(
    absl::string_view id) {
  absl::StatusOr<CompanyRecord> c = Company(id);
  if (absl::IsNotFound(c.status())) return std::vector<std::string>();
  if (!c.ok()) return c.status();
  return std::vector<std::string>(c->sectors().begin(), c->sectors().end());
}

absl::Status GraphSnapshot::ForEachCompanySectors(const CompanySectorsFn& fn) {
  std::vector<absl::string_view> sectors;
  return ForEachCompany([&](const CompanyRecord& c) {
    sectors.assign(c.sectors().begin(), c.sectors().end());
    return fn(c.id(), sectors);
  });
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
bool Assign(absl::Span<const uint32_t> masks, int prefix, int prefixes,
            absl::Span<bool> used) {
  if (prefix == prefixes) return true;
  for (size_t j = 0; j < masks.size(); ++j) {
    if (used[j] || (masks[j] & (1u << prefix)) == 0) continue;
    used[j] = true;
    if (Assign(masks, prefix + 1, prefixes, used)) return true;
    used[j] = false;
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
    if (kinds_mask_ != 0 && (e.kinds_mask & kinds_mask_) == 0) return false;
    if (q_.statuses_size() > 0 &&
        std::find(q_.statuses().begin(), q_.statuses().end(), e.status) ==
            q_.statuses().end()) {
      return false;
    }
    if (!q_.announced_after().empty() && e.announced_on < q_.announced_after())
      return false;
    if (!q_.announced_before().empty() &&
        e.announced_on > q_.announced_before())
      return false;
    if (!q_.company_id().empty() &&
        std::find(e.participant_ids.begin(), e.participant_ids.end(),
                  q_.company_id()) == e.participant_ids.end()) {
      return false;
    }
    if (e.sources < q_.min_sources()) return false;
    if (q_.participant_sectors_size() == 0) return true;
    absl::InlinedVector<uint32_t, 8> masks;
    masks.reserve(e.participant_ids.size());
    for (absl::string_view id : e.participant_ids) {
      ASSIGN_OR_RETURN(uint32_t m, PrefixMask(id));
      masks.push_back(m);
    }
    absl::InlinedVector<bool, 8> used(masks.size(), false);
    return Assign(masks, 0, q_.participant_sectors_size(),
                  absl::MakeSpan(used));
  }

  // Bit i set when the company has a sector under participant_sectors[i].
  absl::StatusOr<uint32_t> PrefixMask(absl::string_view id) {
    auto it = prefix_masks_.find(id);
    if (it != prefix_masks_.end()) return it->second;
    if (prefix_masks_complete_) return 0;
    ASSIGN_OR_RETURN(const std::vector<std::string>* sectors, Sectors(id));
    uint32_t m = MaskOf(*sectors);
    prefix_masks_.emplace(id, m);
    return m;
  }

  template <typename Strings>
  uint32_t MaskOf(const Strings& sectors) const {
    uint32_t m = 0;
    for (int i = 0; i < q_.participant_sectors_size(); ++i) {
      for (absl::string_view s : sectors) {
        if (SectorHasPrefix(s, q_.participant_sectors(i))) m |= 1u << i;
      }
    }
    return m;
  }

  // Marks the prefix masks as known for every company (absent means 0).
  void SetPrefixMask(absl::string_view id, uint32_t m) {
    if (m != 0) prefix_masks_.emplace(id, m);
  }
  void SetPrefixMasksComplete() { prefix_masks_complete_ = true; }

  // The company's sectors; a company that does not exist has none.
  absl::StatusOr<const std::vector<std::string>*> Sectors(
      absl::string_view id) {
    auto it = sectors_.find(id);
    if (it != sectors_.end()) return &it->second;
    ASSIGN_OR_RETURN(std::vector<std::string> sectors,
                     snapshot_.CompanySectors(id));
    return &sectors_.emplace(id, std::move(sectors)).first->second;
  }

 private:
  GraphSnapshot& snapshot_;
  const PartnershipQuery& q_;
  uint32_t kinds_mask_ = 0;
  absl::flat_hash_map<std::string, uint32_t> prefix_masks_;
  bool prefix_masks_complete_ = false;
  // Pointer-stable: Sectors() hands out pointers to the values.
  absl::node_hash_map<std::string, std::vector<std::string>> sectors_;
};

// The company or partnership ids of one query as small integers 0, 1, ...
class Interner {
 public:
  // The number of `s`, adding it when new.
  int Intern(absl::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    int n = static_cast<int>(names_.size());
    names_.emplace_back(s);
    index_.emplace(names_.back(), n);
    return n;
  }
  // -1 when absent.
  int Find(absl::string_view s) const {
    auto it = index_.find(s);
    return it == index_.end() ? -1 : it->second;
  }
  const std::string& Name(int n) const { return names_[n]; }
  int size() const { return static_cast<int>(names_.size()); }

 private:
  // Keys view names_, whose elements never move.
  absl::flat_hash_map<absl::string_view, int> index_;
  std::deque<std::string> names_;
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

  // Companies seen (nodes and other participants) by number; distance -1
  // for those that are not nodes. `seen_in` counts the entries a company
  // appeared in: a cheap lower bound of its degree.
  Interner companies;
  std::vector<int> distance;
  std::vector<int> seen_in;
  std::vector<char> scanned;  // adjacency already walked in full
  auto company = [&](absl::string_view id) {
    int n = companies.Intern(id);
    if (n == static_cast<int>(distance.size())) {
      distance.push_back(-1);
      seen_in.push_back(0);
      scanned.push_back(0);
    }
    return n;
  };
  std::vector<int> order;  // nodes in discovery order
  const int start_n = company(start.id());
  distance[start_n] = 0;
  order.push_back(start_n);

  // Matching partnerships seen, by number: date and participants (a range of
  // `participant_pool`).
  Interner partnerships;
  struct Candidate {
    std::string announced_on;
    int begin = 0;
    int end = 0;
  };
  std::vector<Candidate> candidates;
  std::vector<int> participant_pool;
  // `ids` are the entry's participants as numbers.
  auto remember = [&](const EdgeView& e, absl::Span<const int> ids) {
    int before = partnerships.size();
    if (partnerships.Intern(e.partnership_id) != before) return;
    Candidate c;
    c.announced_on = std::string(e.announced_on);
    c.begin = static_cast<int>(participant_pool.size());
    participant_pool.insert(participant_pool.end(), ids.begin(), ids.end());
    c.end = static_cast<int>(participant_pool.size());
    candidates.push_back(std::move(c));
  };

  bool full = false;
  absl::InlinedVector<int, 8> ids;
  std::vector<int> frontier = {start_n};
  for (int level = 0; level < depth && !frontier.empty() && !full; ++level) {
    std::vector<int> next;
    for (int u : frontier) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          companies.Name(u), f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            ASSIGN_OR_RETURN(bool match, filter.Matches(e));
            if (!match) return absl::OkStatus();
            ids.clear();
            for (absl::string_view id : e.participant_ids) {
              ids.push_back(company(id));
            }
            remember(e, ids);
            for (int v : ids) {
              ++seen_in[v];
              if (distance[v] >= 0) continue;
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
      scanned[u] = 1;
      if (full) break;
    }
    frontier = std::move(next);
  }

  // The matching partnerships with at least two participants among the
  // nodes.
  auto joined_candidates = [&] {
    std::vector<int> joined;
    for (int p = 0; p < static_cast<int>(candidates.size()); ++p) {
      int inside = 0;
      for (int i = candidates[p].begin; i < candidates[p].end; ++i) {
        if (distance[participant_pool[i]] >= 0) ++inside;
      }
      if (inside >= 2) joined.push_back(p);
    }
    return joined;
  };
  // Newest first, then by id.
  auto newer = [&](int a, int b) {
    const Candidate& x = candidates[a];
    const Candidate& y = candidates[b];
    if (x.announced_on != y.announced_on) {
      return x.announced_on > y.announced_on;
    }
    return partnerships.Name(a) < partnerships.Name(b);
  };

  // Every matching partnership touching a walked node is a candidate now.
  // The others among the nodes join only unwalked nodes, so each is in the
  // adjacency of at least two of them: walking all unwalked nodes but one
  // finds all. The one left out is the one that appeared in most entries
  // (likely the largest adjacency); an entry with a participant walked
  // before is skipped, as it was seen already.
  //
  // Only the newest kMaxNeighborhoodPartnerships are returned, so the walk
  // goes by date windows, newest first (a year six times, then two
  // years, four, the rest), and stops once more than that many are known from
  // the windows walked: every older partnership would be cut.
  std::vector<int> unwalked;
  for (int u : order) {
    if (!scanned[u]) unwalked.push_back(u);
  }
  std::stable_sort(unwalked.begin(), unwalked.end(),
                   [&](int a, int b) { return seen_in[a] < seen_in[b]; });
  if (!unwalked.empty()) unwalked.pop_back();

  // Windows as inclusive [after, before] date bounds, empty = unbounded.
  std::vector<std::pair<std::string, std::string>> windows;
  {
    int newest_year = 0;
    for (const Candidate& c : candidates) {
      int year = 0;
      if (c.announced_on.size() >= 4 &&
          absl::SimpleAtoi(c.announced_on.substr(0, 4), &year)) {
        newest_year = std::max(newest_year, year);
      }
    }
    // The first window is open above: dates past newest_year fall in it.
    std::string hi;
    int top = newest_year;
    for (int span : {1, 1, 1, 1, 1, 1, 2, 4}) {
      const int lo_year = top - span + 1;
      if (newest_year == 0 || lo_year < 1) break;
      windows.emplace_back(absl::StrFormat("%04d-01-01", lo_year), hi);
      hi = absl::StrFormat("%04d-12-31", lo_year - 1);
      top = lo_year - 1;
    }
    windows.emplace_back("", hi);
  }
  std::vector<int> window_of(scanned.size(), -1);  // window walked in
  // The nodes alone: a small table, faster to probe than `companies`.
  absl::flat_hash_map<absl::string_view, int> node_index;
  node_index.reserve(order.size());
  for (int v : order) node_index.emplace(companies.Name(v), v);
  int joined_count = 0;  // joined candidates announced in walked windows
  for (size_t w = 0; w < windows.size() && !unwalked.empty(); ++w) {
    // Clip the window to the filter's range.
    std::string after = windows[w].first;
    if (f.announced_after() > after) after = f.announced_after();
    std::string before = windows[w].second;
    if (!f.announced_before().empty() &&
        (before.empty() || f.announced_before() < before)) {
      before = f.announced_before();
    }
    if (!before.empty() && after > before) continue;
    for (int u : unwalked) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          companies.Name(u), after, before,
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            int inside = 0;
            for (absl::string_view id : e.participant_ids) {
              auto it = node_index.find(id);
              if (it == node_index.end()) continue;
              const int v = it->second;
              if (scanned[v] || window_of[v] == static_cast<int>(w)) {
                return absl::OkStatus();
              }
              ++inside;
            }
            if (inside < 2) return absl::OkStatus();
            ASSIGN_OR_RETURN(bool match, filter.Matches(e));
            if (!match) return absl::OkStatus();
            ids.clear();
            for (absl::string_view id : e.participant_ids) {
              ids.push_back(company(id));
            }
            remember(e, ids);
            return absl::OkStatus();
          }));
      window_of[u] = static_cast<int>(w);
    }
    // Joined candidates announced in this window (from the walk above or
    // from expanding walked nodes).
    for (int p = 0; p < static_cast<int>(candidates.size()); ++p) {
      const std::string& date = candidates[p].announced_on;
      if (date < windows[w].first) continue;
      if (!windows[w].second.empty() && date > windows[w].second) continue;
      int inside = 0;
      for (int i = candidates[p].begin; i < candidates[p].end; ++i) {
        if (distance[participant_pool[i]] >= 0) ++inside;
      }
      if (inside >= 2) ++joined_count;
    }
    if (joined_count > kMaxNeighborhoodPartnerships) break;
  }

  std::vector<int> joined = joined_candidates();
  std::sort(joined.begin(), joined.end(), newer);
  if (static_cast<int>(joined.size()) > kMaxNeighborhoodPartnerships) {
    joined.resize(kMaxNeighborhoodPartnerships);
    result.truncated = true;
  }

  std::sort(order.begin(), order.end(), [&](int a, int b) {
    if (distance[a] != distance[b]) return distance[a] < distance[b];
    return companies.Name(a) < companies.Name(b);
  });
  RETURN_IF_ERROR(budget.CheckDeadline());
  // order[0] is the start (the only node at distance 0).
  std::vector<absl::string_view> names;
  names.reserve(order.size());
  for (size_t i = 1; i < order.size(); ++i) {
    names.push_back(companies.Name(order[i]));
  }
  std::vector<CompanyRecord> records;
  RETURN_IF_ERROR(snapshot.Companies(names, &records));
  result.nodes.resize(order.size());
  result.nodes[0].company = std::move(start);
  for (size_t i = 1; i < order.size(); ++i) {
    result.nodes[i].company = std::move(records[i - 1]);
    result.nodes[i].distance = distance[order[i]];
  }

  RETURN_IF_ERROR(budget.CheckDeadline());
  names.clear();
  for (int p : joined) names.push_back(partnerships.Name(p));
  RETURN_IF_ERROR(snapshot.Partnerships(names, &result.partnerships));
  return result;
}

// ---------------------------------------------------------------------------
// Paths

namespace {

// One side of the bidirectional search, over company numbers.
struct SearchSide {
  // Per company number; -1 when not reached.
  std::vector<int> distance;
  // Per company number: (neighbour one step nearer this side's origin,
  // partnership number).
  std::vector<std::vector<std::pair<int, int>>> parents;
  std::vector<int> frontier;
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
  Interner companies;
  Interner partnerships;
  SearchSide fwd, bwd;
  auto company = [&](absl::string_view id) {
    int n = companies.Intern(id);
    if (n == static_cast<int>(fwd.distance.size())) {
      for (SearchSide* side : {&fwd, &bwd}) {
        side->distance.push_back(-1);
        side->parents.emplace_back();
      }
    }
    return n;
  };
  const int from_n = company(query.from_id);
  const int to_n = company(query.to_id);
  fwd.distance[from_n] = 0;
  fwd.frontier.push_back(from_n);
  bwd.distance[to_n] = 0;
  bwd.frontier.push_back(to_n);

  std::vector<int> meeting;
  while (fwd.radius + bwd.radius < max_depth && !fwd.frontier.empty() &&
         !bwd.frontier.empty()) {
    bool forward = fwd.frontier.size() <= bwd.frontier.size();
    SearchSide& side = forward ? fwd : bwd;
    SearchSide& other = forward ? bwd : fwd;
    const int next_distance = side.radius + 1;
    std::vector<int> next;
    for (int u : side.frontier) {
      const std::string& u_id = companies.Name(u);
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          u_id, f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            ASSIGN_OR_RETURN(bool match, filter.Matches(e));
            if (!match) return absl::OkStatus();
            int pid = -1;
            for (absl::string_view id : e.participant_ids) {
              if (id == u_id) continue;
              int v = company(id);
              if (side.distance[v] < 0) {
                side.distance[v] = next_distance;
                next.push_back(v);
              }
              if (side.distance[v] == next_distance) {
                if (pid < 0) pid = partnerships.Intern(e.partnership_id);
                side.parents[v].emplace_back(u, pid);
              }
            }
            return absl::OkStatus();
          }));
    }
    side.radius = next_distance;
    side.frontier = std::move(next);
    // The first level that touches the other side fixes the shortest length
    // (fwd.radius + bwd.radius); every shortest path crosses that level.
    for (int v : side.frontier) {
      if (other.distance[v] >= 0) meeting.push_back(v);
    }
    if (!meeting.empty()) break;
  }
  if (meeting.empty()) return result;
  const int length = fwd.radius + bwd.radius;

  // The DAG of all shortest paths: company -> (next company, partnership).
  absl::flat_hash_map<int, std::vector<std::pair<int, int>>> next_hops;
  {
    absl::flat_hash_set<int> seen(meeting.begin(), meeting.end());
    std::vector<int> stack = meeting;
    while (!stack.empty()) {
      int w = stack.back();
      stack.pop_back();
      for (const auto& [u, pid] : fwd.parents[w]) {
        next_hops[u].emplace_back(w, pid);
        if (seen.insert(u).second) stack.push_back(u);
      }
    }
  }
  {
    absl::flat_hash_set<int> seen(meeting.begin(), meeting.end());
    std::vector<int> stack = meeting;
    while (!stack.empty()) {
      int w = stack.back();
      stack.pop_back();
      for (const auto& [x, pid] : bwd.parents[w]) {
        next_hops[w].emplace_back(x, pid);
        if (seen.insert(x).second) stack.push_back(x);
      }
    }
  }
  for (auto& [node, hops] : next_hops) {
    std::sort(hops.begin(), hops.end(), [&](const auto& a, const auto& b) {
      const std::string& ca = companies.Name(a.first);
      const std::string& cb = companies.Name(b.first);
      if (ca != cb) return ca < cb;
      return partnerships.Name(a.second) < partnerships.Name(b.second);
    });
  }

  // Depth-first in (company id, partnership id) order: lexicographic paths.
  std::vector<std::vector<std::pair<int, int>>> found;
  std::vector<std::pair<int, int>> current;
  std::function<void(int)> walk = [&](int u) {
    if (static_cast<int>(found.size()) >= max_paths) return;
    if (static_cast<int>(current.size()) == length) {
      if (u == to_n) found.push_back(current);
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
  walk(from_n);

  for (const auto& hops : found) {
    GraphPath path;
    path.from = *from;
    for (const auto& [c, pid] : hops) {
      PathStep step;
      ASSIGN_OR_RETURN(const PartnershipRecord* p,
                       records.Partnership(partnerships.Name(pid)));
      ASSIGN_OR_RETURN(const CompanyRecord* rec,
                       records.Company(companies.Name(c)));
      step.partnership = *p;
      step.company = *rec;
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
  std::vector<std::string> kind_keys(32);
  for (int k = 1; k < 32; ++k) kind_keys[k] = KindKey(k);
  auto count = [&](const EdgeView& e) -> absl::Status {
    ASSIGN_OR_RETURN(bool match, filter.Matches(e));
    if (!match) return absl::OkStatus();
    ++result.total;
    size_t product = 1;
    for (size_t i = 0; i < query.group_by.size(); ++i) {
      std::vector<std::string>& keys = dim_keys[i];
      keys.clear();
      switch (query.group_by[i]) {
        case GroupDim::kKind:
          for (int k = 1; k < 32; ++k) {
            if (e.kinds_mask & (1u << k)) keys.push_back(kind_keys[k]);
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
          absl::InlinedVector<absl::string_view, 8> ids(
              e.participant_ids.begin(), e.participant_ids.end());
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          std::vector<const std::vector<std::string>*> sectors;
          for (absl::string_view id : ids) {
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
          for (absl::string_view id : e.participant_ids) keys.emplace_back(id);
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
    RETURN_IF_ERROR(snapshot.ForEachCompanySectors(
        [&](absl::string_view id,
            absl::Span<const absl::string_view> sectors) -> absl::Status {
          RETURN_IF_ERROR(budget.Tick());
          uint32_t m = filter.MaskOf(sectors);
          filter.SetPrefixMask(id, m);
          for (int i = 0; i < f.participant_sectors_size(); ++i) {
            if (m & (1u << i)) under[i].emplace_back(id);
          }
          return absl::OkStatus();
        }));
    filter.SetPrefixMasksComplete();
    size_t rarest = 0;
    for (size_t i = 1; i < under.size(); ++i) {
      if (under[i].size() < under[rarest].size()) rarest = i;
    }
    // A partnership is in the adjacency of each of its participants under
    // the prefix, all of which are walked: count it at the first of them
    // in id order only.
    const uint32_t rarest_bit = 1u << rarest;
    for (const std::string& id : under[rarest]) {
      RETURN_IF_ERROR(snapshot.ForEachAdjacent(
          id, f.announced_after(), f.announced_before(),
          [&](const EdgeView& e) -> absl::Status {
            RETURN_IF_ERROR(budget.Tick());
            for (absl::string_view other : e.participant_ids) {
              if (other >= id) continue;
              ASSIGN_OR_RETURN(uint32_t m, filter.PrefixMask(other));
              if (m & rarest_bit) return absl::OkStatus();
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
