// Transport security, token authorization and transport limits of a real
// Server on a loopback port. Certificates are made at test time with the
// openssl command in a temporary directory.

#include "server/security.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "health.grpc.pb.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
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

void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Runs a shell command; fails the test when it exits non-zero.
void Run(const std::string& command) {
  const int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << command;
}

// A CA and leaf certificates signed by it, as PEM files in `dir`.
struct Pki {
  std::string dir;
  std::string ca;  // PEM path of the CA certificate

  static Pki Make(const std::string& dir, const std::string& name) {
    Pki pki{dir, dir + "/" + name + "-ca.pem"};
    const std::string key = dir + "/" + name + "-ca.key";
    Run(absl::StrCat(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 2 -subj /CN=",
        name, "-ca -keyout ", key, " -out ", pki.ca, " 2>/dev/null"));
    return pki;
  }

  // Writes `out`.pem and `out`.key, a certificate for localhost/127.0.0.1
  // signed by this CA.
  void Leaf(const std::string& out, const std::string& usage) const {
    const std::string ext = out + ".ext";
    WriteAll(ext, absl::StrCat("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                               "basicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=",
                               usage, "\n"));
    const std::string ca_key = ca.substr(0, ca.size() - 4) + ".key";
    Run(absl::StrCat(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-subj /CN=localhost -keyout ",
        out, ".key -out ", out, ".csr 2>/dev/null && openssl x509 -req -in ",
        out, ".csr -CA ", ca, " -CAkey ", ca_key,
        " -CAcreateserial -days 2 -extfile ", ext, " -out ", out,
        ".pem 2>/dev/null"));
  }
};

constexpr char kReaderToken[] = "reader-secret-token-1";
constexpr char kWriterToken[] = "writer-secret-token-2";
constexpr char kAdminToken[] = "admin-secret-token-3";

class SecurityTest : public ::testing::Test {
 protected:
  void TearDown() override { Stop(); }

  std::string TokenFile() {
    const std::string path = dir_.path() + "/tokens";
    WriteAll(path,
             absl::StrCat("# test tokens\n", server::HashToken(kReaderToken),
                          " reader alice\n", server::HashToken(kWriterToken),
                          " writer bob\n\n", server::HashToken(kAdminToken),
                          " admin carol\n"));
    return path;
  }

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
    port_ = *port;
  }

  void Stop() {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
    server_.reset();
    store_.reset();
  }

  std::shared_ptr<grpc::Channel> Plain() {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                               grpc::InsecureChannelCredentials());
  }

  // A TLS channel trusting `ca`, with a client certificate when `client` is
  // set (paths without .pem/.key).
  std::shared_ptr<grpc::Channel> Tls(const std::string& ca,
                                     const std::string& client = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadAll(ca);
    if (!client.empty()) {
      ssl.pem_cert_chain = ReadAll(client + ".pem");
      ssl.pem_private_key = ReadAll(client + ".key");
    }
    grpc::ChannelArguments args;
    // A fresh connection per channel, so a reloaded certificate is seen.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(absl::StrCat("localhost:", port_),
                                     grpc::SslCredentials(ssl), args);
  }

  static grpc::Status GetCompany(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& token,
                                 const std::string& name = "companies/x") {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::GetCompanyRequest request;
    request.set_name(name);
    v1::Company response;
    return v1::CompanyService::NewStub(channel)->GetCompany(&context, request,
                                                            &response);
  }

  static grpc::Status CreateCompany(
      const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
      const std::string& id) {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::CreateCompanyRequest request;
    request.set_company_id(id);
    request.mutable_company()->set_display_name("Micron Technology");
    v1::Company response;
    return v1::CompanyService::NewStub(channel)->CreateCompany(
        &context, request, &response);
  }

  static grpc::Status GetStats(const std::shared_ptr<grpc::Channel>& channel,
                               const std::string& token) {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::GetStatsRequest request;
    v1::GetStatsResponse response;
    return v1::AdminService::NewStub(channel)->GetStats(&context, request,
                                                        &response);
  }

  static grpc::Status Health(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return grpc::health::v1::Health::NewStub(channel)->Check(&context, request,
                                                             &response);
  }

  TempDir dir_;
  std::unique_ptr<storage::GraphStore> store_;
  std::unique_ptr<server::Server> server_;
  int port_ = 0;
};

TEST(RequiredRoleTest, TableAndDefaultDeny) {
  using server::RequiredRole;
  using server::Role;
  EXPECT_EQ(RequiredRole("/partnergraph.v1.CompanyService/GetCompany"),
            Role::kReader);
  EXPECT_EQ(RequiredRole("/partnergraph.v1.GraphService/Watch"), Role::kReader);
  EXPECT_EQ(RequiredRole("/partnergraph.v1.CompanyService/CreateCompany"),
            Role::kWriter);
  EXPECT_EQ(RequiredRole("/partnergraph.v1.AdminService/ImportRecords"),
            Role::kWriter);
  EXPECT_EQ(RequiredRole("/partnergraph.v1.AdminService/CreateBackup"),
            Role::kAdmin);
  EXPECT_EQ(RequiredRole("/grpc.health.v1.Health/Check"), Role::kNone);
  // Methods nobody listed are for admins only.
  EXPECT_EQ(RequiredRole("/partnergraph.v1.CompanyService/Frobnicate"),
            Role::kAdmin);
  EXPECT_EQ(RequiredRole(""), Role::kAdmin);
}

TEST(TokenStoreTest, RejectsMalformedLinesNamingTheLine) {
  const std::string hash = server::HashToken("t");
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"abc reader x\n", "line 1: hash: want 64 lower-case hex"},
      {absl::StrCat("\n", hash, " root x\n"),
       "line 2: role: want reader, writer or admin, got \"root\""},
      {absl::StrCat(hash, " reader\n"),
       "line 1: want \"SHA256-HEX ROLE NAME\""},
      {absl::StrCat(hash, " reader a\n", hash, " admin b\n"),
       "line 2: hash: duplicate"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto store = server::TokenStore::Parse(c.text);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(c.want));
  }
  auto ok = server::TokenStore::Parse(absl::StrCat(hash, " writer w\n"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_TRUE((*ok)->Find("t").has_value());
  EXPECT_EQ((*ok)->Find("t")->role, server::Role::kWriter);
  EXPECT_FALSE((*ok)->Find("u").has_value());
  // sha256("abc"), a published test vector.
  EXPECT_EQ(server::HashToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(SecurityTest, EveryAuthOutcome) {
  server::ServerOptions options;
  options.token_file = TokenFile();
  Start(options);
  auto channel = Plain();
  // No token, a token not in the file, a malformed header.
  EXPECT_THAT(GetCompany(channel, ""),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, "authorization"));
  EXPECT_THAT(GetCompany(channel, "not-a-known-token"),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, "unknown token"));
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    context.AddMetadata("authorization", kReaderToken);  // no "Bearer "
    v1::GetCompanyRequest request;
    request.set_name("companies/x");
    v1::Company response;
    EXPECT_THAT(v1::CompanyService::NewStub(channel)->GetCompany(
                    &context, request, &response),
                StatusIs(grpc::StatusCode::UNAUTHENTICATED, "Bearer"));
  }
  // A reader reads (and the call reaches the handler: NOT_FOUND), but may not
  // write, and the refused write writes nothing.
  EXPECT_THAT(GetCompany(channel, kReaderToken),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_THAT(CreateCompany(channel, kReaderToken, "micron"),
              StatusIs(grpc::StatusCode::PERMISSION_DENIED,
                       "want role writer or above, token \"alice\" has role "
                       "reader"));
  EXPECT_THAT(GetCompany(channel, kWriterToken, "companies/micron"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  // A writer writes.
  EXPECT_GRPC_OK(CreateCompany(channel, kWriterToken, "micron"));
  EXPECT_GRPC_OK(GetCompany(channel, kReaderToken, "companies/micron"));
  // Admin-only methods: refused to a writer; an admin passes the check (the
  // handler then answers whatever it answers, never an auth code).
  EXPECT_THAT(GetStats(channel, kWriterToken),
              StatusIs(grpc::StatusCode::PERMISSION_DENIED, "want role admin"));
  const grpc::Status admin = GetStats(channel, kAdminToken);
  EXPECT_NE(admin.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << ToString(admin);
  EXPECT_NE(admin.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << ToString(admin);
  // Health needs no token.
  EXPECT_GRPC_OK(Health(channel));
}

TEST_F(SecurityTest, WithoutTokenFileEveryCallIsAllowed) {
  Start(server::ServerOptions());
  EXPECT_GRPC_OK(CreateCompany(Plain(), "", "micron"));
}

TEST_F(SecurityTest, BadTokenFileFailsStart) {
  const std::string path = dir_.path() + "/bad-tokens";
  WriteAll(path, "nothex admin x\n");
  storage::StoreOptions store_options;
  store_options.sync = false;
  auto store = storage::OpenRocksDbStore(dir_.path() + "/db", store_options);
  ASSERT_TRUE(store.ok());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.token_file = path;
  server::Server server(options, store->get());
  auto port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(port.status().message()), HasSubstr("line 1"));

  options.token_file = dir_.path() + "/missing";
  server::Server missing(options, store->get());
  port = missing.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SecurityTest, TlsServesTlsAndRefusesPlaintext) {
  Pki pki = Pki::Make(dir_.path(), "one");
  pki.Leaf(dir_.path() + "/server", "serverAuth");
  server::ServerOptions options;
  options.tls.cert_file = dir_.path() + "/server.pem";
  options.tls.key_file = dir_.path() + "/server.key";
  options.token_file = TokenFile();
  Start(options);
  EXPECT_THAT(GetCompany(Tls(pki.ca), kReaderToken),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_THAT(GetCompany(Tls(pki.ca), ""),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, ""));
  // A plaintext client cannot talk to the TLS port.
  const grpc::Status plain = GetCompany(Plain(), kReaderToken);
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE)
      << ToString(plain);
  // Nor can a client that does not trust the server's CA.
  Pki other = Pki::Make(dir_.path(), "other");
  EXPECT_EQ(GetCompany(Tls(other.ca), kReaderToken).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, MutualTlsNeedsAClientCertificateFromTheCa) {
  Pki pki = Pki::Make(dir_.path(), "one");
  pki.Leaf(dir_.path() + "/server", "serverAuth");
  pki.Leaf(dir_.path() + "/client", "clientAuth");
  Pki rogue = Pki::Make(dir_.path(), "rogue");
  rogue.Leaf(dir_.path() + "/rogue-client", "clientAuth");
  server::ServerOptions options;
  options.tls.cert_file = dir_.path() + "/server.pem";
  options.tls.key_file = dir_.path() + "/server.key";
  options.tls.client_ca_file = pki.ca;
  Start(options);
  EXPECT_THAT(GetCompany(Tls(pki.ca, dir_.path() + "/client"), ""),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_EQ(GetCompany(Tls(pki.ca), "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(
      GetCompany(Tls(pki.ca, dir_.path() + "/rogue-client"), "").error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, ReplacedCertificateIsServedToNewConnections) {
  Pki first = Pki::Make(dir_.path(), "first");
  Pki second = Pki::Make(dir_.path(), "second");
  first.Leaf(dir_.path() + "/a", "serverAuth");
  second.Leaf(dir_.path() + "/b", "serverAuth");
  const std::string cert = dir_.path() + "/server.pem";
  const std::string key = dir_.path() + "/server.key";
  std::filesystem::copy_file(dir_.path() + "/a.pem", cert);
  std::filesystem::copy_file(dir_.path() + "/a.key", key);
  server::ServerOptions options;
  options.tls.cert_file = cert;
  options.tls.key_file = key;
  options.tls.refresh_interval = absl::Seconds(1);
  Start(options);
  ASSERT_THAT(GetCompany(Tls(first.ca), ""),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  ASSERT_EQ(GetCompany(Tls(second.ca), "").error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // Replace both files (key first: a watcher never pairs a new certificate
  // with an old key for long).
  WriteAll(key + ".tmp", ReadAll(dir_.path() + "/b.key"));
  WriteAll(cert + ".tmp", ReadAll(dir_.path() + "/b.pem"));
  std::filesystem::rename(key + ".tmp", key);
  std::filesystem::rename(cert + ".tmp", cert);
  // The watcher polls; wait (bounded, generously) until a new connection
  // trusting only the second CA succeeds.
  grpc::Status status;
  for (int i = 0; i < 600; ++i) {
    status = GetCompany(Tls(second.ca), "");
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  EXPECT_EQ(GetCompany(Tls(first.ca), "").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, HealthPortServesOnlyHealthWithoutCertificates) {
  Pki pki = Pki::Make(dir_.path(), "one");
  pki.Leaf(dir_.path() + "/server", "serverAuth");
  server::ServerOptions options;
  options.tls.cert_file = dir_.path() + "/server.pem";
  options.tls.key_file = dir_.path() + "/server.key";
  options.tls.client_ca_file = pki.ca;
  options.health_listen = "127.0.0.1:0";
  Start(options);
  ASSERT_GT(server_->health_port(), 0);
  auto health =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->health_port()),
                          grpc::InsecureChannelCredentials());
  EXPECT_GRPC_OK(Health(health));
  // Nothing else is served there, with or without a token.
  EXPECT_THAT(GetCompany(health, ""),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, ""));
  EXPECT_THAT(GetCompany(health, kAdminToken),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED, "unknown token"));
  // The main port still wants a client certificate.
  EXPECT_EQ(Health(Tls(pki.ca)).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Going away shows on the health port too.
  server_->SetNotServing();
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_GRPC_OK(grpc::health::v1::Health::NewStub(health)->Check(
      &context, request, &response));
  EXPECT_EQ(response.status(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
}

TEST(TlsOptionsTest, IncompleteSetsAreRefused) {
  server::TlsOptions tls;
  tls.cert_file = "/nonexistent/cert.pem";
  auto creds = server::MakeServerCredentials(tls, nullptr);
  ASSERT_FALSE(creds.ok());
  EXPECT_THAT(std::string(creds.status().message()), HasSubstr("tls_key"));
  tls = server::TlsOptions();
  tls.client_ca_file = "/nonexistent/ca.pem";
  creds = server::MakeServerCredentials(tls, nullptr);
  ASSERT_FALSE(creds.ok());
  EXPECT_THAT(std::string(creds.status().message()), HasSubstr("client_ca"));
  tls.cert_file = "/nonexistent/cert.pem";
  tls.key_file = "/nonexistent/key.pem";
  creds = server::MakeServerCredentials(tls, nullptr);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), absl::StatusCode::kNotFound);
  TempDir dir;
  tls.cert_file = dir.path() + "/cert.pem";
  tls.key_file = dir.path() + "/key.pem";
  tls.client_ca_file = "";
  WriteAll(tls.cert_file, "not a certificate\n");
  WriteAll(tls.key_file, "not a key\n");
  creds = server::MakeServerCredentials(tls, nullptr);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(creds.status().message()),
              HasSubstr("tls_cert: want a PEM file"));
}

TEST_F(SecurityTest, OversizeMessageIsResourceExhausted) {
  server::ServerOptions options;
  options.max_message_bytes = 64 << 10;
  Start(options);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(8 << 20);
  auto channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                grpc::InsecureChannelCredentials(), args);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CreateCompanyRequest request;
  request.set_company_id("big");
  request.mutable_company()->set_display_name("Big");
  request.mutable_company()->set_description(std::string(128 << 10, 'x'));
  v1::Company response;
  EXPECT_THAT(
      v1::CompanyService::NewStub(channel)->CreateCompany(&context, request,
                                                          &response),
      StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, "larger than max"));
  // Nothing was written.
  EXPECT_THAT(GetCompany(channel, "", "companies/big"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
}

TEST_F(SecurityTest, OversizeMetadataIsResourceExhausted) {
  server::ServerOptions options;
  options.max_metadata_bytes = 4 << 10;
  Start(options);
  auto channel = Plain();
  grpc::ClientContext context;
  SetDeadline(&context);
  context.AddMetadata("x-padding", std::string(16 << 10, 'p'));
  v1::CreateCompanyRequest request;
  request.set_company_id("padded");
  request.mutable_company()->set_display_name("Padded");
  v1::Company response;
  const grpc::Status status =
      v1::CompanyService::NewStub(channel)->CreateCompany(&context, request,
                                                          &response);
  // gRPC 1.51's transport answers with this status before any handler runs.
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               "received initial metadata size exceeds limit"));
  // The transport may close that connection after the refusal; the checks
  // below use a new one (a channel of its own subchannel pool does not share
  // connections with the first).
  grpc::ChannelArguments own_pool;
  own_pool.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto fresh =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                grpc::InsecureChannelCredentials(), own_pool);
  EXPECT_THAT(GetCompany(fresh, "", "companies/padded"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  // Metadata under the cap is fine.
  grpc::ClientContext small;
  SetDeadline(&small);
  small.AddMetadata("x-padding", std::string(1 << 10, 'p'));
  EXPECT_GRPC_OK(v1::CompanyService::NewStub(fresh)->CreateCompany(
      &small, request, &response));
}

}  // namespace
}  // namespace partnergraph::server_testing
