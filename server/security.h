#ifndef PARTNERGRAPH_SERVER_SECURITY_H_
#define PARTNERGRAPH_SERVER_SECURITY_H_

// Transport security and bearer-token authorization of partnergraphd.
//
// Transport: plaintext, TLS (server certificate) or mutual TLS (clients must
// present a certificate signed by `client_ca`). Certificate and key files are
// watched: when they change on disk, new connections get the new certificate
// (within `refresh_interval`); open connections keep the one they started
// with.
//
// Authorization: a token file holds one line per token,
//
//   # comment
//   <sha256 hex of the raw token> <role> <name>
//
// e.g. the line for the raw token in ./admin.token is printed by
//   printf '%s' "$(cat admin.token)" | sha256sum | cut -d' ' -f1
// or by `partnerctl token hash < admin.token`. Raw tokens never touch the
// server's disk; the name is only for logs. Clients send
// `authorization: Bearer <raw token>` with every call.
//
// Roles are ordered: reader < writer < admin; a role may call every method of
// the roles below it. The method -> role table (RequiredRole) is the one place
// that decides who may call what:
//
//   method (full name /package.Service/Method)               least role
//   /grpc.health.v1.Health/*                                 none (no token)
//   CompanyService Get/BatchGet/List/SearchCompanies         reader
//   PartnershipService Get/ListPartnerships                  reader
//   GraphService GetNeighborhood/FindPaths/                  reader
//                AggregatePartnerships/Watch
//   /grpc.reflection.v1alpha.ServerReflection/*              reader
//   CompanyService Create/Update/DeleteCompany               writer
//   PartnershipService Create/Update/DeletePartnership       writer
//   AdminService/ImportRecords                               writer
//   AdminService ExportRecords/CreateBackup/GetStats         admin
//   any other method (including ones added later)            admin
//
// Outcomes, decided before the call reaches a handler (so a refused call
// writes nothing): no `authorization: Bearer` header or a token not in the
// file -> UNAUTHENTICATED; a known token whose role is below the method's ->
// PERMISSION_DENIED. Token hashes are compared in constant time; tokens are
// never logged. Without a token file every call is allowed.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/status.h"

namespace partnergraph::server {

enum class Role { kNone = 0, kReader = 1, kWriter = 2, kAdmin = 3 };

// "reader", "writer", "admin" ("none" for kNone).
absl::string_view RoleName(Role role);
absl::optional<Role> ParseRole(absl::string_view name);

// The least role that may call `method`, a full method name such as
// "/partnergraph.v1.CompanyService/GetCompany". kNone for health checks;
// kAdmin for any method not in the table.
Role RequiredRole(absl::string_view method);

// Lower-case hex SHA-256 of `token` (the form stored in token files).
std::string HashToken(absl::string_view token);

struct TokenEntry {
  std::string sha256_hex;  // 64 lower-case hex digits
  Role role = Role::kNone;
  std::string name;
};

// The tokens of a token file. Immutable after loading; thread-safe.
class TokenStore {
 public:
  // Most tokens one file may hold, and longest line.
  static constexpr int kMaxTokens = 10000;
  static constexpr int kMaxLineBytes = 1024;

  // Parses the text of a token file. INVALID_ARGUMENT naming the line and the
  // rule for a malformed line (hash not 64 hex digits, unknown role, missing
  // name, duplicate hash, too many lines/tokens).
  static absl::StatusOr<std::unique_ptr<TokenStore>> Parse(
      absl::string_view text);
  // Reads and parses `path`; NOT_FOUND / PERMISSION_DENIED when unreadable.
  static absl::StatusOr<std::unique_ptr<TokenStore>> Load(
      const std::string& path);

  // The entry whose hash equals HashToken(token), compared in constant time
  // over all entries; nullopt for an unknown token.
  absl::optional<TokenEntry> Find(absl::string_view token) const;

  int size() const { return static_cast<int>(entries_.size()); }

 private:
  std::vector<TokenEntry> entries_;
};

// The decision for one call: `method` is the full method name, and
// `authorization` every value of the call's "authorization" header. OK,
// UNAUTHENTICATED or PERMISSION_DENIED with a message naming the method and
// the role (never the token). `tokens` null allows everything.
grpc::Status Authorize(const TokenStore* tokens, absl::string_view method,
                       const std::vector<absl::string_view>& authorization);

struct TlsOptions {
  // PEM files; cert_file and key_file both set turn TLS on.
  std::string cert_file;
  std::string key_file;
  // PEM bundle of CAs; when set, clients must present a certificate signed by
  // one of them (mutual TLS). Requires cert_file and key_file.
  std::string client_ca_file;
  // How often the files are checked for changes.
  absl::Duration refresh_interval = absl::Seconds(1);

  bool enabled() const { return !cert_file.empty(); }
};

// Server credentials for `tls` (plaintext when !tls.enabled()) that run
// Authorize on every call when `tokens` is not null. The credentials share
// ownership of `tokens`. With `log_refusals`, each refused call is logged as
// an "auth_refused" event (method, code, message; never the token).
// INVALID_ARGUMENT for an incomplete TLS option set (naming the missing
// option), NOT_FOUND for a missing file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsOptions& tls, std::shared_ptr<const TokenStore> tokens,
    bool log_refusals = false);

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_SECURITY_H_
