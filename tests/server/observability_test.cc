// Metrics endpoint (checked with Prometheus' own promtool) and the access
// log of a real Server.

#include "server/observability.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "server/log.h"
#include "server/security.h"
#include "server/server.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// GET http://127.0.0.1:port/metrics; the body, or "" on failure.
std::string Scrape(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string request =
      "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The value of the sample whose line starts with `series` (name and labels
// exactly as exposed), or -1.
double Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
        return value;
      }
    }
  }
  return -1;
}

// Sends stderr to a file while alive.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path) : path_(path) {
    std::fflush(stderr);
    saved_ = dup(2);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
  }
  ~StderrCapture() { Restore(); }
  std::string Finish() {
    Restore();
    return ReadAll(path_);
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

class ObservabilityTest : public ::testing::Test {
 protected:
  void Start(server::ServerOptions options) {
    storage::StoreOptions store_options;
    store_options.sync = false;
    auto store = storage::OpenRocksDbStore(dir_.path() + "/db", store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<server::Server>(options, store_.get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                   grpc::InsecureChannelCredentials());
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
    server_.reset();
    store_.reset();
  }

  grpc::Status GetCompany(const std::string& name,
                          const std::string& token = "") {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::GetCompanyRequest request;
    request.set_name(name);
    v1::Company response;
    return v1::CompanyService::NewStub(channel_)->GetCompany(&context, request,
                                                             &response);
  }

  grpc::Status CreateCompany(const std::string& id,
                             const std::string& token = "") {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::CreateCompanyRequest request;
    request.set_company_id(id);
    request.mutable_company()->set_display_name("Micron Technology");
    v1::Company response;
    return v1::CompanyService::NewStub(channel_)->CreateCompany(
        &context, request, &response);
  }

  TempDir dir_;
  std::unique_ptr<storage::GraphStore> store_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

constexpr char kGetCompanyLabels[] =
    "{grpc_method=\"GetCompany\",grpc_service=\"partnergraph.v1."
    "CompanyService\",grpc_type=\"unary\"}";

TEST_F(ObservabilityTest, MetricsPassPromtoolAndCountCalls) {
  server::ServerOptions options;
  options.metrics_listen = "127.0.0.1:0";
  Start(options);
  const int metrics_port = server_->metrics_port();
  ASSERT_GT(metrics_port, 0);

  ASSERT_THAT(GetCompany("companies/none"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  const std::string before = Scrape(metrics_port);
  ASSERT_THAT(before, HasSubstr("grpc_server_started_total"));
  const std::string started =
      absl::StrCat("grpc_server_started_total", kGetCompanyLabels);
  const std::string not_found = absl::StrCat(
      "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method="
      "\"GetCompany\",grpc_service=\"partnergraph.v1.CompanyService\","
      "grpc_type=\"unary\"}");
  EXPECT_EQ(Sample(before, started), 1) << before;
  EXPECT_EQ(Sample(before, not_found), 1) << before;
  EXPECT_EQ(Sample(before, "partnergraph_store_companies"), 0) << before;
  EXPECT_EQ(Sample(before, "partnergraph_watchers"), 0) << before;

  ASSERT_GRPC_OK(CreateCompany("micron"));
  ASSERT_GRPC_OK(GetCompany("companies/micron"));
  ASSERT_THAT(GetCompany("companies/none"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  const std::string after = Scrape(metrics_port);
  EXPECT_EQ(Sample(after, started), 3) << after;
  EXPECT_EQ(Sample(after, not_found), 2) << after;
  EXPECT_EQ(Sample(after,
                   "grpc_server_handled_total{grpc_code=\"OK\",grpc_method="
                   "\"CreateCompany\",grpc_service=\"partnergraph.v1."
                   "CompanyService\",grpc_type=\"unary\"}"),
            1)
      << after;
  EXPECT_EQ(Sample(after, absl::StrCat("grpc_server_handling_seconds_count",
                                       kGetCompanyLabels)),
            3)
      << after;
  EXPECT_EQ(Sample(after, "partnergraph_store_companies"), 1) << after;
  EXPECT_GE(Sample(after, "partnergraph_store_revision"), 1) << after;
  EXPECT_EQ(Sample(after, "partnergraph_watchers"), 0) << after;
  EXPECT_EQ(Sample(after, "partnergraph_store_write_stopped"), 0) << after;
  EXPECT_GT(Sample(after, "partnergraph_store_memtable_bytes"), 0) << after;

  // An open Watch stream counts as a watcher until it ends. The server takes
  // the call a moment after the client starts it, so scrape until it shows.
  grpc::ClientContext watch_context;
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> watch =
      v1::GraphService::NewStub(channel_)->Watch(&watch_context,
                                                 v1::WatchRequest());
  std::string watching;
  for (int i = 0; i < 1000; ++i) {
    watching = Scrape(metrics_port);
    if (Sample(watching, "partnergraph_watchers") == 1) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Sample(watching, "partnergraph_watchers"), 1) << watching;
  watch_context.TryCancel();
  EXPECT_EQ(watch->Finish().error_code(), grpc::StatusCode::CANCELLED);
  std::string stopped;
  for (int i = 0; i < 1000; ++i) {
    stopped = Scrape(metrics_port);
    if (Sample(stopped, "partnergraph_watchers") == 0) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Sample(stopped, "partnergraph_watchers"), 0) << stopped;

  // Prometheus' own linter accepts the exposition.
  const std::string file = dir_.path() + "/metrics.txt";
  std::ofstream(file) << after;
  const std::string command =
      absl::StrCat("promtool check metrics < ", file, " > ", dir_.path(),
                   "/promtool.out 2>&1");
  const int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << ReadAll(dir_.path() + "/promtool.out") << "\n" << after;
}

TEST_F(ObservabilityTest, MetricsOffByDefault) {
  Start(server::ServerOptions());
  EXPECT_EQ(server_->metrics_port(), 0);
}

TEST_F(ObservabilityTest, AccessLogNamesMethodCodePeerButNeverTheToken) {
  constexpr char kToken[] = "very-secret-writer-token";
  const std::string tokens = dir_.path() + "/tokens";
  std::ofstream(tokens) << server::HashToken(kToken) << " writer bob\n";
  server::ServerOptions options;
  options.access_log = true;
  options.token_file = tokens;
  StderrCapture capture(dir_.path() + "/stderr.log");
  Start(options);
  ASSERT_GRPC_OK(CreateCompany("micron", kToken));
  ASSERT_THAT(GetCompany("companies/none", kToken),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  ASSERT_THAT(GetCompany("companies/none", "wrong-token-value"),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, ""));
  server_->Shutdown(absl::ZeroDuration());
  const std::string log = capture.Finish();
  EXPECT_THAT(log, HasSubstr("access method=/partnergraph.v1.CompanyService/"
                             "CreateCompany code=OK latency_ms="));
  EXPECT_THAT(log, HasSubstr("GetCompany code=NotFound"));
  EXPECT_THAT(log, HasSubstr("peer=ipv4:127.0.0.1:"));
  // The refused call is logged by the token check, without the token.
  EXPECT_THAT(log, HasSubstr("auth_refused method=/partnergraph.v1."
                             "CompanyService/GetCompany code=Unauthenticated"));
  EXPECT_THAT(log, Not(HasSubstr(kToken)));
  EXPECT_THAT(log, Not(HasSubstr("wrong-token-value")));
  EXPECT_THAT(log, Not(HasSubstr(server::HashToken(kToken))));
}

TEST_F(ObservabilityTest, JsonLogFormatWritesOneObjectPerLine) {
  server::ServerOptions options;
  options.access_log = true;
  StderrCapture capture(dir_.path() + "/stderr.log");
  server::SetLogFormat(server::LogFormat::kJson);
  Start(options);
  ASSERT_THAT(GetCompany("companies/none"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  server_->Shutdown(absl::ZeroDuration());
  server::SetLogFormat(server::LogFormat::kText);
  const std::string log = capture.Finish();
  EXPECT_THAT(log, HasSubstr("\"event\":\"access\",\"method\":\"/"
                             "partnergraph.v1.CompanyService/GetCompany\","
                             "\"code\":\"NotFound\""));
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    if (!absl::StrContains(line, "\"level\"")) continue;  // gRPC's own lines
    EXPECT_TRUE(absl::StartsWith(line, "{\"time\":\"") &&
                absl::EndsWith(line, "}"))
        << line;
  }
}

}  // namespace
}  // namespace partnergraph::server_testing
