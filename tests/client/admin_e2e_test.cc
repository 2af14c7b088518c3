// End-to-end tests of partnerctl import/export/stats/watch/backup: the real
// partnergraphd binaries on loopback ports with fresh data directories and
// the real partnerctl binary as a subprocess.

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

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/graph_service.pb.h"

extern char** environ;

namespace partnergraph::client {
namespace {

namespace v1 = ::partnergraph::v1;
using ::testing::HasSubstr;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.exit_code << "\n--- stdout\n"
            << r.out << "--- stderr\n"
            << r.err;
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

pid_t Spawn(std::vector<std::string> argv, const std::string& stdout_path,
            const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> c_argv;
  for (std::string& s : argv) c_argv.push_back(s.data());
  c_argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

class Daemon {
 public:
  // Empty on success, else what went wrong.
  std::string Start(const std::string& dir, std::vector<std::string> extra) {
    log_ = dir + "/partnergraphd.log";
    std::vector<std::string> argv = {PARTNERGRAPHD_PATH, "--plaintext",
                                     "--listen=127.0.0.1:0", "--nosync",
                                     "--data_dir=" + dir + "/data"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = Spawn(argv, "/dev/null", log_);
    if (pid_ < 0) return "cannot spawn partnergraphd";
    for (int i = 0; i < 1200; ++i) {
      const std::string log = ReadFile(log_);
      const size_t at = log.find("listening on ");
      if (at != std::string::npos) {
        const size_t start = at + std::strlen("listening on ");
        const size_t end = log.find_first_of(" \n", start);
        const size_t colon = log.rfind(':', end);
        if (end != std::string::npos &&
            absl::SimpleAtoi(log.substr(colon + 1, end - colon - 1), &port_)) {
          return "";
        }
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "partnergraphd exited early:\n" + log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "partnergraphd printed no port:\n" + ReadFile(log_);
  }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
    }
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        (std::filesystem::path(::testing::TempDir()) /
         absl::StrCat(
             "admin_e2e-", getpid(), "-",
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
            .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/a");
    std::filesystem::create_directories(dir_ + "/b");
    ASSERT_EQ(a_.Start(dir_ + "/a", {"--backup_dir=" + dir_ + "/backups"}), "");
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Result Ctl(const Daemon& d, std::vector<std::string> args) {
    std::vector<std::string> argv = {PARTNERCTL_PATH,
                                     "--server=" + d.address()};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string base = absl::StrCat(dir_, "/run", ++runs_);
    Result r;
    const pid_t pid = Spawn(argv, base + ".out", base + ".err");
    if (pid < 0) return r;
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    r.out = ReadFile(base + ".out");
    r.err = ReadFile(base + ".err");
    return r;
  }

  std::string dir_;
  Daemon a_;
  int runs_ = 0;
};

// A partnership before its companies, labels, a source.
constexpr char kData[] =
    R"({"partnership":{"name":"partnerships/mu-ant","title":"Memory and Claude","participants":[{"company":"companies/micron"},{"company":"companies/anthropic","role":"CUSTOMER"}],"kinds":["STRATEGIC_ALLIANCE","SUPPLY_AGREEMENT"],"status":"ANNOUNCED","announcedOn":"2025-11-20","sources":[{"url":"https://example.com/a","title":"Deal"}]}}
{"company":{"name":"companies/micron","displayName":"Micron Technology","tickers":["NASDAQ:MU"],"sectors":["semiconductors/memory"],"labels":{"z":"1","a":"2"}}}
{"company":{"name":"companies/anthropic","displayName":"Anthropic","sectors":["ai/frontier-lab"]}}

{"company":{"name":"companies/third","displayName":"Third"}}
)";

TEST_F(AdminCliTest, ImportExportIntoAnEmptyServerExportsTheSameFile) {
  WriteFile(dir_ + "/in.jsonl", kData);
  Result r = Ctl(a_, {"import", dir_ + "/in.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("imported 3 companies and 1 partnerships"));
  EXPECT_THAT(r.out, HasSubstr("0 records refused"));
  // Not a terminal: no progress bar.
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("[#")));

  r = Ctl(a_, {"export", "-f", dir_ + "/first.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string first = ReadFile(dir_ + "/first.jsonl");
  const std::vector<std::string> lines =
      absl::StrSplit(first, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << first;
  EXPECT_THAT(lines[0], HasSubstr("companies/anthropic"));
  EXPECT_THAT(lines[3], HasSubstr("partnerships/mu-ant"));
  EXPECT_THAT(first, ::testing::Not(HasSubstr("Revision")));

  Daemon b;
  ASSERT_EQ(b.Start(dir_ + "/b", {}), "");
  r = Ctl(b, {"import", dir_ + "/first.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Ctl(b, {"export"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, first);

  r = Ctl(b, {"stats", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::GetStatsResponse stats;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &stats).ok())
      << r;
  EXPECT_EQ(stats.companies(), 3);
  EXPECT_EQ(stats.partnerships(), 1);
  EXPECT_EQ(stats.revision(), 1);  // One import batch, one revision.
}

TEST_F(AdminCliTest, ImportReportsBadLinesAndRecordsByLineNumber) {
  WriteFile(dir_ + "/bad.jsonl",
            std::string(kData) +
                "{\"company\":{\"name\":\"companies/x\",\"displayName\":\"X\","
                "\"tickers\":[\"mu\"]}}\n"
                "not json\n");
  Result r = Ctl(a_, {"import", dir_ + "/bad.jsonl"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("imported 3 companies and 1 partnerships"));
  EXPECT_THAT(r.out, HasSubstr("2 records refused"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:6: INVALID_ARGUMENT: "
                               "company.tickers[0]"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:7: not a partnergraph.v1.Record"));

  // All or nothing: the bad record keeps everything out.
  WriteFile(dir_ + "/bad2.jsonl",
            "{\"company\":{\"name\":\"companies/y\",\"displayName\":\"Y\"}}\n"
            "{\"company\":{\"name\":\"companies/x\",\"displayName\":\"X\","
            "\"tickers\":[\"mu\"]}}\n");
  r = Ctl(a_, {"import", "--all-or-nothing", dir_ + "/bad2.jsonl"});
  EXPECT_NE(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("imported 0 companies"));
  r = Ctl(a_, {"company", "get", "y"});
  EXPECT_NE(r.exit_code, 0) << r;
}

TEST_F(AdminCliTest, WatchPrintsEventsAndBackupReportsItsRevision) {
  WriteFile(dir_ + "/in.jsonl", kData);
  ASSERT_EQ(Ctl(a_, {"import", dir_ + "/in.jsonl"}).exit_code, 0);
  Result r = Ctl(a_, {"company", "update", "third", "--description", "x"});
  ASSERT_EQ(r.exit_code, 0) << r;

  r = Ctl(a_, {"watch", "--from-revision", "1", "--max-events", "5"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << r;
  const std::string time = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z";
  EXPECT_THAT(lines[0],
              ::testing::MatchesRegex(time + "  1  CREATED  companies/micron"));
  EXPECT_THAT(lines[3], ::testing::MatchesRegex(
                            time + "  1  CREATED  partnerships/mu-ant"));
  EXPECT_THAT(lines[4],
              ::testing::MatchesRegex(time + "  2  UPDATED  companies/third  "
                                             "description: \\(unset\\) → "
                                             "\"x\""));

  r = Ctl(a_,
          {"watch", "--from-revision", "2", "--max-events", "1", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::ChangeEvent event;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &event).ok())
      << r;
  EXPECT_EQ(event.type(), v1::ChangeEvent::UPDATED);
  EXPECT_EQ(event.company().description(), "x");
  EXPECT_EQ(event.previous_company().description(), "");
  EXPECT_EQ(event.previous_company().display_name(), "Third");

  r = Ctl(a_, {"backup"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("backup 1 at revision 2"));
}

}  // namespace
}  // namespace partnergraph::client
