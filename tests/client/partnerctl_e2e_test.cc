// End-to-end tests of partnerctl: the real partnergraphd binary on a loopback
// port with a fresh data directory, and the real partnerctl binary run as a
// subprocess whose stdout, stderr and exit code are checked.

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
#include "absl/strings/strip.h"
#include "client/yaml_proto.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/company_service.pb.h"
#include "partnergraph/v1/partnership_service.pb.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::client {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using ::partnergraph::testing::Lines;
using ::partnergraph::testing::PartnerctlE2eTest;
using ::partnergraph::testing::ReadFile;
using ::partnergraph::testing::Result;

// Each test gets its own server and data directory.
class PartnerctlTest : public PartnerctlE2eTest {
 protected:
  void CreateCompany(const std::string& id, const std::string& display_name,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"company", "create", id, "--display-name",
                                     display_name};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  // The store revision, read from `partnership list -o json`.
  int64_t Revision() {
    Result r = Ctl({"partnership", "list", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    v1::ListPartnershipsResponse response;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(r.out, &response).ok())
        << r;
    return response.revision();
  }
};

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

TEST_F(PartnerctlTest, CompanyCreateGetListSearchUpdateDelete) {
  Result created =
      Ctl({"company", "create", "micron", "--display-name", "Micron Technology",
           "--ticker", "NASDAQ:MU", "--sector", "semiconductors/memory",
           "--country", "US", "--label", "tier=1"});
  ASSERT_EQ(created.exit_code, 0) << created;
  ASSERT_EQ(Lines(created.out).size(), 2u) << created;
  EXPECT_THAT(
      Lines(created.out)[0],
      AllOf(StartsWith("NAME"), HasSubstr("DISPLAY NAME"), HasSubstr("TICKERS"),
            HasSubstr("SECTORS"), HasSubstr("COUNTRY")));
  EXPECT_THAT(Lines(created.out)[1],
              AllOf(StartsWith("micron "), HasSubstr("Micron Technology"),
                    HasSubstr("NASDAQ:MU"), HasSubstr("semiconductors/memory"),
                    HasSubstr("US")));
  EXPECT_THAT(created.err, HasSubstr("company \"micron\" created"));

  Result got = Ctl({"company", "get", "companies/micron", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got;
  v1::Company micron = FromJson<v1::Company>(got.out);
  EXPECT_EQ(micron.name(), "companies/micron");
  EXPECT_EQ(micron.display_name(), "Micron Technology");
  EXPECT_THAT(micron.tickers(), ElementsAre("NASDAQ:MU"));
  EXPECT_EQ(micron.labels().at("tier"), "1");
  EXPECT_FALSE(micron.etag().empty());
  EXPECT_THAT(got.err, IsEmpty());

  CreateCompany("anthropic", "Anthropic", {"--sector", "ai/frontier-lab"});

  Result listed = Ctl({"company", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed;
  std::vector<std::string> rows = Lines(listed.out);
  ASSERT_EQ(rows.size(), 3u) << listed;
  EXPECT_THAT(rows[1], StartsWith("anthropic "));
  EXPECT_THAT(rows[2], StartsWith("micron "));
  // Aligned: DISPLAY NAME starts at the same column on every row.
  const size_t column = rows[0].find("DISPLAY NAME");
  EXPECT_EQ(rows[1].find("Anthropic"), column);
  EXPECT_EQ(rows[2].find("Micron Technology"), column);

  Result filtered = Ctl({"company", "list", "--sector", "ai", "-o", "json"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered;
  v1::ListCompaniesResponse ai =
      FromJson<v1::ListCompaniesResponse>(filtered.out);
  ASSERT_EQ(ai.companies_size(), 1);
  EXPECT_EQ(ai.companies(0).name(), "companies/anthropic");
  EXPECT_GT(ai.revision(), 0);

  Result searched = Ctl({"company", "search", "micron"});
  ASSERT_EQ(searched.exit_code, 0) << searched;
  ASSERT_GE(Lines(searched.out).size(), 2u) << searched;
  EXPECT_THAT(Lines(searched.out)[0], HasSubstr("MATCH"));
  EXPECT_THAT(Lines(searched.out)[1], StartsWith("micron "));

  Result by_ticker = Ctl({"-o", "json", "company", "search", "NASDAQ:MU"});
  ASSERT_EQ(by_ticker.exit_code, 0) << by_ticker;
  v1::SearchCompaniesResponse hits =
      FromJson<v1::SearchCompaniesResponse>(by_ticker.out);
  ASSERT_GE(hits.results_size(), 1);
  EXPECT_EQ(hits.results(0).company().name(), "companies/micron");
  EXPECT_EQ(hits.results(0).match(), v1::EXACT_TICKER);

  Result updated =
      Ctl({"company", "update", "micron", "--legal-name",
           "Micron Technology, Inc.", "--etag", micron.etag(), "-o", "json"});
  ASSERT_EQ(updated.exit_code, 0) << updated;
  v1::Company after = FromJson<v1::Company>(updated.out);
  EXPECT_EQ(after.legal_name(), "Micron Technology, Inc.");
  EXPECT_EQ(after.display_name(), "Micron Technology");  // untouched
  EXPECT_THAT(after.tickers(), ElementsAre("NASDAQ:MU"));
  EXPECT_NE(after.etag(), micron.etag());

  // The etag read before the update is stale now.
  Result stale = Ctl({"company", "update", "micron", "--country", "DE",
                      "--etag", micron.etag()});
  EXPECT_EQ(stale.exit_code, 4) << stale;
  EXPECT_THAT(stale.err, HasSubstr("etag"));
  Result stale_delete =
      Ctl({"company", "delete", "micron", "--etag", micron.etag()});
  EXPECT_EQ(stale_delete.exit_code, 4) << stale_delete;

  Result deleted = Ctl({"company", "delete", "micron"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted;
  EXPECT_THAT(deleted.err, HasSubstr("company \"micron\" deleted"));
  EXPECT_THAT(deleted.out, IsEmpty());
  Result gone = Ctl({"company", "get", "micron"});
  EXPECT_EQ(gone.exit_code, 3) << gone;
}

TEST_F(PartnerctlTest, NotFoundReadsWellAndExitsThree) {
  Result r = Ctl({"company", "get", "nvidia"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.err, "Error: company \"nvidia\" not found\n");
  EXPECT_THAT(r.out, IsEmpty());

  Result p = Ctl({"partnership", "delete", "no-such-deal"});
  EXPECT_EQ(p.exit_code, 3) << p;
  EXPECT_EQ(p.err, "Error: partnership \"no-such-deal\" not found\n");
}

TEST_F(PartnerctlTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"company", "get"},
           {"company", "frobnicate"},
           {"company", "list", "--no-such-flag"},
           {"company", "list", "-o", "xml"},
           {"company", "list", "--timeout", "soon"},
           {"partnership", "create", "--participant", "a", "--participant", "b",
            "--kind", "merger", "--announced-on", "2025-01-01"},
           {"partnership", "list", "--status", "paused"},
           {"company", "update", "micron"},  // nothing to update
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    Result r = Ctl(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, StartsWith("Error: ")) << r;
    EXPECT_THAT(r.out, IsEmpty());
  }
}

TEST_F(PartnerctlTest, HelpIsAvailableEverywhereAndListsExitCodes) {
  Result top = RunRaw({"--help"});
  EXPECT_EQ(top.exit_code, 0) << top;
  EXPECT_THAT(top.out, AllOf(HasSubstr("Exit codes"), HasSubstr("3  not found"),
                             HasSubstr("PARTNERGRAPH_SERVER")));
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"company", "--help"},
           {"company", "create", "--help"},
           {"company", "list", "--help"},
           {"partnership", "create", "--help"},
           {"partnership", "list", "--help"},
           {"apply", "--help"}}) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    Result r = RunRaw(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("Usage:"));
  }
}

TEST_F(PartnerctlTest, InvalidArgumentNamesTheField) {
  Result r = Ctl({"company", "create", "micron", "--display-name", "Micron",
                  "--ticker", "mu"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, AllOf(StartsWith("Error: invalid argument: "),
                           HasSubstr("tickers"), HasSubstr("\"mu\"")));
  // Nothing was written.
  EXPECT_EQ(Ctl({"company", "get", "micron"}).exit_code, 3);
}

TEST_F(PartnerctlTest, PartnershipCreateGetListUpdateDelete) {
  CreateCompany("micron", "Micron Technology",
                {"--sector", "semiconductors/memory"});
  CreateCompany("anthropic", "Anthropic", {"--sector", "ai/frontier-lab"});
  CreateCompany("nvidia", "NVIDIA", {"--sector", "semiconductors/gpu"});

  Result created = Ctl({"partnership",
                        "create",
                        "--participant",
                        "companies/micron",
                        "--participant",
                        "anthropic",
                        "--kind",
                        "STRATEGIC_ALLIANCE",
                        "--kind",
                        "supply-agreement",
                        "--announced-on",
                        "2025-11-20",
                        "--title",
                        "Micron and Anthropic strategic partnership",
                        "--disclosure",
                        "UNDISCLOSED",
                        "--source",
                        "https://example.com/micron-anthropic",
                        "-o",
                        "json"});
  ASSERT_EQ(created.exit_code, 0) << created;
  v1::Partnership deal = FromJson<v1::Partnership>(created.out);
  ASSERT_THAT(deal.name(), StartsWith("partnerships/"));
  const std::string id = deal.name().substr(std::strlen("partnerships/"));
  ASSERT_EQ(deal.participants_size(), 2);
  EXPECT_EQ(deal.participants(0).company(), "companies/micron");
  EXPECT_EQ(deal.participants(1).company(), "companies/anthropic");
  EXPECT_THAT(deal.kinds(),
              ElementsAre(v1::STRATEGIC_ALLIANCE, v1::SUPPLY_AGREEMENT));
  EXPECT_EQ(deal.terms().disclosure(), v1::UNDISCLOSED);
  EXPECT_EQ(deal.sources_size(), 1);

  // Without --title, one is made up from the participants.
  Result second =
      Ctl({"partnership", "create", "nvidia-anthropic", "--participant",
           "nvidia:supplier", "--participant", "anthropic:customer", "--kind",
           "SUPPLY_AGREEMENT", "--announced-on", "2024-03-01"});
  ASSERT_EQ(second.exit_code, 0) << second;
  EXPECT_THAT(second.out, HasSubstr("nvidia:SUPPLIER,anthropic:CUSTOMER"));

  Result got = Ctl({"partnership", "get", id, "-o", "wide"});
  ASSERT_EQ(got.exit_code, 0) << got;
  std::vector<std::string> rows = Lines(got.out);
  ASSERT_EQ(rows.size(), 2u) << got;
  EXPECT_THAT(rows[0], AllOf(StartsWith("NAME"), HasSubstr("ANNOUNCED"),
                             HasSubstr("KINDS"), HasSubstr("PARTICIPANTS"),
                             HasSubstr("STATUS")));
  EXPECT_THAT(rows[1],
              AllOf(StartsWith(id), HasSubstr("2025-11-20"),
                    HasSubstr("STRATEGIC_ALLIANCE,SUPPLY_AGREEMENT"),
                    HasSubstr("micron,anthropic"), HasSubstr("ANNOUNCED")));

  // Newest first.
  Result all = Ctl({"partnership", "list"});
  ASSERT_EQ(all.exit_code, 0) << all;
  rows = Lines(all.out);
  ASSERT_EQ(rows.size(), 3u) << all;
  EXPECT_THAT(rows[1], StartsWith(id));
  EXPECT_THAT(rows[2], StartsWith("nvidia-anthropic"));

  struct Filter {
    std::vector<std::string> flags;
    std::vector<std::string> want;
  };
  for (const Filter& f : std::vector<Filter>{
           {{"--company", "micron"}, {deal.name()}},
           {{"--kind", "STRATEGIC_ALLIANCE"}, {deal.name()}},
           {{"--after", "2025-01-01"}, {deal.name()}},
           {{"--before", "2024-12-31"}, {"partnerships/nvidia-anthropic"}},
           {{"--participant-sector", "semiconductors/memory",
             "--participant-sector", "ai"},
            {deal.name()}},
           {{"--min-sources", "1"}, {deal.name()}},
           {{"--status", "ACTIVE"}, {}},
       }) {
    SCOPED_TRACE(absl::StrJoin(f.flags, " "));
    std::vector<std::string> args = {"partnership", "list", "-o", "json"};
    args.insert(args.end(), f.flags.begin(), f.flags.end());
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
    v1::ListPartnershipsResponse response =
        FromJson<v1::ListPartnershipsResponse>(r.out);
    std::vector<std::string> names;
    for (const auto& p : response.partnerships()) names.push_back(p.name());
    EXPECT_EQ(names, f.want) << r;
  }

  Result updated = Ctl({"partnership", "update", id, "--status", "active",
                        "--value-usd", "1000000", "-o", "json"});
  ASSERT_EQ(updated.exit_code, 0) << updated;
  v1::Partnership after = FromJson<v1::Partnership>(updated.out);
  EXPECT_EQ(after.status(), v1::ACTIVE);
  EXPECT_EQ(after.terms().disclosure(), v1::DISCLOSED);
  EXPECT_EQ(after.terms().value_usd(), 1000000);
  EXPECT_EQ(after.title(), deal.title());
  EXPECT_EQ(after.participants_size(), 2);

  // Withdrawing the disclosure withdraws the value with it.
  Result withdrawn = Ctl({"partnership", "update", id, "--disclosure",
                          "UNDISCLOSED", "-o", "json"});
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn;
  v1::Partnership undisclosed = FromJson<v1::Partnership>(withdrawn.out);
  EXPECT_EQ(undisclosed.terms().disclosure(), v1::UNDISCLOSED);
  EXPECT_FALSE(undisclosed.terms().has_value_usd());

  // The same deal again is a duplicate.
  Result duplicate =
      Ctl({"partnership", "create", "--participant", "micron", "--participant",
           "anthropic", "--kind", "STRATEGIC_ALLIANCE", "--announced-on",
           "2025-11-20"});
  EXPECT_EQ(duplicate.exit_code, 4) << duplicate;
  EXPECT_THAT(duplicate.err, HasSubstr(id));

  // A participant that does not exist.
  Result missing =
      Ctl({"partnership", "create", "--participant", "micron", "--participant",
           "intel", "--kind", "LICENSING", "--announced-on", "2025-01-02"});
  EXPECT_EQ(missing.exit_code, 4) << missing;
  EXPECT_THAT(missing.err, HasSubstr("intel"));

  Result deleted = Ctl({"partnership", "delete", id});
  ASSERT_EQ(deleted.exit_code, 0) << deleted;
  EXPECT_EQ(Ctl({"partnership", "get", id}).exit_code, 3);
}

TEST_F(PartnerctlTest, DeletingAReferencedCompanyNeedsForce) {
  CreateCompany("micron", "Micron Technology");
  CreateCompany("anthropic", "Anthropic");
  Result deal = Ctl({"partnership", "create", "deal", "--participant", "micron",
                     "--participant", "anthropic", "--kind",
                     "STRATEGIC_ALLIANCE", "--announced-on", "2025-11-20"});
  ASSERT_EQ(deal.exit_code, 0) << deal;

  Result refused = Ctl({"company", "delete", "micron"});
  EXPECT_EQ(refused.exit_code, 4) << refused;
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  EXPECT_EQ(Ctl({"partnership", "get", "deal"}).exit_code, 0);

  Result forced = Ctl({"company", "delete", "micron", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced;
  EXPECT_EQ(Ctl({"company", "get", "micron"}).exit_code, 3);
  EXPECT_EQ(Ctl({"partnership", "get", "deal"}).exit_code, 3);
}

TEST_F(PartnerctlTest, YamlOutputParsesBackToTheSameRecord) {
  CreateCompany("micron", "Micron Technology",
                {"--ticker", "NASDAQ:MU", "--country", "US", "--description",
                 "Memory.\nBoise, Idaho."});
  Result json = Ctl({"company", "get", "micron", "-o", "json"});
  Result yaml = Ctl({"company", "get", "micron", "-o", "yaml"});
  ASSERT_EQ(json.exit_code, 0) << json;
  ASSERT_EQ(yaml.exit_code, 0) << yaml;
  EXPECT_THAT(yaml.out, HasSubstr("displayName: Micron Technology"));
  v1::Company from_yaml;
  absl::Status status = ParseYamlMessage(yaml.out, &from_yaml);
  ASSERT_TRUE(status.ok()) << status << "\n" << yaml.out;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      FromJson<v1::Company>(json.out), from_yaml))
      << yaml.out;

  Result list = Ctl({"company", "list", "-o", "yaml"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, AllOf(HasSubstr("companies:"), HasSubstr("revision:")));
}

TEST_F(PartnerctlTest, EmptyListsAreExplicit) {
  Result json = Ctl({"company", "list", "-o", "json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(json.out, HasSubstr("\"companies\": []"));
  Result table = Ctl({"partnership", "list"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, IsEmpty());
  EXPECT_THAT(table.err, HasSubstr("No partnerships found"));
}

TEST_F(PartnerctlTest, ListFollowsPages) {
  for (int i = 0; i < 5; ++i) {
    CreateCompany(absl::StrCat("company-", i), absl::StrCat("Company ", i));
  }
  Result first = Ctl({"company", "list", "--page-size", "2", "-o", "json"});
  ASSERT_EQ(first.exit_code, 0) << first;
  v1::ListCompaniesResponse page =
      FromJson<v1::ListCompaniesResponse>(first.out);
  EXPECT_EQ(page.companies_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());

  Result next = Ctl({"company", "list", "--page-size", "2", "--page-token",
                     page.next_page_token(), "-o", "json"});
  ASSERT_EQ(next.exit_code, 0) << next;
  v1::ListCompaniesResponse page2 =
      FromJson<v1::ListCompaniesResponse>(next.out);
  ASSERT_GE(page2.companies_size(), 1);
  EXPECT_EQ(page2.companies(0).name(), "companies/company-2");

  Result table = Ctl({"company", "list", "--page-size", "2"});
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_EQ(Lines(table.out).size(), 3u) << table;
  EXPECT_THAT(table.err, HasSubstr("--page-token="));

  Result all = Ctl({"company", "list", "--page-size", "2", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all;
  EXPECT_EQ(Lines(all.out).size(), 6u) << all;
  EXPECT_THAT(all.err, Not(HasSubstr("--page-token")));
}

TEST_F(PartnerctlTest, CreateFromFile) {
  const std::string path = TempFile("micron.yaml", R"(
name: micron
displayName: Micron Technology
tickers: [NASDAQ:MU]
sectors: [semiconductors/memory]
labels: {source: article}
)");
  Result r = Ctl({"company", "create", "--from-file", path, "--country", "US",
                  "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::Company micron = FromJson<v1::Company>(r.out);
  EXPECT_EQ(micron.name(), "companies/micron");
  EXPECT_EQ(micron.country(), "US");
  EXPECT_EQ(micron.labels().at("source"), "article");

  // An update from a file writes the fields it sets; flags win over it, and
  // an empty flag value clears its field. Fields the file leaves out stay.
  const std::string patch = TempFile("patch.yaml", R"(
name: companies/micron
legalName: Micron Technology, Inc.
createRevision: "1"
)");
  Result updated = Ctl({"company", "update", "micron", "--from-file", patch,
                        "--ticker", "", "-o", "json"});
  ASSERT_EQ(updated.exit_code, 0) << updated;
  v1::Company after = FromJson<v1::Company>(updated.out);
  EXPECT_EQ(after.legal_name(), "Micron Technology, Inc.");
  EXPECT_TRUE(after.tickers().empty());
  EXPECT_EQ(after.country(), "US");
  EXPECT_EQ(after.labels().at("source"), "article");

  Result bad = Ctl({"company", "create", "--from-file",
                    TempFile("bad.yaml", "displayName: X\ntickerz: [A:B]\n")});
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_THAT(bad.err, HasSubstr("tickerz"));
}

constexpr char kApplyFile[] = R"(
companies:
  - name: companies/micron
    displayName: Micron Technology
    legalName: Micron Technology, Inc.
    tickers: [NASDAQ:MU]
    sectors: [semiconductors/memory]
    country: US
    website: https://www.micron.com
    labels: {tier: "1"}
  - name: anthropic
    displayName: Anthropic
    sectors: [ai/frontier-lab]
    country: US
  - name: sk-hynix
    displayName: SK hynix
    tickers: [KRX:000660]
    sectors: [semiconductors/memory]
    country: KR
  - displayName: Société Générale
    country: FR
partnerships:
  - name: micron-anthropic-2025
    title: Micron and Anthropic strategic partnership
    summary: Memory development, supply agreements and Claude integration.
    participants:
      - {company: micron, role: SUPPLIER}
      - {company: companies/anthropic}
    kinds: [STRATEGIC_ALLIANCE, SUPPLY_AGREEMENT, TECHNOLOGY_INTEGRATION]
    announcedOn: "2025-11-20"
    terms: {disclosure: UNDISCLOSED}
    sources:
      - url: https://example.com/micron-anthropic
        title: Micron (MU) Stock Jumps Over 5% on Strategic Anthropic Partnership
        publishedOn: "2025-11-20"
        retrievedTime: "2025-11-21T08:00:00.123456789Z"
      - url: https://example.com/archive
        retrievedTime: "1970-01-01T00:00:00Z"
    marketReactions:
      - {ticker: NASDAQ:MU, changePercent: 5.58, on: "2025-11-20", window: 1d}
  - name: hynix-anthropic
    title: SK hynix supplies HBM to Anthropic
    participants: [{company: sk-hynix}, {company: anthropic}]
    kinds: [SUPPLY_AGREEMENT]
    status: ACTIVE
    announcedOn: "2025-06-01"
)";

TEST_F(PartnerctlTest, ApplyIsIdempotent) {
  const std::string path = TempFile("graph.yaml", kApplyFile);
  Result first = Ctl({"apply", "-f", path});
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_THAT(
      Lines(first.err),
      ElementsAre("companies/micron created", "companies/anthropic created",
                  "companies/sk-hynix created",
                  "companies/societe-generale created",
                  "partnerships/micron-anthropic-2025 created",
                  "partnerships/hynix-anthropic created",
                  "6 created, 0 updated, 0 unchanged, 0 failed"));
  const int64_t revision = Revision();
  EXPECT_GT(revision, 0);

  Result got =
      Ctl({"partnership", "get", "micron-anthropic-2025", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got;
  v1::Partnership deal = FromJson<v1::Partnership>(got.out);
  EXPECT_DOUBLE_EQ(deal.market_reactions(0).change_percent(), 5.58);
  EXPECT_EQ(deal.participants(0).role(), v1::SUPPLIER);
  // Times are kept to the microsecond, and the epoch is a time, not "unset".
  ASSERT_EQ(deal.sources_size(), 2);
  EXPECT_EQ(deal.sources(0).retrieved_time().nanos(), 123456000);
  ASSERT_TRUE(deal.sources(1).has_retrieved_time());
  EXPECT_EQ(deal.sources(1).retrieved_time().seconds(), 0);

  Result second = Ctl({"apply", "-f", path});
  ASSERT_EQ(second.exit_code, 0) << second;
  EXPECT_THAT(
      Lines(second.err),
      ElementsAre("companies/micron unchanged", "companies/anthropic unchanged",
                  "companies/sk-hynix unchanged",
                  "companies/societe-generale unchanged",
                  "partnerships/micron-anthropic-2025 unchanged",
                  "partnerships/hynix-anthropic unchanged",
                  "0 created, 0 updated, 6 unchanged, 0 failed"));
  EXPECT_EQ(Revision(), revision);

  // One record changed in the file: only it is written, in one revision.
  std::string edited = kApplyFile;
  edited.replace(edited.find("SK hynix supplies HBM to Anthropic"),
                 std::strlen("SK hynix supplies HBM to Anthropic"),
                 "SK hynix and Anthropic HBM supply deal");
  const std::string edited_path = TempFile("graph2.yaml", edited);
  Result third = Ctl({"apply", "-f", edited_path});
  ASSERT_EQ(third.exit_code, 0) << third;
  EXPECT_THAT(third.err, HasSubstr("partnerships/hynix-anthropic updated"));
  EXPECT_THAT(third.err, HasSubstr("companies/micron unchanged"));
  EXPECT_EQ(Revision(), revision + 1);

  // A record changed on the server is put back to the file's content.
  Result drift = Ctl({"company", "update", "anthropic", "--country", "GB"});
  ASSERT_EQ(drift.exit_code, 0) << drift;
  Result fourth = Ctl({"apply", "-f", edited_path});
  ASSERT_EQ(fourth.exit_code, 0) << fourth;
  EXPECT_THAT(fourth.err, HasSubstr("companies/anthropic updated"));
  Result anthropic = Ctl({"company", "get", "anthropic", "-o", "json"});
  EXPECT_EQ(FromJson<v1::Company>(anthropic.out).country(), "US");
}

TEST_F(PartnerctlTest, ListOutputAppliesBackUnchanged) {
  const std::string path = TempFile("graph.yaml", kApplyFile);
  ASSERT_EQ(Ctl({"apply", "-f", path}).exit_code, 0);
  const int64_t revision = Revision();
  for (const std::string kind : {"company", "partnership"}) {
    for (const std::string format : {"yaml", "json"}) {
      SCOPED_TRACE(kind + " " + format);
      Result listed = Ctl({kind, "list", "-o", format});
      ASSERT_EQ(listed.exit_code, 0) << listed;
      Result applied =
          Ctl({"apply", "-f", TempFile(kind + "s." + format, listed.out)});
      ASSERT_EQ(applied.exit_code, 0) << applied;
      std::vector<std::string> lines = Lines(applied.err);
      ASSERT_FALSE(lines.empty());
      EXPECT_THAT(lines.back(),
                  ::testing::MatchesRegex("0 created, 0 updated, [0-9]+ "
                                          "unchanged, 0 failed"));
      lines.pop_back();
      for (const std::string& line : lines) {
        EXPECT_THAT(line, ::testing::EndsWith(" unchanged")) << applied;
      }
    }
  }
  EXPECT_EQ(Revision(), revision);
}

TEST_F(PartnerctlTest, ApplyReadsJsonAndReportsBadFiles) {
  const std::string json = TempFile("graph.json", R"({
    "companies": [{"name": "companies/micron", "displayName": "Micron"}],
    "partnerships": []
  })");
  Result ok = Ctl({"apply", "-f", json});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  EXPECT_EQ(ok.err,
            "companies/micron created\n"
            "1 created, 0 updated, 0 unchanged, 0 failed\n");

  Result no_name = Ctl({"apply", "-f",
                        TempFile("noname.yaml",
                                 "partnerships: [{title: t, kinds: "
                                 "[LICENSING]}]\n")});
  EXPECT_EQ(no_name.exit_code, 2) << no_name;
  EXPECT_THAT(no_name.err, HasSubstr("partnerships[0].name"));

  Result missing = Ctl({"apply", "-f", "/nonexistent/graph.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << missing;
  EXPECT_THAT(missing.err, HasSubstr("cannot open /nonexistent/graph.yaml"));
}

TEST_F(PartnerctlTest, ServerComesFromTheEnvironmentUnlessTheFlagIsGiven) {
  CreateCompany("micron", "Micron Technology");
  Result env =
      RunRaw({"company", "get", "micron"},
             {absl::StrCat("PARTNERGRAPH_SERVER=", server_->address())});
  EXPECT_EQ(env.exit_code, 0) << env;
  EXPECT_THAT(env.out, HasSubstr("Micron Technology"));

  // The flag wins over the environment.
  Result flag =
      RunRaw({"--server", server_->address(), "company", "get", "micron"},
             {"PARTNERGRAPH_SERVER=127.0.0.1:1"});
  EXPECT_EQ(flag.exit_code, 0) << flag;

  // Global flags work after the subcommand too.
  Result after = RunRaw({"company", "get", "micron", "--server",
                         server_->address(), "-o", "json"});
  EXPECT_EQ(after.exit_code, 0) << after;
  EXPECT_EQ(FromJson<v1::Company>(after.out).name(), "companies/micron");
}

TEST_F(PartnerctlTest, UnreachableServerExitsFive) {
  // Port 1 on loopback: nothing listens there, the connection is refused.
  Result r = RunRaw({"company", "get", "micron", "--timeout", "3s"},
                    {"PARTNERGRAPH_SERVER=127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, StartsWith("Error: "));
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace partnergraph::client
