#ifndef PARTNERGRAPH_TESTS_STORAGE_GRAPH_REFERENCE_H_
#define PARTNERGRAPH_TESTS_STORAGE_GRAPH_REFERENCE_H_

// Brute-force references for the graph queries, written independently of
// the store: random graphs, a model of what was stored, and checks that a
// store's answers (now, or as of a revision) equal the model's.

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/graph_store.h"
#include "tests/storage/store_test_util.h"

namespace partnergraph::storage::graph_reference {

using ::partnergraph::testing_util::SimpleCompany;

inline const std::vector<std::string>& SectorPool() {
  static const auto* pool =
      new std::vector<std::string>{"semiconductors/memory",
                                   "semiconductors/logic",
                                   "ai/frontier-lab",
                                   "ai/tools",
                                   "cloud",
                                   "air"};
  return *pool;
}

inline const std::vector<std::string>& FilterSectorPool() {
  static const auto* pool = new std::vector<std::string>{
      "semiconductors/memory", "ai", "semiconductors", "cloud",
      "ai/frontier-lab"};
  return *pool;
}

inline const std::vector<std::string>& DatePool() {
  static const auto* pool = new std::vector<std::string>{
      "2022-02-10", "2022-11-30", "2023-01-05", "2023-04-01", "2023-09-30",
      "2024-03-31", "2024-07-15", "2025-10-01", "2025-11-20", "2025-12-31"};
  return *pool;
}

// The graph as the test knows it, independent of the store's indexes.
struct Model {
  std::map<std::string, std::vector<std::string>> sectors;  // company -> ...
  std::vector<PartnershipRecord> partnerships;
};

class Rng {
 public:
  explicit Rng(int seed) : gen_(seed) {}
  int Uniform(int lo, int hi) {  // inclusive
    return std::uniform_int_distribution<int>(lo, hi)(gen_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(gen_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(0, static_cast<int>(v.size()) - 1)];
  }

 private:
  std::mt19937 gen_;
};

// Writes a random graph of companies `{prefix}c00`, `{prefix}c01`, ... into
// `store`, adds what was stored to `model` and returns the company ids.
inline std::vector<std::string> BuildRandomGraph(Rng& rng, GraphStore* store,
                                                 const std::string& prefix,
                                                 Model& model) {
  std::vector<std::string> ids;
  int companies = rng.Uniform(8, 30);
  for (int i = 0; i < companies; ++i) {
    ids.push_back(absl::StrFormat("%sc%02d", prefix, i));
    CompanyRecord c = SimpleCompany(ids.back(), ids.back());
    int n = rng.Uniform(0, 2);
    std::set<std::string> picked;
    for (int k = 0; k < n; ++k) picked.insert(rng.Pick(SectorPool()));
    for (const std::string& s : picked) c.add_sectors(s);
    auto created = store->CreateCompany(c, "");
    EXPECT_TRUE(created.ok()) << created.status();
    model.sectors[c.id()].assign(picked.begin(), picked.end());
  }
  int partnerships = rng.Uniform(10, 60);
  for (int i = 0; i < partnerships; ++i) {
    PartnershipRecord p;
    p.set_id(absl::StrFormat("%sp%03d", prefix, i));
    p.set_title(p.id());
    int parties = rng.Chance(0.2) ? 3 : 2;
    std::set<int> who;
    while (static_cast<int>(who.size()) < parties) {
      who.insert(rng.Uniform(0, companies - 1));
    }
    for (int w : who) {
      auto* part = p.add_participants();
      part->set_company_id(ids[w]);
      part->set_role(ROLE_PARTNER);
    }
    std::set<int> kinds;
    int nk = rng.Uniform(1, 3);
    while (static_cast<int>(kinds.size()) < nk) kinds.insert(rng.Uniform(1, 8));
    for (int k : kinds) p.add_kinds(static_cast<Kind>(k));
    p.set_status(static_cast<Status>(rng.Uniform(1, 3)));
    p.set_announced_on(rng.Pick(DatePool()));
    int sources = rng.Uniform(0, 3);
    for (int s = 0; s < sources; ++s) {
      p.add_sources()->set_url(absl::StrCat("https://example.com/", p.id(), s));
    }
    auto created = store->CreatePartnership(p, "");
    if (absl::IsAlreadyExists(created.status())) continue;  // duplicate deal
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) model.partnerships.push_back(*created);
  }
  return ids;
}

inline PartnershipQuery RandomFilter(Rng& rng,
                                     const std::vector<std::string>& ids) {
  PartnershipQuery q;
  if (rng.Chance(0.25)) {
    int n = rng.Uniform(1, 3);
    for (int i = 0; i < n; ++i)
      q.add_kinds(static_cast<Kind>(rng.Uniform(1, 8)));
  }
  if (rng.Chance(0.2)) {
    q.add_statuses(static_cast<Status>(rng.Uniform(1, 3)));
    if (rng.Chance(0.5)) q.add_statuses(static_cast<Status>(rng.Uniform(1, 3)));
  }
  if (rng.Chance(0.2)) q.set_announced_after(rng.Pick(DatePool()));
  if (rng.Chance(0.2)) q.set_announced_before(rng.Pick(DatePool()));
  if (rng.Chance(0.25)) {
    q.add_participant_sectors(rng.Pick(FilterSectorPool()));
    if (rng.Chance(0.6))
      q.add_participant_sectors(rng.Pick(FilterSectorPool()));
  }
  if (!q.announced_after().empty() && !q.announced_before().empty() &&
      q.announced_after() > q.announced_before()) {
    std::string after = q.announced_after();
    q.set_announced_after(q.announced_before());
    q.set_announced_before(after);
  }
  if (rng.Chance(0.1)) {
    q.set_company_id(rng.Pick(ids));
  }
  if (rng.Chance(0.15)) q.set_min_sources(rng.Uniform(1, 2));
  return q;
}

// --- Reference semantics, written independently of the store. ---

inline bool Under(const std::string& sector, const std::string& prefix) {
  return sector == prefix || (sector.size() > prefix.size() &&
                              sector.compare(0, prefix.size(), prefix) == 0 &&
                              sector[prefix.size()] == '/');
}

// Tries every assignment of prefixes to distinct participants.
inline bool SectorsAssignable(
    const std::vector<std::vector<std::string>>& parts,
    const std::vector<std::string>& prefixes, size_t i,
    std::vector<bool>& used) {
  if (i == prefixes.size()) return true;
  for (size_t j = 0; j < parts.size(); ++j) {
    if (used[j]) continue;
    bool ok = false;
    for (const std::string& s : parts[j]) ok = ok || Under(s, prefixes[i]);
    if (!ok) continue;
    used[j] = true;
    if (SectorsAssignable(parts, prefixes, i + 1, used)) return true;
    used[j] = false;
  }
  return false;
}

inline bool RefMatches(const Model& m, const PartnershipQuery& q,
                       const PartnershipRecord& p) {
  if (q.kinds_size() > 0) {
    bool any = false;
    for (int k : q.kinds())
      for (int pk : p.kinds()) any = any || k == pk;
    if (!any) return false;
  }
  if (q.statuses_size() > 0) {
    bool any = false;
    for (int s : q.statuses()) any = any || s == p.status();
    if (!any) return false;
  }
  if (!q.announced_after().empty() && p.announced_on() < q.announced_after())
    return false;
  if (!q.announced_before().empty() && p.announced_on() > q.announced_before())
    return false;
  std::vector<std::vector<std::string>> parts;
  bool has_company = false;
  for (const auto& part : p.participants()) {
    parts.push_back(m.sectors.at(part.company_id()));
    has_company = has_company || part.company_id() == q.company_id();
  }
  if (!q.company_id().empty() && !has_company) return false;
  if (p.sources_size() < q.min_sources()) return false;
  std::vector<std::string> prefixes(q.participant_sectors().begin(),
                                    q.participant_sectors().end());
  std::vector<bool> used(parts.size());
  return SectorsAssignable(parts, prefixes, 0, used);
}

// Company -> (neighbour, partnership) over matching partnerships.
inline std::map<std::string, std::vector<std::pair<std::string, std::string>>>
RefAdjacency(const Model& m, const PartnershipQuery& q) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> adj;
  for (const PartnershipRecord& p : m.partnerships) {
    if (!RefMatches(m, q, p)) continue;
    for (const auto& a : p.participants()) {
      for (const auto& b : p.participants()) {
        if (a.company_id() != b.company_id()) {
          adj[a.company_id()].emplace_back(b.company_id(), p.id());
        }
      }
    }
  }
  return adj;
}

inline std::map<std::string, int> RefDistances(
    const std::map<std::string,
                   std::vector<std::pair<std::string, std::string>>>& adj,
    const std::string& start, int depth) {
  std::map<std::string, int> dist = {{start, 0}};
  std::vector<std::string> frontier = {start};
  for (int d = 1; d <= depth; ++d) {
    std::vector<std::string> next;
    for (const std::string& u : frontier) {
      auto it = adj.find(u);
      if (it == adj.end()) continue;
      for (const auto& [v, pid] : it->second) {
        if (dist.emplace(v, d).second) next.push_back(v);
      }
    }
    frontier = next;
  }
  return dist;
}

inline void CheckNeighborhood(const Model& m,
                              const std::vector<std::string>& ids,
                              GraphStore* store, Rng& rng, int64_t as_of = 0) {
  NeighborhoodQuery q;
  q.company_id = rng.Pick(ids);
  q.depth = rng.Uniform(0, 4);
  q.max_nodes = rng.Chance(0.4) ? rng.Uniform(1, 6) : 0;
  q.filter = RandomFilter(rng, ids);
  SCOPED_TRACE(absl::StrCat("neighborhood of ", q.company_id, " depth ",
                            q.depth, " max_nodes ", q.max_nodes, " filter {",
                            q.filter.ShortDebugString(), "}"));
  auto got = store->GetNeighborhood(q, absl::InfiniteFuture(), as_of);
  ASSERT_TRUE(got.ok()) << got.status();

  auto adj = RefAdjacency(m, q.filter);
  std::map<std::string, int> want =
      RefDistances(adj, q.company_id, q.depth == 0 ? 1 : q.depth);
  int max_nodes = q.max_nodes == 0 ? 1000 : q.max_nodes;

  std::map<std::string, int> returned;
  for (const auto& n : got->nodes) {
    EXPECT_TRUE(returned.emplace(n.company.id(), n.distance).second)
        << "node twice: " << n.company.id();
  }
  for (size_t i = 1; i < got->nodes.size(); ++i) {
    const auto& a = got->nodes[i - 1];
    const auto& b = got->nodes[i];
    EXPECT_LT(std::make_pair(a.distance, a.company.id()),
              std::make_pair(b.distance, b.company.id()))
        << "nodes not nearest first";
  }
  if (static_cast<int>(want.size()) <= max_nodes) {
    EXPECT_FALSE(got->truncated);
    EXPECT_EQ(returned, want);
  } else {
    EXPECT_TRUE(got->truncated);
    EXPECT_EQ(static_cast<int>(returned.size()), max_nodes);
    int farthest = 0;
    for (const auto& [id, d] : returned) {
      ASSERT_TRUE(want.count(id)) << id << " is not within depth";
      EXPECT_EQ(d, want[id]) << id;
      farthest = std::max(farthest, d);
    }
    for (const auto& [id, d] : want) {
      if (d < farthest) EXPECT_TRUE(returned.count(id)) << "missing " << id;
    }
  }
  // Partnerships: the matching ones with two participants among the nodes.
  std::set<std::string> want_p;
  for (const PartnershipRecord& p : m.partnerships) {
    if (!RefMatches(m, q.filter, p)) continue;
    int inside = 0;
    for (const auto& part : p.participants()) {
      inside += returned.count(part.company_id());
    }
    if (inside >= 2) want_p.insert(p.id());
  }
  std::set<std::string> got_p;
  for (const auto& p : got->partnerships) {
    EXPECT_TRUE(got_p.insert(p.id()).second) << "partnership twice: " << p.id();
  }
  EXPECT_EQ(got_p, want_p);
  for (size_t i = 1; i < got->partnerships.size(); ++i) {
    EXPECT_GE(got->partnerships[i - 1].announced_on(),
              got->partnerships[i].announced_on());
  }
  EXPECT_EQ(got->revision, as_of != 0 ? as_of : store->Revision());
}

using Hops = std::vector<std::pair<std::string, std::string>>;

inline void CheckPaths(const Model& m, const std::vector<std::string>& ids,
                       GraphStore* store, Rng& rng, int64_t as_of = 0) {
  PathQuery q;
  q.from_id = rng.Pick(ids);
  do {
    q.to_id = rng.Pick(ids);
  } while (q.to_id == q.from_id);
  q.max_depth = rng.Uniform(0, 6);
  q.max_paths = rng.Chance(0.5) ? rng.Uniform(1, 20) : 0;
  q.filter = RandomFilter(rng, ids);
  SCOPED_TRACE(absl::StrCat("paths ", q.from_id, " -> ", q.to_id, " max_depth ",
                            q.max_depth, " max_paths ", q.max_paths,
                            " filter {", q.filter.ShortDebugString(), "}"));
  auto got = store->FindPaths(q, absl::InfiniteFuture(), as_of);
  ASSERT_TRUE(got.ok()) << got.status();

  int max_depth = q.max_depth == 0 ? 4 : q.max_depth;
  int max_paths = q.max_paths == 0 ? 5 : q.max_paths;
  auto adj = RefAdjacency(m, q.filter);
  auto from_dist = RefDistances(adj, q.from_id, max_depth);
  auto to_dist = RefDistances(adj, q.to_id, max_depth);
  std::vector<Hops> want;
  if (from_dist.count(q.to_id)) {
    int length = from_dist[q.to_id];
    // Every simple path of exactly `length` hops (pruned by the distance to
    // the target, which cannot cut a path of that length).
    Hops current;
    std::set<std::string> on_path = {q.from_id};
    std::function<void(const std::string&)> dfs = [&](const std::string& u) {
      if (static_cast<int>(current.size()) == length) {
        if (u == q.to_id) want.push_back(current);
        return;
      }
      auto it = adj.find(u);
      if (it == adj.end()) return;
      for (const auto& [v, pid] : it->second) {
        if (on_path.count(v)) continue;
        auto d = to_dist.find(v);
        int left = length - static_cast<int>(current.size()) - 1;
        if (d == to_dist.end() || d->second > left) continue;
        on_path.insert(v);
        current.emplace_back(v, pid);
        dfs(v);
        current.pop_back();
        on_path.erase(v);
      }
    };
    dfs(q.from_id);
    std::sort(want.begin(), want.end());
    ASSERT_FALSE(want.empty());
    if (static_cast<int>(want.size()) > max_paths) want.resize(max_paths);
  }
  std::vector<Hops> returned;
  for (const GraphPath& path : got->paths) {
    EXPECT_EQ(path.from.id(), q.from_id);
    Hops hops;
    std::string at = q.from_id;
    for (const PathStep& step : path.steps) {
      hops.emplace_back(step.company.id(), step.partnership.id());
      // Each hop is a matching partnership joining the two companies, with
      // its sources.
      std::set<std::string> parts;
      for (const auto& part : step.partnership.participants()) {
        parts.insert(part.company_id());
      }
      EXPECT_TRUE(parts.count(at) && parts.count(step.company.id()));
      EXPECT_TRUE(RefMatches(m, q.filter, step.partnership));
      for (const PartnershipRecord& p : m.partnerships) {
        if (p.id() == step.partnership.id()) {
          EXPECT_EQ(p.sources_size(), step.partnership.sources_size());
        }
      }
      at = step.company.id();
    }
    EXPECT_LE(static_cast<int>(path.steps.size()), max_depth);
    returned.push_back(hops);
  }
  EXPECT_EQ(returned, want);
}

inline std::vector<std::string> RefKeys(const Model& m,
                                        const PartnershipRecord& p,
                                        GroupDim dim) {
  std::set<std::string> keys;
  static const char* kKindNames[] = {"",
                                     "STRATEGIC_ALLIANCE",
                                     "SUPPLY_AGREEMENT",
                                     "JOINT_DEVELOPMENT",
                                     "TECHNOLOGY_INTEGRATION",
                                     "INVESTMENT",
                                     "LICENSING",
                                     "DISTRIBUTION",
                                     "JOINT_VENTURE"};
  const std::string& date = p.announced_on();
  switch (dim) {
    case GroupDim::kKind:
      for (int k : p.kinds()) keys.insert(kKindNames[k]);
      break;
    case GroupDim::kYear:
      keys.insert(date.substr(0, 4));
      break;
    case GroupDim::kQuarter: {
      int month = std::stoi(date.substr(5, 2));
      keys.insert(absl::StrCat(date.substr(0, 4), "-Q", (month - 1) / 3 + 1));
      break;
    }
    case GroupDim::kSectorPair:
      for (int i = 0; i < p.participants_size(); ++i) {
        for (int j = 0; j < p.participants_size(); ++j) {
          if (i == j) continue;
          for (const auto& a : m.sectors.at(p.participants(i).company_id())) {
            for (const auto& b : m.sectors.at(p.participants(j).company_id())) {
              keys.insert(std::min(a, b) + " x " + std::max(a, b));
            }
          }
        }
      }
      if (keys.empty()) keys.insert("(none)");
      break;
    case GroupDim::kCompany:
      for (const auto& part : p.participants()) keys.insert(part.company_id());
      break;
  }
  return {keys.begin(), keys.end()};
}

inline void CheckAggregate(const Model& m, const std::vector<std::string>& ids,
                           GraphStore* store, Rng& rng, int64_t as_of = 0) {
  AggregateQuery q;
  std::vector<GroupDim> dims = {GroupDim::kKind, GroupDim::kYear,
                                GroupDim::kQuarter, GroupDim::kSectorPair,
                                GroupDim::kCompany};
  std::shuffle(dims.begin(), dims.end(), std::mt19937(rng.Uniform(0, 1 << 30)));
  dims.resize(rng.Uniform(1, 3));
  q.group_by = dims;
  q.max_groups = rng.Chance(0.3) ? rng.Uniform(1, 10) : 0;
  q.filter = RandomFilter(rng, ids);
  std::string dims_text;
  for (GroupDim d : dims) absl::StrAppend(&dims_text, static_cast<int>(d), ",");
  SCOPED_TRACE(absl::StrCat("aggregate by ", dims_text, " max_groups ",
                            q.max_groups, " filter {",
                            q.filter.ShortDebugString(), "}"));
  auto got = store->AggregatePartnerships(q, absl::InfiniteFuture(), as_of);
  ASSERT_TRUE(got.ok()) << got.status();

  std::map<std::vector<std::string>, int64_t> want;
  int64_t total = 0;
  for (const PartnershipRecord& p : m.partnerships) {
    if (!RefMatches(m, q.filter, p)) continue;
    ++total;
    std::vector<std::vector<std::string>> groups = {{}};
    for (GroupDim d : dims) {
      std::vector<std::vector<std::string>> next;
      for (const auto& g : groups) {
        for (const std::string& k : RefKeys(m, p, d)) {
          next.push_back(g);
          next.back().push_back(k);
        }
      }
      groups = next;
    }
    for (const auto& g : groups) ++want[g];
  }
  int max_groups = q.max_groups == 0 ? 1000 : q.max_groups;
  EXPECT_EQ(got->total, total);
  EXPECT_EQ(got->truncated, static_cast<int>(want.size()) > max_groups);
  std::vector<std::pair<std::vector<std::string>, int64_t>> want_list(
      want.begin(), want.end());
  if (static_cast<int>(want_list.size()) > max_groups) {
    want_list.resize(max_groups);
  }
  std::vector<std::pair<std::vector<std::string>, int64_t>> got_list;
  for (const AggregateGroup& g : got->groups) {
    got_list.emplace_back(g.keys, g.count);
  }
  EXPECT_EQ(got_list, want_list);
}

}  // namespace partnergraph::storage::graph_reference

#endif  // PARTNERGRAPH_TESTS_STORAGE_GRAPH_REFERENCE_H_
