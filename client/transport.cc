#include "client/transport.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/client_interceptor.h"

namespace partnergraph::client {
namespace {

// Largest token file read.
constexpr size_t kMaxTokenBytes = 4096;

absl::Status ReadFile(const std::string& flag, const std::string& path,
                      std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(flag, ": cannot read \"", path, "\""));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return absl::OkStatus();
}

// Adds "authorization: Bearer TOKEN" to every call's initial metadata.
class TokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit TokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::
                PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* const header_;
};

class TokenInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(const std::string& token)
      : header_(absl::StrCat("Bearer ", token)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new TokenInterceptor(&header_);
  }

 private:
  const std::string header_;
};

}  // namespace

absl::StatusOr<std::string> CheckServerAddress(const std::string& text) {
  auto bad = [&text](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--server: \"", text, "\": ", why));
  };
  if (text.empty()) return bad("want HOST:PORT, e.g. localhost:50051");
  if (absl::StartsWith(text, "unix:")) {
    if (text.size() == 5) return bad("want unix:PATH");
    return text;
  }
  if (const size_t scheme = text.find("://"); scheme != std::string::npos) {
    const std::string rest = text.substr(scheme + 3);
    return bad(absl::StrCat(
        "want HOST:PORT without a scheme, e.g. ",
        rest.empty() ? "localhost:50051" : rest,
        absl::StartsWith(text, "https") ? " with --tls" : "",
        " (partnerctl speaks gRPC; TLS is chosen with --tls/--tls-ca)"));
  }
  std::string host, port;
  if (text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) return bad("unclosed '[' of an IPv6 host");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return bad(absl::StrCat("no port; want [", host, "]:PORT, e.g. [", host,
                              "]:50051"));
    }
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      return bad(
          absl::StrCat("no port; want HOST:PORT, e.g. ", text, ":50051"));
    }
    if (text.find(':') != colon) {
      return bad("an IPv6 host goes in brackets: [::1]:50051");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return bad("no host; want HOST:PORT, e.g. localhost:50051");
  if (host.find_first_of(" \t/@?#") != std::string::npos) {
    return bad(absl::StrCat("\"", host, "\" is not a host name or address"));
  }
  int number = 0;
  const bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || !absl::SimpleAtoi(port, &number) || number < 1 ||
      number > 65535) {
    return bad(
        absl::StrCat("port \"", port, "\" is not a number from 1 to 65535"));
  }
  return text;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const Transport& transport,
                                           const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      transport.credentials != nullptr ? transport.credentials
                                       : grpc::InsecureChannelCredentials();
  if (transport.token.empty()) {
    return grpc::CreateCustomChannel(target, credentials, args);
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<TokenInterceptorFactory>(transport.token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials, args, std::move(interceptors));
}

namespace {
std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kHex[data[i] >> 4]);
    hex.push_back(kHex[data[i] & 15]);
  }
  return hex;
}
}  // namespace

absl::StatusOr<std::string> TokenFileLine(const std::string& token,
                                          const std::string& role,
                                          const std::string& name) {
  const std::string trimmed(absl::StripAsciiWhitespace(token));
  if (trimmed.empty()) {
    return absl::InvalidArgumentError("token: want a non-empty token");
  }
  if (role != "reader" && role != "writer" && role != "admin") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--role: want reader, writer or admin, got \"", role, "\""));
  }
  if (name.empty() || name.find_first_of(" \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        "--name: want a non-empty name without whitespace");
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(trimmed.data()), trimmed.size(),
         digest);
  return absl::StrCat(Hex(digest, sizeof(digest)), " ", role, " ", name);
}

absl::Status WriteSecretFile(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int err = errno;
    const std::string message =
        absl::StrCat("--out: cannot create \"", path, "\": ", strerror(err));
    return err == EEXIST ? absl::AlreadyExistsError(message)
                         : absl::FailedPreconditionError(message);
  }
  const ssize_t n = write(fd, text.data(), text.size());
  const bool closed = close(fd) == 0;
  const bool ok = n == static_cast<ssize_t>(text.size()) && closed;
  if (!ok) {
    return absl::InternalError(
        absl::StrCat("--out: cannot write \"", path, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("token: the random generator failed");
  }
  return Hex(bytes, sizeof(bytes));
}

absl::StatusOr<Transport> MakeTransport(const TransportOptions& options) {
  Transport transport;
  const bool tls = options.tls || !options.tls_ca.empty() ||
                   !options.tls_cert.empty() || !options.tls_key.empty();
  if (options.plaintext && tls) {
    return absl::InvalidArgumentError(
        "--plaintext: cannot be combined with --tls/--tls-ca/--tls-cert/"
        "--tls-key");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        options.tls_cert.empty() ? "--tls-cert: required with --tls-key"
                                 : "--tls-key: required with --tls-cert");
  }
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca.empty()) {
      absl::Status read =
          ReadFile("--tls-ca", options.tls_ca, &ssl.pem_root_certs);
      if (!read.ok()) return read;
    }
    if (!options.tls_cert.empty()) {
      absl::Status read =
          ReadFile("--tls-cert", options.tls_cert, &ssl.pem_cert_chain);
      if (read.ok()) {
        read = ReadFile("--tls-key", options.tls_key, &ssl.pem_private_key);
      }
      if (!read.ok()) return read;
    }
    transport.credentials = grpc::SslCredentials(ssl);
  } else {
    transport.credentials = grpc::InsecureChannelCredentials();
  }
  if (!options.token_file.empty()) {
    std::string token;
    absl::Status read = ReadFile("--token-file", options.token_file, &token);
    if (!read.ok()) return read;
    if (token.size() > kMaxTokenBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file: want at most ", kMaxTokenBytes,
                       " bytes, got ", token.size()));
    }
    transport.token = std::string(absl::StripAsciiWhitespace(token));
    if (transport.token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file: \"", options.token_file, "\" is empty"));
    }
  }
  return transport;
}

}  // namespace partnergraph::client
