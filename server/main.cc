// partnergraphd: the partnergraph gRPC server over an embedded RocksDB store
// (--store=rocksdb, the default) or as a replica of an etcd cluster
// (--store=etcd).
//
// Exit status: 0 after a clean shutdown on SIGTERM or SIGINT, 1 when the
// store cannot be opened, the address cannot be bound or a TLS or token file
// is unusable, or an etcd replica can no longer follow etcd (after a clean
// shutdown), 2 for bad flags (including neither --plaintext nor TLS).

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
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
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/demo_data.h"
#include "server/log.h"
#include "server/server.h"
#include "storage/etcd/etcd_store.h"
#include "storage/graph_store.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address to serve gRPC on, HOST:PORT. Port 0 picks a free port and "
          "prints it.");
ABSL_FLAG(std::string, data_dir, "./data",
          "Directory of the RocksDB store (with --store=etcd, this replica's "
          "local copy); created when missing.");
ABSL_FLAG(std::string, store, "rocksdb",
          "The engine: rocksdb (embedded, one machine) or etcd (an etcd "
          "cluster is the source of truth; this process is one of any "
          "number of replicas, see --etcd_endpoints).");
ABSL_FLAG(std::string, etcd_endpoints, "",
          "With --store=etcd: the cluster's client endpoints, "
          "HOST:PORT,HOST:PORT,...; a member that stops answering is left "
          "for the next.");
ABSL_FLAG(std::string, etcd_prefix, "/partnergraph/",
          "With --store=etcd: every key partnergraph keeps in etcd starts "
          "with it (one graph per prefix).");
ABSL_FLAG(std::string, etcd_ca_file, "",
          "With --store=etcd: PEM CA bundle; TLS to etcd when set.");
ABSL_FLAG(std::string, etcd_cert_file, "",
          "With --store=etcd and TLS: PEM client certificate (etcd's "
          "--client-cert-auth).");
ABSL_FLAG(std::string, etcd_key_file, "",
          "With --store=etcd and TLS: PEM private key of --etcd_cert_file.");
ABSL_FLAG(int32_t, etcd_writers, 32,
          "With --store=etcd: writes planned and sent to etcd at once.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging a write. With "
          "--nosync an acknowledged write survives a process crash but not a "
          "machine crash. (With --store=etcd, etcd holds every acknowledged "
          "write; the replica's local copy is never synced.)");
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
          "Serve gRPC without TLS. Required when no --tls_cert/--tls_key is "
          "given: the server refuses to start plaintext unless asked to.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the server; with --tls_key turns TLS on. "
          "Reloaded when the file changes (new connections see the new one).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate "
          "signed by it (mutual TLS). Reloaded when the file changes.");
ABSL_FLAG(int32_t, tls_refresh_seconds, 5,
          "How often the TLS files are checked for changes, in seconds.");
ABSL_FLAG(std::string, token_file, "",
          "File of bearer tokens, one \"SHA256-HEX ROLE NAME\" line each "
          "(role reader, writer or admin). Without it every call is allowed.");
ABSL_FLAG(int32_t, max_metadata_bytes, 16 << 10,
          "Largest request header block (metadata) in bytes; larger ones are "
          "refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_connection_age_seconds, 1800,
          "Close connections (GOAWAY) after this many seconds; 0 = never.");
ABSL_FLAG(int64_t, max_connection_age_grace_seconds, 300,
          "After --max_connection_age_seconds, how long calls in flight may "
          "go on before the connection is closed.");
ABSL_FLAG(int64_t, min_client_ping_interval_seconds, 10,
          "Least interval between client keepalive pings; a client pinging "
          "more often is disconnected.");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT of the Prometheus metrics endpoint (GET /metrics); "
          "empty = off.");
ABSL_FLAG(std::string, health_listen, "",
          "HOST:PORT of a second, plaintext port serving only "
          "grpc.health.v1.Health (for probes without client certificates); "
          "empty = off.");
ABSL_FLAG(std::string, log_format, "text",
          "Log line format: text or json (one JSON object per line).");
ABSL_FLAG(bool, access_log, false,
          "Log one line per call: method, code, latency, peer (never "
          "metadata or tokens).");
ABSL_FLAG(std::string, backup_dir, "",
          "Directory AdminService.CreateBackup (partnerctl backup) writes "
          "backup-N directories into; empty refuses backups.");
ABSL_FLAG(std::string, restore_from, "",
          "Before serving, restore the backup in this directory (a backup-N "
          "directory written by CreateBackup) into --data_dir, which must be "
          "missing or empty; the server then serves exactly the backup's "
          "state.");
ABSL_FLAG(double, watch_bookmark_seconds, 10,
          "A Watch stream quiet for this long gets a bookmark response "
          "carrying its current revision.");
ABSL_FLAG(int32_t, watch_max_pending, 10000,
          "Events that may wait for one slow Watch client before its stream "
          "is ended with RESOURCE_EXHAUSTED (it may resume).");
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

// Set when an etcd replica can no longer follow etcd (see EtcdOptions).
std::atomic<bool> replica_broken{false};

int Run() {
  const std::string log_level_name = absl::GetFlag(FLAGS_log_level);
  const absl::optional<LogLevel> log_level = ParseLogLevel(log_level_name);
  if (!log_level.has_value()) {
    return UsageError(absl::StrFormat(
        "--log_level: want debug, info, warning or error, got \"%s\"",
        log_level_name));
  }
  SetLogLevel(*log_level);
  const std::string log_format_name = absl::GetFlag(FLAGS_log_format);
  const absl::optional<LogFormat> log_format = ParseLogFormat(log_format_name);
  if (!log_format.has_value()) {
    return UsageError(absl::StrFormat(
        "--log_format: want text or json, got \"%s\"", log_format_name));
  }
  SetLogFormat(*log_format);

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
  server_options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  server_options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  server_options.tls.client_ca_file = absl::GetFlag(FLAGS_client_ca);
  const int32_t tls_refresh = absl::GetFlag(FLAGS_tls_refresh_seconds);
  if (tls_refresh < 1 || tls_refresh > 3600) {
    return UsageError(
        absl::StrCat("--tls_refresh_seconds: want 1..3600, got ", tls_refresh));
  }
  server_options.tls.refresh_interval = absl::Seconds(tls_refresh);
  const bool plaintext = absl::GetFlag(FLAGS_plaintext);
  const bool any_tls = !server_options.tls.cert_file.empty() ||
                       !server_options.tls.key_file.empty() ||
                       !server_options.tls.client_ca_file.empty();
  if (plaintext && any_tls) {
    return UsageError(
        "--plaintext: cannot be combined with --tls_cert/--tls_key/"
        "--client_ca");
  }
  if (!plaintext && !any_tls) {
    return UsageError(
        "no transport security chosen: give --tls_cert and --tls_key "
        "(optionally --client_ca) to serve TLS, or --plaintext to serve "
        "without TLS");
  }
  if (any_tls && (server_options.tls.cert_file.empty() ||
                  server_options.tls.key_file.empty())) {
    return UsageError(server_options.tls.cert_file.empty()
                          ? "--tls_cert: required with --tls_key/--client_ca"
                          : "--tls_key: required with --tls_cert");
  }
  server_options.token_file = absl::GetFlag(FLAGS_token_file);
  server_options.max_metadata_bytes = absl::GetFlag(FLAGS_max_metadata_bytes);
  if (server_options.max_metadata_bytes < 1024 ||
      server_options.max_metadata_bytes > (16 << 20)) {
    return UsageError(
        absl::StrCat("--max_metadata_bytes: want 1024..16777216, got ",
                     server_options.max_metadata_bytes));
  }
  const int64_t age = absl::GetFlag(FLAGS_max_connection_age_seconds);
  const int64_t age_grace =
      absl::GetFlag(FLAGS_max_connection_age_grace_seconds);
  const int64_t ping = absl::GetFlag(FLAGS_min_client_ping_interval_seconds);
  if (age < 0 || age > 30 * 86400) {
    return UsageError(absl::StrCat(
        "--max_connection_age_seconds: want 0..2592000, got ", age));
  }
  if (age_grace < 0 || age_grace > 86400) {
    return UsageError(absl::StrCat(
        "--max_connection_age_grace_seconds: want 0..86400, got ", age_grace));
  }
  if (ping < 1 || ping > 86400) {
    return UsageError(absl::StrCat(
        "--min_client_ping_interval_seconds: want 1..86400, got ", ping));
  }
  server_options.max_connection_age = absl::Seconds(age);
  server_options.max_connection_age_grace = absl::Seconds(age_grace);
  server_options.min_client_ping_interval = absl::Seconds(ping);
  server_options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  server_options.health_listen = absl::GetFlag(FLAGS_health_listen);
  server_options.access_log = absl::GetFlag(FLAGS_access_log);
  server_options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  const double bookmark_seconds = absl::GetFlag(FLAGS_watch_bookmark_seconds);
  if (!(bookmark_seconds >= 0.01 && bookmark_seconds <= 3600)) {
    return UsageError(absl::StrCat(
        "--watch_bookmark_seconds: want 0.01..3600, got ", bookmark_seconds));
  }
  server_options.watch_bookmark_interval = absl::Seconds(bookmark_seconds);
  server_options.watch_max_pending_events =
      absl::GetFlag(FLAGS_watch_max_pending);
  if (server_options.watch_max_pending_events < 1) {
    return UsageError(absl::StrCat("--watch_max_pending: want >= 1, got ",
                                   server_options.watch_max_pending_events));
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
  const std::string store_kind = absl::GetFlag(FLAGS_store);
  if (store_kind != "rocksdb" && store_kind != "etcd") {
    return UsageError(absl::StrCat("--store: want rocksdb or etcd, got \"",
                                   store_kind, "\""));
  }
  storage::EtcdOptions etcd_options;
  if (store_kind == "etcd") {
    for (absl::string_view e :
         absl::StrSplit(absl::GetFlag(FLAGS_etcd_endpoints), ',',
                        absl::SkipWhitespace())) {
      etcd_options.endpoints.emplace_back(absl::StripAsciiWhitespace(e));
    }
    if (etcd_options.endpoints.empty()) {
      return UsageError("--etcd_endpoints: required with --store=etcd");
    }
    etcd_options.prefix = absl::GetFlag(FLAGS_etcd_prefix);
    if (etcd_options.prefix.empty()) {
      return UsageError("--etcd_prefix: want a non-empty prefix");
    }
    etcd_options.ca_file = absl::GetFlag(FLAGS_etcd_ca_file);
    etcd_options.cert_file = absl::GetFlag(FLAGS_etcd_cert_file);
    etcd_options.key_file = absl::GetFlag(FLAGS_etcd_key_file);
    etcd_options.writers = absl::GetFlag(FLAGS_etcd_writers);
    if (etcd_options.writers < 1 || etcd_options.writers > 1024) {
      return UsageError(absl::StrCat("--etcd_writers: want 1..1024, got ",
                                     etcd_options.writers));
    }
    // A replica that cannot follow etcd any more stops (exit 1); its next
    // start rebuilds it.
    etcd_options.on_broken = [](const absl::Status& status) {
      PG_LOG(kError) << status.message();
      replica_broken.store(true);
      kill(getpid(), SIGTERM);
    };
    if (!absl::GetFlag(FLAGS_restore_from).empty()) {
      return UsageError(
          "--restore_from: only with --store=rocksdb (on etcd, restore "
          "etcd's snapshot; replicas rebuild from it)");
    }
  } else if (!absl::GetFlag(FLAGS_etcd_endpoints).empty()) {
    return UsageError("--etcd_endpoints: only with --store=etcd");
  }

  // Block the shutdown signals before any thread exists, so every thread
  // inherits the mask and they are only ever taken by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string restore_from = absl::GetFlag(FLAGS_restore_from);
  if (!restore_from.empty()) {
    absl::StatusOr<int64_t> restored =
        storage::RestoreRocksDbCheckpoint(restore_from, data_dir);
    if (!restored.ok()) {
      PG_LOG(kError) << "cannot restore " << restore_from << ": "
                     << restored.status().message();
      return 1;
    }
    PG_LOG(kInfo) << "restored " << restore_from << " into " << data_dir
                  << " at revision " << *restored;
  }

  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    PG_LOG(kError) << "cannot create data directory " << data_dir << ": "
                   << error.message();
    return 1;
  }
  absl::StatusOr<std::unique_ptr<storage::GraphStore>> opened =
      store_kind == "etcd"
          ? storage::OpenEtcdStore(data_dir, store_options, etcd_options)
          : storage::OpenRocksDbStore(data_dir, store_options);
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
  if (server.health_port() != 0) {
    std::fprintf(stderr, "%s: health checks on %s (plaintext, health only)\n",
                 kProgram,
                 absl::StrCat(server_options.health_listen.substr(
                                  0, server_options.health_listen.rfind(':')),
                              ":", server.health_port())
                     .c_str());
  }
  if (server.metrics_port() != 0) {
    std::fprintf(stderr, "%s: metrics on %s (GET /metrics)\n", kProgram,
                 absl::StrCat(server_options.metrics_listen.substr(
                                  0, server_options.metrics_listen.rfind(':')),
                              ":", server.metrics_port())
                     .c_str());
  }
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
  return replica_broken.load() ? 1 : 0;
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
