#include "server/security.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "server/log.h"

namespace partnergraph::server {
namespace {

constexpr absl::string_view kBearer = "Bearer ";

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

const absl::flat_hash_map<std::string, Role>& MethodRoles() {
  static const auto* const kTable = [] {
    auto* table = new absl::flat_hash_map<std::string, Role>;
    const std::string v1 = "/partnergraph.v1.";
    for (const char* m : {"GetCompany", "BatchGetCompanies", "ListCompanies",
                          "SearchCompanies"}) {
      (*table)[absl::StrCat(v1, "CompanyService/", m)] = Role::kReader;
    }
    for (const char* m : {"CreateCompany", "UpdateCompany", "DeleteCompany"}) {
      (*table)[absl::StrCat(v1, "CompanyService/", m)] = Role::kWriter;
    }
    for (const char* m : {"GetPartnership", "ListPartnerships"}) {
      (*table)[absl::StrCat(v1, "PartnershipService/", m)] = Role::kReader;
    }
    for (const char* m :
         {"CreatePartnership", "UpdatePartnership", "DeletePartnership"}) {
      (*table)[absl::StrCat(v1, "PartnershipService/", m)] = Role::kWriter;
    }
    for (const char* m :
         {"GetNeighborhood", "FindPaths", "AggregatePartnerships", "Watch"}) {
      (*table)[absl::StrCat(v1, "GraphService/", m)] = Role::kReader;
    }
    (*table)[absl::StrCat(v1, "AdminService/ImportRecords")] = Role::kWriter;
    for (const char* m : {"ExportRecords", "CreateBackup", "GetStats"}) {
      (*table)[absl::StrCat(v1, "AdminService/", m)] = Role::kAdmin;
    }
    (*table)["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] =
        Role::kReader;
    return table;
  }();
  return *kTable;
}

absl::Status ReadFile(const std::string& option, const std::string& path,
                      std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message =
        absl::StrCat(option, ": cannot read \"", path, "\": ", strerror(err));
    return err == EACCES ? absl::PermissionDeniedError(message)
                         : absl::NotFoundError(message);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return absl::OkStatus();
}

// The path of a call as the transport reports it; empty when missing.
absl::string_view PathOf(
    const std::vector<std::pair<absl::string_view, absl::string_view>>& md,
    std::vector<absl::string_view>* authorization) {
  absl::string_view path;
  for (const auto& [key, value] : md) {
    if (key == ":path") path = value;
    if (key == "authorization") authorization->push_back(value);
  }
  return path;
}

// Authorize, logging a refusal when asked to.
grpc::Status Check(const TokenStore* tokens, absl::string_view path,
                   const std::vector<absl::string_view>& authorization,
                   bool log_refusals) {
  grpc::Status status = Authorize(tokens, path, authorization);
  if (!status.ok() && log_refusals) {
    LogEvent(LogLevel::kInfo, "auth_refused",
             {{"method", std::string(path)},
              {"code", status.error_code() == grpc::StatusCode::UNAUTHENTICATED
                           ? "Unauthenticated"
                           : "PermissionDenied"},
              {"message", status.error_message()}});
  }
  return status;
}

struct ProcessorState {
  std::shared_ptr<const TokenStore> tokens;
  bool log_refusals;
};

// Plaintext credentials that run Authorize. gRPC's C++ insecure credentials
// refuse a metadata processor, so these wrap the core ones directly.
class PlaintextAuthCredentials final : public grpc::ServerCredentials {
 public:
  PlaintextAuthCredentials(std::shared_ptr<const TokenStore> tokens,
                           bool log_refusals)
      : tokens_(std::move(tokens)), log_refusals_(log_refusals) {}

  void SetAuthMetadataProcessor(
      const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {}

 private:
  static void Process(void* state, grpc_auth_context*, const grpc_metadata* md,
                      size_t num_md, grpc_process_auth_metadata_done_cb cb,
                      void* user_data) {
    const auto* processor_state = static_cast<const ProcessorState*>(state);
    std::vector<std::pair<absl::string_view, absl::string_view>> pairs;
    pairs.reserve(num_md);
    for (size_t i = 0; i < num_md; ++i) {
      pairs.emplace_back(
          absl::string_view(
              reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(md[i].key)),
              GRPC_SLICE_LENGTH(md[i].key)),
          absl::string_view(
              reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(md[i].value)),
              GRPC_SLICE_LENGTH(md[i].value)));
    }
    std::vector<absl::string_view> authorization;
    const absl::string_view path = PathOf(pairs, &authorization);
    const grpc::Status status =
        Check(processor_state->tokens.get(), path, authorization,
              processor_state->log_refusals);
    cb(user_data, nullptr, 0, nullptr, 0,
       static_cast<grpc_status_code>(status.error_code()),
       status.ok() ? nullptr : status.error_message().c_str());
  }

  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    grpc_server_credentials* creds = grpc_insecure_server_credentials_create();
    if (tokens_ != nullptr) {
      grpc_auth_metadata_processor processor;
      processor.process = &PlaintextAuthCredentials::Process;
      // The core credentials outlive these: they own a reference.
      processor.destroy = [](void* state) {
        delete static_cast<ProcessorState*>(state);
      };
      processor.state = new ProcessorState{tokens_, log_refusals_};
      grpc_server_credentials_set_auth_metadata_processor(creds, processor);
    }
    const int port = grpc_server_add_http2_port(server, addr.c_str(), creds);
    grpc_server_credentials_release(creds);
    return port;
  }

  std::shared_ptr<const TokenStore> tokens_;
  const bool log_refusals_;
};

// The same check for TLS credentials, through the C++ processor interface.
class TokenProcessor final : public grpc::AuthMetadataProcessor {
 public:
  TokenProcessor(std::shared_ptr<const TokenStore> tokens, bool log_refusals)
      : tokens_(std::move(tokens)), log_refusals_(log_refusals) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext*,
                       OutputMetadata*, OutputMetadata*) override {
    std::vector<std::pair<absl::string_view, absl::string_view>> pairs;
    for (const auto& [key, value] : auth_metadata) {
      pairs.emplace_back(absl::string_view(key.data(), key.size()),
                         absl::string_view(value.data(), value.size()));
    }
    std::vector<absl::string_view> authorization;
    const absl::string_view path = PathOf(pairs, &authorization);
    return Check(tokens_.get(), path, authorization, log_refusals_);
  }

 private:
  std::shared_ptr<const TokenStore> tokens_;
  const bool log_refusals_;
};

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kWriter:
      return "writer";
    case Role::kAdmin:
      return "admin";
    case Role::kNone:
      break;
  }
  return "none";
}

absl::optional<Role> ParseRole(absl::string_view name) {
  if (name == "reader") return Role::kReader;
  if (name == "writer") return Role::kWriter;
  if (name == "admin") return Role::kAdmin;
  return absl::nullopt;
}

Role RequiredRole(absl::string_view method) {
  if (absl::StartsWith(method, "/grpc.health.v1.Health/")) return Role::kNone;
  const auto& table = MethodRoles();
  const auto it = table.find(method);
  return it == table.end() ? Role::kAdmin : it->second;
}

std::string HashToken(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Parse(
    absl::string_view text) {
  auto store = std::unique_ptr<TokenStore>(new TokenStore);
  absl::flat_hash_set<std::string> seen;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (line.size() > kMaxLineBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("token_file: line ", line_number, ": want at most ",
                       kMaxLineBytes, " bytes, got ", line.size()));
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token_file: line ", line_number,
          ": want \"SHA256-HEX ROLE NAME\", got ", fields.size(), " field(s)"));
    }
    if (!IsLowerHex64(fields[0])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token_file: line ", line_number,
          ": hash: want 64 lower-case hex digits (sha256 of the token)"));
    }
    const absl::optional<Role> role = ParseRole(fields[1]);
    if (!role.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token_file: line ", line_number,
          ": role: want reader, writer or admin, got \"", fields[1], "\""));
    }
    if (!seen.insert(std::string(fields[0])).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("token_file: line ", line_number,
                       ": hash: duplicate of an earlier "
                       "line"));
    }
    if (static_cast<int>(store->entries_.size()) >= kMaxTokens) {
      return absl::InvalidArgumentError(
          absl::StrCat("token_file: want at most ", kMaxTokens, " tokens"));
    }
    TokenEntry entry;
    entry.sha256_hex = std::string(fields[0]);
    entry.role = *role;
    entry.name = std::string(fields[2]);
    store->entries_.push_back(std::move(entry));
  }
  return store;
}

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Load(
    const std::string& path) {
  std::string text;
  absl::Status read = ReadFile("token_file", path, &text);
  if (!read.ok()) return read;
  return Parse(text);
}

absl::optional<TokenEntry> TokenStore::Find(absl::string_view token) const {
  const std::string hash = HashToken(token);
  const TokenEntry* found = nullptr;
  // No early exit: every entry is compared, each in constant time.
  for (const TokenEntry& entry : entries_) {
    if (CRYPTO_memcmp(entry.sha256_hex.data(), hash.data(), hash.size()) == 0) {
      found = &entry;
    }
  }
  if (found == nullptr) return absl::nullopt;
  return *found;
}

grpc::Status Authorize(const TokenStore* tokens, absl::string_view method,
                       const std::vector<absl::string_view>& authorization) {
  if (tokens == nullptr) return grpc::Status::OK;
  const Role required = RequiredRole(method);
  if (required == Role::kNone) return grpc::Status::OK;
  if (authorization.empty()) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat(method,
                     ": want metadata \"authorization: Bearer TOKEN\""
                     ", got none"));
  }
  if (authorization.size() > 1) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat(method, ": want one authorization header, got ",
                     authorization.size()));
  }
  absl::string_view value = authorization[0];
  if (!absl::ConsumePrefix(&value, kBearer) || value.empty()) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat(method, ": authorization: want \"Bearer TOKEN\""));
  }
  const absl::optional<TokenEntry> entry = tokens->Find(value);
  if (!entry.has_value()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        absl::StrCat(method, ": authorization: unknown token"));
  }
  if (static_cast<int>(entry->role) < static_cast<int>(required)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat(method, ": want role ", RoleName(required),
                                     " or above, token \"", entry->name,
                                     "\" has role ", RoleName(entry->role)));
  }
  return grpc::Status::OK;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsOptions& tls, std::shared_ptr<const TokenStore> tokens,
    bool log_refusals) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        tls.cert_file.empty()
            ? "tls_cert: required with tls_key (both or neither)"
            : "tls_key: required with tls_cert (both or neither)");
  }
  if (!tls.client_ca_file.empty() && tls.cert_file.empty()) {
    return absl::InvalidArgumentError(
        "client_ca: requires tls_cert and tls_key (mutual TLS is TLS)");
  }
  if (!tls.enabled()) {
    return std::shared_ptr<grpc::ServerCredentials>(
        std::make_shared<PlaintextAuthCredentials>(std::move(tokens),
                                                   log_refusals));
  }
  // Fail at start rather than serve a handshake that can never succeed.
  const std::pair<const char*, const std::string*> files[] = {
      {"tls_cert", &tls.cert_file},
      {"tls_key", &tls.key_file},
      {"client_ca", &tls.client_ca_file}};
  for (const auto& [option, path] : files) {
    if (path->empty()) continue;
    std::string text;
    absl::Status read = ReadFile(option, *path, &text);
    if (!read.ok()) return read;
    if (!absl::StrContains(text, "-----BEGIN ")) {
      return absl::InvalidArgumentError(
          absl::StrCat(option, ": want a PEM file, got \"", *path, "\""));
    }
  }
  const unsigned int refresh = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(tls.refresh_interval)));
  std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> provider =
      tls.client_ca_file.empty()
          ? std::make_shared<
                grpc::experimental::FileWatcherCertificateProvider>(
                tls.key_file, tls.cert_file, refresh)
          : std::make_shared<
                grpc::experimental::FileWatcherCertificateProvider>(
                tls.key_file, tls.cert_file, tls.client_ca_file, refresh);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  std::shared_ptr<grpc::ServerCredentials> creds =
      grpc::experimental::TlsServerCredentials(options);
  if (creds == nullptr) {
    return absl::InvalidArgumentError("TLS options: rejected by gRPC");
  }
  if (tokens != nullptr) {
    creds->SetAuthMetadataProcessor(
        std::make_shared<TokenProcessor>(std::move(tokens), log_refusals));
  }
  return creds;
}

}  // namespace partnergraph::server
