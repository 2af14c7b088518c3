#ifndef PARTNERGRAPH_CLIENT_TRANSPORT_H_
#define PARTNERGRAPH_CLIENT_TRANSPORT_H_

// How partnerctl (and the load generator) reach the server: plaintext or TLS,
// and the bearer token sent with every call.
//
// Scheme: TLS when --tls or any of --tls-ca/--tls-cert/--tls-key is given
// (--tls-ca absent = the system's root CAs; --tls-cert with --tls-key = a
// client certificate for mutual TLS); plaintext otherwise, or when
// --plaintext is given (which cannot be combined with the TLS flags). The
// token file holds the raw token (surrounding whitespace ignored) and is
// sent as "authorization: Bearer TOKEN"; the server only stores its SHA-256.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace partnergraph::client {

inline constexpr char kTokenFileEnvVar[] = "PARTNERGRAPH_TOKEN_FILE";

struct TransportOptions {
  bool plaintext = false;
  bool tls = false;
  std::string tls_ca;    // PEM file of CAs trusted for the server
  std::string tls_cert;  // PEM client certificate (mutual TLS)
  std::string tls_key;   // PEM key of tls_cert
  std::string token_file;
};

struct Transport {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string token;  // empty = none
};

// Checks a --server value before anything is dialed and returns the gRPC
// target for it. Accepted: HOST:PORT with a port 1..65535 in decimal
// ("localhost:50051", "10.0.0.7:50051", "[::1]:50051"), and "unix:PATH".
// INVALID_ARGUMENT naming --server and the fix for anything else: a scheme
// ("http://host:port": gRPC targets have none, TLS is --tls), a missing port
// ("127.0.0.1"), a port that is not a number or out of range.
absl::StatusOr<std::string> CheckServerAddress(const std::string& text);

// A channel to `target` with `transport`'s credentials (insecure when null)
// whose every call, unary or streaming, carries the token when there is one.
std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& target, const Transport& transport,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

// Reads the files and builds the credentials. INVALID_ARGUMENT naming the
// flag for a contradictory set (--plaintext with a TLS flag, --tls-cert
// without --tls-key, an empty token file); NOT_FOUND for an unreadable file.
absl::StatusOr<Transport> MakeTransport(const TransportOptions& options);

// The token-file line of the server for the raw `token`:
// "<sha256 hex> ROLE NAME". INVALID_ARGUMENT for an empty token, a role other
// than reader/writer/admin, or a name that is empty or has whitespace.
absl::StatusOr<std::string> TokenFileLine(const std::string& token,
                                          const std::string& role,
                                          const std::string& name);

// Writes `text` to a new file `path` readable by its owner only (0600);
// ALREADY_EXISTS when the file exists, so a token is never overwritten.
absl::Status WriteSecretFile(const std::string& path, const std::string& text);

// A new random token: 64 hex digits from 32 bytes of the OS's CSPRNG.
absl::StatusOr<std::string> NewToken();

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_TRANSPORT_H_
