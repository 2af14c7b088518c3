// validate_only on Create, Update and Delete (AIP-163) over the real server:
// every check runs and the answer is what the write would return, but
// nothing is written and no revision is taken. Also the version header.

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

class ValidateOnlyTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    MustCreateCompany(Micron(), "micron");
    MustCreateCompany(Anthropic(), "anthropic");
    v1::CreatePartnershipRequest create;
    *create.mutable_partnership() = MicronAnthropic();
    create.set_partnership_id("micron-anthropic");
    ASSERT_GRPC_OK(CreatePartnership(create));
    ASSERT_GRPC_OK(GetCompany("companies/micron", &micron_));
  }

  int64_t Revision() { return store_->Revision(); }

  v1::Company micron_;
};

TEST_F(ValidateOnlyTest, CreateAnswersWhatItWouldCreateAndWritesNothing) {
  const int64_t before = Revision();
  v1::CreateCompanyRequest request;
  *request.mutable_company() = SimpleCompany("Samsung Electronics");
  request.mutable_company()->add_tickers("KRX:005930");
  request.set_validate_only(true);
  v1::Company answer;
  ASSERT_GRPC_OK(CreateCompany(request, &answer));
  EXPECT_EQ(answer.name(), "companies/samsung-electronics");
  EXPECT_EQ(answer.display_name(), "Samsung Electronics");
  EXPECT_EQ(answer.create_revision(), before + 1);
  EXPECT_EQ(Revision(), before);
  EXPECT_EQ(GetCompany("companies/samsung-electronics").error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The same request, committed, answers the same.
  request.set_validate_only(false);
  v1::Company created;
  ASSERT_GRPC_OK(CreateCompany(request, &created));
  EXPECT_EQ(created.name(), answer.name());
  EXPECT_EQ(created.create_revision(), answer.create_revision());
}

TEST_F(ValidateOnlyTest, CreateRunsEveryCheck) {
  const int64_t before = Revision();
  v1::CreateCompanyRequest taken;
  *taken.mutable_company() = SimpleCompany("Micron");
  taken.set_company_id("micron");
  taken.set_validate_only(true);
  EXPECT_THAT(CreateCompany(taken),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, "micron"));

  v1::CreateCompanyRequest ticker;
  *ticker.mutable_company() = SimpleCompany("Micron Clone");
  ticker.mutable_company()->add_tickers("NASDAQ:MU");
  ticker.set_validate_only(true);
  EXPECT_THAT(CreateCompany(ticker),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS,
                       "company.tickers[0]: \"NASDAQ:MU\" is held by "
                       "companies/micron"));

  v1::CreatePartnershipRequest missing;
  *missing.mutable_partnership() = MicronAnthropic();
  missing.mutable_partnership()->mutable_participants(1)->set_company(
      "companies/nobody");
  missing.set_validate_only(true);
  EXPECT_THAT(CreatePartnership(missing),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION, "nobody"));

  v1::CreatePartnershipRequest duplicate;
  *duplicate.mutable_partnership() = MicronAnthropic();
  duplicate.set_validate_only(true);
  EXPECT_THAT(CreatePartnership(duplicate),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, "micron-anthropic"));

  v1::CreatePartnershipRequest untitled;
  *untitled.mutable_partnership() = MicronAnthropic();
  untitled.mutable_partnership()->set_announced_on("2026-01-05");
  untitled.mutable_partnership()->set_title(std::string(301, 't'));
  untitled.set_validate_only(true);
  EXPECT_THAT(
      CreatePartnership(untitled),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "partnership.title"));
  EXPECT_EQ(Revision(), before);
}

TEST_F(ValidateOnlyTest, UpdateAnswersTheNewRecordAndKeepsTheOld) {
  const int64_t before = Revision();
  v1::UpdateCompanyRequest update;
  update.mutable_company()->set_name("companies/micron");
  update.mutable_company()->set_description("Changed.");
  update.mutable_update_mask()->add_paths("description");
  update.set_etag(micron_.etag());
  update.set_validate_only(true);
  v1::Company answer;
  ASSERT_GRPC_OK(UpdateCompany(update, &answer));
  EXPECT_EQ(answer.description(), "Changed.");
  EXPECT_EQ(answer.update_revision(), before + 1);
  v1::Company stored;
  ASSERT_GRPC_OK(GetCompany("companies/micron", &stored));
  EXPECT_EQ(stored.description(), micron_.description());
  EXPECT_EQ(stored.etag(), micron_.etag());

  update.set_etag(absl::StrCat(micron_.update_revision() + 1));  // stale
  EXPECT_THAT(UpdateCompany(update),
              StatusIs(grpc::StatusCode::ABORTED, "has changed"));

  v1::UpdatePartnershipRequest partnership;
  partnership.mutable_partnership()->set_name("partnerships/micron-anthropic");
  partnership.mutable_partnership()->set_summary("New summary.");
  partnership.mutable_update_mask()->add_paths("summary");
  partnership.set_validate_only(true);
  v1::Partnership p;
  ASSERT_GRPC_OK(UpdatePartnership(partnership, &p));
  EXPECT_EQ(p.summary(), "New summary.");
  ASSERT_GRPC_OK(GetPartnership("partnerships/micron-anthropic", &p));
  EXPECT_EQ(p.summary(), MicronAnthropic().summary());
  EXPECT_EQ(Revision(), before);
}

TEST_F(ValidateOnlyTest, DeleteChecksAndKeepsTheRecord) {
  const int64_t before = Revision();
  v1::DeleteCompanyRequest referenced;
  referenced.set_name("companies/micron");
  referenced.set_validate_only(true);
  EXPECT_THAT(DeleteCompany(referenced),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION, ""));
  referenced.set_force(true);
  EXPECT_GRPC_OK(DeleteCompany(referenced));
  EXPECT_GRPC_OK(GetCompany("companies/micron"));

  v1::DeletePartnershipRequest partnership;
  partnership.set_name("partnerships/micron-anthropic");
  partnership.set_validate_only(true);
  EXPECT_GRPC_OK(DeletePartnership(partnership));
  EXPECT_GRPC_OK(GetPartnership("partnerships/micron-anthropic"));
  partnership.set_name("partnerships/absent");
  EXPECT_EQ(DeletePartnership(partnership).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Revision(), before);
}

TEST_F(ValidateOnlyTest, EveryAnswerNamesTheServerVersion) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetCompanyRequest request;
  request.set_name("companies/micron");
  v1::Company company;
  ASSERT_GRPC_OK(companies_->GetCompany(&context, request, &company));
  const auto& headers = context.GetServerInitialMetadata();
  auto it = headers.find("partnergraph-version");
  ASSERT_NE(it, headers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()),
            PARTNERGRAPH_VERSION);
  EXPECT_THAT(std::string(PARTNERGRAPH_VERSION),
              ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

}  // namespace
}  // namespace partnergraph::server_testing
