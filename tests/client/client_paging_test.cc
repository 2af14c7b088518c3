// PartnergraphClient's ListAll* against an in-process fake service: every
// page is asked with the request's point in time (--as-of), and the pages
// come back in order. No partnergraphd needed.

#include <memory>
#include <string>
#include <vector>

#include "client/client.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::testing::ElementsAre;

// Two pages of each list; remembers every request.
class FakeCompanies final : public v1::CompanyService::Service {
 public:
  grpc::Status ListCompanies(grpc::ServerContext*,
                             const v1::ListCompaniesRequest* request,
                             v1::ListCompaniesResponse* response) override {
    requests.push_back(*request);
    const bool first = request->page_token().empty();
    response->add_companies()->set_name(first ? "companies/a" : "companies/b");
    if (first) response->set_next_page_token("page2");
    response->set_revision(request->as_of_revision());
    return grpc::Status::OK;
  }

  grpc::Status ListCompanyRevisions(
      grpc::ServerContext*, const v1::ListCompanyRevisionsRequest* request,
      v1::ListCompanyRevisionsResponse* response) override {
    revision_requests.push_back(*request);
    const bool first = request->page_token().empty();
    response->add_revisions()->set_revision(first ? 9 : 4);
    if (first) response->set_next_page_token("page2");
    return grpc::Status::OK;
  }

  std::vector<v1::ListCompaniesRequest> requests;
  std::vector<v1::ListCompanyRevisionsRequest> revision_requests;
};

class FakePartnerships final : public v1::PartnershipService::Service {
 public:
  grpc::Status ListPartnerships(
      grpc::ServerContext*, const v1::ListPartnershipsRequest* request,
      v1::ListPartnershipsResponse* response) override {
    requests.push_back(*request);
    const bool first = request->page_token().empty();
    response->add_partnerships()->set_name(first ? "partnerships/x"
                                                 : "partnerships/y");
    if (first) response->set_next_page_token("page2");
    return grpc::Status::OK;
  }

  std::vector<v1::ListPartnershipsRequest> requests;
};

class ClientPagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&companies_);
    builder.RegisterService(&partnerships_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<PartnergraphClient>(
        server_->InProcessChannel(grpc::ChannelArguments()), ClientOptions());
  }

  void TearDown() override { server_->Shutdown(); }

  FakeCompanies companies_;
  FakePartnerships partnerships_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<PartnergraphClient> client_;
};

TEST_F(ClientPagingTest, EveryCompanyPageIsReadAtTheSameRevision) {
  v1::ListCompaniesRequest request;
  request.set_as_of_revision(5);
  absl::StatusOr<v1::ListCompaniesResponse> all =
      client_->ListAllCompanies(request);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->companies_size(), 2);
  EXPECT_EQ(all->companies(1).name(), "companies/b");
  EXPECT_EQ(all->revision(), 5);
  ASSERT_EQ(companies_.requests.size(), 2u);
  for (const v1::ListCompaniesRequest& sent : companies_.requests) {
    EXPECT_EQ(sent.as_of_revision(), 5);
  }
  EXPECT_EQ(companies_.requests[1].page_token(), "page2");
}

TEST_F(ClientPagingTest, EveryPartnershipPageIsReadAtTheSameTime) {
  v1::ListPartnershipsRequest request;
  request.mutable_as_of_time()->set_seconds(1769860800);
  absl::StatusOr<v1::ListPartnershipsResponse> all =
      client_->ListAllPartnerships(request);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(partnerships_.requests.size(), 2u);
  for (const v1::ListPartnershipsRequest& sent : partnerships_.requests) {
    EXPECT_EQ(sent.as_of_time().seconds(), 1769860800);
    EXPECT_EQ(sent.as_of_revision(), 0);
  }
}

TEST_F(ClientPagingTest, AllRevisionsKeepTheServersNewestFirstOrder) {
  v1::ListCompanyRevisionsRequest request;
  request.set_name("companies/micron");
  request.set_page_size(1);
  absl::StatusOr<v1::ListCompanyRevisionsResponse> all =
      client_->ListAllCompanyRevisions(request);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<int64_t> revisions;
  for (const v1::CompanyRevision& r : all->revisions()) {
    revisions.push_back(r.revision());
  }
  EXPECT_THAT(revisions, ElementsAre(9, 4));
  EXPECT_TRUE(all->next_page_token().empty());
  ASSERT_EQ(companies_.revision_requests.size(), 2u);
  EXPECT_EQ(companies_.revision_requests[1].name(), "companies/micron");
  EXPECT_EQ(companies_.revision_requests[1].page_size(), 1);
}

}  // namespace
}  // namespace partnergraph::client
