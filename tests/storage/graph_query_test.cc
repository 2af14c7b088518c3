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
#include "tests/storage/graph_reference.h"
#include "tests/storage/store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::SimplePartnership;
using ::partnergraph::testing_util::TempDir;
using ::testing::HasSubstr;
using namespace ::partnergraph::storage::graph_reference;  // NOLINT

constexpr int kSeeds = 300;
// Seeds share a store (each its own companies, so traversals stay within
// one seed's graph; aggregations count over all of the store's seeds).
constexpr int kSeedsPerStore = 25;

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
