// The layouts of `partnerctl history`. No server needed.

#include "client/history_output.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Two versions of micron, newest first, as the server lists them.
v1::ListCompanyRevisionsResponse MicronHistory() {
  v1::ListCompanyRevisionsResponse response;
  v1::CompanyRevision* updated = response.add_revisions();
  updated->set_revision(7);
  updated->mutable_commit_time()->set_seconds(1769860800);  // 2026-01-31 12:00
  updated->set_change(v1::ChangeEvent::UPDATED);
  updated->mutable_company()->set_name("companies/micron");
  updated->mutable_company()->set_display_name("Micron Technology");
  v1::CompanyRevision* created = response.add_revisions();
  created->set_revision(3);
  created->mutable_commit_time()->set_seconds(1769774400);  // a day earlier
  created->set_change(v1::ChangeEvent::CREATED);
  created->mutable_company()->set_name("companies/micron");
  created->mutable_company()->set_display_name("Micron");
  response.set_revision(9);
  return response;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(HistoryOutputTest, CompanyTableIsNewestFirstWithUtcCommitTimes) {
  EXPECT_THAT(
      Lines(FormatCompanyHistory(MicronHistory(), Output())),
      ElementsAre(
          "REVISION   COMMITTED              CHANGE    DISPLAY NAME",
          "7          2026-01-31T12:00:00Z   updated   Micron Technology",
          "3          2026-01-30T12:00:00Z   created   Micron"));
}

TEST(HistoryOutputTest, PartnershipTableShowsTheTitleCutToFitUnlessWide) {
  v1::ListPartnershipRevisionsResponse response;
  v1::PartnershipRevision* deleted = response.add_revisions();
  deleted->set_revision(12);
  deleted->mutable_commit_time()->set_seconds(1769860800);
  deleted->set_change(v1::ChangeEvent::DELETED);
  const std::string title(100, 't');
  deleted->mutable_partnership()->set_title(title);

  const std::vector<std::string> table =
      Lines(FormatPartnershipHistory(response, Output()));
  ASSERT_EQ(table.size(), 2u);
  EXPECT_THAT(table[0], HasSubstr("TITLE"));
  EXPECT_THAT(table[1], HasSubstr("12   "));
  EXPECT_THAT(table[1], HasSubstr("deleted"));
  EXPECT_LE(DisplayWidth(table[1]), kTableWidth);
  EXPECT_THAT(table[1], HasSubstr("\xE2\x80\xA6"));

  Output wide(OutputFormat::kWide);
  wide.headers = false;
  const std::vector<std::string> uncut =
      Lines(FormatPartnershipHistory(response, wide));
  ASSERT_EQ(uncut.size(), 1u);
  EXPECT_THAT(uncut[0], HasSubstr(title));
}

TEST(HistoryOutputTest, JsonAndYamlPrintTheResponseAndAnEmptyList) {
  const std::string json =
      FormatCompanyHistory(MicronHistory(), Output(OutputFormat::kJson));
  EXPECT_THAT(json, HasSubstr("\"change\": \"UPDATED\""));
  EXPECT_THAT(json, HasSubstr("\"commitTime\": \"2026-01-31T12:00:00Z\""));
  EXPECT_THAT(json, HasSubstr("\"revision\": \"9\""));

  const std::string yaml = FormatCompanyHistory(
      v1::ListCompanyRevisionsResponse(), Output(OutputFormat::kYaml));
  EXPECT_THAT(yaml, HasSubstr("revisions: []"));
}

TEST(HistoryOutputTest, ChangeNames) {
  EXPECT_EQ(ChangeName(v1::ChangeEvent::CREATED), "created");
  EXPECT_EQ(ChangeName(v1::ChangeEvent::UPDATED), "updated");
  EXPECT_EQ(ChangeName(v1::ChangeEvent::DELETED), "deleted");
  EXPECT_EQ(ChangeName(v1::ChangeEvent::TYPE_UNSPECIFIED), "");
}

}  // namespace
}  // namespace partnergraph::client
