// Parsing apply files and deciding what changed. No server needed; applying
// against a server is covered by partnerctl_e2e_test.

#include "client/apply.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kYaml[] = R"(
companies:
  - name: micron
    displayName: Micron Technology
    tickers: [NASDAQ:MU]
    sectors: [semiconductors/memory]
    country: US
    labels: {tier: 1}
  - display_name: Anthropic PBC   # proto field name, id derived
    sectors: ai/frontier-lab       # a scalar where a list is expected
partnerships:
  - name: micron-anthropic-2025
    title: Micron and Anthropic strategic partnership
    participants:
      - company: micron
        role: supplier
      - {company: companies/anthropic-pbc}
    kinds: [strategic-alliance, SUPPLY_AGREEMENT]
    announcedOn: 2025-11-20
    terms: {disclosure: UNDISCLOSED}
    marketReactions:
      - {ticker: NASDAQ:MU, changePercent: 5.58, window: 1d}
    sources:
      - url: https://example.com/micron-anthropic
        retrievedTime: 2025-11-21T08:00:00Z
)";

TEST(ParseApplySpecTest, ReadsYamlWithLooseSpellings) {
  absl::StatusOr<ApplySpec> spec = ParseApplySpec(kYaml);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->companies.size(), 2u);
  EXPECT_EQ(spec->companies[0].name(), "companies/micron");
  EXPECT_EQ(spec->companies[0].labels().at("tier"), "1");
  EXPECT_EQ(spec->companies[1].name(), "companies/anthropic-pbc");
  EXPECT_THAT(spec->companies[1].sectors(), ElementsAre("ai/frontier-lab"));
  ASSERT_EQ(spec->partnerships.size(), 1u);
  const v1::Partnership& p = spec->partnerships[0];
  EXPECT_EQ(p.name(), "partnerships/micron-anthropic-2025");
  EXPECT_EQ(p.participants(0).company(), "companies/micron");
  EXPECT_EQ(p.participants(0).role(), v1::SUPPLIER);
  EXPECT_EQ(p.participants(1).company(), "companies/anthropic-pbc");
  EXPECT_THAT(p.kinds(),
              ElementsAre(v1::STRATEGIC_ALLIANCE, v1::SUPPLY_AGREEMENT));
  EXPECT_EQ(p.announced_on(), "2025-11-20");
  EXPECT_EQ(p.terms().disclosure(), v1::UNDISCLOSED);
  EXPECT_DOUBLE_EQ(p.market_reactions(0).change_percent(), 5.58);
  EXPECT_EQ(p.sources(0).retrieved_time().seconds(), 1763712000);
}

TEST(ParseApplySpecTest, ReadsJsonAndSeveralDocuments) {
  absl::StatusOr<ApplySpec> json = ParseApplySpec(
      R"({"companies": [{"name": "companies/micron",
                         "displayName": "Micron Technology"}],
          "partnerships": []})");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->companies.size(), 1u);

  absl::StatusOr<ApplySpec> documents = ParseApplySpec(
      "companies: [{name: a, displayName: A}]\n---\n"
      "companies: [{name: b, displayName: B}]\n");
  ASSERT_TRUE(documents.ok()) << documents.status();
  ASSERT_EQ(documents->companies.size(), 2u);
  EXPECT_EQ(documents->companies[1].name(), "companies/b");
}

TEST(ParseApplySpecTest, ErrorsNameTheRecordAndField) {
  struct Case {
    std::string label;
    std::string text;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"unknown kind",
            "partnerships: [{name: p, kinds: [STRATEGIC_ALLIANCE, merger]}]",
            "partnerships[0].kinds[1]: unknown value \"merger\""},
           {"unknown field", "companies: [{name: a, ticker: NASDAQ:MU}]",
            "companies[0].ticker: unknown field"},
           {"partnership without name",
            "partnerships: [{title: t, kinds: [LICENSING]}]",
            "partnerships[0].name: required"},
           {"not a list", "companies: {name: a}", "companies: want a list"},
           {"unknown top-level key", "firms: []", "firms: unknown key"},
           {"bad number",
            "partnerships: [{name: p, marketReactions: [{changePercent: "
            "lots}]}]",
            "partnerships[0].marketReactions[0].changePercent: want a number"},
           {"duplicate", "companies: [{name: a, displayName: A}, {name: a}]",
            "companies/a: appears twice"},
           {"not yaml", "companies: [", "not valid YAML or JSON"},
       }) {
    SCOPED_TRACE(c.label);
    absl::StatusOr<ApplySpec> spec = ParseApplySpec(c.text);
    ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument)
        << spec.status();
    EXPECT_THAT(spec.status().message(), HasSubstr(c.want));
  }
}

TEST(ParseApplySpecTest, ScalarsTakeTheFieldsType) {
  absl::StatusOr<ApplySpec> spec = ParseApplySpec(
      "partnerships: [{name: p, title: 2025, terms: {valueUsd: \"5000\"}}]");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->partnerships[0].title(), "2025");
  EXPECT_EQ(spec->partnerships[0].terms().value_usd(), 5000);
}

TEST(SameTest, IgnoresOutputOnlyFieldsAndServerDefaults) {
  absl::StatusOr<ApplySpec> spec = ParseApplySpec(kYaml);
  ASSERT_TRUE(spec.ok()) << spec.status();
  v1::Partnership desired = spec->partnerships[0];
  desired.mutable_participants(1)->set_role(v1::PARTICIPANT_ROLE_UNSPECIFIED);
  v1::Partnership current = desired;
  current.mutable_participants(1)->set_role(v1::PARTNER);
  current.set_status(v1::ANNOUNCED);
  current.set_create_revision(3);
  current.set_update_revision(5);
  current.set_etag("5");
  current.mutable_update_time()->set_seconds(1);
  EXPECT_TRUE(SamePartnership(desired, current));

  v1::Partnership no_terms = desired;
  no_terms.clear_terms();
  v1::Partnership unknown_terms = no_terms;
  unknown_terms.mutable_terms()->set_disclosure(v1::UNKNOWN);
  EXPECT_TRUE(SamePartnership(no_terms, unknown_terms));

  current.set_title("Another title");
  EXPECT_FALSE(SamePartnership(desired, current));
}

TEST(SameTest, ComparesLabelsAsMaps) {
  v1::Company a;
  a.set_name("companies/a");
  (*a.mutable_labels())["x"] = "1";
  (*a.mutable_labels())["y"] = "2";
  v1::Company b;
  b.set_name("companies/a");
  (*b.mutable_labels())["y"] = "2";
  (*b.mutable_labels())["x"] = "1";
  b.set_etag("9");
  EXPECT_TRUE(SameCompany(a, b));
  (*b.mutable_labels())["x"] = "3";
  EXPECT_FALSE(SameCompany(a, b));
}

}  // namespace
}  // namespace partnergraph::client
