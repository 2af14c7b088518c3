#ifndef PARTNERGRAPH_TESTS_SERVER_SERVER_TEST_UTIL_H_
#define PARTNERGRAPH_TESTS_SERVER_SERVER_TEST_UTIL_H_

// Shared pieces of the server tests: a fresh RocksDB store in a temporary
// directory and a real server on a loopback port per test, stubs with a
// deadline on every call, status matchers that print the status, and the
// API records of the article.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"
#include "server/server.h"
#include "storage/etcd/etcd_store.h"
#include "storage/graph_store.h"

namespace partnergraph::server_testing {

namespace v1 = ::partnergraph::v1;

// Generous bound so a broken server fails a test instead of hanging it; no
// test asserts on how long anything takes.
inline constexpr std::chrono::seconds kCallTimeout(60);

inline std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  const int n = static_cast<int>(code);
  return n >= 0 && n <= 16 ? kNames[n] : absl::StrCat("CODE_", n);
}

inline std::string ToString(const grpc::Status& status) {
  return status.ok() ? "OK"
                     : absl::StrCat(CodeName(status.error_code()), ": ",
                                    status.error_message());
}

// grpc::Status has no operator<<; gtest finds this one for failure messages.
}  // namespace partnergraph::server_testing

namespace grpc {
inline void PrintTo(const Status& status, std::ostream* os) {
  *os << ::partnergraph::server_testing::ToString(status);
}
}  // namespace grpc

namespace partnergraph::server_testing {

#define EXPECT_GRPC_OK(expr)                                                  \
  do {                                                                        \
    const ::grpc::Status pg_st_ = (expr);                                     \
    EXPECT_TRUE(pg_st_.ok())                                                  \
        << #expr << ": " << ::partnergraph::server_testing::ToString(pg_st_); \
  } while (0)
#define ASSERT_GRPC_OK(expr)                                                  \
  do {                                                                        \
    const ::grpc::Status pg_st_ = (expr);                                     \
    ASSERT_TRUE(pg_st_.ok())                                                  \
        << #expr << ": " << ::partnergraph::server_testing::ToString(pg_st_); \
  } while (0)

// Matches a grpc::Status with `code` whose message contains `substring`.
MATCHER_P2(StatusIs, code, substring,
           absl::StrCat("has code ", CodeName(code),
                        " and a message containing \"", std::string(substring),
                        "\"")) {
  *result_listener << "which is " << ToString(arg);
  return arg.error_code() == code &&
         absl::StrContains(arg.error_message(), std::string(substring));
}

// A directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            absl::StrCat("pgs-", ::getpid(), "-", counter++, "-",
                         info != nullptr ? info->name() : "x");
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + kCallTimeout);
}

// The environment variable naming an etcd cluster (host:port,...): when
// set, the service tests run on the etcd engine, each store a replica of
// it on a prefix of its own.
inline constexpr char kTestEtcdVariable[] = "PARTNERGRAPH_TEST_ETCD";

inline bool OnEtcd() { return std::getenv(kTestEtcdVariable) != nullptr; }

// A fresh store in `dir` on the engine the tests run on.
inline absl::StatusOr<std::unique_ptr<storage::GraphStore>> OpenTestStore(
    const std::string& dir, const storage::StoreOptions& options) {
  const char* endpoints = std::getenv(kTestEtcdVariable);
  if (endpoints == nullptr) return storage::OpenRocksDbStore(dir, options);
  // One prefix per directory (a store reopened on it finds its graph) and
  // per run of the binary.
  static const int64_t run = absl::ToUnixNanos(absl::Now());
  storage::EtcdOptions etcd;
  etcd.endpoints = absl::StrSplit(endpoints, ',', absl::SkipEmpty());
  etcd.prefix = absl::StrCat("/pgtest/", run, dir, "/");
  etcd.writers = 8;
  return storage::OpenEtcdStore(dir, options, etcd);
}

// A real server on 127.0.0.1:0 over a fresh store, and stubs over a TCP
// channel to it.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(server::ServerOptions()); }

  void TearDown() override { StopServer(); }

  void StartServer(server::ServerOptions options) {
    auto store = OpenTestStore(dir_.path() + "/db", store_options_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<server::Server>(options, store_.get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    ASSERT_GT(*port, 0);
    port_ = *port;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    channel_ =
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                  grpc::InsecureChannelCredentials(), args);
    companies_ = v1::CompanyService::NewStub(channel_);
    partnerships_ = v1::PartnershipService::NewStub(channel_);
  }

  void StopServer() {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
    server_.reset();
    store_.reset();
  }

  // One method per RPC, each with a deadline. `response` may be null.
  grpc::Status CreateCompany(const v1::CreateCompanyRequest& request,
                             v1::Company* response = nullptr) {
    return Call(&v1::CompanyService::Stub::CreateCompany, companies_.get(),
                request, response);
  }
  grpc::Status GetCompany(const std::string& name,
                          v1::Company* response = nullptr) {
    v1::GetCompanyRequest request;
    request.set_name(name);
    return Call(&v1::CompanyService::Stub::GetCompany, companies_.get(),
                request, response);
  }
  grpc::Status BatchGetCompanies(
      const v1::BatchGetCompaniesRequest& request,
      v1::BatchGetCompaniesResponse* response = nullptr) {
    return Call(&v1::CompanyService::Stub::BatchGetCompanies, companies_.get(),
                request, response);
  }
  grpc::Status UpdateCompany(const v1::UpdateCompanyRequest& request,
                             v1::Company* response = nullptr) {
    return Call(&v1::CompanyService::Stub::UpdateCompany, companies_.get(),
                request, response);
  }
  grpc::Status DeleteCompany(const v1::DeleteCompanyRequest& request) {
    google::protobuf::Empty* none = nullptr;
    return Call(&v1::CompanyService::Stub::DeleteCompany, companies_.get(),
                request, none);
  }
  grpc::Status ListCompanies(const v1::ListCompaniesRequest& request,
                             v1::ListCompaniesResponse* response = nullptr) {
    return Call(&v1::CompanyService::Stub::ListCompanies, companies_.get(),
                request, response);
  }
  grpc::Status SearchCompanies(
      const v1::SearchCompaniesRequest& request,
      v1::SearchCompaniesResponse* response = nullptr) {
    return Call(&v1::CompanyService::Stub::SearchCompanies, companies_.get(),
                request, response);
  }
  grpc::Status CreatePartnership(const v1::CreatePartnershipRequest& request,
                                 v1::Partnership* response = nullptr) {
    return Call(&v1::PartnershipService::Stub::CreatePartnership,
                partnerships_.get(), request, response);
  }
  grpc::Status GetPartnership(const std::string& name,
                              v1::Partnership* response = nullptr) {
    v1::GetPartnershipRequest request;
    request.set_name(name);
    return Call(&v1::PartnershipService::Stub::GetPartnership,
                partnerships_.get(), request, response);
  }
  grpc::Status UpdatePartnership(const v1::UpdatePartnershipRequest& request,
                                 v1::Partnership* response = nullptr) {
    return Call(&v1::PartnershipService::Stub::UpdatePartnership,
                partnerships_.get(), request, response);
  }
  grpc::Status DeletePartnership(const v1::DeletePartnershipRequest& request) {
    google::protobuf::Empty* none = nullptr;
    return Call(&v1::PartnershipService::Stub::DeletePartnership,
                partnerships_.get(), request, none);
  }
  grpc::Status ListPartnerships(
      const v1::ListPartnershipsRequest& request,
      v1::ListPartnershipsResponse* response = nullptr) {
    return Call(&v1::PartnershipService::Stub::ListPartnerships,
                partnerships_.get(), request, response);
  }

  // Creates a company with this id and display name (and fails the test
  // otherwise).
  v1::Company MustCreateCompany(v1::Company company, const std::string& id) {
    v1::CreateCompanyRequest request;
    *request.mutable_company() = std::move(company);
    request.set_company_id(id);
    v1::Company created;
    const grpc::Status status = CreateCompany(request, &created);
    EXPECT_TRUE(status.ok()) << "create " << id << ": " << ToString(status);
    return created;
  }

  // Durability is the shutdown test's topic.
  storage::StoreOptions store_options_ = [] {
    storage::StoreOptions o;
    o.sync = false;
    return o;
  }();
  TempDir dir_;
  std::unique_ptr<storage::GraphStore> store_;
  std::unique_ptr<server::Server> server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompanyService::Stub> companies_;
  std::unique_ptr<v1::PartnershipService::Stub> partnerships_;

 private:
  template <typename Stub, typename Request, typename Response>
  static grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                        const Request&,
                                                        Response*),
                           Stub* stub, const Request& request,
                           Response* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    Response ignored;
    return (stub->*method)(&context, request,
                           response != nullptr ? response : &ignored);
  }
};

inline v1::Company SimpleCompany(const std::string& display_name) {
  v1::Company c;
  c.set_display_name(display_name);
  return c;
}

inline v1::Company Micron() {
  v1::Company c;
  c.set_display_name("Micron Technology");
  c.set_legal_name("Micron Technology, Inc.");
  c.add_aliases("Micron");
  c.add_tickers("NASDAQ:MU");
  c.add_sectors("semiconductors/memory");
  c.set_country("US");
  c.set_website("https://www.micron.com");
  c.set_description("Memory and storage semiconductors.");
  (*c.mutable_labels())["source"] = "article";
  return c;
}

inline v1::Company Anthropic() {
  v1::Company c;
  c.set_display_name("Anthropic");
  c.set_legal_name("Anthropic PBC");
  c.add_sectors("ai/frontier-lab");
  c.set_country("US");
  c.set_website("https://www.anthropic.com");
  return c;
}

// The article's partnership between companies/micron and companies/anthropic.
inline v1::Partnership MicronAnthropic() {
  v1::Partnership p;
  p.set_title("Micron and Anthropic strategic partnership");
  p.set_summary(
      "AI memory development, supply agreements, and integration of Claude "
      "across Micron's operations.");
  v1::Participant* micron = p.add_participants();
  micron->set_company("companies/micron");
  micron->set_role(v1::SUPPLIER);
  v1::Participant* anthropic = p.add_participants();
  anthropic->set_company("companies/anthropic");
  anthropic->set_role(v1::CUSTOMER);
  p.add_kinds(v1::STRATEGIC_ALLIANCE);
  p.add_kinds(v1::SUPPLY_AGREEMENT);
  p.add_kinds(v1::TECHNOLOGY_INTEGRATION);
  p.set_status(v1::ANNOUNCED);
  p.set_announced_on("2025-11-20");
  p.mutable_terms()->set_disclosure(v1::UNDISCLOSED);
  p.mutable_terms()->set_description("Financial terms were not disclosed.");
  v1::Source* source = p.add_sources();
  source->set_url("https://example.com/micron-anthropic");
  source->set_title(
      "Micron (MU) Stock Jumps Over 5% on Strategic Anthropic Partnership");
  source->set_excerpt("driving the stock up 5.58%");
  source->mutable_retrieved_time()->set_seconds(1763600000);
  source->mutable_retrieved_time()->set_nanos(123456000);
  v1::MarketReaction* reaction = p.add_market_reactions();
  reaction->set_ticker("NASDAQ:MU");
  reaction->set_change_percent(5.58);
  reaction->set_window("1d");
  (*p.mutable_labels())["topic"] = "ai-memory";
  return p;
}

// A minimal partnership between two companies.
inline v1::Partnership SimplePartnership(const std::string& a,
                                         const std::string& b,
                                         const std::string& announced_on) {
  v1::Partnership p;
  p.set_title(absl::StrCat(a, " and ", b));
  p.add_participants()->set_company(absl::StrCat("companies/", a));
  p.add_participants()->set_company(absl::StrCat("companies/", b));
  p.add_kinds(v1::STRATEGIC_ALLIANCE);
  p.set_announced_on(announced_on);
  return p;
}

}  // namespace partnergraph::server_testing

#endif  // PARTNERGRAPH_TESTS_SERVER_SERVER_TEST_UTIL_H_
