// partnergraphd: the partnergraph gRPC server over an embedded RocksDB store.
//
// Exit status: 0 after a clean shutdown on SIGTERM or SIGINT, 1 when the
// store cannot be opened or the address cannot be bound, 2 for bad flags.

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/demo_data.h"
#include "server/log.h"
#include "server/server.h"
#include "storage/graph_store.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address to serve gRPC on, HOST:PORT. Port 0 picks a free port and "
          "prints it.");
ABSL_FLAG(std::string, data_dir, "./data",
          "Directory of the RocksDB store; created when missing.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging a write. With "
          "--nosync an acknowledged write survives a process crash but not a "
          "machine crash.");
ABSL_FLAG(int64_t, cache_mb, 64, "RocksDB block cache size in MiB.");
ABSL_FLAG(int32_t, max_message_bytes, 4 << 20,
          "Largest gRPC request or response message, in bytes.");
ABSL_FLAG(int32_t, max_concurrent_streams, 256,
          "Calls one client connection may have in flight at once.");
ABSL_FLAG(std::string, log_level, "info",
          "Least severe log messages written to stderr: debug, info, warning "
          "or error.");
ABSL_FLAG(double, grace_seconds, 10,
          "On SIGTERM or SIGINT, how long in-flight calls may take to finish "
          "before they are cancelled.");
ABSL_FLAG(int64_t, history_limit, 100000,
          "Number of most recent revisions whose change events are kept for "
          "Watch.");
ABSL_FLAG(bool, plaintext, false,
          "Serve gRPC without TLS. The server speaks plaintext only; TLS "
          "flags are not available yet.");
ABSL_FLAG(bool, load_demo, false,
          "Load the demo graph (Micron, Anthropic and a few other companies "
          "and partnerships) when the store is empty.");

namespace partnergraph::server {
namespace {

constexpr char kProgram[] = "partnergraphd";
constexpr char kDefaultClientTarget[] = "localhost:50051";

int UsageError(const std::string& message) {
  std::fprintf(stderr, "%s: %s (see --help)\n", kProgram, message.c_str());
  return 2;
}

// The target a client on this machine would dial for `address`.
std::string ClientTarget(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return address;
  std::string host = address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
    host = "localhost";
  }
  return absl::StrCat(host, address.substr(colon));
}

void PrintDemoHint(const std::string& address, const DemoSummary& demo) {
  const std::string target = ClientTarget(address);
  const std::string server_flag =
      target == kDefaultClientTarget ? "" : absl::StrCat(" --server=", target);
  std::fprintf(
      stderr,
      "%s: loaded the demo graph (%d companies, %d partnerships). Try:\n"
      "  partnerctl%s company search micron\n"
      "  partnerctl%s partnership list --company micron\n"
      "  grpcurl -plaintext -d '{\"query\": \"micron\"}' %s "
      "partnergraph.v1.CompanyService/SearchCompanies\n",
      kProgram, demo.companies, demo.partnerships, server_flag.c_str(),
      server_flag.c_str(), target.c_str());
}

int Run() {
  const std::string log_level_name = absl::GetFlag(FLAGS_log_level);
  const absl::optional<LogLevel> log_level = ParseLogLevel(log_level_name);
  if (!log_level.has_value()) {
    return UsageError(absl::StrFormat(
        "--log_level: want debug, info, warning or error, got \"%s\"",
        log_level_name));
  }
  SetLogLevel(*log_level);

  storage::StoreOptions store_options;
  store_options.sync = absl::GetFlag(FLAGS_sync);
  const int64_t cache_mb = absl::GetFlag(FLAGS_cache_mb);
  if (cache_mb < 0 || cache_mb > (int64_t{1} << 20)) {
    return UsageError(
        absl::StrCat("--cache_mb: want 0..1048576, got ", cache_mb));
  }
  store_options.block_cache_bytes = cache_mb << 20;
  store_options.history_limit = absl::GetFlag(FLAGS_history_limit);
  if (store_options.history_limit < 1) {
    return UsageError(absl::StrCat("--history_limit: want >= 1, got ",
                                   store_options.history_limit));
  }
  ServerOptions server_options;
  server_options.listen = absl::GetFlag(FLAGS_listen);
  server_options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  server_options.max_concurrent_streams =
      absl::GetFlag(FLAGS_max_concurrent_streams);
  if (server_options.max_concurrent_streams < 1) {
    return UsageError(absl::StrCat("--max_concurrent_streams: want >= 1, got ",
                                   server_options.max_concurrent_streams));
  }
  if (server_options.max_message_bytes < 1024) {
    return UsageError(absl::StrCat("--max_message_bytes: want >= 1024, got ",
                                   server_options.max_message_bytes));
  }
  const double grace_seconds = absl::GetFlag(FLAGS_grace_seconds);
  if (!(grace_seconds >= 0 && grace_seconds <= 3600)) {
    return UsageError(
        absl::StrCat("--grace_seconds: want 0..3600, got ", grace_seconds));
  }
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) return UsageError("--data_dir: required");

  // Block the shutdown signals before any thread exists, so every thread
  // inherits the mask and they are only ever taken by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    PG_LOG(kError) << "cannot create data directory " << data_dir << ": "
                   << error.message();
    return 1;
  }
  absl::StatusOr<std::unique_ptr<storage::GraphStore>> opened =
      storage::OpenRocksDbStore(data_dir, store_options);
  if (!opened.ok()) {
    PG_LOG(kError) << "cannot open the store in " << data_dir << ": "
                   << opened.status();
    return 1;
  }
  std::unique_ptr<storage::GraphStore> store = *std::move(opened);

  absl::optional<DemoSummary> demo;
  if (absl::GetFlag(FLAGS_load_demo)) {
    absl::StatusOr<DemoSummary> loaded = LoadDemoGraph(store.get());
    if (loaded.ok()) {
      demo = *loaded;
    } else if (absl::IsFailedPrecondition(loaded.status())) {
      PG_LOG(kInfo) << loaded.status().message();
    } else {
      PG_LOG(kError) << "cannot load the demo graph: " << loaded.status();
      return 1;
    }
  }

  Server server(server_options, store.get());
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    PG_LOG(kError) << port.status().message();
    return 1;
  }
  const std::string address = server.address();
  // Tests and scripts read the bound port from this line.
  std::fprintf(stderr, "%s: listening on %s (data_dir %s, revision %lld)\n",
               kProgram, address.c_str(), data_dir.c_str(),
               static_cast<long long>(store->Revision()));
  if (demo.has_value()) PrintDemoHint(address, *demo);
  std::fflush(stderr);

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  PG_LOG(kInfo) << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                << " received; shutting down (grace " << grace_seconds << "s)";
  server.Shutdown(absl::Seconds(grace_seconds));
  // The store closes only after the last handler has returned.
  store.reset();
  PG_LOG(kInfo) << "stopped";
  return 0;
}

}  // namespace
}  // namespace partnergraph::server

int main(int argc, char** argv) {
  // Debian's Abseil is built with Mutex deadlock detection on, which records
  // a lock graph on every acquisition of every absl::Mutex (gRPC's included).
  // It finds bugs in tests, but in a running binary it only costs time.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // --help lists the flags of files named like the binary by default; ours
  // live in server/main.cc.
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  usage_config.normalize_filename = [](absl::string_view file) {
    const size_t ours = file.rfind("server/main.cc");
    if (ours != absl::string_view::npos) file.remove_prefix(ours);
    while (absl::ConsumePrefix(&file, "/")) {
    }
    return std::string(file);
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      "serves the partnergraph knowledge graph of companies and partnerships "
      "over gRPC.\n\n"
      "  partnergraphd [--listen=HOST:PORT] [--data_dir=DIR] [--load_demo] "
      "[flags]\n\n"
      "SIGTERM or SIGINT stops it gracefully: health checks report "
      "NOT_SERVING, in-flight calls get --grace_seconds to finish, the store "
      "is closed, and the exit status is 0.");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    return partnergraph::server::UsageError(
        absl::StrCat("unexpected argument \"", rest[1], "\""));
  }
  return partnergraph::server::Run();
}
