// The graph queries against brute-force references computed here, over many
// small random graphs stored in the real RocksDB store; plus deadline, caps,
// argument errors and stores whose adjacency entries carry no value.

#include "storage/graph_query.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/graph_store.h"
#include "storage/key_codec.h"
#include "tests/storage/store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::SimplePartnership;
using ::partnergraph::testing_util::TempDir;
using ::testing::HasSubstr;

constexpr int kSeeds = 300;
// Seeds share a store (each its own companies, so traversals stay within
// one seed's graph; aggregations count over all of the store's seeds).
constexpr int kSeedsPerStore = 25;

const std::vector<std::string>& SectorPool() {
  static const auto* pool =
      new std::vector<std::string>{"semiconductors/memory",
                                   "semiconductors/logic",
                                   "ai/frontier-lab",
                                   "ai/tools",
                                   "cloud",
                                   "air"};
  return *pool;
}

const std::vector<std::string>& FilterSectorPool() {
  static const auto* pool = new std::vector<std::string>{
      "semiconductors/memory", "ai", "semiconductors", "cloud",
      "ai/frontier-lab"};
  return *pool;
}

const std::vector<std::string>& DatePool() {
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
std::vector<std::string> BuildRandomGraph(Rng& rng, GraphStore* store,
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

PartnershipQuery RandomFilter(Rng& rng, const std::vector<std::string>& ids) {
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

bool Under(const std::string& sector, const std::string& prefix) {
  return sector == prefix || (sector.size() > prefix.size() &&
                              sector.compare(0, prefix.size(), prefix) == 0 &&
                              sector[prefix.size()] == '/');
}

// Tries every assignment of prefixes to distinct participants.
bool SectorsAssignable(const std::vector<std::vector<std::string>>& parts,
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

bool RefMatches(const Model& m, const PartnershipQuery& q,
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
std::map<std::string, std::vector<std::pair<std::string, std::string>>>
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

std::map<std::string, int> RefDistances(
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

void CheckNeighborhood(const Model& m, const std::vector<std::string>& ids,
                       GraphStore* store, Rng& rng) {
  NeighborhoodQuery q;
  q.company_id = rng.Pick(ids);
  q.depth = rng.Uniform(0, 4);
  q.max_nodes = rng.Chance(0.4) ? rng.Uniform(1, 6) : 0;
  q.filter = RandomFilter(rng, ids);
  SCOPED_TRACE(absl::StrCat("neighborhood of ", q.company_id, " depth ",
                            q.depth, " max_nodes ", q.max_nodes, " filter {",
                            q.filter.ShortDebugString(), "}"));
  auto got = store->GetNeighborhood(q, absl::InfiniteFuture());
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
  EXPECT_EQ(got->revision, store->Revision());
}

using Hops = std::vector<std::pair<std::string, std::string>>;

void CheckPaths(const Model& m, const std::vector<std::string>& ids,
                GraphStore* store, Rng& rng) {
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
  auto got = store->FindPaths(q, absl::InfiniteFuture());
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

std::vector<std::string> RefKeys(const Model& m, const PartnershipRecord& p,
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

void CheckAggregate(const Model& m, const std::vector<std::string>& ids,
                    GraphStore* store, Rng& rng) {
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
  auto got = store->AggregatePartnerships(q, absl::InfiniteFuture());
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

TEST(GraphQueryTest, MatchesBruteForceOnRandomGraphs) {
  StoreOptions options;
  options.sync = false;
  for (int first = 1; first <= kSeeds; first += kSeedsPerStore) {
    TempDir dir;
    auto store = OpenStore(dir.path(), options);
    ASSERT_NE(store, nullptr);
    Model model;
    for (int seed = first; seed < first + kSeedsPerStore; ++seed) {
      SCOPED_TRACE(absl::StrCat("seed ", seed));
      Rng rng(seed);
      std::vector<std::string> ids = BuildRandomGraph(
          rng, store.get(), absl::StrCat("s", seed, "-"), model);
      for (int i = 0; i < 4; ++i)
        CheckNeighborhood(model, ids, store.get(), rng);
      for (int i = 0; i < 4; ++i) CheckPaths(model, ids, store.get(), rng);
      for (int i = 0; i < 3; ++i) CheckAggregate(model, ids, store.get(), rng);
      if (::testing::Test::HasFailure()) return;  // one seed's report is enough
    }
  }
}

// A small fixed graph: a chain a - b - c - d and a star around hub.
class GraphFixture : public ::testing::Test {
 protected:
  void Open(StoreOptions options = {}) {
    options.sync = false;
    store_ = OpenStore(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
    for (const char* id : {"a", "b", "c", "d", "hub"}) {
      ASSERT_OK(store_->CreateCompany(SimpleCompany(id, id), ""));
    }
    ASSERT_OK(store_->CreatePartnership(
        SimplePartnership("a", "b", "2024-01-01"), ""));
    ASSERT_OK(store_->CreatePartnership(
        SimplePartnership("b", "c", "2024-01-02"), ""));
    ASSERT_OK(store_->CreatePartnership(
        SimplePartnership("c", "d", "2024-01-03"), ""));
    for (const char* id : {"a", "b", "c", "d"}) {
      ASSERT_OK(store_->CreatePartnership(
          SimplePartnership("hub", id, "2023-06-01"), ""));
    }
  }

  TempDir dir_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(GraphFixture, PastDeadlineIsDeadlineExceeded) {
  Open();
  absl::Time past = absl::Now() - absl::Seconds(1);
  NeighborhoodQuery n;
  n.company_id = "a";
  EXPECT_EQ(store_->GetNeighborhood(n, past).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  PathQuery p;
  p.from_id = "a";
  p.to_id = "d";
  EXPECT_EQ(store_->FindPaths(p, past).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  AggregateQuery g;
  g.group_by = {GroupDim::kYear};
  EXPECT_EQ(store_->AggregatePartnerships(g, past).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  // The same queries answer with a deadline ahead.
  absl::Time future = absl::Now() + absl::Seconds(30);
  EXPECT_OK(store_->GetNeighborhood(n, future));
  EXPECT_OK(store_->FindPaths(p, future));
  EXPECT_OK(store_->AggregatePartnerships(g, future));
}

TEST_F(GraphFixture, EntriesCapIsResourceExhausted) {
  StoreOptions options;
  options.max_query_entries = 3;  // hub alone has 4 adjacency entries
  Open(options);
  NeighborhoodQuery n;
  n.company_id = "hub";
  auto got = store_->GetNeighborhood(n, absl::InfiniteFuture());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
      << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("more than 3 index entries"));
  AggregateQuery g;
  g.group_by = {GroupDim::kKind};
  EXPECT_EQ(
      store_->AggregatePartnerships(g, absl::InfiniteFuture()).status().code(),
      absl::StatusCode::kResourceExhausted);
  // A query within the cap still answers.
  n.company_id = "d";
  n.filter.set_announced_after("2024-01-01");
  EXPECT_OK(store_->GetNeighborhood(n, absl::InfiniteFuture()));
}

TEST_F(GraphFixture, MaxNodesTruncatesNearestFirst) {
  Open();
  NeighborhoodQuery n;
  n.company_id = "a";
  n.depth = 3;
  n.max_nodes = 3;
  ASSERT_OK_AND_ASSIGN(NeighborhoodResult r,
                       store_->GetNeighborhood(n, absl::InfiniteFuture()));
  EXPECT_TRUE(r.truncated);
  ASSERT_EQ(r.nodes.size(), 3u);
  EXPECT_EQ(r.nodes[0].company.id(), "a");
  EXPECT_EQ(r.nodes[1].company.id(), "b");
  EXPECT_EQ(r.nodes[2].company.id(), "hub");
  EXPECT_EQ(r.nodes[1].distance, 1);
  // The partnerships among a, b, hub: a-b, hub-a, hub-b.
  EXPECT_EQ(r.partnerships.size(), 3u);
  n.max_nodes = 5;
  ASSERT_OK_AND_ASSIGN(r, store_->GetNeighborhood(n, absl::InfiniteFuture()));
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.nodes.size(), 5u);
  EXPECT_EQ(r.partnerships.size(), 7u);
}

TEST_F(GraphFixture, BadArgumentsNameTheField) {
  Open();
  struct Case {
    const char* name;
    absl::Status status;
    const char* message;
  };
  NeighborhoodQuery deep;
  deep.company_id = "a";
  deep.depth = 7;
  NeighborhoodQuery many;
  many.company_id = "a";
  many.max_nodes = 10001;
  NeighborhoodQuery missing;
  missing.company_id = "nobody";
  PathQuery same;
  same.from_id = same.to_id = "a";
  PathQuery far;
  far.from_id = "a";
  far.to_id = "d";
  far.max_depth = 7;
  PathQuery paths;
  paths.from_id = "a";
  paths.to_id = "d";
  paths.max_paths = -1;
  PathQuery bad_filter = far;
  bad_filter.max_depth = 0;
  bad_filter.filter.set_announced_after("2024-13-01");
  AggregateQuery none;
  AggregateQuery twice;
  twice.group_by = {GroupDim::kYear, GroupDim::kYear};
  AggregateQuery unknown;
  unknown.group_by = {static_cast<GroupDim>(9)};
  AggregateQuery groups;
  groups.group_by = {GroupDim::kKind};
  groups.max_groups = 10001;
  absl::Time t = absl::InfiniteFuture();
  std::vector<Case> cases = {
      {"depth", store_->GetNeighborhood(deep, t).status(),
       "depth: want 1..4, got 7"},
      {"max_nodes", store_->GetNeighborhood(many, t).status(),
       "max_nodes: want 1..10000, got 10001"},
      {"to", store_->FindPaths(same, t).status(), "to: must differ from from"},
      {"max_depth", store_->FindPaths(far, t).status(),
       "max_depth: want 1..6, got 7"},
      {"max_paths", store_->FindPaths(paths, t).status(),
       "max_paths: want 1..20, got -1"},
      {"filter", store_->FindPaths(bad_filter, t).status(),
       "filter.announced_after"},
      {"group_by", store_->AggregatePartnerships(none, t).status(),
       "group_by: want 1..3 dimensions, got 0"},
      {"group_by twice", store_->AggregatePartnerships(twice, t).status(),
       "group_by[1]: YEAR already given at group_by[0]"},
      {"group_by unknown", store_->AggregatePartnerships(unknown, t).status(),
       "group_by[0]: want KIND"},
      {"max_groups", store_->AggregatePartnerships(groups, t).status(),
       "max_groups: want 1..10000, got 10001"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.code(), absl::StatusCode::kInvalidArgument) << c.status;
    EXPECT_THAT(c.status.message(), HasSubstr(c.message));
  }
  EXPECT_EQ(store_->GetNeighborhood(missing, t).status().code(),
            absl::StatusCode::kNotFound);
  PathQuery to_missing = far;
  to_missing.max_depth = 0;
  to_missing.to_id = "nobody";
  EXPECT_EQ(store_->FindPaths(to_missing, t).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(GraphFixture, UpdatesReachTheAdjacencyValues) {
  Open();
  // End the hub-a deal: a status filter must see the change at once, and
  // the indexes stay consistent with the records.
  PartnershipQuery list;
  list.set_company_id("a");
  ASSERT_OK_AND_ASSIGN(PartnershipPage page,
                       store_->ListPartnerships(list, 10, ""));
  std::string hub_a;
  for (const auto& p : page.partnerships) {
    if (p.announced_on() == "2023-06-01") hub_a = p.id();
  }
  ASSERT_FALSE(hub_a.empty());
  PartnershipRecord patch;
  patch.set_id(hub_a);
  patch.set_status(STATUS_ENDED);
  ASSERT_OK(store_->UpdatePartnership(patch, {"status"}, ""));
  NeighborhoodQuery n;
  n.company_id = "hub";
  n.filter.add_statuses(STATUS_ANNOUNCED);
  ASSERT_OK_AND_ASSIGN(NeighborhoodResult r,
                       store_->GetNeighborhood(n, absl::InfiniteFuture()));
  std::set<std::string> ids;
  for (const auto& node : r.nodes) ids.insert(node.company.id());
  EXPECT_EQ(ids, (std::set<std::string>{"hub", "b", "c", "d"}));
  ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems.front();
}

// More partnerships among the nodes than a neighbourhood returns: the
// newest kMaxNeighborhoodPartnerships come back, across dates on the
// boundaries of the years the search walks by, and none older.
TEST(GraphQueryCapTest, NeighborhoodKeepsTheNewestPartnershipsAtTheCap) {
  TempDir dir;
  StoreOptions options;
  options.sync = false;
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  ImportBatch batch;
  int64_t index = 0;
  std::vector<std::string> bs;
  for (const char* id : {"s", "a"}) {
    batch.companies.emplace_back(index++, SimpleCompany(id, id));
  }
  for (int i = 0; i < 40; ++i) {
    bs.push_back(absl::StrFormat("b%02d", i));
    batch.companies.emplace_back(index++, SimpleCompany(bs.back(), bs.back()));
  }
  // (announced_on, id) of every partnership.
  std::vector<std::pair<std::string, std::string>> all;
  auto add = [&](const std::string& x, const std::string& y,
                 const std::string& date, const std::string& id) {
    PartnershipRecord p = SimplePartnership(x, y, date);
    p.set_id(id);
    batch.partnerships.emplace_back(index++, p);
    all.emplace_back(date, id);
  };
  add("s", "a", "2020-06-01", "sa");
  for (const std::string& b : bs) add("a", b, "2020-06-01", "a" + b);
  // 780 pairs of b nodes, 27 partnerships each: four on year boundaries,
  // one in 1999 for every 50th, the others over 2020..2024 (never on the
  // 1st), so no two of a pair share a date.
  int n = 0;
  for (size_t i = 0; i < bs.size(); ++i) {
    for (size_t j = i + 1; j < bs.size(); ++j) {
      for (int r = 0; r < 27; ++r, ++n) {
        static const char* const kBoundaries[] = {"2019-12-31", "2020-01-01",
                                                  "2023-12-31", "2024-01-01"};
        std::string date;
        if (r < 4) {
          date = kBoundaries[r];
        } else if (n % 50 == 0) {
          date = absl::StrFormat("1999-%02d-%02d", 1 + (n / 50) % 12,
                                 1 + (n / 600) % 28);
        } else {
          date = absl::StrFormat("%04d-%02d-%02d", 2020 + n % 5,
                                 1 + (n / 5) % 12, 2 + (n / 60) % 27);
        }
        add(bs[i], bs[j], date, absl::StrFormat("bb%05d", n));
      }
    }
  }
  // Distinct (participants, date) pairs, so none is a duplicate.
  ASSERT_OK_AND_ASSIGN(ImportResult imported, store->Import(std::move(batch)));
  ASSERT_TRUE(imported.errors.empty()) << imported.errors.front().status;
  ASSERT_GT(all.size(), static_cast<size_t>(kMaxNeighborhoodPartnerships));

  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first > y.first;
    return x.second < y.second;
  });
  all.resize(kMaxNeighborhoodPartnerships);
  NeighborhoodQuery q;
  q.company_id = "s";
  q.depth = 2;
  ASSERT_OK_AND_ASSIGN(NeighborhoodResult r,
                       store->GetNeighborhood(q, absl::InfiniteFuture()));
  EXPECT_EQ(r.nodes.size(), 42u);
  EXPECT_TRUE(r.truncated);
  ASSERT_EQ(r.partnerships.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(r.partnerships[i].id(), all[i].second) << "at " << i;
    ASSERT_EQ(r.partnerships[i].announced_on(), all[i].first) << "at " << i;
  }
}

// Stores written before adjacency entries carried a value answer the same.
TEST(GraphQueryLegacyTest, EmptyAdjacencyValuesReadTheRecord) {
  TempDir dir;
  StoreOptions options;
  options.sync = false;
  Rng rng(4242);
  Model model;
  std::vector<NeighborhoodResult> before_n;
  std::vector<AggregateResult> before_a;
  NeighborhoodQuery n;
  n.company_id = "x-c00";
  n.depth = 3;
  n.filter.add_statuses(STATUS_ACTIVE);
  n.filter.add_statuses(STATUS_ANNOUNCED);
  AggregateQuery g;
  g.group_by = {GroupDim::kQuarter, GroupDim::kKind};
  g.filter.add_participant_sectors("ai");
  {
    auto store = OpenStore(dir.path(), options);
    ASSERT_NE(store, nullptr);
    BuildRandomGraph(rng, store.get(), "x-", model);
    ASSERT_OK_AND_ASSIGN(NeighborhoodResult r,
                         store->GetNeighborhood(n, absl::InfiniteFuture()));
    before_n.push_back(r);
    ASSERT_OK_AND_ASSIGN(AggregateResult a, store->AggregatePartnerships(
                                                g, absl::InfiniteFuture()));
    before_a.push_back(a);
  }
  {
    // Blank every adjacency and announced-date value, as an older version
    // of the store wrote them.
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    int blanked = 0;
    for (char table : {keys::kAdjacency, keys::kAnnounced}) {
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions()));
      std::string prefix = keys::TablePrefix(table);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
           it->Next()) {
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), it->key(), "").ok());
        ++blanked;
      }
    }
    EXPECT_GT(blanked, 0);
  }
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(NeighborhoodResult r,
                       store->GetNeighborhood(n, absl::InfiniteFuture()));
  ASSERT_EQ(r.nodes.size(), before_n[0].nodes.size());
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    EXPECT_EQ(r.nodes[i].company.id(), before_n[0].nodes[i].company.id());
    EXPECT_EQ(r.nodes[i].distance, before_n[0].nodes[i].distance);
  }
  ASSERT_EQ(r.partnerships.size(), before_n[0].partnerships.size());
  ASSERT_OK_AND_ASSIGN(AggregateResult a,
                       store->AggregatePartnerships(g, absl::InfiniteFuture()));
  EXPECT_EQ(a.total, before_a[0].total);
  ASSERT_EQ(a.groups.size(), before_a[0].groups.size());
  for (size_t i = 0; i < a.groups.size(); ++i) {
    EXPECT_EQ(a.groups[i].keys, before_a[0].groups[i].keys);
    EXPECT_EQ(a.groups[i].count, before_a[0].groups[i].count);
  }
  // CheckConsistency reports the blanked values as stale.
  ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store->CheckConsistency());
  EXPECT_FALSE(report.ok());
}

}  // namespace
}  // namespace partnergraph::storage
