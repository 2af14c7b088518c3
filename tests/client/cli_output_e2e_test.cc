// partnerctl's output: every command honours -o or refuses it, tables fit
// 80 columns (-o wide shows every column), -o name and --no-headers, the
// describe views, and the evidence flags of partnership create/update.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/output.h"
#include "client/yaml_proto.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/graph_service.pb.h"
#include "partnergraph/v1/resources.pb.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class CliOutputTest : public PartnerctlE2eTest {
 protected:
  std::vector<std::string> ServerFlags() override {
    return {absl::StrCat("--backup_dir=", dir_, "/backups")};
  }

  // Two companies with long names and a partnership with evidence.
  void MakeDeal() {
    MustRun({"company", "create", "micron", "--display-name",
             "Micron Technology", "--ticker", "NASDAQ:MU", "--sector",
             "semiconductors/memory,semiconductors/storage", "--country", "US",
             "--alias", "Micron"});
    MustRun({"company", "create", "anthropic", "--display-name", "Anthropic",
             "--sector", "ai/frontier-lab"});
    MustRun({"partnership",
             "create",
             "micron-anthropic-2025",
             "--participant",
             "micron:supplier",
             "--participant",
             "anthropic",
             "--kind",
             "STRATEGIC_ALLIANCE,SUPPLY_AGREEMENT,TECHNOLOGY_INTEGRATION",
             "--announced-on",
             "2025-11-20",
             "--title",
             "Micron and Anthropic strategic partnership for AI memory, supply "
             "and Claude integration",
             "--disclosure",
             "UNDISCLOSED",
             "--source",
             "https://example.com/micron-anthropic,title=Micron (MU) Stock "
             "Jumps Over 5%, on Anthropic,publisher=Example "
             "News,published=2025-11-20",
             "--source",
             "https://example.com/second",
             "--market-reaction",
             "NASDAQ:MU:+5.58%@2025-11-20/1d,note=on the news"});
  }
};

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

TEST_F(CliOutputTest, EvidenceFlagsRecordSourcesAndMarketReactions) {
  MakeDeal();
  Result got =
      Ctl({"partnership", "get", "micron-anthropic-2025", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got;
  v1::Partnership deal = FromJson<v1::Partnership>(got.out);
  ASSERT_EQ(deal.sources_size(), 2);
  EXPECT_EQ(deal.sources(0).url(), "https://example.com/micron-anthropic");
  // A value runs to the next ",KEY=": the comma in the title stays.
  EXPECT_EQ(deal.sources(0).title(),
            "Micron (MU) Stock Jumps Over 5%, on Anthropic");
  EXPECT_EQ(deal.sources(0).publisher(), "Example News");
  EXPECT_EQ(deal.sources(0).published_on(), "2025-11-20");
  EXPECT_EQ(deal.sources(1).url(), "https://example.com/second");
  ASSERT_EQ(deal.market_reactions_size(), 1);
  EXPECT_EQ(deal.market_reactions(0).ticker(), "NASDAQ:MU");
  EXPECT_DOUBLE_EQ(deal.market_reactions(0).change_percent(), 5.58);
  EXPECT_EQ(deal.market_reactions(0).on(), "2025-11-20");
  EXPECT_EQ(deal.market_reactions(0).window(), "1d");
  EXPECT_EQ(deal.market_reactions(0).note(), "on the news");

  // Update replaces the list; the server's rules still apply.
  Result updated = Ctl({"partnership", "update", "micron-anthropic-2025",
                        "--market-reaction", "NASDAQ:MU:-1.2", "-o", "json"});
  ASSERT_EQ(updated.exit_code, 0) << updated;
  v1::Partnership after = FromJson<v1::Partnership>(updated.out);
  ASSERT_EQ(after.market_reactions_size(), 1);
  EXPECT_DOUBLE_EQ(after.market_reactions(0).change_percent(), -1.2);
  EXPECT_EQ(after.sources_size(), 2);
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{
           {"--market-reaction", "NASDAQ:MU"},
           {"--market-reaction", "NASDAQ:MU:lots"},
           {"--market-reaction", "NASDAQ:MU:+5%/1y"},  // the server's rule
           {"--source", ",title=no url"},
       }) {
    SCOPED_TRACE(absl::StrJoin(bad, " "));
    std::vector<std::string> args = {"partnership", "update",
                                     "micron-anthropic-2025"};
    args.insert(args.end(), bad.begin(), bad.end());
    Result r = Ctl(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("invalid argument")) << r;
  }
}

TEST_F(CliOutputTest, PartnershipGetAndDescribeShowTheEvidence) {
  MakeDeal();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"partnership", "get", "micron-anthropic-2025"},
           {"describe", "partnership", "micron-anthropic-2025"}}) {
    SCOPED_TRACE(args[0]);
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, StartsWith("Name:          "
                                  "partnerships/micron-anthropic-2025\n"));
    EXPECT_THAT(
        r.out,
        AllOf(HasSubstr("Participants:\n  COMPANY     ROLE       DISPLAY NAME\n"
                        "  micron      SUPPLIER   Micron Technology\n"
                        "  anthropic   PARTNER    Anthropic\n"),
              HasSubstr("Terms:\n  Disclosure:   UNDISCLOSED\n"),
              HasSubstr("Sources:\n  1. https://example.com/micron-anthropic\n"
                        "     Title:      Micron (MU) Stock Jumps Over 5%, on "
                        "Anthropic\n     Publisher:  Example News\n"),
              HasSubstr("  2. https://example.com/second\n"),
              HasSubstr("  NASDAQ:MU   +5.58%   2025-11-20   1d       on the "
                        "news"),
              HasSubstr("Kinds:         STRATEGIC_ALLIANCE, SUPPLY_AGREEMENT, "
                        "TECHNOLOGY_INTEGRATION"),
              HasSubstr("Revisions:     created 3, updated 3, etag \"3\""),
              HasSubstr("Created:       20"), HasSubstr("Updated:       20")));
  }
  Result company = Ctl({"describe", "company", "micron"});
  ASSERT_EQ(company.exit_code, 0) << company;
  EXPECT_THAT(company.out,
              AllOf(StartsWith("Name:          companies/micron\n"),
                    HasSubstr("Display Name:  Micron Technology\n"),
                    HasSubstr("Aliases:       Micron\n"),
                    HasSubstr("Partnerships:\n  NAME"),
                    HasSubstr("  micron-anthropic-2025   2025-11-20"),
                    HasSubstr("Revisions:     created 1, updated 1")));
  EXPECT_EQ(Ctl({"describe", "company", "nvidia"}).exit_code, 3);
  EXPECT_EQ(Ctl({"describe", "partnership", "nope"}).exit_code, 3);
}

TEST_F(CliOutputTest, TablesFitEightyColumnsAndWideShowsEverything) {
  MakeDeal();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"company", "list"},
           {"company", "search", "micron"},
           {"partnership", "list"},
           {"neighbors", "micron"},
           {"describe", "company", "micron"}}) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
    for (const std::string& line : Lines(r.out)) {
      EXPECT_LE(partnergraph::client::DisplayWidth(line), 80u) << line;
    }
  }
  Result list = Ctl({"partnership", "list"});
  EXPECT_THAT(list.out, HasSubstr("…"));
  Result wide = Ctl({"partnership", "list", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide;
  EXPECT_THAT(wide.out,
              AllOf(HasSubstr("KINDS"), HasSubstr("SOURCES"),
                    HasSubstr("STRATEGIC_ALLIANCE,SUPPLY_AGREEMENT,"
                              "TECHNOLOGY_INTEGRATION"),
                    HasSubstr("micron:SUPPLIER,anthropic"),
                    HasSubstr("Micron and Anthropic strategic partnership for "
                              "AI memory, supply and Claude integration"),
                    Not(HasSubstr("…"))));
  Result companies = Ctl({"company", "list", "-o", "wide"});
  EXPECT_THAT(companies.out,
              AllOf(HasSubstr("LEGAL NAME"), HasSubstr("REVISION"),
                    HasSubstr("semiconductors/memory,semiconductors/storage")));
}

TEST_F(CliOutputTest, NameOutputAndNoHeaders) {
  MakeDeal();
  EXPECT_EQ(Ctl({"company", "list", "-o", "name"}).out,
            "companies/anthropic\ncompanies/micron\n");
  EXPECT_EQ(Ctl({"partnership", "list", "-o", "name"}).out,
            "partnerships/micron-anthropic-2025\n");
  EXPECT_EQ(Ctl({"company", "get", "micron", "-o", "name"}).out,
            "companies/micron\n");
  Result neighbors = Ctl({"neighbors", "micron", "-o", "name"});
  EXPECT_THAT(Lines(neighbors.out),
              ElementsAre("companies/micron", "companies/anthropic",
                          "partnerships/micron-anthropic-2025"));
  Result bare = Ctl({"company", "list", "--no-headers"});
  ASSERT_EQ(bare.exit_code, 0) << bare;
  ASSERT_EQ(Lines(bare.out).size(), 2u) << bare;
  EXPECT_THAT(Lines(bare.out)[0], StartsWith("anthropic "));
  Result deleted =
      Ctl({"partnership", "delete", "micron-anthropic-2025", "-o", "name"});
  EXPECT_EQ(deleted.out, "partnerships/micron-anthropic-2025\n") << deleted;
}

TEST_F(CliOutputTest, EveryCommandHonoursOrRefusesTheFormat) {
  MakeDeal();
  // YAML where the command used to print its own text.
  Result stats = Ctl({"stats", "-o", "yaml"});
  ASSERT_EQ(stats.exit_code, 0) << stats;
  v1::GetStatsResponse parsed_stats;
  ASSERT_TRUE(
      partnergraph::client::ParseYamlMessage(stats.out, &parsed_stats).ok())
      << stats;
  EXPECT_EQ(parsed_stats.companies(), 2);
  Result backup = Ctl({"backup", "-o", "yaml"});
  ASSERT_EQ(backup.exit_code, 0) << backup;
  v1::CreateBackupResponse parsed_backup;
  ASSERT_TRUE(
      partnergraph::client::ParseYamlMessage(backup.out, &parsed_backup).ok())
      << backup;
  EXPECT_EQ(parsed_backup.revision(), 3);
  Result watch = Ctl({"watch", "--since", "1", "--exit", "-o", "yaml"});
  ASSERT_EQ(watch.exit_code, 0) << watch;
  EXPECT_THAT(watch.out, AllOf(StartsWith("---\ntype: CREATED\nrevision: "
                                          "\"1\"\ncompany:\n"),
                               HasSubstr("partnership:\n")));
  EXPECT_THAT(Ctl({"stats", "-o", "json"}).out,
              HasSubstr("\"companies\": \"2\""));
  // Refused formats: a usage error naming what the command gives.
  struct Refused {
    std::vector<std::string> args;
    std::string want;
  };
  for (const Refused& c : std::vector<Refused>{
           {{"stats", "-o", "name"}, "\"stats\" prints table, json, yaml only"},
           {{"backup", "-o", "dot"}, "\"backup\" prints table, json, yaml"},
           {{"company", "list", "-o", "dot"}, "\"company list\" prints"},
           {{"trend", "-o", "name"}, "\"trend\" prints"},
           {{"watch", "-o", "name", "--since", "1", "--exit"}, "\"watch\""},
           {{"apply", "-f", "x.yaml", "-o", "json"}, "\"apply\" prints table"},
           {{"company", "delete", "micron", "-o", "json"},
            "\"company delete\" prints table, name only"},
           {{"export", "-o", "yaml"}, "\"export\" prints table, json"},
       }) {
    SCOPED_TRACE(absl::StrJoin(c.args, " "));
    Result r = Ctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, AllOf(StartsWith("Error: invalid argument: -o "),
                             HasSubstr(c.want)))
        << r;
    EXPECT_THAT(r.out, IsEmpty());
  }
  // Nothing was deleted by the refused delete.
  EXPECT_EQ(Ctl({"company", "get", "micron"}).exit_code, 0);
}

}  // namespace
}  // namespace partnergraph::testing
