// partnergraph_import_bench: bulk-import throughput against a real
// partnergraphd, compared with raw RocksDB WriteBatches of the same keys and
// values, and Watch delivery latency under a steady write load.
//
//   partnergraph_import_bench --partnergraphd=PATH --work_dir=DIR
//       [--companies=100000 --partnerships=1000000 --seed=1]
//       [--watchers=100 --write_rate=1000 --watch_seconds=10]
//
// 1. Generates the graph with the shared generator (graphgen.h, the library
//    behind partnergraph_graphgen) and builds the ImportRecordsRequest
//    messages (1000 records each) before the clock starts.
// 2. Starts partnergraphd on a fresh data directory and streams them through
//    AdminService.ImportRecords; prints records/s and partnerships/s.
// 3. Stops the server, reads every key and value the import wrote (records,
//    indexes, change log, meta) from its directory, and writes the same keys
//    and values into fresh RocksDBs with raw WriteBatches of the same
//    average size as the import's batches, same sync setting and table
//    options, once in key order and once shuffled; prints the rates and the
//    ratios import/raw.
// 4. Starts a fresh server, opens `watchers` Watch streams and creates
//    companies at `write_rate` per second for `watch_seconds`; the latency of
//    an event is its receipt time minus the company's update_time (the time
//    its commit group started, before the WAL write). Prints p50/p99/max.
//
// Figures are printed; nothing is asserted.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/bench/graphgen.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

extern char** environ;

namespace partnergraph::bench {
namespace {

namespace v1 = ::partnergraph::v1;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class Daemon {
 public:
  bool Start(const std::string& binary, const std::string& dir, bool sync) {
    log_ = dir + ".log";
    std::vector<std::string> argv = {binary,
                                     "--plaintext",
                                     "--listen=127.0.0.1:0",
                                     "--data_dir=" + dir,
                                     "--watch_max_pending=100000",
                                     sync ? "--sync" : "--nosync"};
    std::vector<char*> c_argv;
    for (std::string& s : argv) c_argv.push_back(s.data());
    c_argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, c_argv[0], &actions, nullptr,
                               c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return false;
    for (int i = 0; i < 1200; ++i) {
      const std::string log = ReadFile(log_);
      const size_t at = log.find("listening on ");
      if (at != std::string::npos) {
        const size_t end = log.find_first_of(" \n", at + 13);
        const size_t colon = log.rfind(':', end);
        if (end != std::string::npos &&
            absl::SimpleAtoi(log.substr(colon + 1, end - colon - 1), &port_)) {
          return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    struct rusage usage {};
    wait4(pid_, &status, 0, &usage);
    cpu_seconds_ = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                   (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    pid_ = -1;
  }
  // CPU time (user + system) the stopped server used over its life.
  double cpu_seconds() const { return cpu_seconds_; }
  ~Daemon() { Stop(); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  double cpu_seconds_ = 0;
  std::string log_;
};

rocksdb::Options StoreLikeOptions() {
  // The same table options as storage/rocksdb_store.cc.
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(64 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  return options;
}

double Percentile(std::vector<double>* v, double p) {
  if (v->empty()) return 0;
  const size_t k =
      std::min(v->size() - 1, static_cast<size_t>(p * (v->size() - 1) + 0.5));
  std::nth_element(v->begin(), v->begin() + k, v->end());
  return (*v)[k];
}

int Run(int argc, char** argv) {
  CLI::App app("partnergraph import and watch benchmark");
  std::string daemon_path, work_dir;
  graphgen::Options gen;
  bool sync = true;
  int watchers = 100, write_rate = 1000;
  double watch_seconds = 10;
  app.add_option("--partnergraphd", daemon_path)->required();
  app.add_option("--work_dir", work_dir)->required();
  app.add_option("--companies", gen.companies)->capture_default_str();
  app.add_option("--partnerships", gen.partnerships)->capture_default_str();
  app.add_option("--seed", gen.seed)->capture_default_str();
  app.add_option("--sync", sync, "fsync each commit (server and raw)")
      ->capture_default_str();
  app.add_option("--watchers", watchers)->capture_default_str();
  app.add_option("--write_rate", write_rate, "writes per second")
      ->capture_default_str();
  app.add_option("--watch_seconds", watch_seconds)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(work_dir);
  std::filesystem::create_directories(work_dir);

  // 1. The graph and the requests.
  absl::Time t = absl::Now();
  absl::StatusOr<graphgen::Graph> graph = graphgen::Generate(gen);
  if (!graph.ok()) {
    std::fprintf(stderr, "graphgen: %s\n", graph.status().ToString().c_str());
    return 1;
  }
  std::vector<v1::ImportRecordsRequest> requests;
  {
    v1::ImportRecordsRequest request;
    auto flush = [&] {
      if (request.records_size() > 0) requests.push_back(std::move(request));
      request = v1::ImportRecordsRequest();
    };
    for (const auto& c : graph->companies) {
      *request.add_records()->mutable_company() = graphgen::ToApiCompany(c);
      if (request.records_size() == 1000) flush();
    }
    for (const auto& p : graph->partnerships) {
      *request.add_records()->mutable_partnership() =
          graphgen::ToApiPartnership(*graph, p);
      if (request.records_size() == 1000) flush();
    }
    flush();
  }
  std::printf("generated %lld companies, %lld partnerships (seed %llu) in %s\n",
              static_cast<long long>(graph->companies.size()),
              static_cast<long long>(graph->partnerships.size()),
              static_cast<unsigned long long>(gen.seed),
              absl::FormatDuration(absl::Now() - t).c_str());
  graph->partnerships.clear();
  graph->partnerships.shrink_to_fit();

  // 2. Import through the server.
  const std::string import_dir = work_dir + "/import";
  double import_seconds = 0, server_cpu_seconds = 0;
  v1::ImportRecordsResponse response;
  {
    Daemon daemon;
    if (!daemon.Start(daemon_path, import_dir, sync)) {
      std::fprintf(stderr, "cannot start partnergraphd\n");
      return 1;
    }
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(
        daemon.address(), grpc::InsecureChannelCredentials(), args);
    auto admin = v1::AdminService::NewStub(channel);
    grpc::ClientContext context;
    const absl::Time start = absl::Now();
    auto writer = admin->ImportRecords(&context, &response);
    for (const auto& r : requests) {
      if (!writer->Write(r)) break;
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    import_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!status.ok()) {
      std::fprintf(stderr, "import failed: %s\n",
                   status.error_message().c_str());
      return 1;
    }
    daemon.Stop();
    server_cpu_seconds = daemon.cpu_seconds();
  }
  requests.clear();
  requests.shrink_to_fit();
  const int64_t records =
      response.companies_written() + response.partnerships_written();
  std::printf(
      "import: %lld companies + %lld partnerships (%d refused) in %.2f s: "
      "%.0f records/s, %.0f partnerships/s; %lld revisions\n",
      static_cast<long long>(response.companies_written()),
      static_cast<long long>(response.partnerships_written()),
      response.errors_size() + static_cast<int>(response.more_errors()),
      import_seconds, records / import_seconds,
      response.partnerships_written() / import_seconds,
      static_cast<long long>(response.revision()));
  // Start-up and shutdown included; under a loaded machine this is steadier
  // than the wall-clock rate.
  std::printf(
      "import: server CPU %.2f s (%.0f%% of one core while importing)\n",
      server_cpu_seconds, 100 * server_cpu_seconds / import_seconds);

  // 3. The same keys and values with raw WriteBatches.
  std::vector<std::pair<std::string, std::string>> kvs;
  int64_t total_bytes = 0;
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::OpenForReadOnly(rocksdb::Options(), import_dir, &raw);
    if (!s.ok()) {
      std::fprintf(stderr, "open %s: %s\n", import_dir.c_str(),
                   s.ToString().c_str());
      return 1;
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      kvs.emplace_back(it->key().ToString(), it->value().ToString());
      total_bytes +=
          static_cast<int64_t>(it->key().size() + it->value().size());
    }
  }
  const int64_t batches = std::max<int64_t>(1, response.revision());
  const size_t per_batch = (kvs.size() + batches - 1) / batches;
  // Raw writes of the same keys and values: once in key order (the most
  // favourable order for RocksDB's memtable and compaction), once shuffled
  // with a fixed seed (like the import, whose index keys land in random
  // order).
  auto raw_run = [&](const std::string& dir, double* seconds) -> bool {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(StoreLikeOptions(), dir, &raw);
    if (!s.ok()) {
      std::fprintf(stderr, "open raw: %s\n", s.ToString().c_str());
      return false;
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    const absl::Time start = absl::Now();
    for (size_t i = 0; i < kvs.size(); i += per_batch) {
      rocksdb::WriteBatch batch;
      for (size_t j = i; j < std::min(kvs.size(), i + per_batch); ++j) {
        batch.Put(kvs[j].first, kvs[j].second);
      }
      s = db->Write(wo, &batch);
      if (!s.ok()) {
        std::fprintf(stderr, "raw write: %s\n", s.ToString().c_str());
        return false;
      }
    }
    *seconds = absl::ToDoubleSeconds(absl::Now() - start);
    return true;
  };
  double sorted_seconds = 0, raw_seconds = 0;
  if (!raw_run(work_dir + "/raw-sorted", &sorted_seconds)) return 1;
  std::shuffle(kvs.begin(), kvs.end(), std::mt19937_64(gen.seed));
  if (!raw_run(work_dir + "/raw-shuffled", &raw_seconds)) return 1;
  std::printf(
      "raw rocksdb: %zu keys (%.1f MB) in %lld WriteBatches of ~%zu keys, "
      "sync=%d: key order %.2f s (%.0f records/s equivalent), shuffled "
      "%.2f s (%.0f records/s equivalent)\n",
      kvs.size(), total_bytes / 1e6, static_cast<long long>(batches), per_batch,
      sync ? 1 : 0, sorted_seconds, records / sorted_seconds, raw_seconds,
      records / raw_seconds);
  std::printf(
      "import/raw ratio: %.2f vs shuffled, %.2f vs key order (goal >= 0.5); "
      "partnerships/s %.0f (goal >= 100000)\n",
      raw_seconds / import_seconds, sorted_seconds / import_seconds,
      response.partnerships_written() / import_seconds);
  kvs.clear();
  kvs.shrink_to_fit();

  // 4. Watch latency.
  if (watchers <= 0) return 0;
  Daemon daemon;
  if (!daemon.Start(daemon_path, work_dir + "/watch", sync)) {
    std::fprintf(stderr, "cannot start partnergraphd\n");
    return 1;
  }
  std::mutex mu;
  // Receipts (company id, time) of every watcher; acknowledgements (company
  // id -> time the writer's CreateCompany returned).
  std::vector<std::pair<std::string, absl::Time>> receipts;
  std::mutex ack_mu;
  absl::flat_hash_map<std::string, absl::Time> acked;
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::thread> threads;
  auto channel =
      grpc::CreateChannel(daemon.address(), grpc::InsecureChannelCredentials());
  auto graph_stub = v1::GraphService::NewStub(channel);
  std::atomic<int> ready{0};
  for (int w = 0; w < watchers; ++w) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    threads.emplace_back([&, ctx = contexts.back().get()] {
      v1::WatchRequest request;
      auto reader = graph_stub->Watch(ctx, request);
      ++ready;
      std::vector<std::pair<std::string, absl::Time>> mine;
      v1::WatchResponse response;
      while (reader->Read(&response)) {
        const absl::Time now = absl::Now();
        for (const auto& e : response.events()) {
          mine.emplace_back(e.company().name(), now);
        }
      }
      reader->Finish();
      std::lock_guard<std::mutex> lock(mu);
      receipts.insert(receipts.end(), mine.begin(), mine.end());
    });
  }
  while (ready.load() < watchers) absl::SleepFor(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(500));
  constexpr int kWriters = 8;
  std::atomic<int64_t> writes{0}, failed{0};
  const absl::Time start = absl::Now();
  const absl::Duration interval = absl::Seconds(1.0 * kWriters / write_rate);
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([&, k] {
      auto companies = v1::CompanyService::NewStub(channel);
      absl::Time next = start + interval * k / kWriters;
      for (int i = 0; absl::Now() - start < absl::Seconds(watch_seconds); ++i) {
        absl::SleepFor(next - absl::Now());
        next += interval;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(10));
        v1::CreateCompanyRequest request;
        request.set_company_id(absl::StrCat("w", k, "-", i));
        request.mutable_company()->set_display_name(
            absl::StrCat("Writer ", k, " company ", i));
        v1::Company created;
        if (companies->CreateCompany(&context, request, &created).ok()) {
          const absl::Time now = absl::Now();
          ++writes;
          std::lock_guard<std::mutex> lock(ack_mu);
          acked.emplace(created.name(), now);
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  absl::SleepFor(absl::Seconds(1));
  for (auto& c : contexts) c->TryCancel();
  for (auto& th : threads) th.join();
  daemon.Stop();
  // Latency from the writer's acknowledgement to the watcher's receipt; a
  // receipt before the acknowledgement (the event can overtake the reply)
  // counts as 0.
  std::vector<double> latencies_ms;
  int64_t unacked = 0;
  for (const auto& [name, received] : receipts) {
    auto it = acked.find(name);
    if (it == acked.end()) {
      ++unacked;
      continue;
    }
    latencies_ms.push_back(
        std::max(0.0, absl::ToDoubleMilliseconds(received - it->second)));
  }
  const size_t n = latencies_ms.size();
  const double p50 = Percentile(&latencies_ms, 0.50);
  const double p99 = Percentile(&latencies_ms, 0.99);
  const double max =
      n == 0 ? 0 : *std::max_element(latencies_ms.begin(), latencies_ms.end());
  std::printf(
      "watch: %d watchers, %lld writes in %.1f s (%.0f/s, %lld failed), %zu "
      "acknowledged writes' events received (want %lld; %lld events of "
      "writes whose reply failed): latency p50 %.2f ms, p99 %.2f ms, max "
      "%.2f ms (watcher's receipt - writer's acknowledgement, goal p99 <= "
      "10 ms)\n",
      watchers, static_cast<long long>(writes.load()), elapsed,
      writes.load() / elapsed, static_cast<long long>(failed.load()), n,
      static_cast<long long>(writes.load()) * watchers,
      static_cast<long long>(unacked), p50, p99, max);
  return 0;
}

}  // namespace
}  // namespace partnergraph::bench

int main(int argc, char** argv) { return partnergraph::bench::Run(argc, argv); }
