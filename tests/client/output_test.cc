// Output formatting of partnerctl: tables, JSON, YAML. No server needed.

#include "client/output.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "client/graph_output.h"
#include "client/yaml_proto.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    const absl::Status assert_ok_status_ = (expr);            \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_; \
  } while (0)

v1::Company Micron() {
  v1::Company company;
  company.set_name("companies/micron");
  company.set_display_name("Micron Technology");
  company.set_legal_name("Micron Technology, Inc.");
  company.add_tickers("NASDAQ:MU");
  company.add_sectors("semiconductors/memory");
  company.set_country("US");
  company.set_description("Memory and storage.\nBoise, Idaho.");
  (*company.mutable_labels())["tier"] = "1";
  company.set_create_revision(12);
  company.set_update_revision(14);
  company.mutable_create_time()->set_seconds(1763600000);
  company.set_etag("14");
  return company;
}

v1::Partnership MicronAnthropic() {
  v1::Partnership partnership;
  partnership.set_name("partnerships/micron-anthropic-2025");
  partnership.set_title("Micron and Anthropic strategic partnership");
  v1::Participant* micron = partnership.add_participants();
  micron->set_company("companies/micron");
  micron->set_role(v1::SUPPLIER);
  v1::Participant* anthropic = partnership.add_participants();
  anthropic->set_company("companies/anthropic");
  anthropic->set_role(v1::PARTNER);
  partnership.add_kinds(v1::STRATEGIC_ALLIANCE);
  partnership.add_kinds(v1::SUPPLY_AGREEMENT);
  partnership.set_status(v1::ANNOUNCED);
  partnership.set_announced_on("2025-11-20");
  partnership.mutable_terms()->set_disclosure(v1::UNDISCLOSED);
  v1::MarketReaction* reaction = partnership.add_market_reactions();
  reaction->set_ticker("NASDAQ:MU");
  reaction->set_change_percent(5.58);
  reaction->set_window("1d");
  return partnership;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(ParseOutputFormatTest, AcceptsTheThreeFormatsInAnyCase) {
  struct Case {
    std::string text;
    OutputFormat want;
  };
  for (const Case& c : std::vector<Case>{{"table", OutputFormat::kTable},
                                         {"JSON", OutputFormat::kJson},
                                         {"yaml", OutputFormat::kYaml},
                                         {"yml", OutputFormat::kYaml}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<OutputFormat> format = ParseOutputFormat(c.text);
    ASSERT_TRUE(format.ok()) << format.status();
    EXPECT_EQ(*format, c.want);
  }
  EXPECT_EQ(ParseOutputFormat("xml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProgressLineTest, ShowsBarRateAndTimeLeft) {
  EXPECT_EQ(ProgressLine("import", 250, 1000, 40000, absl::Seconds(10)),
            "import [#######.......................]  25% 40000 records "
            "4000/s ETA 0:30");
  // Unknown total (stdin): no bar, no time left.
  EXPECT_EQ(ProgressLine("import", 250, 0, 40000, absl::Seconds(10)),
            "import 40000 records 4000/s");
  // Too early for a rate; and done.
  EXPECT_EQ(ProgressLine("import", 10, 1000, 5, absl::Milliseconds(100)),
            "import [..............................]   1% 5 records");
  EXPECT_EQ(ProgressLine("import", 1000, 1000, 90, absl::Seconds(3)),
            "import [##############################] 100% 90 records 30/s");
  // A long load: minutes past the hour stay readable.
  EXPECT_EQ(ProgressLine("import", 1, 100, 1, absl::Seconds(60)),
            "import [..............................]   1% 1 records 0/s "
            "ETA 99:00");
}

TEST(FormatTableTest, AlignsColumnsAndMarksEmptyCells) {
  std::string table = FormatTable(
      {"NAME", "COUNTRY", "NOTE"},
      {{"micron", "US", "x"}, {"sk-hynix", "", "y"}, {"a", "KR", ""}});
  EXPECT_THAT(Lines(table),
              ElementsAre("NAME       COUNTRY   NOTE", "micron     US        x",
                          "sk-hynix   -         y", "a          KR        -"));
}

TEST(FormatTableTest, CountsUtf8CharactersNotBytes) {
  std::string table =
      FormatTable({"NAME", "X"}, {{"Société", "1"}, {"Societe", "2"}});
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 3u);
  // "Société" is 9 bytes but 7 characters: both data rows put X at the same
  // character column.
  EXPECT_EQ(lines[1].find("1") - 2, lines[2].find("2"));
}

TEST(CompanyTableTest, ShowsBareIdsAndJoinedLists) {
  v1::Company micron = Micron();
  micron.add_tickers("XETRA:MTE");
  google::protobuf::RepeatedPtrField<v1::Company> companies;
  *companies.Add() = micron;
  std::vector<std::string> lines =
      Lines(CompanyTable(companies, OutputFormat::kWide));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0],
              ::testing::StartsWith(
                  "NAME     DISPLAY NAME        TICKERS               SECTORS "
                  "                COUNTRY   LEGAL NAME"));
  EXPECT_THAT(lines[1],
              ::testing::StartsWith(
                  "micron   Micron Technology   NASDAQ:MU,XETRA:MTE   "
                  "semiconductors/memory   US        Micron "
                  "Technology, Inc."))
      << "header: " << lines[0];
}

TEST(PartnershipTableTest, ShowsKindsParticipantsWithRolesAndStatus) {
  std::string table = FormatPartnership(MicronAnthropic(), OutputFormat::kWide);
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("NAME"));
  EXPECT_THAT(lines[0], HasSubstr("ANNOUNCED"));
  EXPECT_THAT(lines[0], HasSubstr("KINDS"));
  EXPECT_THAT(lines[0], HasSubstr("PARTICIPANTS"));
  EXPECT_THAT(lines[0], HasSubstr("STATUS"));
  EXPECT_THAT(lines[1], HasSubstr("micron-anthropic-2025"));
  EXPECT_THAT(lines[1], HasSubstr("2025-11-20"));
  EXPECT_THAT(lines[1], HasSubstr("STRATEGIC_ALLIANCE,SUPPLY_AGREEMENT"));
  EXPECT_THAT(lines[1], HasSubstr("micron:SUPPLIER,anthropic "));
  EXPECT_THAT(lines[1],
              HasSubstr("Micron and Anthropic strategic partnership"));
  EXPECT_THAT(lines[1], HasSubstr("ANNOUNCED"));
  // Columns line up: every header word starts where its value starts.
  EXPECT_EQ(lines[0].find("ANNOUNCED"), lines[1].find("2025-11-20"));
  EXPECT_EQ(lines[0].find("KINDS"), lines[1].find("STRATEGIC_ALLIANCE"));
}

TEST(SearchTableTest, AddsTheMatchColumn) {
  v1::SearchCompaniesResponse response;
  v1::SearchResult* result = response.add_results();
  *result->mutable_company() = Micron();
  result->set_match(v1::EXACT_TICKER);
  std::vector<std::string> lines =
      Lines(FormatSearch(response, OutputFormat::kTable));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("MATCH"));
  EXPECT_THAT(lines[1], HasSubstr("EXACT_TICKER"));
}

TEST(JsonTest, IsTheProtobufMappingAndParsesBack) {
  v1::Company micron = Micron();
  std::string json = FormatCompany(micron, OutputFormat::kJson);
  EXPECT_THAT(json, HasSubstr("\"displayName\": \"Micron Technology\""));
  EXPECT_THAT(json, HasSubstr("\"createRevision\": \"12\""));
  v1::Company back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &back).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(micron, back)) << json;
}

TEST(JsonTest, EmptyListsStillPrintTheirItems) {
  v1::ListCompaniesResponse companies;
  companies.set_revision(7);
  EXPECT_THAT(FormatCompanyList(companies, OutputFormat::kJson),
              HasSubstr("\"companies\": []"));
  v1::ListPartnershipsResponse partnerships;
  EXPECT_THAT(FormatPartnershipList(partnerships, OutputFormat::kYaml),
              HasSubstr("partnerships: []"));
  // A non-empty list does not print every default field of its items.
  *companies.add_companies() = Micron();
  EXPECT_THAT(FormatCompanyList(companies, OutputFormat::kJson),
              Not(HasSubstr("\"website\"")));
}

TEST(YamlTest, KeepsStringsThatLookLikeOtherTypesAsStrings) {
  v1::Company company;
  company.set_display_name("2025");
  company.set_legal_name("true");
  company.set_website("");
  company.set_country("NO");
  company.set_create_revision(12);
  std::string yaml = ToYaml(company);
  EXPECT_THAT(yaml, HasSubstr("displayName: \"2025\""));
  EXPECT_THAT(yaml, HasSubstr("legalName: \"true\""));
  EXPECT_THAT(yaml, HasSubstr("country: \"NO\""));
  EXPECT_THAT(yaml, HasSubstr("createRevision: \"12\""));
}

TEST(YamlTest, QuotesKeysAndValuesThatOtherReadersWouldMisread) {
  v1::Company company;
  company.set_display_name("<<");
  company.set_description("line\xE2\x80\xA8separator");
  (*company.mutable_labels())["yes"] = "1";
  (*company.mutable_labels())["2025-01-01"] = "date";
  (*company.mutable_labels())["tier"] = "gold";
  std::string yaml = ToYaml(company);
  EXPECT_THAT(yaml, HasSubstr("displayName: \"<<\""));
  EXPECT_THAT(yaml, HasSubstr("description: \""));
  EXPECT_THAT(yaml, HasSubstr("\"yes\": \"1\""));
  EXPECT_THAT(yaml, HasSubstr("\"2025-01-01\": date"));
  EXPECT_THAT(yaml, HasSubstr("tier: gold"));
}

TEST(YamlTest, MarketReactionNumberStaysANumber) {
  std::string yaml = ToYaml(MicronAnthropic());
  EXPECT_THAT(yaml, HasSubstr("changePercent: 5.58"));
  EXPECT_THAT(yaml, HasSubstr("announcedOn: \"2025-11-20\""));
  EXPECT_THAT(yaml, HasSubstr("- STRATEGIC_ALLIANCE"));
}

TEST(YamlTest, RoundTripsThroughTheSchemaGuidedReader) {
  struct Case {
    std::string label;
    std::unique_ptr<google::protobuf::Message> message;
  };
  std::vector<Case> cases;
  cases.push_back({"company", std::make_unique<v1::Company>(Micron())});
  cases.push_back(
      {"partnership", std::make_unique<v1::Partnership>(MicronAnthropic())});
  auto odd = std::make_unique<v1::Company>();
  odd->set_display_name("0x1F");
  odd->add_aliases("yes");
  odd->add_aliases("- dash");
  odd->add_aliases("key: value");
  odd->add_aliases("\"quoted\" and \\ backslash");
  odd->add_aliases("Ünïcödé – 株式会社");
  odd->set_description("line one\n\tline two\n");
  (*odd->mutable_labels())["n"] = "42";
  cases.push_back({"odd strings", std::move(odd)});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    std::string yaml = ToYaml(*c.message);
    std::unique_ptr<google::protobuf::Message> back(c.message->New());
    ASSERT_OK(ParseYamlMessage(yaml, back.get()));
    EXPECT_TRUE(MessageDifferencer::Equals(*c.message, *back)) << yaml;
  }
}

TEST(FormatTableTest, NarrowsColumnsByTierToFitTheWidth) {
  TableOptions options;
  options.max_width = 45;
  options.shrink_tier = {0, 1, 2};
  const std::string table = FormatTable(
      {"NAME", "A", "B"},
      {{"a-long-name-kept", std::string(30, 'a'), std::string(20, 'b')}},
      options);
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 2u);
  // Tier 1 (A) goes down to 10 characters first, then tier 2 (B).
  EXPECT_EQ(lines[1], "a-long-name-kept   aaaaaaaaa…   bbbbbbbbbbbb…");
  EXPECT_EQ(DisplayWidth(lines[1]), 45u);
  options.headers = false;
  EXPECT_EQ(Lines(FormatTable({"NAME"}, {{"x"}}, options)).size(), 1u);
}

TEST(BarTest, FullBlocksThenEighths) {
  EXPECT_EQ(Bar(0, 3, 40), "");
  std::string third;
  for (int i = 0; i < 13; ++i) third += "█";
  EXPECT_EQ(Bar(1, 3, 40), third + "▎");  // 13 1/3 cells
  EXPECT_EQ(Bar(1, 1000, 40), "▏");       // a small count still shows
}

TEST(TruncateTest, CutsCharactersNotBytes) {
  EXPECT_EQ(Truncate("Société Générale", 8), "Société…");
  EXPECT_EQ(Truncate("short", 8), "short");
}

TEST(JsonToYamlTest, RejectsBrokenJson) {
  EXPECT_EQ(JsonToYaml("{\"a\": [1,").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
TEST(YamlTest, OneMessageFileHoldsOneDocument) {
  v1::Company company;
  absl::Status status =
      ParseYamlMessage("displayName: A\n---\ndisplayName: B\n", &company);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("got 2"));
  ASSERT_OK(ParseYamlMessage("displayName: A\n", &company));
  EXPECT_EQ(company.display_name(), "A");
}

}  // namespace partnergraph::client
