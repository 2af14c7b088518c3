#ifndef PARTNERGRAPH_TESTS_SERVER_DAEMON_PROCESS_H_
#define PARTNERGRAPH_TESTS_SERVER_DAEMON_PROCESS_H_

// A partnergraphd child process for end-to-end tests: spawned with the given
// flags, its stdout and stderr captured, its bound port read from the
// "listening on HOST:PORT" line. The destructor SIGKILLs a process still
// running and reaps it.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

extern char** environ;

namespace partnergraph::server_testing {

// A positive integer from the environment (a crash test's knob), else
// `fallback`.
inline int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int parsed = 0;
  if (value == nullptr || !absl::SimpleAtoi(value, &parsed) || parsed <= 0) {
    return fallback;
  }
  return parsed;
}

// The seed named by `name` in the environment, else one from the clock
// (print it, so that the run can be replayed).
inline uint64_t EnvSeed(const char* name) {
  return static_cast<uint64_t>(EnvInt(
      name, static_cast<int>(
                std::chrono::steady_clock::now().time_since_epoch().count() &
                0x3fffffff) +
                1));
}

class DaemonProcess {
 public:
  // Spawns `binary` with `args`. Check ok() and, for a daemon expected to
  // serve, WaitForPort().
  DaemonProcess(const std::string& binary,
                const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> argv_strings = {binary};
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

  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  ~DaemonProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (reader_.joinable()) reader_.join();
  }

  bool ok() const { return pid_ > 0; }

  // The port of the "listening on HOST:PORT" line; 0 when the process ended
  // (or stayed silent for `timeout`) without printing one.
  int WaitForPort(absl::Duration timeout = absl::Seconds(60)) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return eof_ || ParsePort(output_) != 0;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    return ParsePort(output_);
  }

  void Signal(int signal) { kill(pid_, signal); }

  // SIGKILLs the process and reaps it; false when it had ended otherwise.
  bool Kill() {
    Signal(SIGKILL);
    const int status = Wait();
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

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

}  // namespace partnergraph::server_testing

#endif  // PARTNERGRAPH_TESTS_SERVER_DAEMON_PROCESS_H_
