// Point-in-time reads and record history over the wire: as_of_revision and
// as_of_time on every read that takes them, the partnergraph-revision
// metadata, ListCompanyRevisions / ListPartnershipRevisions, and each
// documented error one past its edge.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AsOfServiceTest : public ServerTest {
 protected:
  // Revisions: 1 micron created, 2 micron renamed, 3 anthropic created,
  // 4 their partnership created, 5 the partnership deleted.
  void SetUp() override {
    ServerTest::SetUp();
    graph_ = v1::GraphService::NewStub(channel_);
    micron_v1_ = MustCreateCompany(Micron(), "micron");
    v1::UpdateCompanyRequest rename;
    *rename.mutable_company() = micron_v1_;
    rename.mutable_company()->set_display_name("Micron");
    rename.mutable_update_mask()->add_paths("display_name");
    ASSERT_GRPC_OK(UpdateCompany(rename));
    MustCreateCompany(Anthropic(), "anthropic");
    v1::CreatePartnershipRequest create;
    *create.mutable_partnership() = MicronAnthropic();
    create.set_partnership_id("deal");
    ASSERT_GRPC_OK(CreatePartnership(create, &deal_));
    v1::DeletePartnershipRequest del;
    del.set_name("partnerships/deal");
    ASSERT_GRPC_OK(DeletePartnership(del));
    ASSERT_EQ(store_->Revision(), 5);
  }

  // GetCompany with the revision the response's metadata reports.
  grpc::Status Get(const v1::GetCompanyRequest& request, v1::Company* out,
                   std::string* revision) {
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status status = companies_->GetCompany(&context, request, out);
    auto md = context.GetServerInitialMetadata();
    auto it = md.find("partnergraph-revision");
    *revision =
        it == md.end() ? "" : std::string(it->second.data(), it->second.size());
    return status;
  }

  std::unique_ptr<v1::GraphService::Stub> graph_;
  v1::Company micron_v1_;
  v1::Partnership deal_;
};

TEST_F(AsOfServiceTest, GetAsOfARevisionOrATimeReadsTheVersionThen) {
  v1::GetCompanyRequest request;
  request.set_name("companies/micron");
  v1::Company got;
  std::string revision;
  request.set_as_of_revision(1);
  ASSERT_GRPC_OK(Get(request, &got, &revision));
  EXPECT_EQ(got.display_name(), "Micron Technology");
  EXPECT_EQ(revision, "1");

  request.clear_as_of_revision();
  *request.mutable_as_of_time() = micron_v1_.update_time();
  ASSERT_GRPC_OK(Get(request, &got, &revision));
  EXPECT_EQ(got.display_name(), "Micron Technology");
  EXPECT_EQ(revision, "1");

  request.clear_as_of_time();
  ASSERT_GRPC_OK(Get(request, &got, &revision));
  EXPECT_EQ(got.display_name(), "Micron");
  EXPECT_EQ(revision, "5");

  // A time after the last commit reads the latest state.
  request.mutable_as_of_time()->set_seconds(253402300799);
  ASSERT_GRPC_OK(Get(request, &got, &revision));
  EXPECT_EQ(got.display_name(), "Micron");
  EXPECT_EQ(revision, "5");
}

// Header of a call's initial metadata, "" when absent.
std::string RevisionHeader(const grpc::ClientContext& context) {
  auto md = context.GetServerInitialMetadata();
  auto it = md.find("partnergraph-revision");
  return it == md.end() ? ""
                        : std::string(it->second.data(), it->second.size());
}

TEST_F(AsOfServiceTest, WritesReportTheRevisionTheyCommittedAt) {
  v1::CreateCompanyRequest create;
  create.set_company_id("crucial");
  create.mutable_company()->set_display_name("Crucial");
  v1::Company created;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_GRPC_OK(companies_->CreateCompany(&context, create, &created));
    EXPECT_EQ(RevisionHeader(context), "6");
    EXPECT_EQ(created.update_revision(), 6);
  }
  {
    // Checked only: the revision it was checked against.
    v1::UpdateCompanyRequest update;
    update.mutable_company()->set_name("companies/crucial");
    update.mutable_company()->set_description("Memory.");
    update.mutable_update_mask()->add_paths("description");
    update.set_validate_only(true);
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::Company checked;
    ASSERT_GRPC_OK(companies_->UpdateCompany(&context, update, &checked));
    EXPECT_EQ(RevisionHeader(context), "6");
  }
  {
    v1::DeleteCompanyRequest del;
    del.set_name("companies/crucial");
    grpc::ClientContext context;
    SetDeadline(&context);
    google::protobuf::Empty none;
    ASSERT_GRPC_OK(companies_->DeleteCompany(&context, del, &none));
    EXPECT_EQ(RevisionHeader(context), "7");
  }
  {
    // A refused write reports none.
    v1::DeleteCompanyRequest del;
    del.set_name("companies/crucial");
    grpc::ClientContext context;
    SetDeadline(&context);
    google::protobuf::Empty none;
    EXPECT_THAT(companies_->DeleteCompany(&context, del, &none),
                StatusIs(grpc::StatusCode::NOT_FOUND, "crucial"));
    EXPECT_EQ(RevisionHeader(context), "");
  }
}

TEST_F(AsOfServiceTest, BadPointsInTimeAreRefusedNamingTheField) {
  v1::GetCompanyRequest request;
  request.set_name("companies/micron");
  v1::Company got;
  std::string revision;
  request.set_as_of_revision(-1);
  EXPECT_THAT(Get(request, &got, &revision),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "as_of_revision"));
  request.set_as_of_revision(2);
  request.mutable_as_of_time()->set_seconds(1);
  EXPECT_THAT(Get(request, &got, &revision),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                       "as_of_revision, as_of_time: want at most one"));
  request.clear_as_of_revision();
  request.mutable_as_of_time()->set_nanos(1000000000);
  EXPECT_THAT(Get(request, &got, &revision),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "as_of_time"));
  // Before the first revision held.
  request.mutable_as_of_time()->set_nanos(0);
  EXPECT_THAT(Get(request, &got, &revision),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE,
                       "before the oldest revision held (1"));
  // One past the current revision.
  request.clear_as_of_time();
  request.set_as_of_revision(6);
  EXPECT_THAT(Get(request, &got, &revision),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE, "want at most 5"));
  v1::ListCompaniesRequest list;
  list.set_as_of_revision(6);
  EXPECT_THAT(ListCompanies(list),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE, "want at most 5"));
  v1::GetNeighborhoodRequest hood;
  hood.set_company("companies/micron");
  hood.set_as_of_revision(-2);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetNeighborhoodResponse hood_response;
  EXPECT_THAT(graph_->GetNeighborhood(&context, hood, &hood_response),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "as_of_revision"));
}

TEST_F(AsOfServiceTest, ListsAndGraphQueriesAsOfARevision) {
  v1::GetPartnershipRequest get;
  get.set_name("partnerships/deal");
  EXPECT_THAT(GetPartnership("partnerships/deal"),
              StatusIs(grpc::StatusCode::NOT_FOUND, "deal"));

  v1::ListPartnershipsRequest list;
  list.set_as_of_revision(4);
  v1::ListPartnershipsResponse listed;
  ASSERT_GRPC_OK(ListPartnerships(list, &listed));
  ASSERT_EQ(listed.partnerships_size(), 1);
  EXPECT_EQ(listed.partnerships(0).name(), "partnerships/deal");
  EXPECT_EQ(listed.revision(), 4);

  v1::ListCompaniesRequest companies;
  companies.set_as_of_revision(2);
  v1::ListCompaniesResponse at2;
  ASSERT_GRPC_OK(ListCompanies(companies, &at2));
  ASSERT_EQ(at2.companies_size(), 1);
  EXPECT_EQ(at2.companies(0).display_name(), "Micron");
  EXPECT_EQ(at2.revision(), 2);

  v1::BatchGetCompaniesRequest batch;
  batch.add_names("companies/micron");
  batch.add_names("companies/anthropic");
  batch.set_as_of_revision(2);
  EXPECT_THAT(BatchGetCompanies(batch),
              StatusIs(grpc::StatusCode::NOT_FOUND, "anthropic"));
  batch.set_as_of_revision(3);
  v1::BatchGetCompaniesResponse both;
  ASSERT_GRPC_OK(BatchGetCompanies(batch, &both));
  EXPECT_EQ(both.companies_size(), 2);
  EXPECT_EQ(both.revision(), 3);

  v1::GetNeighborhoodRequest hood;
  hood.set_company("companies/micron");
  hood.set_as_of_revision(4);
  v1::GetNeighborhoodResponse at4;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_GRPC_OK(graph_->GetNeighborhood(&context, hood, &at4));
  }
  EXPECT_EQ(at4.nodes_size(), 2);
  ASSERT_EQ(at4.partnerships_size(), 1);
  EXPECT_EQ(at4.partnerships(0).title(), deal_.title());
  EXPECT_EQ(at4.revision(), 4);
  hood.clear_as_of_revision();
  v1::GetNeighborhoodResponse now;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_GRPC_OK(graph_->GetNeighborhood(&context, hood, &now));
  }
  EXPECT_EQ(now.nodes_size(), 1);
  EXPECT_EQ(now.partnerships_size(), 0);

  v1::FindPathsRequest paths;
  paths.set_from("companies/micron");
  paths.set_to("companies/anthropic");
  paths.set_as_of_revision(4);
  v1::FindPathsResponse found;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_GRPC_OK(graph_->FindPaths(&context, paths, &found));
  }
  EXPECT_EQ(found.paths_size(), 1);
  EXPECT_EQ(found.revision(), 4);

  v1::AggregatePartnershipsRequest trend;
  trend.add_group_by(v1::YEAR);
  trend.set_as_of_revision(4);
  v1::AggregatePartnershipsResponse counted;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    ASSERT_GRPC_OK(graph_->AggregatePartnerships(&context, trend, &counted));
  }
  EXPECT_EQ(counted.total(), 1);
  EXPECT_EQ(counted.revision(), 4);
}

TEST_F(AsOfServiceTest, RevisionListsAreNewestFirstAndPaged) {
  grpc::ClientContext c1;
  SetDeadline(&c1);
  v1::ListCompanyRevisionsRequest request;
  request.set_name("companies/micron");
  request.set_page_size(1);
  v1::ListCompanyRevisionsResponse first;
  ASSERT_GRPC_OK(companies_->ListCompanyRevisions(&c1, request, &first));
  ASSERT_EQ(first.revisions_size(), 1);
  EXPECT_EQ(first.revisions(0).revision(), 2);
  EXPECT_EQ(first.revisions(0).change(), v1::ChangeEvent::UPDATED);
  EXPECT_EQ(first.revisions(0).company().display_name(), "Micron");
  EXPECT_GT(first.revisions(0).commit_time().seconds(), 1600000000);
  ASSERT_FALSE(first.next_page_token().empty());

  grpc::ClientContext c2;
  SetDeadline(&c2);
  request.set_page_token(first.next_page_token());
  v1::ListCompanyRevisionsResponse second;
  ASSERT_GRPC_OK(companies_->ListCompanyRevisions(&c2, request, &second));
  ASSERT_EQ(second.revisions_size(), 1);
  EXPECT_EQ(second.revisions(0).revision(), 1);
  EXPECT_EQ(second.revisions(0).change(), v1::ChangeEvent::CREATED);
  EXPECT_EQ(second.revisions(0).company().display_name(), "Micron Technology");
  EXPECT_TRUE(second.next_page_token().empty());

  // The token belongs to this record's list.
  grpc::ClientContext c3;
  SetDeadline(&c3);
  request.set_name("companies/anthropic");
  v1::ListCompanyRevisionsResponse other;
  EXPECT_THAT(companies_->ListCompanyRevisions(&c3, request, &other),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "page_token"));

  grpc::ClientContext c4;
  SetDeadline(&c4);
  v1::ListPartnershipRevisionsRequest deal;
  deal.set_name("partnerships/deal");
  v1::ListPartnershipRevisionsResponse lives;
  ASSERT_GRPC_OK(partnerships_->ListPartnershipRevisions(&c4, deal, &lives));
  ASSERT_EQ(lives.revisions_size(), 2);
  EXPECT_EQ(lives.revisions(0).revision(), 5);
  EXPECT_EQ(lives.revisions(0).change(), v1::ChangeEvent::DELETED);
  // A deleted partnership's entry carries its last version.
  EXPECT_EQ(lives.revisions(0).partnership().title(), deal_.title());
  EXPECT_EQ(lives.revisions(1).change(), v1::ChangeEvent::CREATED);

  grpc::ClientContext c5;
  SetDeadline(&c5);
  deal.set_name("partnerships/nothing");
  EXPECT_THAT(partnerships_->ListPartnershipRevisions(&c5, deal, &lives),
              StatusIs(grpc::StatusCode::NOT_FOUND, "nothing"));
  grpc::ClientContext c6;
  SetDeadline(&c6);
  deal.set_name("partnerships/deal");
  deal.set_page_size(-1);
  EXPECT_THAT(partnerships_->ListPartnershipRevisions(&c6, deal, &lives),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  grpc::ClientContext c7;
  SetDeadline(&c7);
  deal.set_page_size(0);
  deal.set_name("companies/deal");
  EXPECT_THAT(partnerships_->ListPartnershipRevisions(&c7, deal, &lives),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
}

TEST_F(AsOfServiceTest, MinRevisionUpToTheCurrentOneIsServedBeyondItRefused) {
  v1::GetCompanyRequest get;
  get.set_name("companies/micron");
  v1::Company got;
  std::string revision;
  get.set_min_revision(5);
  EXPECT_GRPC_OK(Get(get, &got, &revision));
  EXPECT_EQ(revision, "5");
  get.set_min_revision(6);
  EXPECT_THAT(Get(get, &got, &revision),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE,
                       "min_revision: want at most 5 (the current revision), "
                       "got 6"));
  get.set_min_revision(-1);
  EXPECT_THAT(Get(get, &got, &revision),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "min_revision"));

  v1::SearchCompaniesRequest search;
  search.set_query("micron");
  search.set_min_revision(6);
  EXPECT_THAT(SearchCompanies(search),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE, "min_revision"));
  search.set_min_revision(5);
  EXPECT_GRPC_OK(SearchCompanies(search));

  v1::ListPartnershipsRequest list;
  list.set_min_revision(6);
  EXPECT_THAT(ListPartnerships(list),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE, "min_revision"));

  v1::AggregatePartnershipsRequest trend;
  trend.add_group_by(v1::YEAR);
  trend.set_min_revision(6);
  v1::AggregatePartnershipsResponse counted;
  grpc::ClientContext context;
  SetDeadline(&context);
  EXPECT_THAT(graph_->AggregatePartnerships(&context, trend, &counted),
              StatusIs(grpc::StatusCode::OUT_OF_RANGE, "min_revision"));

  auto admin = v1::AdminService::NewStub(channel_);
  for (int64_t min : {int64_t{5}, int64_t{6}}) {
    v1::ExportRecordsRequest request;
    request.set_min_revision(min);
    grpc::ClientContext export_context;
    SetDeadline(&export_context);
    auto reader = admin->ExportRecords(&export_context, request);
    v1::ExportRecordsResponse page;
    int records = 0;
    while (reader->Read(&page)) records += page.records_size();
    const grpc::Status status = reader->Finish();
    if (min == 5) {
      EXPECT_GRPC_OK(status);
      EXPECT_EQ(records, 2);
    } else {
      EXPECT_THAT(status,
                  StatusIs(grpc::StatusCode::OUT_OF_RANGE, "min_revision"));
      EXPECT_EQ(records, 0);
    }
  }
}

class AsOfCompactedTest : public ServerTest {
 protected:
  void SetUp() override {
    store_options_.history_limit = 2;
    ServerTest::SetUp();
  }
};

TEST_F(AsOfCompactedTest, ARevisionNoLongerHeldIsOutOfRangeNamingTheOldest) {
  MustCreateCompany(Micron(), "micron");
  MustCreateCompany(Anthropic(), "anthropic");
  MustCreateCompany(SimpleCompany("Third"), "third");
  MustCreateCompany(SimpleCompany("Fourth"), "fourth");
  // Revisions 3 and 4 held.
  v1::ListCompaniesRequest list;
  list.set_as_of_revision(2);
  EXPECT_THAT(ListCompanies(list), StatusIs(grpc::StatusCode::OUT_OF_RANGE,
                                            "the oldest revision held is 3"));
  list.set_as_of_revision(3);
  v1::ListCompaniesResponse at3;
  ASSERT_GRPC_OK(ListCompanies(list, &at3));
  EXPECT_EQ(at3.companies_size(), 3);
}

}  // namespace
}  // namespace partnergraph::server_testing
