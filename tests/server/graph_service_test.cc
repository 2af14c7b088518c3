// GraphService's graph queries over a real server and store holding the demo
// graph: answers, every request rule, NOT_FOUND and deadlines.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "server/demo_data.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GraphServiceTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto loaded = server::LoadDemoGraph(store_.get());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    graph_ = v1::GraphService::NewStub(channel_);
  }

  grpc::Status Neighborhood(const v1::GetNeighborhoodRequest& request,
                            v1::GetNeighborhoodResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return graph_->GetNeighborhood(&context, request, response);
  }
  grpc::Status Paths(const v1::FindPathsRequest& request,
                     v1::FindPathsResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return graph_->FindPaths(&context, request, response);
  }
  grpc::Status Aggregate(const v1::AggregatePartnershipsRequest& request,
                         v1::AggregatePartnershipsResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return graph_->AggregatePartnerships(&context, request, response);
  }

  std::unique_ptr<v1::GraphService::Stub> graph_;
};

TEST_F(GraphServiceTest, NeighborhoodOfMicron) {
  v1::GetNeighborhoodRequest request;
  request.set_company("companies/micron");
  request.set_depth(2);
  v1::GetNeighborhoodResponse response;
  ASSERT_GRPC_OK(Neighborhood(request, &response));
  std::vector<std::pair<std::string, int>> nodes;
  for (const auto& n : response.nodes()) {
    nodes.emplace_back(n.company().name(), n.distance());
  }
  EXPECT_THAT(nodes, ElementsAre(std::make_pair("companies/micron", 0),
                                 std::make_pair("companies/anthropic", 1),
                                 std::make_pair("companies/alphabet", 2),
                                 std::make_pair("companies/amazon", 2)));
  std::set<std::string> partnerships;
  for (const auto& p : response.partnerships()) partnerships.insert(p.name());
  EXPECT_EQ(partnerships,
            (std::set<std::string>{"partnerships/micron-anthropic-2025",
                                   "partnerships/amazon-anthropic-2023",
                                   "partnerships/alphabet-anthropic-2023"}));
  EXPECT_FALSE(response.truncated());
  EXPECT_EQ(response.revision(), store_->Revision());

  // A filter narrows what is followed; max_nodes cuts the result.
  request.mutable_filter()->add_kinds(v1::INVESTMENT);
  request.set_company("companies/anthropic");
  request.set_max_nodes(1);
  response.Clear();
  ASSERT_GRPC_OK(Neighborhood(request, &response));
  ASSERT_EQ(response.nodes_size(), 1);
  EXPECT_EQ(response.nodes(0).company().name(), "companies/anthropic");
  EXPECT_TRUE(response.truncated());
}

TEST_F(GraphServiceTest, PathCarriesItsEvidence) {
  v1::FindPathsRequest request;
  request.set_from("companies/micron");
  request.set_to("companies/amazon");
  v1::FindPathsResponse response;
  ASSERT_GRPC_OK(Paths(request, &response));
  ASSERT_EQ(response.paths_size(), 1);
  const v1::Path& path = response.paths(0);
  EXPECT_EQ(path.from().display_name(), "Micron Technology");
  ASSERT_EQ(path.steps_size(), 2);
  EXPECT_EQ(path.steps(0).partnership().name(),
            "partnerships/micron-anthropic-2025");
  EXPECT_GT(path.steps(0).partnership().sources_size(), 0);
  EXPECT_EQ(path.steps(0).company().name(), "companies/anthropic");
  EXPECT_EQ(path.steps(1).partnership().name(),
            "partnerships/amazon-anthropic-2023");
  EXPECT_EQ(path.steps(1).company().name(), "companies/amazon");

  // Unreachable within max_depth: no paths, not an error.
  request.set_max_depth(1);
  response.Clear();
  ASSERT_GRPC_OK(Paths(request, &response));
  EXPECT_EQ(response.paths_size(), 0);
}

TEST_F(GraphServiceTest, MemoryMakersTimesAiLabsPerQuarter) {
  v1::AggregatePartnershipsRequest request;
  request.mutable_filter()->add_participant_sectors("semiconductors/memory");
  request.mutable_filter()->add_participant_sectors("ai");
  request.add_group_by(v1::QUARTER);
  v1::AggregatePartnershipsResponse response;
  ASSERT_GRPC_OK(Aggregate(request, &response));
  EXPECT_EQ(response.total(), 2);  // Micron-Anthropic, Samsung/SK hynix-OpenAI
  ASSERT_EQ(response.groups_size(), 1);
  EXPECT_THAT(response.groups(0).keys(), ElementsAre("2025-Q4"));
  EXPECT_EQ(response.groups(0).count(), 2);

  // COMPANY keys are resource names.
  request.clear_group_by();
  request.add_group_by(v1::COMPANY);
  response.Clear();
  ASSERT_GRPC_OK(Aggregate(request, &response));
  std::vector<std::string> keys;
  for (const auto& g : response.groups()) keys.push_back(g.keys(0));
  EXPECT_THAT(
      keys,
      ElementsAre("companies/anthropic", "companies/micron", "companies/openai",
                  "companies/samsung-electronics", "companies/sk-hynix"));
}

TEST_F(GraphServiceTest, BadRequestsNameTheFieldAndRule) {
  struct Case {
    const char* name;
    grpc::Status status;
    const char* message;
  };
  std::vector<Case> cases;
  auto neighborhood = [&](const char* name, v1::GetNeighborhoodRequest r,
                          const char* message) {
    v1::GetNeighborhoodResponse response;
    cases.push_back({name, Neighborhood(r, &response), message});
  };
  auto paths = [&](const char* name, v1::FindPathsRequest r,
                   const char* message) {
    v1::FindPathsResponse response;
    cases.push_back({name, Paths(r, &response), message});
  };
  auto aggregate = [&](const char* name, v1::AggregatePartnershipsRequest r,
                       const char* message) {
    v1::AggregatePartnershipsResponse response;
    cases.push_back({name, Aggregate(r, &response), message});
  };
  v1::GetNeighborhoodRequest n;
  neighborhood("no company", n, "company: required");
  n.set_company("micron");
  neighborhood("bare id", n, "company: want companies/");
  n.set_company("companies/micron");
  n.set_depth(7);
  neighborhood("depth", n, "depth: want 1..4, got 7");
  n.set_depth(0);
  n.set_max_nodes(10001);
  neighborhood("max_nodes", n, "max_nodes: want 1..10000, got 10001");
  n.set_max_nodes(0);
  n.mutable_filter()->set_announced_after("2025-02-30");
  neighborhood("filter date", n, "filter.announced_after");
  n.clear_filter();
  n.mutable_filter()->add_kinds(static_cast<v1::PartnershipKind>(99));
  neighborhood("filter kind", n, "filter.kinds[0]");

  v1::FindPathsRequest p;
  p.set_to("companies/amazon");
  paths("no from", p, "from: required");
  p.set_from("companies/amazon");
  paths("same", p, "to: must differ from from");
  p.set_from("companies/micron");
  p.set_max_depth(7);
  paths("max_depth", p, "max_depth: want 1..6, got 7");
  p.set_max_depth(0);
  p.set_max_paths(21);
  paths("max_paths", p, "max_paths: want 1..20, got 21");
  p.set_max_paths(0);
  p.mutable_filter()->add_participant_sectors("AI");
  paths("filter sector", p, "filter.participant_sectors[0]");

  v1::AggregatePartnershipsRequest a;
  aggregate("no group_by", a, "group_by: want 1..3 dimensions, got 0");
  a.add_group_by(v1::GROUP_BY_UNSPECIFIED);
  aggregate("unspecified", a, "group_by[0]: want KIND, YEAR, QUARTER");
  a.clear_group_by();
  a.add_group_by(v1::YEAR);
  a.add_group_by(v1::YEAR);
  aggregate("twice", a, "group_by[1]: YEAR already given at group_by[0]");
  a.clear_group_by();
  a.add_group_by(v1::KIND);
  a.add_group_by(v1::YEAR);
  a.add_group_by(v1::QUARTER);
  a.add_group_by(v1::COMPANY);
  aggregate("four", a, "group_by: want 1..3 dimensions, got 4");
  a.clear_group_by();
  a.add_group_by(v1::KIND);
  a.set_max_groups(-1);
  aggregate("max_groups", a, "max_groups: want 1..10000, got -1");

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << ToString(c.status);
    EXPECT_THAT(c.status.error_message(), HasSubstr(c.message));
  }
}

TEST_F(GraphServiceTest, MissingCompanyIsNotFound) {
  v1::GetNeighborhoodRequest n;
  n.set_company("companies/nobody");
  v1::GetNeighborhoodResponse nr;
  EXPECT_THAT(Neighborhood(n, &nr),
              StatusIs(grpc::StatusCode::NOT_FOUND, "companies/nobody"));
  v1::FindPathsRequest p;
  p.set_from("companies/micron");
  p.set_to("companies/nobody");
  v1::FindPathsResponse pr;
  EXPECT_THAT(Paths(p, &pr),
              StatusIs(grpc::StatusCode::NOT_FOUND, "companies/nobody"));
}

TEST_F(GraphServiceTest, ExpiredDeadlineIsDeadlineExceeded) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() -
                       std::chrono::seconds(1));
  v1::GetNeighborhoodRequest request;
  request.set_company("companies/micron");
  v1::GetNeighborhoodResponse response;
  EXPECT_EQ(graph_->GetNeighborhood(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

}  // namespace
}  // namespace partnergraph::server_testing

namespace partnergraph::server_testing {
namespace {

// Answers larger than --max_message_bytes are cut to fit and flagged, never
// refused by gRPC after the work is done.
class GraphAnswerSizeTest : public ServerTest {
 protected:
  static constexpr int kMaxMessageBytes = 16 << 10;

  void SetUp() override {
    server::ServerOptions options;
    options.max_message_bytes = kMaxMessageBytes;
    StartServer(options);
    graph_ = v1::GraphService::NewStub(channel_);
    // A hub with 40 spokes, and 20 more deals between the hub and spoke 0,
    // each deal with a 2,000-byte summary.
    for (int i = 0; i <= 40; ++i) {
      storage::CompanyRecord c;
      c.set_id(i == 40 ? "hub" : absl::StrCat("spoke-", i));
      c.set_display_name(c.id());
      ASSERT_TRUE(store_->CreateCompany(c, "").ok());
    }
    for (int i = 0; i < 60; ++i) {
      storage::PartnershipRecord p;
      p.set_title(absl::StrCat("deal ", i));
      p.set_summary(std::string(2000, 'x'));
      p.add_participants()->set_company_id("hub");
      p.add_participants()->set_company_id(
          absl::StrCat("spoke-", i < 40 ? i : 0));
      p.add_kinds(storage::KIND_SUPPLY_AGREEMENT);
      p.set_announced_on(
          absl::StrFormat("2024-%02d-%02d", 1 + i / 28, 1 + i % 28));
      auto created = store_->CreatePartnership(p, "");
      ASSERT_TRUE(created.ok()) << created.status();
    }
  }

  std::unique_ptr<v1::GraphService::Stub> graph_;
};

TEST_F(GraphAnswerSizeTest, NeighborhoodDropsTheOldestPartnershipsToFit) {
  v1::GetNeighborhoodRequest request;
  request.set_company("companies/hub");
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetNeighborhoodResponse response;
  ASSERT_GRPC_OK(graph_->GetNeighborhood(&context, request, &response));
  EXPECT_TRUE(response.truncated());
  EXPECT_LE(response.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  // Every node is there; partnerships are the newest ones, newest first.
  EXPECT_EQ(response.nodes_size(), 41);
  ASSERT_GT(response.partnerships_size(), 0);
  ASSERT_LT(response.partnerships_size(), 60);
  EXPECT_EQ(response.partnerships(0).title(), "deal 59");
  for (int i = 1; i < response.partnerships_size(); ++i) {
    EXPECT_EQ(response.partnerships(i).title(), absl::StrCat("deal ", 59 - i));
  }
  // A small answer is untouched.
  request.set_company("companies/spoke-7");
  request.set_max_nodes(2);
  grpc::ClientContext small_context;
  SetDeadline(&small_context);
  response.Clear();
  ASSERT_GRPC_OK(graph_->GetNeighborhood(&small_context, request, &response));
  EXPECT_FALSE(response.truncated());
  EXPECT_EQ(response.partnerships_size(), 1);
}

TEST_F(GraphAnswerSizeTest, PathsDropTheLastPathsToFit) {
  v1::FindPathsRequest request;
  request.set_from("companies/spoke-0");
  request.set_to("companies/spoke-1");
  request.set_max_paths(20);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::FindPathsResponse response;
  ASSERT_GRPC_OK(graph_->FindPaths(&context, request, &response));
  EXPECT_TRUE(response.truncated());
  EXPECT_LE(response.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
  ASSERT_GT(response.paths_size(), 0);
  EXPECT_LT(response.paths_size(), 20);
  for (const v1::Path& path : response.paths()) {
    EXPECT_EQ(path.steps_size(), 2);
  }
  // Within the limit: every path, not truncated.
  request.set_max_paths(1);
  grpc::ClientContext one_context;
  SetDeadline(&one_context);
  response.Clear();
  ASSERT_GRPC_OK(graph_->FindPaths(&one_context, request, &response));
  EXPECT_FALSE(response.truncated());
  EXPECT_EQ(response.paths_size(), 1);
}

}  // namespace
}  // namespace partnergraph::server_testing
