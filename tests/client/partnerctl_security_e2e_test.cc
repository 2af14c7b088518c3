// partnerctl against a real partnergraphd serving mutual TLS with bearer
// tokens: the global --tls-* / --token-file flags, $PARTNERGRAPH_TOKEN_FILE,
// and `partnerctl token new|hash` producing lines the server accepts.
// Certificates are made at test time with the openssl command.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class PartnerctlSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat(
               "pgsec-", getpid(), "-",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }

  // Shell command with stdout and stderr captured.
  Result Sh(const std::string& command) {
    const std::string out = Path("cmd.out");
    const std::string err = Path("cmd.err");
    const int rc =
        std::system(absl::StrCat("(", command, ") >", out, " 2>", err).c_str());
    Result result;
    result.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    result.out = ReadFile(out);
    result.err = ReadFile(err);
    return result;
  }

  // A CA, a server certificate for localhost/127.0.0.1 and a client
  // certificate, all signed by it.
  void MakeCertificates() {
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
    WriteFile(Path("server.ext"),
              "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
              "extendedKeyUsage=serverAuth\n");
    WriteFile(Path("client.ext"), "extendedKeyUsage=clientAuth\n");
    Result r = Sh(absl::StrCat(
        "cd ", dir_.string(), " && openssl req -x509 ", ec,
        " -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem && ",
        "for who in server client; do openssl req ", ec,
        " -nodes -subj /CN=localhost -keyout $who.key -out $who.csr && ",
        "openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile $who.ext -out $who.pem; done"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Starts partnergraphd with `flags` and returns its "HOST:PORT".
  std::string StartServer(const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {PARTNERGRAPHD_PATH, "--listen=127.0.0.1:0",
                                     "--nosync", "--data_dir=" + Path("data")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string log = Path("server.log");
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = std::freopen(log.c_str(), "w", stderr);
      (void)f;
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    // Bounded wait for the port line; nothing is asserted about time.
    for (int i = 0; i < 1200; ++i) {
      const std::string text = ReadFile(log);
      const size_t at = text.find("listening on ");
      if (at != std::string::npos) {
        const size_t end = text.find(' ', at + 13);
        if (end != std::string::npos)
          return text.substr(at + 13, end - at - 13);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no port: " << ReadFile(log);
    return "";
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

TEST_F(PartnerctlSecurityTest, TokensAndMutualTlsEndToEnd) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificates());
  const std::string ctl = PARTNERCTL_PATH;
  // One token made by `token new`, one hashed by `token hash`.
  Result writer = Sh(absl::StrCat(ctl, " token new --role writer --name ingest",
                                  " --out ", Path("writer.token")));
  ASSERT_EQ(writer.exit_code, 0) << writer.err;
  WriteFile(Path("reader.token"), "reader-token-value\n");
  Result reader = Sh(absl::StrCat(ctl, " token hash --role reader --name alice",
                                  " < ", Path("reader.token")));
  ASSERT_EQ(reader.exit_code, 0) << reader.err;
  WriteFile(Path("tokens"), writer.out + reader.out);
  // The token file never holds a raw token.
  EXPECT_THAT(ReadFile(Path("tokens")),
              Not(HasSubstr(std::string(absl::StripAsciiWhitespace(
                  ReadFile(Path("writer.token")))))));
  EXPECT_THAT(ReadFile(Path("tokens")), Not(HasSubstr("reader-token-value")));

  const std::string address = StartServer(
      {"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key"),
       "--client_ca=" + Path("ca.pem"), "--token_file=" + Path("tokens")});
  ASSERT_FALSE(address.empty());
  const std::string tls = absl::StrCat(
      ctl, " --server localhost:", address.substr(address.rfind(':') + 1),
      " --tls-ca ", Path("ca.pem"), " --tls-cert ", Path("client.pem"),
      " --tls-key ", Path("client.key"));

  // No token: refused, nothing written.
  Result r = Sh(tls + " company create micron --display-name Micron");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("authorization"));
  // Reader may not write.
  r = Sh(absl::StrCat(tls, " --token-file ", Path("reader.token"),
                      " company create micron --display-name Micron"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("want role writer"));
  // Writer writes; the reader reads it back with the token from the
  // environment.
  r = Sh(absl::StrCat(tls, " --token-file ", Path("writer.token"),
                      " company create micron --display-name Micron"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Sh(absl::StrCat("PARTNERGRAPH_TOKEN_FILE=", Path("reader.token"), " ",
                      tls, " company get micron -o json"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Micron"));

  // Plaintext against the TLS port: unavailable (exit 5).
  r = Sh(absl::StrCat(ctl, " --server ", address, " --plaintext --token-file ",
                      Path("reader.token"), " company get micron"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  // No client certificate: the mutual-TLS handshake fails.
  r = Sh(absl::StrCat(
      ctl, " --server localhost:", address.substr(address.rfind(':') + 1),
      " --tls-ca ", Path("ca.pem"), " --token-file ", Path("reader.token"),
      " company get micron"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  // Contradictory flags are a usage error before any call.
  r = Sh(absl::StrCat(ctl, " --server ", address, " --plaintext --tls-ca ",
                      Path("ca.pem"), " company get micron"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--plaintext"));
}

// Auth and TLS failures name the flag that fixes them, auth has exit code 6,
// and gRPC's own log lines never reach the terminal: stderr is one line.
TEST_F(PartnerctlSecurityTest, FailuresExplainTheFixAndAuthExitsSix) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificates());
  const std::string ctl = PARTNERCTL_PATH;
  WriteFile(Path("reader.token"), "reader-token-value\n");
  WriteFile(Path("wrong.token"), "not-a-known-token\n");
  Result reader = Sh(absl::StrCat(ctl, " token hash --role reader --name r",
                                  " < ", Path("reader.token")));
  ASSERT_EQ(reader.exit_code, 0) << reader.err;
  WriteFile(Path("tokens"), reader.out);
  const std::string address = StartServer({"--tls_cert=" + Path("server.pem"),
                                           "--tls_key=" + Path("server.key"),
                                           "--token_file=" + Path("tokens")});
  ASSERT_FALSE(address.empty());
  const std::string port = address.substr(address.rfind(':') + 1);
  const std::string tls = absl::StrCat(ctl, " --server localhost:", port,
                                       " --tls-ca ", Path("ca.pem"));
  auto one_line = [](const Result& r) {
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
  };

  Result r = Sh(tls + " company list");
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_THAT(r.err, HasSubstr("it wants a token: give its file with "
                               "--token-file FILE"));
  one_line(r);
  r = Sh(absl::StrCat(tls, " --token-file ", Path("wrong.token"),
                      " company list"));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not one the server knows; check --token-file"));
  one_line(r);
  r = Sh(absl::StrCat(tls, " --token-file ", Path("reader.token"),
                      " company create x --display-name X"));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_THAT(
      r.err, AllOf(HasSubstr("permission denied"),
                   HasSubstr("want role writer"), HasSubstr("too low a role")));
  one_line(r);

  // Plaintext to the TLS port.
  r = Sh(absl::StrCat(ctl, " --server ", address, " --token-file ",
                      Path("reader.token"), " company list"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("if the server serves TLS, add --tls"));
  one_line(r);
  // TLS without the private CA.
  r = Sh(absl::StrCat(ctl, " --server localhost:", port, " --tls --token-file ",
                      Path("reader.token"), " company list"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("the TLS handshake failed"),
                           HasSubstr("--tls-ca FILE")));
  one_line(r);
}

}  // namespace
}  // namespace partnergraph::client
