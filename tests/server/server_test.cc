// The Server as a whole: health checking, reflection, the unimplemented
// services, message limits, the in-process channel, and the demo graph.

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "reflection_wire.pb.h"
#include "server/demo_data.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::Contains;
using ::testing::IsSupersetOf;

class HealthAndReflectionTest : public ServerTest {
 protected:
  grpc::Status Check(const std::string& service, HealthCheckResponse* out) {
    auto stub = Health::NewStub(channel_);
    grpc::ClientContext context;
    SetDeadline(&context);
    HealthCheckRequest request;
    request.set_service(service);
    return stub->Check(&context, request, out);
  }

  // One request on the reflection stream, through a generic stub so the
  // wire-compatible test messages can be used.
  grpc::Status Reflect(const reflection_wire::ServerReflectionRequest& request,
                       reflection_wire::ServerReflectionResponse* response) {
    grpc::TemplatedGenericStub<reflection_wire::ServerReflectionRequest,
                               reflection_wire::ServerReflectionResponse>
        stub(channel_);
    grpc::CompletionQueue cq;
    grpc::ClientContext context;
    SetDeadline(&context);
    auto call = stub.PrepareCall(
        &context,
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
    auto step = [&cq](intptr_t want) {
      void* tag = nullptr;
      bool ok = false;
      EXPECT_TRUE(cq.Next(&tag, &ok));
      EXPECT_EQ(reinterpret_cast<intptr_t>(tag), want);
      return ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    bool ok = step(1);
    if (ok) {
      call->Write(request, reinterpret_cast<void*>(2));
      ok = step(2);
    }
    if (ok) {
      call->WritesDone(reinterpret_cast<void*>(3));
      ok = step(3);
    }
    if (ok) {
      call->Read(response, reinterpret_cast<void*>(4));
      ok = step(4);
    }
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(5));
    step(5);
    cq.Shutdown();
    void* tag;
    bool ignored;
    while (cq.Next(&tag, &ignored)) {
    }
    if (status.ok() && !ok) {
      return grpc::Status(grpc::StatusCode::UNKNOWN, "no reflection response");
    }
    return status;
  }
};

TEST_F(HealthAndReflectionTest, EveryServiceAndTheServerAreServing) {
  std::vector<std::string> names = server::Server::ServiceNames();
  names.push_back("");
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    HealthCheckResponse response;
    ASSERT_GRPC_OK(Check(name, &response));
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  }
  EXPECT_THAT(Check("partnergraph.v1.NoSuchService", nullptr),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
}

TEST_F(HealthAndReflectionTest, NotServingOnceShutdownBegins) {
  server_->SetNotServing();
  std::vector<std::string> names = server::Server::ServiceNames();
  names.push_back("");
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    HealthCheckResponse response;
    ASSERT_GRPC_OK(Check(name, &response));
    EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  }
  // Calls are still served until Shutdown.
  EXPECT_GRPC_OK(ListCompanies(v1::ListCompaniesRequest()));
}

TEST_F(HealthAndReflectionTest, WatchersSeeNotServingWhenShutdownStarts) {
  auto stub = Health::NewStub(channel_);
  grpc::ClientContext context;
  SetDeadline(&context);
  HealthCheckRequest request;  // The overall "" status.
  auto reader = stub->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  // The watch is an in-flight call: Shutdown waits for it (up to the grace
  // period), so the client ends it once it has seen the change.
  std::thread shutdown([this] { server_->Shutdown(absl::Seconds(60)); });
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  context.TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish().IgnoreError();
  shutdown.join();
  EXPECT_THAT(GetCompany("companies/micron"),
              StatusIs(grpc::StatusCode::UNAVAILABLE, ""));
}

TEST_F(HealthAndReflectionTest, ReflectionListsEveryService) {
  reflection_wire::ServerReflectionRequest request;
  request.set_list_services("");
  reflection_wire::ServerReflectionResponse response;
  ASSERT_GRPC_OK(Reflect(request, &response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(names, IsSupersetOf({"partnergraph.v1.CompanyService",
                                   "partnergraph.v1.PartnershipService",
                                   "partnergraph.v1.GraphService",
                                   "partnergraph.v1.AdminService",
                                   "grpc.health.v1.Health"}));
}

TEST_F(HealthAndReflectionTest, ReflectionServesTheServiceDescriptors) {
  reflection_wire::ServerReflectionRequest request;
  request.set_file_containing_symbol("partnergraph.v1.CompanyService");
  reflection_wire::ServerReflectionResponse response;
  ASSERT_GRPC_OK(Reflect(request, &response));
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
  std::set<std::string> files;
  bool found_method = false;
  for (const std::string& bytes :
       response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    files.insert(file.name());
    for (const auto& service : file.service()) {
      for (const auto& method : service.method()) {
        found_method = found_method || method.name() == "SearchCompanies";
      }
    }
  }
  EXPECT_THAT(files, Contains("partnergraph/v1/company_service.proto"));
  EXPECT_TRUE(found_method);
}

using UnimplementedTest = ServerTest;

TEST_F(UnimplementedTest, GraphAndAdminMethodsAnswerUnimplemented) {
  auto graph = v1::GraphService::NewStub(channel_);
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    // The graph queries are implemented (graph_service_test.cc): a request
    // without its company is refused, not UNIMPLEMENTED.
    v1::GetNeighborhoodRequest request;
    v1::GetNeighborhoodResponse response;
    EXPECT_THAT(
        graph->GetNeighborhood(&context, request, &response),
        StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "company: required"));
  }
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    // Watch and AdminService are implemented (watch_service_test.cc,
    // admin_service_test.cc): a bad request is refused, not UNIMPLEMENTED.
    v1::WatchRequest request;
    request.set_start_revision(-1);
    auto reader = graph->Watch(&context, request);
    v1::WatchResponse response;
    EXPECT_FALSE(reader->Read(&response));
    EXPECT_THAT(reader->Finish(),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                         "start_revision: want >= 0, got -1"));
  }
  auto admin = v1::AdminService::NewStub(channel_);
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetStatsRequest request;
    v1::GetStatsResponse response;
    EXPECT_TRUE(admin->GetStats(&context, request, &response).ok());
    EXPECT_EQ(response.schema_version(), "1");
  }
}

using ServerLifecycleTest = ServerTest;

TEST_F(ServerLifecycleTest, InProcessChannelServesCalls) {
  MustCreateCompany(Micron(), "micron");
  auto stub = v1::CompanyService::NewStub(server_->InProcessChannel());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetCompanyRequest request;
  request.set_name("companies/micron");
  v1::Company company;
  ASSERT_GRPC_OK(stub->GetCompany(&context, request, &company));
  EXPECT_EQ(company.display_name(), "Micron Technology");
}

TEST_F(ServerLifecycleTest, AddressCarriesTheBoundPort) {
  EXPECT_EQ(server_->address(), absl::StrCat("127.0.0.1:", port_));
}

TEST_F(ServerLifecycleTest, StartTwiceFails) {
  EXPECT_EQ(server_->Start().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ServerLifecycleTest, BusyPortIsUnavailable) {
  server::ServerOptions options;
  options.listen = absl::StrCat("127.0.0.1:", port_);
  server::Server second(options, store_.get());
  EXPECT_EQ(second.Start().status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerLifecycleTest, CallsAfterShutdownFailUnavailable) {
  server_->Shutdown(absl::ZeroDuration());
  EXPECT_THAT(GetCompany("companies/micron"),
              StatusIs(grpc::StatusCode::UNAVAILABLE, ""));
  server_->Shutdown(absl::ZeroDuration());  // Idempotent.
}

class SmallMessagesTest : public ServerTest {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.max_message_bytes = 16 << 10;
    StartServer(options);
  }
};

TEST_F(SmallMessagesTest, OversizedRequestIsResourceExhausted) {
  v1::CreateCompanyRequest request;
  *request.mutable_company() = SimpleCompany("Big");
  request.mutable_company()->set_description(std::string(32 << 10, 'x'));
  EXPECT_THAT(CreateCompany(request),
              StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, ""));
  EXPECT_EQ(store_->Revision(), 0);
  EXPECT_GRPC_OK(CreateCompany([] {
    v1::CreateCompanyRequest small;
    *small.mutable_company() = SimpleCompany("Small");
    return small;
  }()));
}

using DemoGraphTest = ServerTest;

TEST_F(DemoGraphTest, LoadsTheArticleAndAFewOtherDeals) {
  absl::StatusOr<server::DemoSummary> demo =
      server::LoadDemoGraph(store_.get());
  ASSERT_TRUE(demo.ok()) << demo.status();
  EXPECT_GE(demo->companies, 7);
  EXPECT_GE(demo->partnerships, 4);

  v1::SearchCompaniesRequest search;
  search.set_query("micron");
  v1::SearchCompaniesResponse found;
  ASSERT_GRPC_OK(SearchCompanies(search, &found));
  ASSERT_GE(found.results_size(), 1);
  EXPECT_EQ(found.results(0).company().name(), "companies/micron");
  EXPECT_THAT(found.results(0).company().tickers(), Contains("NASDAQ:MU"));

  v1::Partnership article;
  ASSERT_GRPC_OK(
      GetPartnership("partnerships/micron-anthropic-2025", &article));
  EXPECT_EQ(article.announced_on(), server::kMicronAnthropicAnnouncedOn);
  EXPECT_THAT(article.kinds(), ::testing::UnorderedElementsAre(
                                   v1::STRATEGIC_ALLIANCE, v1::SUPPLY_AGREEMENT,
                                   v1::TECHNOLOGY_INTEGRATION));
  EXPECT_EQ(article.terms().disclosure(), v1::UNDISCLOSED);
  ASSERT_EQ(article.market_reactions_size(), 1);
  EXPECT_EQ(article.market_reactions(0).ticker(), "NASDAQ:MU");
  EXPECT_DOUBLE_EQ(article.market_reactions(0).change_percent(), 5.58);
  ASSERT_EQ(article.sources_size(), 1);
  EXPECT_EQ(article.sources(0).title(),
            "Micron (MU) Stock Jumps Over 5% on Strategic Anthropic "
            "Partnership");

  // Memory makers x AI labs: the analysts' question has several answers.
  v1::ListPartnershipsRequest list;
  list.mutable_filter()->add_participant_sectors("semiconductors/memory");
  list.mutable_filter()->add_participant_sectors("ai");
  v1::ListPartnershipsResponse deals;
  ASSERT_GRPC_OK(ListPartnerships(list, &deals));
  EXPECT_GE(deals.partnerships_size(), 2);
  for (const v1::Partnership& p : deals.partnerships()) {
    if (p.name() != article.name()) {
      EXPECT_EQ(p.labels().at("demo"), "true") << p.name();
    }
  }

  // Everything beyond the article is labelled demo=true.
  v1::ListCompaniesRequest labelled;
  labelled.set_label("demo=true");
  v1::ListCompaniesResponse demo_companies;
  ASSERT_GRPC_OK(ListCompanies(labelled, &demo_companies));
  EXPECT_EQ(demo_companies.companies_size(), demo->companies - 2);
  for (const v1::Company& c : demo_companies.companies()) {
    EXPECT_NE(c.name(), "companies/micron");
    EXPECT_NE(c.name(), "companies/anthropic");
  }

  list.Clear();
  list.mutable_filter()->set_company("companies/anthropic");
  ASSERT_GRPC_OK(ListPartnerships(list, &deals));
  EXPECT_GE(deals.partnerships_size(), 2);
}

TEST_F(DemoGraphTest, RefusesANonEmptyStoreAndWritesNothing) {
  MustCreateCompany(Micron(), "micron");
  const int64_t revision = store_->Revision();
  EXPECT_EQ(server::LoadDemoGraph(store_.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Revision(), revision);
}

}  // namespace
}  // namespace partnergraph::server_testing
