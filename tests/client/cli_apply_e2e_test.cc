// `apply -f` writes only the fields a record names and goes on past a failed
// record; `apply --dry-run` and `diff -f` have the server check every write
// (validate_only) and write nothing.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kRecords[] = PROJECT_SOURCE_DIR "/client/examples/records.yaml";

class CliApplyTest : public PartnerctlE2eTest {
 protected:
  int64_t Revision() {
    Result r = Ctl({"company", "list", "-o", "json"});
    v1::ListCompaniesResponse response;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(r.out, &response).ok())
        << r;
    return response.revision();
  }
  v1::Company Company(const std::string& id) {
    Result r = Ctl({"company", "get", id, "-o", "json"});
    v1::Company company;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(r.out, &company).ok())
        << r;
    return company;
  }
};

TEST_F(CliApplyTest, ApplyWritesOnlyTheFieldsTheFileNames) {
  Result first = Ctl({"apply", "-f", kRecords});
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_THAT(
      Lines(first.err),
      ElementsAre("companies/micron created", "companies/anthropic created",
                  "partnerships/micron-anthropic-2025 created",
                  "3 created, 0 updated, 0 unchanged, 0 failed"));
  // Set outside the file: a description, a label, a status.
  MustRun({"company", "update", "micron", "--description", "Boise, Idaho",
           "--label", "tier=1"});
  MustRun(
      {"partnership", "update", "micron-anthropic-2025", "--status", "ACTIVE"});
  MustRun({"company", "update", "anthropic", "--country", "GB"});
  const int64_t revision = Revision();

  Result again = Ctl({"apply", "-f", kRecords});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(Lines(again.err),
              ElementsAre("companies/micron unchanged",
                          "companies/anthropic updated: country",
                          "partnerships/micron-anthropic-2025 unchanged",
                          "0 created, 1 updated, 2 unchanged, 0 failed"));
  EXPECT_EQ(Revision(), revision + 1);
  v1::Company micron = Company("micron");
  EXPECT_EQ(micron.description(), "Boise, Idaho");
  EXPECT_EQ(micron.labels().at("tier"), "1");
  EXPECT_EQ(Company("anthropic").country(), "US");
  Result deal =
      Ctl({"partnership", "get", "micron-anthropic-2025", "-o", "json"});
  EXPECT_THAT(deal.out, HasSubstr("\"status\": \"ACTIVE\""));
}

TEST_F(CliApplyTest, ApplyGoesOnPastAFailedRecordAndSummarises) {
  MustRun({"company", "create", "nvidia", "--display-name", "NVIDIA"});
  const std::string file = TempFile("mixed.yaml", R"(
companies:
  - {name: micron, displayName: Micron Technology, tickers: [mu]}
  - {name: anthropic, displayName: Anthropic}
  - {name: nvidia, displayName: NVIDIA Corporation}
partnerships:
  - name: nvidia-anthropic
    participants: [{company: nvidia}, {company: anthropic}]
    kinds: [SUPPLY_AGREEMENT]
    announcedOn: "2025-01-02"
  - name: ghost-deal
    participants: [{company: nvidia}, {company: ghost}]
    kinds: [LICENSING]
    announcedOn: "2025-01-03"
)");
  Result r = Ctl({"apply", "-f", file});
  EXPECT_EQ(r.exit_code, 2) << r;  // the first failure: INVALID_ARGUMENT
  std::vector<std::string> lines = Lines(r.err);
  ASSERT_EQ(lines.size(), 6u) << r;
  EXPECT_THAT(lines[0], AllOf(HasSubstr("companies/micron failed: invalid "
                                        "argument"),
                              HasSubstr("tickers")));
  EXPECT_EQ(lines[1], "companies/anthropic created");
  EXPECT_EQ(lines[2], "companies/nvidia updated: display_name");
  EXPECT_EQ(lines[3], "partnerships/nvidia-anthropic created");
  EXPECT_THAT(lines[4], AllOf(HasSubstr("partnerships/ghost-deal failed: "),
                              HasSubstr("ghost")));
  EXPECT_EQ(lines[5], "2 created, 1 updated, 0 unchanged, 2 failed");
  // One default title rule: apply gives the one `partnership create` gives.
  Result made = Ctl({"partnership", "get", "nvidia-anthropic", "-o", "json"});
  EXPECT_THAT(made.out, HasSubstr("\"title\": \"nvidia & anthropic\""));
  Result created = Ctl({"partnership", "create", "--participant", "nvidia",
                        "--participant", "anthropic", "--kind", "LICENSING",
                        "--announced-on", "2024-01-01", "-o", "json"});
  EXPECT_THAT(created.out, HasSubstr("\"title\": \"nvidia & anthropic\""));
}

TEST_F(CliApplyTest, DryRunAndDiffAreCheckedByTheServerAndWriteNothing) {
  MustRun({"apply", "-f", kRecords});
  MustRun(
      {"company", "update", "anthropic", "--country", "GB", "--website", ""});
  const int64_t revision = Revision();
  const std::string file = TempFile("changes.yaml", R"(
companies:
  - {name: anthropic, country: US, website: "https://www.anthropic.com"}
  - {name: micron, displayName: Micron Technology}
  - {name: openai, displayName: OpenAI}
  - {name: broken, displayName: Broken, country: usa}
partnerships:
  - name: micron-anthropic-2025
    title: Micron x Anthropic
  - name: no-such-participant
    participants: [{company: micron}, {company: intel}]
    kinds: [LICENSING]
    announcedOn: "2025-02-01"
  - name: openai-micron
    participants: [{company: openai}, {company: micron}]
    kinds: [SUPPLY_AGREEMENT]
    announcedOn: "2025-03-01"
)");
  Result diff = Ctl({"diff", "-f", file});
  EXPECT_EQ(diff.exit_code, 2) << diff;  // "broken" would fail
  EXPECT_EQ(diff.out,
            "companies/anthropic\n"
            "  country: \"GB\" → \"US\"\n"
            "  website: (unset) → \"https://www.anthropic.com\"\n"
            "companies/openai: would create\n"
            "partnerships/micron-anthropic-2025\n"
            "  title: \"Micron and Anthropic strategic partnership\" → "
            "\"Micron x Anthropic\"\n"
            "partnerships/openai-micron: would create (not checked on the "
            "server: companies/openai would be created first)\n");
  EXPECT_THAT(diff.err,
              AllOf(HasSubstr("companies/broken: would fail: invalid argument"),
                    HasSubstr("partnerships/no-such-participant: would fail: "),
                    HasSubstr("intel"),
                    HasSubstr("2 to create, 2 to update, 1 unchanged, 2 "
                              "failed")));

  Result dry = Ctl({"apply", "--dry-run", "-f", file});
  EXPECT_EQ(dry.exit_code, 2) << dry;
  EXPECT_THAT(dry.err,
              AllOf(HasSubstr("companies/anthropic updated (dry run)\n"
                              "  country: \"GB\" → \"US\"\n"),
                    HasSubstr("companies/openai created (dry run)\n"),
                    HasSubstr("companies/broken failed: invalid argument"),
                    HasSubstr("2 created, 2 updated, 1 unchanged, 2 failed "
                              "(dry run)")));
  // Nothing was written, no revision taken.
  EXPECT_EQ(Revision(), revision);
  EXPECT_EQ(Ctl({"company", "get", "openai"}).exit_code, 3);
  EXPECT_EQ(Company("anthropic").country(), "GB");

  // A file that matches: diff prints nothing.
  Result none = Ctl({"diff", "-f", kRecords});
  EXPECT_EQ(none.exit_code, 0) << none;
  Result clean = Ctl(
      {"diff", "-f",
       TempFile("same.yaml", "companies: [{name: micron, country: US}]\n")});
  EXPECT_EQ(clean.exit_code, 0) << clean;
  EXPECT_THAT(clean.out, IsEmpty());
  EXPECT_THAT(clean.err, HasSubstr("0 to create, 0 to update, 1 unchanged"));
}

}  // namespace
}  // namespace partnergraph::testing
