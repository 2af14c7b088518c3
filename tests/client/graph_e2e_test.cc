// End-to-end tests of partnerctl's graph commands (neighbors, path, trend):
// the real partnergraphd binary with the demo graph on a loopback port and a
// fresh data directory, and the real partnerctl binary run as a subprocess
// whose stdout, stderr and exit code are checked.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/graph_service.pb.h"

extern char** environ;

namespace partnergraph::client {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const Result& result) {
  return os << "exit " << result.exit_code << "\n--- stdout\n"
            << result.out << "--- stderr\n"
            << result.err;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern =
      absl::StrCat(base != nullptr ? base : "/tmp", "/graph_e2e.XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const char* dir = mkdtemp(buffer.data());
  return dir == nullptr ? "" : std::string(dir);
}

// The current environment without PARTNERGRAPH_SERVER, plus `extra`
// ("NAME=value" entries).
std::vector<std::string> ChildEnvironment(
    const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (absl::StartsWith(*e, "PARTNERGRAPH_SERVER=")) continue;
    env.push_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts `argv` with stdout and stderr going to the given files and stdin
// from `stdin_path`. Returns the pid, or -1.
pid_t Spawn(std::vector<std::string> argv, std::vector<std::string> env,
            const std::string& stdin_path, const std::string& stdout_path,
            const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY,
                                   0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(),
                       c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// A partnergraphd on 127.0.0.1 with a fresh data directory.
class ServerProcess {
 public:
  // Starts the server and waits until it prints its port. Empty on success,
  // else what went wrong.
  std::string Start(const std::string& dir) {
    data_dir_ = absl::StrCat(dir, "/data");
    log_path_ = absl::StrCat(dir, "/partnergraphd.log");
    pid_ = Spawn({PARTNERGRAPHD_PATH, "--listen=127.0.0.1:0", "--plaintext",
                  "--load_demo", absl::StrCat("--data_dir=", data_dir_)},
                 ChildEnvironment({}), "/dev/null", "/dev/null", log_path_);
    if (pid_ < 0) return "cannot spawn " PARTNERGRAPHD_PATH;
    // A generous bound so that a broken server fails the test instead of
    // hanging it; nothing is asserted about how long startup takes.
    for (int i = 0; i < 1200; ++i) {
      const std::string log = ReadFile(log_path_);
      const size_t at = log.find("listening on ");
      if (at != std::string::npos) {
        const size_t start = at + std::strlen("listening on ");
        const size_t end = log.find_first_of(" \n", start);
        if (end != std::string::npos) {
          const std::string address = log.substr(start, end - start);
          const size_t colon = address.rfind(':');
          if (colon != std::string::npos &&
              absl::SimpleAtoi(address.substr(colon + 1), &port_)) {
            return "";
          }
        }
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::StrCat("partnergraphd exited early:\n", log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return absl::StrCat("partnergraphd printed no port:\n",
                        ReadFile(log_path_));
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  ~ServerProcess() { Stop(); }

  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string log() const { return ReadFile(log_path_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string data_dir_;
  std::string log_path_;
};

// One server with the demo graph for every test (the tests only read).
class GraphCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir());
    server_ = new ServerProcess();
    start_error_ = new std::string(server_->Start(*dir_));
  }
  static void TearDownTestSuite() {
    delete server_;
    std::error_code ignored;
    std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
    delete start_error_;
  }
  void SetUp() override { ASSERT_THAT(*start_error_, IsEmpty()); }

  Result Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        PARTNERCTL_PATH, absl::StrCat("--server=", server_->address())};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string base = absl::StrCat(*dir_, "/run", ++runs_);
    WriteFile(base + ".in", "");
    Result result;
    pid_t pid = Spawn(argv, ChildEnvironment({}), base + ".in", base + ".out",
                      base + ".err");
    if (pid < 0) {
      result.err = "cannot spawn " PARTNERCTL_PATH;
      return result;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    result.out = ReadFile(base + ".out");
    result.err = ReadFile(base + ".err");
    return result;
  }

  static std::string* dir_;
  static ServerProcess* server_;
  static std::string* start_error_;
  static int runs_;
};

std::string* GraphCommandsTest::dir_ = nullptr;
ServerProcess* GraphCommandsTest::server_ = nullptr;
std::string* GraphCommandsTest::start_error_ = nullptr;
int GraphCommandsTest::runs_ = 0;

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The first whitespace-separated column of each line.
std::vector<std::string> FirstColumn(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(text)) {
    std::vector<std::string> cells =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!cells.empty()) out.push_back(cells[0]);
  }
  return out;
}

TEST_F(GraphCommandsTest, NeighborsListsCompaniesNearestFirst) {
  Result r = Ctl({"neighbors", "micron", "--depth", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 5u) << r;
  EXPECT_THAT(
      FirstColumn(absl::StrJoin(
          std::vector<std::string>(lines.begin(), lines.begin() + 5), "\n")),
      ElementsAre("NAME", "micron", "anthropic", "alphabet", "amazon"));
  EXPECT_THAT(lines[1], HasSubstr("Micron Technology"));
  EXPECT_THAT(lines[3], HasSubstr(" 2 "));
  // The partnerships among them follow.
  EXPECT_THAT(r.out, HasSubstr("micron-anthropic-2025"));
  EXPECT_THAT(r.out, HasSubstr("amazon-anthropic-2023"));
  EXPECT_THAT(r.out, Not(HasSubstr("nvidia")));

  // JSON carries the whole response.
  r = Ctl({"neighbors", "companies/micron", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::GetNeighborhoodResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(r.out, &response).ok())
      << r;
  ASSERT_EQ(response.nodes_size(), 2);
  EXPECT_EQ(response.nodes(1).company().name(), "companies/anthropic");
  EXPECT_EQ(response.nodes(1).distance(), 1);

  // Truncation is reported on stderr.
  r = Ctl({"neighbors", "anthropic", "--max-nodes", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("Truncated at 2 companies"));
}

TEST_F(GraphCommandsTest, PathPrintsEachHopWithItsEvidence) {
  Result r = Ctl({"path", "micron", "amazon"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty()) << r;
  EXPECT_EQ(lines[0],
            "Micron Technology —[strategic alliance + supply agreement + "
            "technology integration, 2025-11-20]→ Anthropic —[investment + "
            "strategic alliance, 2023-09-25]→ Amazon");
  EXPECT_THAT(r.out, HasSubstr("  micron-anthropic-2025: "));
  EXPECT_THAT(r.out, HasSubstr("    source: https://"));

  // A filter that removes the only link: no path, said on stderr.
  r = Ctl({"path", "micron", "amazon", "--after", "2024-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("No path from micron to amazon within 4 hops"));
}

TEST_F(GraphCommandsTest, TrendCountsMemoryMakersTimesAiLabsPerQuarter) {
  Result r = Ctl({"trend", "--group-by", "quarter", "--sectors",
                  "semiconductors/memory,ai"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::string bar;
  for (int i = 0; i < 40; ++i) bar += "█";
  EXPECT_THAT(Lines(r.out),
              ElementsAre("QUARTER   COUNT", "2025-Q4       2  " + bar));
  EXPECT_THAT(r.err, HasSubstr("2 partnerships matched"));

  r = Ctl({"trend", "-g", "year,company", "--kind", "investment"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], HasSubstr("YEAR"));
  EXPECT_THAT(lines[0], HasSubstr("COMPANY"));
  EXPECT_THAT(r.out, HasSubstr("2023   amazon"));
}

TEST_F(GraphCommandsTest, BadInputReadsWell) {
  Result r = Ctl({"neighbors", "nobody"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("\"nobody\" not found"));
  r = Ctl({"neighbors", "micron", "--depth", "9"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("depth: want 1..4, got 9"));
  r = Ctl({"path", "micron", "micron"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("to: must differ from from"));
  r = Ctl({"trend", "--group-by", "decade"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--group-by: unknown value \"decade\""));
}

}  // namespace
}  // namespace partnergraph::client
