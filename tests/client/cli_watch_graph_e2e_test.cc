// watch lines with time and changed fields, `watch --since N --exit`,
// trend's empty quarters and bars, and -o dot rendered by Graphviz.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

class CliWatchGraphTest : public PartnerctlE2eTest {
 protected:
  void Companies() {
    MustRun({"company", "create", "micron", "--display-name",
             "Micron Technology", "--sector", "semiconductors/memory"});
    MustRun({"company", "create", "anthropic", "--display-name", "Anthropic",
             "--sector", "ai/frontier-lab"});
    MustRun({"company", "create", "amazon", "--display-name", "Amazon \"AWS\"",
             "--sector", "cloud"});
  }
};

TEST_F(CliWatchGraphTest, WatchSinceExitPrintsTimeRevisionTypeNameAndChanges) {
  Companies();  // revisions 1..3
  MustRun({"partnership", "create", "deal", "--participant", "micron",
           "--participant", "anthropic", "--kind", "SUPPLY_AGREEMENT",
           "--announced-on", "2025-11-20", "--title", "Old title"});  // 4
  MustRun({"partnership", "update", "deal", "--title", "New title", "--status",
           "active"});                       // 5
  MustRun({"company", "delete", "amazon"});  // 6

  Result r = Ctl({"watch", "--since", "4", "--exit"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r;
  const std::string time = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z";
  EXPECT_THAT(lines[0], MatchesRegex(time + "  4  CREATED  partnerships/deal"));
  EXPECT_THAT(lines[1],
              MatchesRegex(time + "  5  UPDATED  partnerships/deal  title: "
                                  "\"Old title\" → \"New title\"; status: "
                                  "\"ANNOUNCED\" → \"ACTIVE\""));
  EXPECT_EQ(lines[2], "-  6  DELETED  companies/amazon");

  // Since the current revision + 1: nothing, and no wait.
  Result none = Ctl({"watch", "--since", "7", "--exit"});
  EXPECT_EQ(none.exit_code, 0) << none;
  EXPECT_THAT(none.out, IsEmpty());
  Result json = Ctl({"watch", "--since", "6", "--exit", "-o", "json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(json.out, AllOf(StartsWith("{\"type\":\"DELETED\",\"revision\":"
                                         "\"6\""),
                              HasSubstr("companies/amazon")));
  EXPECT_EQ(Lines(json.out).size(), 1u) << json;
}

TEST_F(CliWatchGraphTest, TrendShowsEmptyQuartersAndBars) {
  Companies();
  MustRun({"partnership", "create", "a", "--participant", "micron",
           "--participant", "anthropic", "--kind", "SUPPLY_AGREEMENT",
           "--announced-on", "2025-02-01"});
  MustRun({"partnership", "create", "b", "--participant", "amazon",
           "--participant", "anthropic", "--kind", "INVESTMENT",
           "--announced-on", "2025-03-01"});
  MustRun({"partnership", "create", "c", "--participant", "micron",
           "--participant", "amazon", "--kind", "SUPPLY_AGREEMENT",
           "--announced-on", "2025-11-20"});
  Result r = Ctl({"trend", "--group-by", "quarter"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string full(40 * 3, ' ');
  std::string bar40, bar20;
  for (int i = 0; i < 40; ++i) bar40 += "█";
  for (int i = 0; i < 20; ++i) bar20 += "█";
  EXPECT_THAT(Lines(r.out),
              ElementsAre("QUARTER   COUNT", "2025-Q1       2  " + bar40,
                          "2025-Q2       0", "2025-Q3       0",
                          "2025-Q4       1  " + bar20));
  // The filter's dates widen the range.
  Result ranged =
      Ctl({"trend", "--after", "2024-10-01", "--before", "2026-03-31"});
  ASSERT_EQ(ranged.exit_code, 0) << ranged;
  EXPECT_THAT(Lines(ranged.out)[1], StartsWith("2024-Q4       0"));
  EXPECT_THAT(Lines(ranged.out).back(), StartsWith("2026-Q1       0"));
  // Other keys beside the period: each combination gets its own periods.
  Result kinds = Ctl({"trend", "--group-by", "kind,quarter"});
  ASSERT_EQ(kinds.exit_code, 0) << kinds;
  EXPECT_THAT(kinds.out,
              AllOf(HasSubstr("INVESTMENT         2025-Q2       0"),
                    HasSubstr("SUPPLY_AGREEMENT   2025-Q4       1  " + bar40)));
}

TEST_F(CliWatchGraphTest, DotOutputRendersWithGraphviz) {
  Companies();
  MustRun({"partnership", "create", "ma", "--participant", "micron",
           "--participant", "anthropic", "--kind", "SUPPLY_AGREEMENT",
           "--announced-on", "2025-11-20"});
  MustRun({"partnership", "create", "three", "--participant", "amazon",
           "--participant", "anthropic", "--participant", "micron", "--kind",
           "JOINT_VENTURE", "--announced-on", "2024-05-01"});
  struct Case {
    std::string command;
    std::string edge;
  };
  for (const auto& [command, edge] :
       std::vector<Case>{{"neighbors micron --depth 2", "supply agreement"},
                         {"path micron amazon", "joint venture"}}) {
    SCOPED_TRACE(command);
    Result dot = Ctl(absl::StrSplit(command + " -o dot", ' '));
    ASSERT_EQ(dot.exit_code, 0) << dot;
    EXPECT_THAT(dot.out, AllOf(HasSubstr("\"micron\" [label=\"Micron "
                                         "Technology\""),
                               HasSubstr("Amazon \\\"AWS\\\"")));
    const std::string path = TempFile("graph.dot", dot.out);
    Result rendered = RunProcess({"/usr/bin/dot", "-Tsvg", path},
                                 ChildEnvironment({}), dir_ + "/dot");
    ASSERT_EQ(rendered.exit_code, 0) << rendered << dot.out;
    EXPECT_THAT(rendered.out,
                AllOf(HasSubstr("<svg"), HasSubstr("Micron Technology"),
                      HasSubstr(edge)));
    EXPECT_THAT(rendered.err, IsEmpty());
  }
  Result refused = Ctl({"trend", "-o", "dot"});
  EXPECT_EQ(refused.exit_code, 2) << refused;
}

}  // namespace
}  // namespace partnergraph::testing
