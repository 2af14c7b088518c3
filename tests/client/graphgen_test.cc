// The synthetic graph generator: determinism, exact counts, valid records,
// no duplicates and a heavy-tailed degree distribution.

#include "client/bench/graphgen.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "server/convert.h"
#include "storage/validation.h"

namespace partnergraph::graphgen {
namespace {

std::string Jsonl(const Options& options) {
  absl::StatusOr<Graph> graph = Generate(options);
  EXPECT_TRUE(graph.ok()) << graph.status();
  std::ostringstream out;
  EXPECT_TRUE(WriteJsonl(*graph, out).ok());
  return out.str();
}

TEST(GraphgenTest, SameSeedSameOutputOtherSeedOtherOutput) {
  const Options a{2000, 10000, 7};
  const std::string first = Jsonl(a);
  EXPECT_EQ(first, Jsonl(a));
  Options b = a;
  b.seed = 8;
  EXPECT_NE(first, Jsonl(b));
}

TEST(GraphgenTest, CsvIsDeterministicToo) {
  absl::StatusOr<Graph> g1 = Generate({500, 3000, 3});
  absl::StatusOr<Graph> g2 = Generate({500, 3000, 3});
  ASSERT_TRUE(g1.ok() && g2.ok());
  for (const char* table : {"companies", "partnerships", "participants"}) {
    SCOPED_TRACE(table);
    const int64_t rows = std::string(table) == "companies" ? 500 : 3000;
    std::string c1, c2;
    AppendCsvRows(*g1, table, 0, rows, &c1);
    AppendCsvRows(*g2, table, 0, rows, &c2);
    EXPECT_EQ(c1, c2);
    EXPECT_FALSE(c1.empty());
  }
}

TEST(GraphgenTest, CountsAreExactAndCompaniesComeFirst) {
  const std::string jsonl = Jsonl({1234, 5678, 1});
  std::vector<std::string> lines =
      absl::StrSplit(jsonl, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1234u + 5678u);
  int companies = 0, partnerships = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    v1::Record record;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(lines[i], &record).ok())
        << lines[i];
    if (record.has_company()) {
      ++companies;
      EXPECT_EQ(partnerships, 0) << "company after a partnership: " << i;
    } else {
      ASSERT_TRUE(record.has_partnership()) << lines[i];
      ++partnerships;
    }
  }
  EXPECT_EQ(companies, 1234);
  EXPECT_EQ(partnerships, 5678);
}

TEST(GraphgenTest, CsvFilesHaveOneRowPerRecordAndParticipant) {
  absl::StatusOr<Graph> graph = Generate({300, 2000, 5});
  ASSERT_TRUE(graph.ok());
  const std::string dir = ::testing::TempDir() + "/graphgen_csv";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteCsv(*graph, dir).ok());
  auto lines = [&](const char* name) {
    std::ifstream in(dir + "/" + name);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) ++n;
    return n;
  };
  size_t participants = 0;
  for (const Partnership& p : graph->partnerships) {
    participants += p.participants.size();
  }
  EXPECT_EQ(lines("companies.csv"), 300);
  EXPECT_EQ(lines("partnerships.csv"), 2000);
  EXPECT_EQ(lines("participants.csv"), static_cast<int>(participants));
}

TEST(GraphgenTest, EveryRecordPassesStoreValidation) {
  absl::StatusOr<Graph> graph = Generate({3000, 20000, 11});
  ASSERT_TRUE(graph.ok());
  absl::flat_hash_set<std::string> ids;
  for (const Company& c : graph->companies) {
    const v1::Company api = ToApiCompany(c);
    storage::CompanyRecord record = server::CompanyFromApi(api);
    record.set_id(c.id);
    ASSERT_TRUE(storage::ValidateCompany(record).ok())
        << storage::ValidateCompany(record) << " " << api.ShortDebugString();
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate company id " << c.id;
  }
  absl::flat_hash_set<std::string> partnership_ids;
  for (const Partnership& p : graph->partnerships) {
    const v1::Partnership api = ToApiPartnership(*graph, p);
    absl::StatusOr<storage::PartnershipRecord> record =
        server::PartnershipFromApi(api);
    ASSERT_TRUE(record.ok()) << record.status();
    record->set_id(p.id);
    storage::ApplyPartnershipDefaults(&*record);
    ASSERT_TRUE(storage::ValidatePartnership(*record).ok())
        << storage::ValidatePartnership(*record) << " "
        << api.ShortDebugString();
    for (const v1::Participant& participant : api.participants()) {
      EXPECT_TRUE(ids.contains(participant.company().substr(10)))
          << participant.company();
    }
    EXPECT_TRUE(partnership_ids.insert(p.id).second) << p.id;
  }
}

TEST(GraphgenTest, NoDuplicatePartnerships) {
  // The store's rule: same participant set, same announced_on and an
  // overlapping kind. The generator avoids even the first two together.
  absl::StatusOr<Graph> graph = Generate({200, 20000, 2});
  ASSERT_TRUE(graph.ok());
  std::set<std::pair<std::vector<int32_t>, std::string>> seen;
  for (const Partnership& p : graph->partnerships) {
    std::vector<int32_t> set = p.participants;
    std::sort(set.begin(), set.end());
    EXPECT_TRUE(std::adjacent_find(set.begin(), set.end()) == set.end());
    EXPECT_TRUE(seen.emplace(set, p.announced_on).second)
        << p.id << " repeats an earlier participant set and date";
  }
}

TEST(GraphgenTest, ShapeIsRealistic) {
  absl::StatusOr<Graph> graph = Generate({10000, 100000, 1});
  ASSERT_TRUE(graph.ok());
  std::vector<int> degree(graph->companies.size());
  int three_way = 0;
  absl::flat_hash_map<std::string, int> kinds_seen;
  std::string first = "9999", last = "0000";
  for (const Partnership& p : graph->partnerships) {
    for (int32_t c : p.participants) ++degree[c];
    ASSERT_GE(p.participants.size(), 2u);
    ASSERT_LE(p.participants.size(), 3u);
    if (p.participants.size() == 3) ++three_way;
    ASSERT_GE(p.sources, 0);
    ASSERT_LE(p.sources, 3);
    first = std::min(first, p.announced_on);
    last = std::max(last, p.announced_on);
  }
  std::vector<int> sorted = degree;
  std::sort(sorted.begin(), sorted.end());
  const int median = sorted[sorted.size() / 2];
  const int max = sorted.back();
  // Heavy tail: the biggest hub has far more partners than a typical company.
  EXPECT_GE(median, 1);
  EXPECT_GT(max, 50 * median) << "max " << max << " median " << median;
  // The top 1% of companies take a large share of all participations.
  int64_t top = 0, all = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    all += sorted[i];
    if (i >= sorted.size() * 99 / 100) top += sorted[i];
  }
  EXPECT_GT(static_cast<double>(top) / all, 0.10);
  // Mostly two participants, a few three.
  EXPECT_GT(three_way, 1000);
  EXPECT_LT(three_way, 10000);
  // Ten years of dates.
  EXPECT_EQ(first.substr(0, 4), "2016");
  EXPECT_EQ(last.substr(0, 4), "2025");
  // Memory makers and frontier labs exist but are rare.
  int memory = 0, labs = 0;
  for (const Company& c : graph->companies) {
    memory += c.sector == "semiconductors/memory";
    labs += c.sector == "ai/frontier-lab";
  }
  EXPECT_GT(memory, 10);
  EXPECT_LT(memory, 200);
  EXPECT_GT(labs, 2);
  EXPECT_LT(labs, 100);
}

TEST(GraphgenTest, RejectsOutOfRangeOptions) {
  EXPECT_THAT(Generate({2, 10, 1}).status().message(),
              ::testing::HasSubstr("companies: want 3.."));
  EXPECT_THAT(Generate({100, -1, 1}).status().message(),
              ::testing::HasSubstr("partnerships: want 0.."));
  EXPECT_EQ(Generate({3, 0, 1}).status().code(), absl::StatusCode::kOk);
}

}  // namespace
}  // namespace partnergraph::graphgen
