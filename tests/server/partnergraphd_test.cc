// The partnergraphd binary end to end: bound-port reporting, graceful
// shutdown on SIGTERM without losing an acknowledged write, the demo graph,
// and flag handling.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/server_test_util.h"

extern char** environ;

namespace partnergraph::server_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Bounds waiting for the daemon so a broken one fails the test instead of
// hanging it; never asserted on.
constexpr absl::Duration kStartupTimeout = absl::Seconds(60);

// A partnergraphd child process whose stdout and stderr are captured.
class Daemon {
 public:
  // Spawns the binary with `args`. Check ok() and, for a daemon expected to
  // serve, WaitForPort().
  explicit Daemon(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> argv_strings = {PARTNERGRAPHD_PATH};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    const int error =
        posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (error != 0) {
      close(fds[0]);
      pid_ = -1;
      return;
    }
    reader_ = std::thread([this, fd = fds[0]] { ReadOutput(fd); });
  }

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  ~Daemon() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (reader_.joinable()) reader_.join();
  }

  bool ok() const { return pid_ > 0; }

  // The port from the "listening on HOST:PORT" line; 0 when the process
  // ended (or stayed silent) without printing one.
  int WaitForPort() {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return eof_ || ParsePort(output_) != 0;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), kStartupTimeout);
    return ParsePort(output_);
  }

  void Signal(int signal) { kill(pid_, signal); }

  // Waits for the process to exit and returns its waitpid status.
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exited_ = true;
    if (reader_.joinable()) reader_.join();
    return status;
  }

  std::string output() {
    absl::MutexLock lock(&mu_);
    return output_;
  }

 private:
  static int ParsePort(const std::string& output) {
    const std::string kMarker = "listening on ";
    const size_t start = output.find(kMarker);
    if (start == std::string::npos) return 0;
    const size_t end = output.find_first_of(" \n", start + kMarker.size());
    if (end == std::string::npos) return 0;  // Line not complete yet.
    const std::string address =
        output.substr(start + kMarker.size(), end - start - kMarker.size());
    int port = 0;
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
      return 0;
    }
    return port;
  }

  void ReadOutput(int fd) {
    char buffer[4096];
    while (true) {
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      absl::MutexLock lock(&mu_);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      output_.append(buffer, n);
    }
    close(fd);
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  std::thread reader_;
  absl::Mutex mu_;
  std::string output_ ABSL_GUARDED_BY(mu_);
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
};

bool ExitedWith(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("status ", status);
}

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureChannelCredentials());
}

// Runs writers against a daemon on `data_dir`, stops it with `signal` while
// calls are in flight, then restarts it and checks that every acknowledged
// company is there.
void StopWithWritesInFlightAndCheckNothingAcknowledgedIsLost(int signal) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  std::vector<std::string> acknowledged;
  {
    Daemon daemon({"--listen=127.0.0.1:0", "--plaintext",
                   "--data_dir=" + data_dir, "--grace_seconds=60"});
    ASSERT_TRUE(daemon.ok());
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.output();
    auto stub = v1::CompanyService::NewStub(ChannelTo(port));

    constexpr int kWriters = 8;
    constexpr int kMaxPerWriter = 20000;
    absl::Mutex mu;
    std::vector<std::string> acked;
    std::vector<grpc::StatusCode> failures;
    std::atomic<int> acked_count{0};
    std::atomic<int> writers_done{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < kMaxPerWriter; ++i) {
          const std::string id = absl::StrCat("w", w, "-", i);
          v1::CreateCompanyRequest request;
          request.set_company_id(id);
          request.mutable_company()->set_display_name(
              absl::StrCat("Writer ", w, " company ", i));
          grpc::ClientContext context;
          SetDeadline(&context);
          v1::Company response;
          const grpc::Status status =
              stub->CreateCompany(&context, request, &response);
          absl::MutexLock lock(&mu);
          if (!status.ok()) {
            failures.push_back(status.error_code());
            break;
          }
          acked.push_back(id);
          acked_count.fetch_add(1);
        }
        writers_done.fetch_add(1);
      });
    }
    // Signal once writes are flowing, while every writer has a call in
    // flight.
    while (acked_count.load() < 50 && writers_done.load() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    daemon.Signal(signal);
    for (std::thread& t : writers) t.join();
    const int status = daemon.Wait();
    if (signal == SIGKILL) {
      EXPECT_TRUE(WIFSIGNALED(status)) << DescribeExit(status);
    } else {
      EXPECT_TRUE(ExitedWith(status, 0)) << DescribeExit(status) << "\n"
                                         << daemon.output();
    }

    absl::MutexLock lock(&mu);
    EXPECT_GE(acked.size(), 50u);
    // Every writer stopped because the server went away, not by running out.
    EXPECT_EQ(failures.size(), static_cast<size_t>(kWriters));
    // UNAVAILABLE once the server stopped accepting calls; CANCELLED for a
    // call that reached the server after shutdown began but before a handler
    // took it (gRPC cancels those). Neither was acknowledged.
    for (grpc::StatusCode code : failures) {
      EXPECT_TRUE(code == grpc::StatusCode::UNAVAILABLE ||
                  code == grpc::StatusCode::CANCELLED)
          << CodeName(code);
    }
    acknowledged = acked;
    EXPECT_THAT(daemon.output(), HasSubstr("listening on 127.0.0.1:"));
  }

  // Restart on the same data: every acknowledged company is there.
  Daemon daemon(
      {"--listen=127.0.0.1:0", "--plaintext", "--data_dir=" + data_dir});
  ASSERT_TRUE(daemon.ok());
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.output();
  auto stub = v1::CompanyService::NewStub(ChannelTo(port));
  size_t found = 0;
  for (size_t start = 0; start < acknowledged.size(); start += 100) {
    v1::BatchGetCompaniesRequest request;
    for (size_t i = start; i < acknowledged.size() && i < start + 100; ++i) {
      request.add_names("companies/" + acknowledged[i]);
    }
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::BatchGetCompaniesResponse response;
    const grpc::Status status =
        stub->BatchGetCompanies(&context, request, &response);
    ASSERT_TRUE(status.ok()) << ToString(status);
    found += response.companies_size();
  }
  EXPECT_EQ(found, acknowledged.size());
  // An idle client connection only notices the server's GOAWAY at its next
  // poll; closing it first keeps the shutdown quick.
  stub.reset();
  daemon.Signal(SIGINT);
  const int status = daemon.Wait();
  EXPECT_TRUE(ExitedWith(status, 0)) << DescribeExit(status) << "\n"
                                     << daemon.output();
}

TEST(PartnergraphdTest, SigtermWithCallsInFlightLosesNoAcknowledgedWrite) {
  StopWithWritesInFlightAndCheckNothingAcknowledgedIsLost(SIGTERM);
}

// A write is in the WAL before it is acknowledged, so even a process that
// dies without closing anything keeps every acknowledged write. (Surviving an
// operating-system crash is what --sync adds: the WAL is fsync'ed too.)
TEST(PartnergraphdTest, SigkillWithCallsInFlightLosesNoAcknowledgedWrite) {
  StopWithWritesInFlightAndCheckNothingAcknowledgedIsLost(SIGKILL);
}

TEST(PartnergraphdTest, LoadDemoFillsAnEmptyStoreAndSaysHowToQueryIt) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  const std::vector<std::string> args = {"--listen=127.0.0.1:0", "--plaintext",
                                         "--data_dir=" + data_dir,
                                         "--load_demo"};
  int64_t revision = 0;
  {
    Daemon daemon(args);
    ASSERT_TRUE(daemon.ok());
    const int port = daemon.WaitForPort();
    ASSERT_GT(port, 0) << daemon.output();
    {
      // The channel (held by stub and context) closes at the end of the
      // block: an idle client connection only notices the server's GOAWAY
      // at its next poll, which would hold up the shutdown.
      auto stub = v1::CompanyService::NewStub(ChannelTo(port));
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::SearchCompaniesRequest request;
      request.set_query("micron");
      v1::SearchCompaniesResponse response;
      ASSERT_TRUE(stub->SearchCompanies(&context, request, &response).ok());
      ASSERT_GE(response.results_size(), 1);
      EXPECT_EQ(response.results(0).company().name(), "companies/micron");
      revision = response.revision();
      EXPECT_GT(revision, 0);
    }
    daemon.Signal(SIGTERM);
    const int status = daemon.Wait();
    EXPECT_TRUE(ExitedWith(status, 0)) << DescribeExit(status);
    const std::string output = daemon.output();
    EXPECT_THAT(output, HasSubstr("partnerctl"));
    EXPECT_THAT(output, HasSubstr("company search micron"));
    EXPECT_THAT(output, HasSubstr("partnership list --company micron"));
    EXPECT_THAT(output, HasSubstr(absl::StrCat("--server=127.0.0.1:", port)));
    EXPECT_THAT(output, HasSubstr("grpcurl"));
  }
  // A second start finds the store not empty and leaves it alone.
  Daemon daemon(args);
  ASSERT_TRUE(daemon.ok());
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.output();
  {
    auto stub = v1::CompanyService::NewStub(ChannelTo(port));
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListCompaniesResponse response;
    ASSERT_TRUE(
        stub->ListCompanies(&context, v1::ListCompaniesRequest(), &response)
            .ok());
    EXPECT_EQ(response.revision(), revision);
  }
  daemon.Signal(SIGTERM);
  EXPECT_TRUE(ExitedWith(daemon.Wait(), 0));
  EXPECT_THAT(daemon.output(), Not(HasSubstr("company search micron")));
}

TEST(PartnergraphdTest, HelpDescribesEveryFlag) {
  Daemon daemon({"--help"});
  ASSERT_TRUE(daemon.ok());
  daemon.Wait();
  const std::string output = daemon.output();
  for (const char* flag :
       {"--listen", "--data_dir", "--sync", "--cache_mb", "--max_message_bytes",
        "--log_level", "--grace_seconds", "--history_limit", "--load_demo",
        "--max_concurrent_streams"}) {
    EXPECT_THAT(output, HasSubstr(flag));
  }
  EXPECT_THAT(output, HasSubstr("0.0.0.0:50051"));
}

TEST(PartnergraphdTest, BadFlagValueIsAUsageError) {
  for (const char* bad : {"--log_level=loud", "--max_concurrent_streams=0",
                          "--max_message_bytes=10"}) {
    SCOPED_TRACE(bad);
    TempDir dir;
    Daemon daemon({bad, "--plaintext", "--data_dir=" + dir.path()});
    ASSERT_TRUE(daemon.ok());
    const int status = daemon.Wait();
    EXPECT_TRUE(ExitedWith(status, 2)) << DescribeExit(status);
    const std::string flag(bad, std::string(bad).find('='));
    EXPECT_THAT(daemon.output(), HasSubstr(flag));
  }
}

TEST(PartnergraphdTest, RefusesToStartWithoutPlaintextOrTls) {
  TempDir dir;
  Daemon daemon({"--listen=127.0.0.1:0", "--data_dir=" + dir.path()});
  ASSERT_TRUE(daemon.ok());
  const int status = daemon.Wait();
  EXPECT_TRUE(ExitedWith(status, 2)) << DescribeExit(status);
  EXPECT_THAT(daemon.output(), HasSubstr("--plaintext"));
  EXPECT_THAT(daemon.output(), HasSubstr("--tls_cert"));
  EXPECT_THAT(daemon.output(), Not(HasSubstr("listening on")));
  // Half a TLS set, or TLS and --plaintext together, are usage errors too.
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{
           {"--tls_cert=" + dir.path() + "/cert.pem"},
           {"--plaintext", "--tls_cert=" + dir.path() + "/cert.pem",
            "--tls_key=" + dir.path() + "/key.pem"}}) {
    std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                     "--data_dir=" + dir.path()};
    args.insert(args.end(), flags.begin(), flags.end());
    SCOPED_TRACE(flags.back());
    Daemon bad(args);
    ASSERT_TRUE(bad.ok());
    const int bad_status = bad.Wait();
    EXPECT_TRUE(ExitedWith(bad_status, 2)) << DescribeExit(bad_status);
    EXPECT_THAT(bad.output(), Not(HasSubstr("listening on")));
  }
}

TEST(PartnergraphdTest, BusyPortOrDataDirFailsToStart) {
  TempDir dir;
  Daemon first({"--listen=127.0.0.1:0", "--plaintext",
                "--data_dir=" + dir.path() + "/a"});
  ASSERT_TRUE(first.ok());
  const int port = first.WaitForPort();
  ASSERT_GT(port, 0) << first.output();
  {
    Daemon same_port({absl::StrCat("--listen=127.0.0.1:", port), "--plaintext",
                      "--data_dir=" + dir.path() + "/b"});
    ASSERT_TRUE(same_port.ok());
    const int status = same_port.Wait();
    EXPECT_TRUE(ExitedWith(status, 1)) << DescribeExit(status);
    EXPECT_THAT(same_port.output(), HasSubstr("cannot listen"));
  }
  {
    Daemon same_data({"--listen=127.0.0.1:0", "--plaintext",
                      "--data_dir=" + dir.path() + "/a"});
    ASSERT_TRUE(same_data.ok());
    const int status = same_data.Wait();
    EXPECT_TRUE(ExitedWith(status, 1)) << DescribeExit(status) << "\n"
                                       << same_data.output();
  }
  first.Signal(SIGTERM);
  EXPECT_TRUE(ExitedWith(first.Wait(), 0));
}

}  // namespace
}  // namespace partnergraph::server_testing
