// End-to-end tests of partnerctl's graph commands (neighbors, path, trend):
// the real partnergraphd binary with the demo graph on a loopback port and a
// fresh data directory, and the real partnerctl binary run as a subprocess
// whose stdout, stderr and exit code are checked.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/graph_service.pb.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::client {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using ::partnergraph::testing::ChildEnvironment;
using ::partnergraph::testing::Lines;
using ::partnergraph::testing::MakeTempDir;
using ::partnergraph::testing::Result;
using ::partnergraph::testing::RunProcess;
using ::partnergraph::testing::ServerProcess;

// One server with the demo graph for every test (the tests only read).
class GraphCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir());
    server_ = new ServerProcess();
    start_error_ = new std::string(server_->Start(*dir_, {"--load_demo"}));
  }
  static void TearDownTestSuite() {
    delete server_;
    std::error_code ignored;
    std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
    delete start_error_;
  }
  void SetUp() override { ASSERT_THAT(*start_error_, IsEmpty()); }

  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        PARTNERCTL_PATH, absl::StrCat("--server=", server_->address())};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, ChildEnvironment({}),
                      absl::StrCat(*dir_, "/run", ++runs_));
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* start_error_;
  static int runs_;
};

std::string* GraphCommandsTest::dir_ = nullptr;
ServerProcess* GraphCommandsTest::server_ = nullptr;
std::string* GraphCommandsTest::start_error_ = nullptr;
int GraphCommandsTest::runs_ = 0;

// The first whitespace-separated column of each line.
std::vector<std::string> FirstColumn(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(text)) {
    std::vector<std::string> cells =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!cells.empty()) out.push_back(cells[0]);
  }
  return out;
}

TEST_F(GraphCommandsTest, NeighborsListsCompaniesNearestFirst) {
  Result r = Ctl({"neighbors", "micron", "--depth", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 5u) << r;
  EXPECT_THAT(
      FirstColumn(absl::StrJoin(
          std::vector<std::string>(lines.begin(), lines.begin() + 5), "\n")),
      ElementsAre("NAME", "micron", "anthropic", "alphabet", "amazon"));
  EXPECT_THAT(lines[1], HasSubstr("Micron Technology"));
  EXPECT_THAT(lines[3], HasSubstr(" 2 "));
  // The partnerships among them follow.
  EXPECT_THAT(r.out, HasSubstr("micron-anthropic-2025"));
  EXPECT_THAT(r.out, HasSubstr("amazon-anthropic-2023"));
  EXPECT_THAT(r.out, Not(HasSubstr("nvidia")));

  // JSON carries the whole response.
  r = Ctl({"neighbors", "companies/micron", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::GetNeighborhoodResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(r.out, &response).ok())
      << r;
  ASSERT_EQ(response.nodes_size(), 2);
  EXPECT_EQ(response.nodes(1).company().name(), "companies/anthropic");
  EXPECT_EQ(response.nodes(1).distance(), 1);

  // Truncation is reported on stderr.
  r = Ctl({"neighbors", "anthropic", "--max-nodes", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("Truncated at 2 companies"));
}

TEST_F(GraphCommandsTest, PathPrintsEachHopWithItsEvidence) {
  Result r = Ctl({"path", "micron", "amazon"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty()) << r;
  EXPECT_EQ(lines[0],
            "Micron Technology —[strategic alliance + supply agreement + "
            "technology integration, 2025-11-20]→ Anthropic —[investment + "
            "strategic alliance, 2023-09-25]→ Amazon");
  EXPECT_THAT(r.out, HasSubstr("  micron-anthropic-2025: "));
  EXPECT_THAT(r.out, HasSubstr("    source: https://"));

  // A filter that removes the only link: no path, said on stderr.
  r = Ctl({"path", "micron", "amazon", "--after", "2024-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("No path from micron to amazon within 4 hops"));
}

TEST_F(GraphCommandsTest, TrendCountsMemoryMakersTimesAiLabsPerQuarter) {
  Result r = Ctl({"trend", "--group-by", "quarter", "--sectors",
                  "semiconductors/memory,ai"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string bar;
  for (int i = 0; i < 40; ++i) bar += "█";
  EXPECT_THAT(Lines(r.out),
              ElementsAre("QUARTER   COUNT", "2025-Q4       2  " + bar));
  EXPECT_THAT(r.err, HasSubstr("2 partnerships matched"));

  r = Ctl({"trend", "-g", "year,company", "--kind", "investment"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], HasSubstr("YEAR"));
  EXPECT_THAT(lines[0], HasSubstr("COMPANY"));
  EXPECT_THAT(r.out, HasSubstr("2023   amazon"));
}

TEST_F(GraphCommandsTest, BadInputReadsWell) {
  Result r = Ctl({"neighbors", "nobody"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("\"nobody\" not found"));
  r = Ctl({"neighbors", "micron", "--depth", "9"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("depth: want 1..4, got 9"));
  r = Ctl({"path", "micron", "micron"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("to: must differ from from"));
  r = Ctl({"trend", "--group-by", "decade"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--group-by: unknown value \"decade\""));
}

}  // namespace
}  // namespace partnergraph::client
