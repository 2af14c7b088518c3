#ifndef PARTNERGRAPH_TESTS_CLIENT_E2E_HARNESS_H_
#define PARTNERGRAPH_TESTS_CLIENT_E2E_HARNESS_H_

// What the partnerctl end-to-end tests share: a real partnergraphd on a
// loopback port with a fresh data directory, and the real partnerctl run as
// a subprocess whose stdout, stderr and exit code are captured. Needs
// PARTNERGRAPHD_PATH and PARTNERCTL_PATH defined by the build.

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
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

extern char** environ;

namespace partnergraph::testing {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const Result& result) {
  return os << "exit " << result.exit_code << "\n--- stdout\n"
            << result.out << "--- stderr\n"
            << result.err;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

inline std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern =
      absl::StrCat(base != nullptr ? base : "/tmp", "/partnerctl_e2e.XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const char* dir = mkdtemp(buffer.data());
  return dir == nullptr ? "" : std::string(dir);
}

// The current environment without PARTNERGRAPH_* variables, plus `extra`
// ("NAME=value" entries).
inline std::vector<std::string> ChildEnvironment(
    const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (absl::StartsWith(*e, "PARTNERGRAPH_")) continue;
    env.push_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Runs `argv` to completion with stdin from `stdin_text`; `base` names the
// capture files.
inline Result RunProcess(std::vector<std::string> argv,
                         std::vector<std::string> env, const std::string& base,
                         const std::string& stdin_text = "") {
  WriteFile(base + ".in", stdin_text);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, (base + ".in").c_str(),
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, (base + ".out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (base + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> c_argv, c_env;
  for (std::string& s : argv) c_argv.push_back(s.data());
  c_argv.push_back(nullptr);
  for (std::string& s : env) c_env.push_back(s.data());
  c_env.push_back(nullptr);
  pid_t pid = -1;
  Result result;
  if (posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(),
                  c_env.data()) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    result.err = absl::StrCat("cannot spawn ", argv[0]);
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  return result;
}

// A partnergraphd on 127.0.0.1 with a data directory under `dir`.
class ServerProcess {
 public:
  // Starts the server with `flags` added and waits until it prints its
  // port. Empty on success, else what went wrong.
  std::string Start(const std::string& dir,
                    const std::vector<std::string>& flags = {}) {
    log_path_ = absl::StrCat(dir, "/partnergraphd.log");
    std::vector<std::string> argv = {PARTNERGRAPHD_PATH, "--listen=127.0.0.1:0",
                                     "--plaintext", "--nosync",
                                     absl::StrCat("--data_dir=", dir, "/data")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    std::vector<std::string> env = ChildEnvironment({});
    std::vector<char*> c_argv, c_env;
    for (std::string& s : argv) c_argv.push_back(s.data());
    c_argv.push_back(nullptr);
    for (std::string& s : env) c_env.push_back(s.data());
    c_env.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, c_argv[0], &actions, nullptr,
                               c_argv.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return "cannot spawn " PARTNERGRAPHD_PATH;
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

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// A test with its own directory and server (started with ServerFlags()).
class PartnerctlE2eTest : public ::testing::Test {
 protected:
  virtual std::vector<std::string> ServerFlags() { return {}; }

  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty()) << "mkdtemp failed";
    server_ = std::make_unique<ServerProcess>();
    ASSERT_EQ(server_->Start(dir_, ServerFlags()), "");
  }

  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  // partnerctl with `args`, without --server, `env` added.
  Result RunRaw(const std::vector<std::string>& args,
                const std::vector<std::string>& env = {},
                const std::string& stdin_text = "") {
    std::vector<std::string> argv = {PARTNERCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, ChildEnvironment(env),
                      absl::StrCat(dir_, "/run", ++runs_), stdin_text);
  }

  // partnerctl against the test server.
  Result Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), absl::StrCat("--server=", server_->address()));
    return RunRaw(args);
  }

  // `sh -c script` with PARTNERCTL and SERVER in its environment.
  Result Shell(const std::string& script) {
    return RunProcess(
        {"/bin/sh", "-c", script},
        ChildEnvironment({absl::StrCat("PARTNERCTL=", PARTNERCTL_PATH),
                          absl::StrCat("SERVER=", server_->address())}),
        absl::StrCat(dir_, "/run", ++runs_));
  }

  std::string TempFile(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    WriteFile(path, text);
    return path;
  }

  void MustRun(const std::vector<std::string>& args) {
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  int runs_ = 0;
};

}  // namespace partnergraph::testing

#endif  // PARTNERGRAPH_TESTS_CLIENT_E2E_HARNESS_H_
