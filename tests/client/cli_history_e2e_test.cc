// `partnerctl history company|partnership ID` and `--as-of REV|TIME` on the
// commands that read, against a real partnergraphd (the contract is in
// proto/partnergraph/v1/company_service.proto: ListCompanyRevisions and the
// as_of_revision / as_of_time fields).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/resources.pb.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

// The whitespace-separated cells of a table line.
std::vector<std::string> Cells(const std::string& line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

class CliHistoryTest : public PartnerctlE2eTest {
 protected:
  // Creates micron as "Micron", then renames it "Micron Technology".
  // Returns the revision of the create.
  int64_t MicronRenamed() {
    Result created = Ctl({"company", "create", "micron", "--display-name",
                          "Micron", "-o", "json"});
    EXPECT_EQ(created.exit_code, 0) << created;
    MustRun(
        {"company", "update", "micron", "--display-name", "Micron Technology"});
    return FromJson<v1::Company>(created.out).create_revision();
  }

  std::string CompanyJson(const std::vector<std::string>& args) {
    Result r = Ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out;
  }
};

TEST_F(CliHistoryTest, HistoryCompanyListsTheVersionsNewestFirst) {
  const int64_t first = MicronRenamed();
  ASSERT_GT(first, 0);

  Result r = Ctl({"history", "company", "micron"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r;
  EXPECT_THAT(Cells(lines[0]), ElementsAre("REVISION", "COMMITTED", "CHANGE",
                                           "DISPLAY", "NAME"));
  const std::vector<std::string> newest = Cells(lines[1]);
  const std::vector<std::string> oldest = Cells(lines[2]);
  ASSERT_EQ(newest.size(), 5u) << r;
  ASSERT_EQ(oldest.size(), 4u) << r;
  int64_t newest_revision = 0;
  ASSERT_TRUE(absl::SimpleAtoi(newest[0], &newest_revision)) << r;
  EXPECT_GT(newest_revision, first);
  EXPECT_EQ(oldest[0], absl::StrCat(first));
  EXPECT_EQ(newest[2], "updated");
  EXPECT_EQ(oldest[2], "created");
  EXPECT_EQ(newest[3] + " " + newest[4], "Micron Technology");
  EXPECT_EQ(oldest[3], "Micron");
  for (const std::string& committed : {newest[1], oldest[1]}) {
    google::protobuf::Timestamp parsed;
    EXPECT_TRUE(
        google::protobuf::util::TimeUtil::FromString(committed, &parsed))
        << committed;
    EXPECT_THAT(committed, ::testing::EndsWith("Z"));
  }
}

TEST_F(CliHistoryTest, HistoryTakesTheResourceNameAndPrintsJson) {
  const int64_t first = MicronRenamed();
  const auto response = FromJson<v1::ListCompanyRevisionsResponse>(
      CompanyJson({"history", "company", "companies/micron", "-o", "json"}));
  ASSERT_EQ(response.revisions_size(), 2);
  EXPECT_EQ(response.revisions(0).change(), v1::ChangeEvent::UPDATED);
  EXPECT_EQ(response.revisions(0).company().display_name(),
            "Micron Technology");
  EXPECT_EQ(response.revisions(1).change(), v1::ChangeEvent::CREATED);
  EXPECT_EQ(response.revisions(1).revision(), first);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(CliHistoryTest, HistoryPagesLikeCompanyList) {
  MicronRenamed();
  Result page = Ctl({"history", "company", "micron", "--page-size", "1"});
  ASSERT_EQ(page.exit_code, 0) << page;
  EXPECT_EQ(Lines(page.out).size(), 2u) << page;
  EXPECT_THAT(page.err, HasSubstr("--page-token="));

  Result all =
      Ctl({"history", "company", "micron", "--page-size", "1", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_EQ(Lines(all.out).size(), 3u) << all;
  EXPECT_THAT(all.err, IsEmpty());
}

TEST_F(CliHistoryTest, HistoryOfAPartnershipShowsItsTitles) {
  MustRun({"company", "create", "micron", "--display-name", "Micron"});
  MustRun({"company", "create", "anthropic", "--display-name", "Anthropic"});
  MustRun({"partnership", "create", "deal", "--participant", "micron",
           "--participant", "anthropic", "--kind", "SUPPLY_AGREEMENT",
           "--announced-on", "2025-11-20", "--title", "Old title"});
  MustRun({"partnership", "update", "deal", "--title", "New title"});

  Result r = Ctl({"history", "partnership", "partnerships/deal"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r;
  EXPECT_THAT(lines[0], HasSubstr("TITLE"));
  EXPECT_THAT(lines[1], HasSubstr("updated   New title"));
  EXPECT_THAT(lines[2], HasSubstr("created   Old title"));
}

TEST_F(CliHistoryTest, HistoryOfAnUnknownRecordIsNotFound) {
  Result r = Ctl({"history", "company", "nope"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("company \"nope\" not found"));
  EXPECT_EQ(Ctl({"history", "partnership", "nope"}).exit_code, 3);
}

TEST_F(CliHistoryTest, GetAsOfTheFirstRevisionShowsTheOldDisplayName) {
  const int64_t first = MicronRenamed();

  Result table =
      Ctl({"company", "get", "micron", "--as-of", absl::StrCat(first)});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("Micron"));
  EXPECT_THAT(table.out, Not(HasSubstr("Micron Technology")));

  const auto then =
      FromJson<v1::Company>(CompanyJson({"company", "get", "micron", "--as-of",
                                         absl::StrCat(first), "-o", "json"}));
  EXPECT_EQ(then.display_name(), "Micron");
  const auto now = FromJson<v1::Company>(
      CompanyJson({"company", "get", "micron", "-o", "json"}));
  EXPECT_EQ(now.display_name(), "Micron Technology");
}

TEST_F(CliHistoryTest, GetAsOfTheCommitTimeOfTheFirstVersion) {
  MicronRenamed();
  const auto history = FromJson<v1::ListCompanyRevisionsResponse>(
      CompanyJson({"history", "company", "micron", "-o", "json"}));
  ASSERT_EQ(history.revisions_size(), 2);
  const std::string created_at = google::protobuf::util::TimeUtil::ToString(
      history.revisions(1).commit_time());

  const auto then = FromJson<v1::Company>(CompanyJson(
      {"company", "get", "micron", "--as-of", created_at, "-o", "json"}));
  EXPECT_EQ(then.display_name(), "Micron") << created_at;
}

TEST_F(CliHistoryTest, ListAsOfARevisionKeepsItOnEveryPage) {
  Result micron = Ctl({"company", "create", "micron", "--display-name",
                       "Micron", "-o", "json"});
  ASSERT_EQ(micron.exit_code, 0) << micron;
  const int64_t first = FromJson<v1::Company>(micron.out).create_revision();
  MustRun({"company", "create", "anthropic", "--display-name", "Anthropic"});
  Result amazon = Ctl({"company", "create", "amazon", "--display-name",
                       "Amazon", "-o", "json"});
  ASSERT_EQ(amazon.exit_code, 0) << amazon;
  const int64_t third = FromJson<v1::Company>(amazon.out).create_revision();
  MustRun({"company", "delete", "micron"});

  Result then =
      Ctl({"company", "list", "--as-of", absl::StrCat(first), "-o", "name"});
  ASSERT_EQ(then.exit_code, 0) << then;
  EXPECT_THAT(Lines(then.out), ElementsAre("companies/micron"));

  // Before the delete, three companies, one a page.
  Result all = Ctl({"company", "list", "--as-of", absl::StrCat(third),
                    "--page-size", "1", "--all", "-o", "name"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_THAT(Lines(all.out),
              ElementsAre("companies/amazon", "companies/anthropic",
                          "companies/micron"));
}

TEST_F(CliHistoryTest, EveryReadingCommandAnswersAsOfTheRevisionGiven) {
  MustRun({"company", "create", "micron", "--display-name", "Micron"});
  Result anthropic = Ctl({"company", "create", "anthropic", "--display-name",
                          "Anthropic", "-o", "json"});
  ASSERT_EQ(anthropic.exit_code, 0) << anthropic;
  const std::string before_deal =
      absl::StrCat(FromJson<v1::Company>(anthropic.out).create_revision());
  Result deal = Ctl({"partnership", "create", "deal", "--participant", "micron",
                     "--participant", "anthropic", "--kind", "SUPPLY_AGREEMENT",
                     "--announced-on", "2025-11-20", "--title", "Old title",
                     "-o", "json"});
  ASSERT_EQ(deal.exit_code, 0) << deal;
  const std::string deal_made =
      absl::StrCat(FromJson<v1::Partnership>(deal.out).create_revision());
  MustRun({"partnership", "update", "deal", "--title", "New title"});

  Result get = Ctl({"partnership", "get", "deal", "--as-of", deal_made});
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_THAT(get.out, HasSubstr("Old title"));
  Result describe =
      Ctl({"describe", "partnership", "deal", "--as-of", deal_made});
  EXPECT_THAT(describe.out, HasSubstr("Old title"));
  EXPECT_EQ(
      Ctl({"partnership", "get", "deal", "--as-of", before_deal}).exit_code, 3);

  Result list =
      Ctl({"partnership", "list", "--as-of", before_deal, "-o", "name"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, IsEmpty());
  Result neighbors =
      Ctl({"neighbors", "micron", "--as-of", before_deal, "-o", "name"});
  ASSERT_EQ(neighbors.exit_code, 0) << neighbors;
  EXPECT_THAT(Lines(neighbors.out), ElementsAre("companies/micron"));
  Result path = Ctl({"path", "micron", "anthropic", "--as-of", deal_made});
  ASSERT_EQ(path.exit_code, 0) << path;
  EXPECT_THAT(path.out, HasSubstr("Anthropic"));
  Result trend = Ctl(
      {"trend", "--group-by", "year", "--as-of", before_deal, "-o", "json"});
  ASSERT_EQ(trend.exit_code, 0) << trend;
  EXPECT_THAT(trend.out, Not(HasSubstr("2025")));
  Result company =
      Ctl({"describe", "company", "micron", "--as-of", before_deal});
  ASSERT_EQ(company.exit_code, 0) << company;
  EXPECT_THAT(company.out, Not(HasSubstr("deal")));
}

TEST_F(CliHistoryTest, AGarbageAsOfIsAUsageErrorAndNothingIsSent) {
  MicronRenamed();
  for (const std::string bad :
       {"yesterday", "0", "-5", "2026-13-01T00:00:00Z", ""}) {
    SCOPED_TRACE(bad);
    Result r = Ctl({"company", "get", "micron", "--as-of", bad});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, StartsWith("Error: "));
    EXPECT_THAT(r.err, HasSubstr("--as-of"));
    EXPECT_THAT(r.err, HasSubstr("RFC 3339"));
  }
  // Refused before dialing: a server that is not there is never reached.
  Result offline = RunRaw({"--server=127.0.0.1:1", "--timeout=2s", "company",
                           "list", "--as-of", "yesterday"});
  EXPECT_EQ(offline.exit_code, 2) << offline;
  EXPECT_THAT(offline.err, HasSubstr("--as-of"));
}

}  // namespace
}  // namespace partnergraph::testing
