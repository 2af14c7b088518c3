// CompanyService over the wire: every RPC's success path and each error code
// it can return.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using CompanyServiceTest = ServerTest;

TEST_F(CompanyServiceTest, CreateThenGetReturnsTheCompanyWithOutputFields) {
  v1::CreateCompanyRequest request;
  *request.mutable_company() = Micron();
  request.mutable_company()->set_create_revision(12345);  // Output only.
  request.mutable_company()->set_etag("ignored");
  request.set_company_id("micron");
  v1::Company created;
  ASSERT_GRPC_OK(CreateCompany(request, &created));

  EXPECT_EQ(created.name(), "companies/micron");
  EXPECT_EQ(created.display_name(), "Micron Technology");
  EXPECT_EQ(created.legal_name(), "Micron Technology, Inc.");
  EXPECT_THAT(created.aliases(), ElementsAre("Micron"));
  EXPECT_THAT(created.tickers(), ElementsAre("NASDAQ:MU"));
  EXPECT_THAT(created.sectors(), ElementsAre("semiconductors/memory"));
  EXPECT_EQ(created.country(), "US");
  EXPECT_EQ(created.website(), "https://www.micron.com");
  EXPECT_THAT(created.labels(),
              UnorderedElementsAre(Pair("source", "article")));
  EXPECT_GT(created.create_revision(), 0);
  EXPECT_NE(created.create_revision(), 12345);
  EXPECT_EQ(created.update_revision(), created.create_revision());
  EXPECT_GT(created.create_time().seconds(), 1600000000);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_NE(created.etag(), "ignored");

  v1::Company got;
  ASSERT_GRPC_OK(GetCompany("companies/micron", &got));
  EXPECT_TRUE(MessageDifferencer::Equals(got, created))
      << got.DebugString() << "\nwant\n"
      << created.DebugString();
}

TEST_F(CompanyServiceTest, CreateWithoutIdDerivesItFromTheDisplayName) {
  v1::CreateCompanyRequest request;
  *request.mutable_company() = Micron();
  v1::Company created;
  ASSERT_GRPC_OK(CreateCompany(request, &created));
  EXPECT_EQ(created.name(), "companies/micron-technology");
  EXPECT_GRPC_OK(GetCompany("companies/micron-technology"));
}

TEST_F(CompanyServiceTest, CreateRejectsBadInputNamingTheField) {
  // 0 on the embedded engine; where an etcd replica started.
  const int64_t initial = store_->Revision();
  struct Case {
    const char* name;
    void (*mutate)(v1::CreateCompanyRequest*);
    const char* field;
  };
  const Case cases[] = {
      {"no company", [](v1::CreateCompanyRequest* r) { r->clear_company(); },
       "company: required"},
      {"bad ticker",
       [](v1::CreateCompanyRequest* r) {
         r->mutable_company()->add_tickers("mu");
       },
       "company.tickers[1]"},
      {"no display name",
       [](v1::CreateCompanyRequest* r) {
         r->mutable_company()->clear_display_name();
       },
       "company.display_name"},
      {"bad sector",
       [](v1::CreateCompanyRequest* r) {
         r->mutable_company()->add_sectors("AI/Labs");
       },
       "company.sectors[1]"},
      {"bad company_id",
       [](v1::CreateCompanyRequest* r) { r->set_company_id("Micron_Tech"); },
       "company_id"},
      {"bad request_id",
       [](v1::CreateCompanyRequest* r) {
         r->set_request_id(std::string(129, 'x'));
       },
       "request_id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::CreateCompanyRequest request;
    *request.mutable_company() = Micron();
    request.set_company_id("micron");
    c.mutate(&request);
    EXPECT_THAT(CreateCompany(request),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT, c.field));
  }
  // A rejected request writes nothing.
  EXPECT_THAT(GetCompany("companies/micron"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_EQ(store_->Revision(), initial);
}

TEST_F(CompanyServiceTest, CreateTakenIdIsAlreadyExists) {
  MustCreateCompany(Micron(), "micron");
  v1::CreateCompanyRequest request;
  *request.mutable_company() = SimpleCompany("Another Micron");
  request.set_company_id("micron");
  EXPECT_THAT(CreateCompany(request),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, "micron"));
}

TEST_F(CompanyServiceTest, RetriedCreateWithRequestIdReturnsTheFirstResult) {
  v1::CreateCompanyRequest request;
  *request.mutable_company() = Micron();
  request.set_request_id("create-micron-7f3a");
  v1::Company first;
  ASSERT_GRPC_OK(CreateCompany(request, &first));
  const int64_t revision = store_->Revision();

  v1::Company second;
  ASSERT_GRPC_OK(CreateCompany(request, &second));
  EXPECT_TRUE(MessageDifferencer::Equals(first, second))
      << second.DebugString();
  EXPECT_EQ(store_->Revision(), revision);  // The retry wrote nothing.

  v1::ListCompaniesResponse list;
  ASSERT_GRPC_OK(ListCompanies(v1::ListCompaniesRequest(), &list));
  EXPECT_EQ(list.companies_size(), 1);

  // Without the request id the same body is a second create of a taken id.
  request.clear_request_id();
  EXPECT_THAT(CreateCompany(request),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, ""));
}

TEST_F(CompanyServiceTest, GetErrors) {
  EXPECT_THAT(GetCompany("companies/nobody"),
              StatusIs(grpc::StatusCode::NOT_FOUND, "nobody"));
  EXPECT_THAT(GetCompany("micron"),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
  EXPECT_THAT(GetCompany("partnerships/micron"),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
  EXPECT_THAT(GetCompany(""),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
}

TEST_F(CompanyServiceTest, BatchGetAnswersInRequestOrderWithDuplicates) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  v1::BatchGetCompaniesRequest request;
  request.add_names("companies/anthropic");
  request.add_names("companies/micron");
  request.add_names("companies/anthropic");
  v1::BatchGetCompaniesResponse response;
  ASSERT_GRPC_OK(BatchGetCompanies(request, &response));
  ASSERT_EQ(response.companies_size(), 3);
  EXPECT_EQ(response.companies(0).name(), "companies/anthropic");
  EXPECT_EQ(response.companies(1).name(), "companies/micron");
  EXPECT_EQ(response.companies(2).name(), "companies/anthropic");
  EXPECT_EQ(response.companies(1).display_name(), "Micron Technology");
}

TEST_F(CompanyServiceTest, BatchGetErrors) {
  MustCreateCompany(Micron(), "micron");
  v1::BatchGetCompaniesRequest request;
  EXPECT_THAT(BatchGetCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "names"));

  request.add_names("companies/micron");
  request.add_names("companies/ghost");
  EXPECT_THAT(BatchGetCompanies(request),
              StatusIs(grpc::StatusCode::NOT_FOUND, "ghost"));

  request.set_names(1, "ghost");
  EXPECT_THAT(BatchGetCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "names[1]"));

  v1::BatchGetCompaniesRequest too_many;
  for (int i = 0; i < 101; ++i) too_many.add_names("companies/micron");
  EXPECT_THAT(BatchGetCompanies(too_many),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "names"));
}

TEST_F(CompanyServiceTest, UpdateWithMaskChangesOnlyTheNamedFields) {
  const v1::Company created = MustCreateCompany(Micron(), "micron");
  v1::UpdateCompanyRequest request;
  request.mutable_company()->set_name("companies/micron");
  request.mutable_company()->set_display_name("Micron");
  request.mutable_company()->set_country("DE");  // Not in the mask.
  request.mutable_update_mask()->add_paths("display_name");
  request.set_etag(created.etag());
  v1::Company updated;
  ASSERT_GRPC_OK(UpdateCompany(request, &updated));
  EXPECT_EQ(updated.display_name(), "Micron");
  EXPECT_EQ(updated.country(), "US");
  EXPECT_EQ(updated.legal_name(), "Micron Technology, Inc.");
  EXPECT_GT(updated.update_revision(), created.update_revision());
  EXPECT_EQ(updated.create_revision(), created.create_revision());
  EXPECT_NE(updated.etag(), created.etag());

  v1::Company got;
  ASSERT_GRPC_OK(GetCompany("companies/micron", &got));
  EXPECT_EQ(got.display_name(), "Micron");
  EXPECT_EQ(got.etag(), updated.etag());
}

TEST_F(CompanyServiceTest, UpdateWithoutMaskChangesTheSetFields) {
  MustCreateCompany(Micron(), "micron");
  v1::UpdateCompanyRequest request;
  request.mutable_company()->set_name("companies/micron");
  request.mutable_company()->add_tickers("NASDAQ:MU");
  request.mutable_company()->add_tickers("XETRA:MTE");
  v1::Company updated;
  ASSERT_GRPC_OK(UpdateCompany(request, &updated));
  EXPECT_THAT(updated.tickers(), ElementsAre("NASDAQ:MU", "XETRA:MTE"));
  EXPECT_EQ(updated.display_name(), "Micron Technology");
}

TEST_F(CompanyServiceTest, UpdateWithStarClearsUnsetFields) {
  MustCreateCompany(Micron(), "micron");
  v1::UpdateCompanyRequest request;
  request.mutable_company()->set_name("companies/micron");
  request.mutable_company()->set_display_name("Micron Technology");
  request.mutable_update_mask()->add_paths("*");
  v1::Company updated;
  ASSERT_GRPC_OK(UpdateCompany(request, &updated));
  EXPECT_TRUE(updated.tickers().empty());
  EXPECT_EQ(updated.legal_name(), "");
  EXPECT_TRUE(updated.labels().empty());
}

TEST_F(CompanyServiceTest, UpdateWithStaleEtagIsAbortedAndChangesNothing) {
  const v1::Company created = MustCreateCompany(Micron(), "micron");
  v1::UpdateCompanyRequest first;
  first.mutable_company()->set_name("companies/micron");
  first.mutable_company()->set_description("first writer");
  first.set_etag(created.etag());
  ASSERT_GRPC_OK(UpdateCompany(first));

  // The second writer read the same version; its etag is stale now.
  v1::UpdateCompanyRequest second = first;
  second.mutable_company()->set_description("second writer");
  EXPECT_THAT(UpdateCompany(second), StatusIs(grpc::StatusCode::ABORTED, ""));

  // The etag inside the company counts when the request's is empty.
  second.clear_etag();
  second.mutable_company()->set_etag(created.etag());
  EXPECT_THAT(UpdateCompany(second), StatusIs(grpc::StatusCode::ABORTED, ""));

  v1::Company got;
  ASSERT_GRPC_OK(GetCompany("companies/micron", &got));
  EXPECT_EQ(got.description(), "first writer");

  // The current etag succeeds.
  second.mutable_company()->set_etag(got.etag());
  EXPECT_GRPC_OK(UpdateCompany(second));
}

TEST_F(CompanyServiceTest, UpdateErrors) {
  MustCreateCompany(Micron(), "micron");
  v1::UpdateCompanyRequest request;
  EXPECT_THAT(
      UpdateCompany(request),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "company: required"));

  request.mutable_company()->set_display_name("X");
  EXPECT_THAT(UpdateCompany(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "company.name"));

  request.mutable_company()->set_name("companies/ghost");
  EXPECT_THAT(UpdateCompany(request),
              StatusIs(grpc::StatusCode::NOT_FOUND, "ghost"));

  request.mutable_company()->set_name("companies/micron");
  request.mutable_update_mask()->add_paths("display_name");
  request.mutable_update_mask()->add_paths("create_time");
  EXPECT_THAT(
      UpdateCompany(request),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]"));

  request.mutable_update_mask()->Clear();
  request.mutable_company()->add_tickers("NASDAQ:MU");
  request.mutable_company()->add_tickers("NASDAQ:MU");
  EXPECT_THAT(UpdateCompany(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "company.tickers"));

  v1::Company got;
  ASSERT_GRPC_OK(GetCompany("companies/micron", &got));
  EXPECT_EQ(got.display_name(), "Micron Technology");
}

TEST_F(CompanyServiceTest, DeleteRemovesTheCompany) {
  const v1::Company created = MustCreateCompany(Micron(), "micron");
  v1::DeleteCompanyRequest request;
  request.set_name("companies/micron");
  request.set_etag(created.etag());
  ASSERT_GRPC_OK(DeleteCompany(request));
  EXPECT_THAT(GetCompany("companies/micron"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_THAT(DeleteCompany(request),
              StatusIs(grpc::StatusCode::NOT_FOUND, "micron"));
}

TEST_F(CompanyServiceTest, DeleteErrors) {
  const v1::Company created = MustCreateCompany(Micron(), "micron");
  v1::DeleteCompanyRequest request;
  request.set_name("micron");
  EXPECT_THAT(DeleteCompany(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));

  v1::UpdateCompanyRequest update;
  update.mutable_company()->set_name("companies/micron");
  update.mutable_company()->set_description("changed");
  ASSERT_GRPC_OK(UpdateCompany(update));
  request.set_name("companies/micron");
  request.set_etag(created.etag());
  EXPECT_THAT(DeleteCompany(request), StatusIs(grpc::StatusCode::ABORTED, ""));
  EXPECT_GRPC_OK(GetCompany("companies/micron"));
}

TEST_F(CompanyServiceTest, DeleteReferencedCompanyNeedsForce) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  v1::CreatePartnershipRequest create;
  *create.mutable_partnership() = MicronAnthropic();
  create.set_partnership_id("micron-anthropic");
  ASSERT_GRPC_OK(CreatePartnership(create));

  v1::DeleteCompanyRequest request;
  request.set_name("companies/micron");
  EXPECT_THAT(DeleteCompany(request),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION, ""));
  EXPECT_GRPC_OK(GetPartnership("partnerships/micron-anthropic"));

  request.set_force(true);
  ASSERT_GRPC_OK(DeleteCompany(request));
  EXPECT_THAT(GetCompany("companies/micron"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_THAT(GetPartnership("partnerships/micron-anthropic"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_GRPC_OK(GetCompany("companies/anthropic"));
}

// Micron's listing NASDAQ:MU claimed as the second ticker of another company.
v1::CreateCompanyRequest ClaimMicronsTicker(const std::string& id) {
  v1::CreateCompanyRequest request;
  *request.mutable_company() = SimpleCompany("Micron Tech Holdings");
  request.mutable_company()->add_tickers("XETRA:MTE");
  request.mutable_company()->add_tickers("NASDAQ:MU");
  request.set_company_id(id);
  return request;
}

v1::UpdateCompanyRequest SetTickers(const std::string& id,
                                    std::vector<std::string> tickers) {
  v1::UpdateCompanyRequest request;
  request.mutable_company()->set_name("companies/" + id);
  for (const std::string& t : tickers) {
    request.mutable_company()->add_tickers(t);
  }
  request.mutable_update_mask()->add_paths("tickers");
  return request;
}

TEST_F(CompanyServiceTest, CreateWithATickerHeldByAnotherIsAlreadyExists) {
  MustCreateCompany(Micron(), "micron");
  const int64_t revision = store_->Revision();
  EXPECT_THAT(CreateCompany(ClaimMicronsTicker("micron-technology")),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS,
                       "company.tickers[1]: \"NASDAQ:MU\" is held by "
                       "companies/micron"));
  EXPECT_EQ(store_->Revision(), revision);
  EXPECT_THAT(GetCompany("companies/micron-technology"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
}

TEST_F(CompanyServiceTest, UpdateAddingAHeldTickerIsAlreadyExists) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(SimpleCompany("Crucial"), "crucial");
  const int64_t revision = store_->Revision();
  EXPECT_THAT(UpdateCompany(SetTickers("crucial", {"NASDAQ:MU"})),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS,
                       "company.tickers[0]: \"NASDAQ:MU\" is held by "
                       "companies/micron"));
  EXPECT_EQ(store_->Revision(), revision);

  // Micron keeps its own ticker through updates, with or without a mask.
  ASSERT_GRPC_OK(
      UpdateCompany(SetTickers("micron", {"XETRA:MTE", "NASDAQ:MU"})));
  v1::UpdateCompanyRequest describe;
  describe.mutable_company()->set_name("companies/micron");
  describe.mutable_company()->set_description("Memory.");
  describe.mutable_company()->add_tickers("NASDAQ:MU");
  v1::Company updated;
  ASSERT_GRPC_OK(UpdateCompany(describe, &updated));
  EXPECT_THAT(updated.tickers(), ElementsAre("NASDAQ:MU"));
}

TEST_F(CompanyServiceTest, ATickerFreedByUpdateOrDeleteCanBeTakenAgain) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(SimpleCompany("Crucial"), "crucial");
  ASSERT_GRPC_OK(UpdateCompany(SetTickers("micron", {})));
  ASSERT_GRPC_OK(UpdateCompany(SetTickers("crucial", {"NASDAQ:MU"})));

  v1::DeleteCompanyRequest remove;
  remove.set_name("companies/crucial");
  ASSERT_GRPC_OK(DeleteCompany(remove));
  ASSERT_GRPC_OK(CreateCompany(ClaimMicronsTicker("micron-technology")));

  // After a restart the ticker is still held.
  StopServer();
  StartServer(server::ServerOptions());
  EXPECT_THAT(UpdateCompany(SetTickers("micron", {"NASDAQ:MU"})),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS,
                       "companies/micron-technology"));
  auto report = store_->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
}

TEST_F(CompanyServiceTest, ListPagesThroughEveryCompanyInIdOrder) {
  const std::vector<std::string> ids = {
      "amd", "anthropic", "micron", "nvidia", "openai", "sk-hynix", "tsmc"};
  for (const std::string& id : ids) MustCreateCompany(SimpleCompany(id), id);

  std::vector<std::string> seen;
  v1::ListCompaniesRequest request;
  request.set_page_size(3);
  int pages = 0;
  while (true) {
    v1::ListCompaniesResponse response;
    ASSERT_GRPC_OK(ListCompanies(request, &response));
    ++pages;
    EXPECT_LE(response.companies_size(), 3);
    EXPECT_GE(response.revision(), static_cast<int64_t>(ids.size()));
    for (const v1::Company& c : response.companies()) seen.push_back(c.name());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
    ASSERT_LT(pages, 10) << "pagination does not end";
  }
  std::vector<std::string> want;
  for (const std::string& id : ids) want.push_back("companies/" + id);
  EXPECT_EQ(seen, want);
  EXPECT_GE(pages, 3);
}

TEST_F(CompanyServiceTest, ListFilters) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  v1::Company hynix = SimpleCompany("SK hynix");
  hynix.add_sectors("semiconductors/memory");
  hynix.set_country("KR");
  (*hynix.mutable_labels())["tier"] = "1";
  MustCreateCompany(hynix, "sk-hynix");

  struct Case {
    const char* sector;
    const char* country;
    const char* label;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"ai", "", "", {"companies/anthropic"}},
      {"semiconductors", "", "", {"companies/micron", "companies/sk-hynix"}},
      {"semiconductors/memory", "KR", "", {"companies/sk-hynix"}},
      {"", "US", "", {"companies/anthropic", "companies/micron"}},
      {"", "", "source=article", {"companies/micron"}},
      {"", "", "tier", {"companies/sk-hynix"}},
      {"", "", "tier=2", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.sector, "|", c.country, "|", c.label));
    v1::ListCompaniesRequest request;
    request.set_sector(c.sector);
    request.set_country(c.country);
    request.set_label(c.label);
    v1::ListCompaniesResponse response;
    ASSERT_GRPC_OK(ListCompanies(request, &response));
    std::vector<std::string> names;
    for (const v1::Company& company : response.companies()) {
      names.push_back(company.name());
    }
    EXPECT_EQ(names, c.want);
  }
}

TEST_F(CompanyServiceTest, ListErrors) {
  for (int i = 0; i < 3; ++i) {
    MustCreateCompany(SimpleCompany(absl::StrCat("c", i)),
                      absl::StrCat("c", i));
  }
  v1::ListCompaniesRequest request;
  request.set_page_size(-1);
  EXPECT_THAT(ListCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "page_size"));

  request.set_page_size(0);
  request.set_sector("Not A Sector");
  EXPECT_THAT(ListCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "sector"));
  request.clear_sector();
  request.set_country("usa");
  EXPECT_THAT(ListCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "country"));
  request.clear_country();

  request.set_page_size(1);
  v1::ListCompaniesResponse first;
  ASSERT_GRPC_OK(ListCompanies(request, &first));
  ASSERT_FALSE(first.next_page_token().empty());

  v1::ListCompaniesRequest tampered = request;
  std::string token = first.next_page_token();
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  tampered.set_page_token(token);
  EXPECT_THAT(ListCompanies(tampered),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, ""));
  tampered.set_page_token("not-a-token");
  EXPECT_THAT(ListCompanies(tampered),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, ""));

  // A token is bound to the filter it was issued for.
  v1::ListCompaniesRequest other_filter = request;
  other_filter.set_country("US");
  other_filter.set_page_token(first.next_page_token());
  EXPECT_THAT(ListCompanies(other_filter),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, ""));

  // Oversized pages are capped, not refused.
  v1::ListCompaniesRequest huge;
  huge.set_page_size(100000);
  v1::ListCompaniesResponse all;
  ASSERT_GRPC_OK(ListCompanies(huge, &all));
  EXPECT_EQ(all.companies_size(), 3);
}

TEST_F(CompanyServiceTest, SearchRanksTickerNameAndPrefixMatches) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  v1::Company nestle = SimpleCompany("Nestlé");
  MustCreateCompany(nestle, "nestle");

  v1::SearchCompaniesRequest request;
  request.set_query("MU");
  v1::SearchCompaniesResponse response;
  ASSERT_GRPC_OK(SearchCompanies(request, &response));
  ASSERT_GE(response.results_size(), 1);
  EXPECT_EQ(response.results(0).company().name(), "companies/micron");
  EXPECT_EQ(response.results(0).match(), v1::EXACT_TICKER);
  EXPECT_GT(response.revision(), 0);

  request.set_query("micron");
  ASSERT_GRPC_OK(SearchCompanies(request, &response));
  ASSERT_GE(response.results_size(), 1);
  EXPECT_EQ(response.results(0).company().name(), "companies/micron");
  EXPECT_EQ(response.results(0).match(), v1::EXACT_NAME);
  EXPECT_EQ(response.results(0).matched_text(), "Micron");

  request.set_query("techn");
  ASSERT_GRPC_OK(SearchCompanies(request, &response));
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).match(), v1::WORD_PREFIX);

  request.set_query("NESTLE");
  ASSERT_GRPC_OK(SearchCompanies(request, &response));
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).company().display_name(), "Nestlé");

  request.set_query("zzz");
  ASSERT_GRPC_OK(SearchCompanies(request, &response));
  EXPECT_EQ(response.results_size(), 0);
}

TEST_F(CompanyServiceTest, SearchErrors) {
  v1::SearchCompaniesRequest request;
  EXPECT_THAT(SearchCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "query"));
  request.set_query(std::string(201, 'a'));
  EXPECT_THAT(SearchCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "query"));
  request.set_query("micron");
  request.set_page_size(-5);
  EXPECT_THAT(SearchCompanies(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  request.set_page_size(5000);  // Capped.
  EXPECT_GRPC_OK(SearchCompanies(request));
}

}  // namespace
}  // namespace partnergraph::server_testing
