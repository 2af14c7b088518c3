// partnergraph_cluster_bench: partnergraphd on etcd against etcd alone, on
// one three-member cluster, in one run.
//
//   partnergraph_cluster_bench --etcd_endpoints=H:P,H:P,H:P
//       --replicas=H:P,H:P [--seconds=10 --warmup_seconds=1]
//       [--write_clients=1,16,64 --read_clients=16,64 --companies=10000]
//       [--puts=6 --value_bytes=300]
//
// 1. Writes, at each --write_clients count, the three kinds in turn:
//    - etcd Txn: each client sends etcd Txns shaped like a partnergraph
//      create (a compare create_revision == 0 on a fresh key; --puts puts of
//      --value_bytes bytes under --prefix, the first on the compared key;
//      a put of one shared marker key; a range of the marker when the
//      compare fails) to one member, client i to member i mod 3;
//    - etcd Txn + watch: the same, each Txn answered only once a watch of
//      --prefix on the first member has delivered its revision (what a
//      replica waits for before it answers, without planning the write or
//      applying it locally);
//    - partnergraphd: CreateCompany (a fresh company_id, a display name, a
//      sector) against the first replica.
//    Prints ops/s, p50/p99 latency and the ratio partnergraphd / etcd Txn,
//    and partnergraphd's latency split at each company's update_time (the
//    time its writer took just before planning it): the way in and the
//    wait for a writer, then planning, Txn, watch, local apply, answer.
// 2. Reads: GetCompany of random companies created in 1 (topped up to
//    --companies), at each --read_clients count, against the first replica
//    and then with half the clients on each replica. Prints QPS, p50/p99.
//
// Every client is a thread with its own channel (its own HTTP/2
// connection) and a synchronous stub; every call has a deadline. Calls
// that start during the warm-up are not measured. Figures are printed and
// nothing is asserted; failed calls are counted and printed, and make the
// exit status 1.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "storage/etcd/rpc.grpc.pb.h"

namespace partnergraph::bench {
namespace {

namespace v1 = ::partnergraph::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> etcd_endpoints;
  std::vector<std::string> replicas;
  double seconds = 10;
  double warmup_seconds = 1;
  double timeout_seconds = 10;
  std::vector<int> write_clients = {1, 16, 64};
  std::vector<int> read_clients = {16, 64};
  int companies = 10000;
  int puts = 6;
  int value_bytes = 300;
  std::string prefix = "/partnergraph-bench/";
};

// Nearest-rank percentile of sorted nanoseconds, in milliseconds.
double PercentileMs(const std::vector<int64_t>& sorted_ns, double q) {
  if (sorted_ns.empty()) return NAN;
  size_t rank = static_cast<size_t>(std::ceil(q * sorted_ns.size()));
  rank = std::clamp<size_t>(rank, 1, sorted_ns.size());
  return sorted_ns[rank - 1] / 1e6;
}

// One closed-loop run: its figures over the measured calls.
struct RunResult {
  std::string what;
  int clients = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<int64_t> latencies_ns;  // sorted, successful calls
  std::string first_error;

  double Rate() const { return seconds > 0 ? ok / seconds : 0; }
  // Nearest-rank percentile in milliseconds.
  double Ms(double q) const { return PercentileMs(latencies_ns, q); }
};

// One client thread's calls.
class Client {
 public:
  virtual ~Client() = default;
  // Makes one call; its status (an unexpected answer is an error too).
  // `measured`: the call counts (it started after the warm-up).
  virtual grpc::Status Call(bool measured) = 0;
};
using ClientMaker = std::function<std::unique_ptr<Client>(int index)>;

struct LoadOptions {
  absl::Duration warmup;
  absl::Duration measured;
  // When > 0, the run ends after this many calls instead.
  int64_t calls = 0;
};

std::chrono::system_clock::time_point Deadline(absl::Duration timeout) {
  return absl::ToChronoTime(absl::Now() + timeout);
}

// A channel of its own: a separate HTTP/2 connection even to a target
// another client uses.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target, int index,
                                          absl::Duration timeout) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("partnergraph.bench.client", index);
  auto channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  // A client that cannot connect shows up as failed calls.
  channel->WaitForConnected(Deadline(timeout));
  return channel;
}

// Runs `clients` threads, each with the client `make` builds for it,
// calling in a loop until the run ends. The clients connect before the
// clock starts.
RunResult RunClients(const std::string& what, int clients,
                     const ClientMaker& make, const LoadOptions& load) {
  struct PerThread {
    std::vector<int64_t> latencies_ns;
    int64_t errors = 0;
    Clock::time_point last;
    std::string first_error;
  };
  std::vector<PerThread> results(clients);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<int64_t> issued{0};
  Clock::time_point measure_start, end;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      std::unique_ptr<Client> client = make(i);
      ++ready;
      while (!go.load(std::memory_order_acquire)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      PerThread& mine = results[i];
      while (true) {
        const Clock::time_point start = Clock::now();
        if (start >= end) break;
        if (load.calls > 0 && issued.fetch_add(1) >= load.calls) break;
        const bool measured = start >= measure_start;
        const grpc::Status status = client->Call(measured);
        const Clock::time_point done = Clock::now();
        if (!measured) continue;
        mine.last = std::max(mine.last, done);
        if (status.ok()) {
          mine.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(done - start)
                  .count());
        } else if (mine.errors++ == 0) {
          mine.first_error = absl::StrCat("code ", status.error_code(), ": ",
                                          status.error_message());
        }
      }
    });
  }
  while (ready.load() < clients) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  measure_start = Clock::now() + absl::ToChronoNanoseconds(load.warmup);
  end = load.calls > 0
            ? Clock::time_point::max()
            : measure_start + absl::ToChronoNanoseconds(load.measured);
  go.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();

  RunResult result;
  result.what = what;
  result.clients = clients;
  Clock::time_point last = measure_start;
  for (PerThread& r : results) {
    result.ok += static_cast<int64_t>(r.latencies_ns.size());
    result.errors += r.errors;
    result.latencies_ns.insert(result.latencies_ns.end(),
                               r.latencies_ns.begin(), r.latencies_ns.end());
    last = std::max(last, r.last);
    if (result.first_error.empty()) result.first_error = r.first_error;
  }
  std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
  result.seconds = std::chrono::duration<double>(last - measure_start).count();
  return result;
}

// The highest revision a watch of the bench prefix has delivered, for
// clients that wait for their own Txn's revision as a replica does.
class WatchedRevisions {
 public:
  // Opens the watch on `endpoint` for at most `lifetime`; false when etcd
  // did not confirm it.
  bool Start(const std::string& endpoint, const std::string& prefix,
             absl::Duration lifetime) {
    stub_ = etcdserverpb::Watch::NewStub(
        grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
    context_.set_deadline(Deadline(lifetime));
    stream_ = stub_->Watch(&context_);
    etcdserverpb::WatchRequest request;
    auto* create = request.mutable_create_request();
    create->set_key(prefix);
    std::string end = prefix;
    end.back() = static_cast<char>(end.back() + 1);
    create->set_range_end(end);
    etcdserverpb::WatchResponse created;
    if (!stream_->Write(request) || !stream_->Read(&created) ||
        !created.created()) {
      absl::MutexLock lock(&mu_);
      ended_ = true;
      return false;
    }
    thread_ = std::thread([this] { Loop(); });
    return true;
  }

  // Whether `revision` was delivered before `deadline`.
  bool Await(int64_t revision, absl::Time deadline) {
    struct Args {
      WatchedRevisions* self;
      int64_t revision;
    } args{this, revision};
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithDeadline(
               absl::Condition(
                   +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                     return a->self->seen_ >= a->revision || a->self->ended_;
                   },
                   &args),
               deadline) &&
           seen_ >= revision;
  }

  ~WatchedRevisions() {
    if (stream_ == nullptr) return;
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
    stream_->Finish();
  }

 private:
  void Loop() {
    etcdserverpb::WatchResponse response;
    while (stream_->Read(&response)) {
      if (response.events_size() == 0) continue;
      const int64_t revision =
          response.events(response.events_size() - 1).kv().mod_revision();
      absl::MutexLock lock(&mu_);
      seen_ = std::max(seen_, revision);
    }
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }

  std::unique_ptr<etcdserverpb::Watch::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest,
                                           etcdserverpb::WatchResponse>>
      stream_;
  std::thread thread_;
  absl::Mutex mu_;
  int64_t seen_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

// Sends Txns shaped like a partnergraph create, each on fresh keys;
// with `watched`, a call ends when the watch has delivered its revision.
class EtcdTxnClient final : public Client {
 public:
  EtcdTxnClient(const Options& options, const std::string& endpoint,
                std::string tag, int index, WatchedRevisions* watched)
      : timeout_(absl::Seconds(options.timeout_seconds)),
        stub_(etcdserverpb::KV::NewStub(OwnChannel(endpoint, index, timeout_))),
        watched_(watched) {
    const std::string marker = options.prefix + "commit";
    auto* compare = txn_.add_compare();
    compare->set_target(etcdserverpb::Compare::CREATE);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_create_revision(0);
    const std::string value(options.value_bytes, 'v');
    for (int p = 0; p < options.puts; ++p) {
      keys_.push_back(absl::StrCat(options.prefix, p == 0 ? "r" : "i",
                                   p == 0 ? "" : absl::StrCat(p), "/", tag,
                                   "/"));
      txn_.add_success()->mutable_request_put()->set_value(value);
    }
    auto* put_marker = txn_.add_success()->mutable_request_put();
    put_marker->set_key(marker);
    put_marker->set_value(std::string(8, 'm'));
    txn_.add_failure()->mutable_request_range()->set_key(marker);
  }

  grpc::Status Call(bool) override {
    const std::string seq = absl::StrCat(seq_++);
    for (size_t p = 0; p < keys_.size(); ++p) {
      txn_.mutable_success(p)->mutable_request_put()->set_key(keys_[p] + seq);
    }
    txn_.mutable_compare(0)->set_key(keys_[0] + seq);
    grpc::ClientContext context;
    const absl::Time deadline = absl::Now() + timeout_;
    context.set_deadline(absl::ToChronoTime(deadline));
    etcdserverpb::TxnResponse response;
    grpc::Status status = stub_->Txn(&context, txn_, &response);
    if (!status.ok()) return status;
    if (!response.succeeded()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          "etcd Txn: the compare on a fresh key failed");
    }
    if (watched_ != nullptr &&
        !watched_->Await(response.header().revision(), deadline)) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          absl::StrCat("the watch did not deliver revision ",
                                       response.header().revision()));
    }
    return status;
  }

 private:
  const absl::Duration timeout_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  WatchedRevisions* const watched_;
  etcdserverpb::TxnRequest txn_;
  std::vector<std::string> keys_;
  int64_t seq_ = 0;
};

// The companies the create clients made: their names and the highest
// revision among them.
struct Created {
  absl::Mutex mu;
  std::vector<std::string> names ABSL_GUARDED_BY(mu);
  int64_t max_revision ABSL_GUARDED_BY(mu) = 0;
};

// A create's latency split at the company's update_time, the time the
// replica's writer took just before planning it (its commit time): before
// it, the request's way in and its wait for a writer; after it, planning,
// the etcd Txn, the watch, the local apply and the answer's way out.
struct CreateSplit {
  absl::Mutex mu;
  std::vector<int64_t> before_ns ABSL_GUARDED_BY(mu);
  std::vector<int64_t> after_ns ABSL_GUARDED_BY(mu);
};

class CreateCompanyClient final : public Client {
 public:
  // `split` may be null (no split kept).
  CreateCompanyClient(const Options& options, const std::string& address,
                      std::string id_prefix, int index, Created* created,
                      CreateSplit* split)
      : timeout_(absl::Seconds(options.timeout_seconds)),
        stub_(
            v1::CompanyService::NewStub(OwnChannel(address, index, timeout_))),
        id_prefix_(std::move(id_prefix)),
        created_(created),
        split_(split) {}

  ~CreateCompanyClient() override {
    absl::MutexLock lock(&created_->mu);
    created_->names.insert(created_->names.end(), names_.begin(), names_.end());
    created_->max_revision = std::max(created_->max_revision, max_revision_);
    if (split_ == nullptr) return;
    absl::MutexLock split_lock(&split_->mu);
    split_->before_ns.insert(split_->before_ns.end(), before_ns_.begin(),
                             before_ns_.end());
    split_->after_ns.insert(split_->after_ns.end(), after_ns_.begin(),
                            after_ns_.end());
  }

  grpc::Status Call(bool measured) override {
    const int64_t seq = seq_++;
    v1::CreateCompanyRequest request;
    request.set_company_id(absl::StrCat(id_prefix_, seq));
    v1::Company* company = request.mutable_company();
    company->set_display_name(absl::StrCat("Cluster Bench ", id_prefix_, seq));
    company->add_sectors(seq % 2 == 0 ? "semiconductors/memory" : "ai/lab");
    grpc::ClientContext context;
    context.set_deadline(Deadline(timeout_));
    v1::Company answer;
    const absl::Time start = absl::Now();
    grpc::Status status = stub_->CreateCompany(&context, request, &answer);
    const absl::Time end = absl::Now();
    if (status.ok()) {
      names_.push_back(answer.name());
      max_revision_ = std::max(max_revision_, answer.update_revision());
      if (measured && split_ != nullptr) {
        const absl::Time committed =
            absl::FromUnixSeconds(answer.update_time().seconds()) +
            absl::Nanoseconds(answer.update_time().nanos());
        before_ns_.push_back(absl::ToInt64Nanoseconds(committed - start));
        after_ns_.push_back(absl::ToInt64Nanoseconds(end - committed));
      }
    }
    return status;
  }

 private:
  const absl::Duration timeout_;
  std::unique_ptr<v1::CompanyService::Stub> stub_;
  const std::string id_prefix_;
  Created* const created_;
  CreateSplit* const split_;
  std::vector<std::string> names_;
  std::vector<int64_t> before_ns_;
  std::vector<int64_t> after_ns_;
  int64_t max_revision_ = 0;
  int64_t seq_ = 0;
};

class GetCompanyClient final : public Client {
 public:
  GetCompanyClient(const Options& options, const std::string& address,
                   const std::vector<std::string>* names, int index)
      : timeout_(absl::Seconds(options.timeout_seconds)),
        stub_(
            v1::CompanyService::NewStub(OwnChannel(address, index, timeout_))),
        names_(names),
        gen_(index + 1),
        pick_(0, names->size() - 1) {}

  grpc::Status Call(bool) override {
    const std::string& name = (*names_)[pick_(gen_)];
    v1::GetCompanyRequest request;
    request.set_name(name);
    grpc::ClientContext context;
    context.set_deadline(Deadline(timeout_));
    v1::Company answer;
    grpc::Status status = stub_->GetCompany(&context, request, &answer);
    if (status.ok() && answer.name() != name) {
      return grpc::Status(
          grpc::StatusCode::INTERNAL,
          absl::StrCat("asked for ", name, ", got ", answer.name()));
    }
    return status;
  }

 private:
  const absl::Duration timeout_;
  std::unique_ptr<v1::CompanyService::Stub> stub_;
  const std::vector<std::string>* names_;
  std::mt19937_64 gen_;
  std::uniform_int_distribution<size_t> pick_;
};

// Every run's line as it ends, and the errors of all runs.
class Report {
 public:
  void Header() const {
    std::printf("%-34s %7s %9s %7s %10s %9s %9s\n", "RUN", "CLIENTS", "CALLS",
                "ERRORS", "OPS/S", "P50_MS", "P99_MS");
    std::fflush(stdout);
  }
  const RunResult& Add(RunResult r) {
    std::printf("%-34s %7d %9lld %7lld %10.0f %9.2f %9.2f\n", r.what.c_str(),
                r.clients, static_cast<long long>(r.ok),
                static_cast<long long>(r.errors), r.Rate(), r.Ms(0.5),
                r.Ms(0.99));
    std::fflush(stdout);
    if (r.errors > 0) {
      errors_ += r.errors;
      failures_.push_back(absl::StrFormat("%s, %d clients: %d failed, first %s",
                                          r.what, r.clients, r.errors,
                                          r.first_error));
    }
    runs_.push_back(std::move(r));
    return runs_.back();
  }
  void Error(const std::string& what) {
    ++errors_;
    failures_.push_back(what);
  }
  int64_t errors() const { return errors_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  std::vector<RunResult> runs_;
  std::vector<std::string> failures_;
  int64_t errors_ = 0;
};

struct WriteRow {
  RunResult txn, watched, create;
  // Sorted.
  std::vector<int64_t> before_ns, after_ns;
};

std::vector<WriteRow> RunWrites(const Options& options, const std::string& tag,
                                const LoadOptions& load, Created* created,
                                Report* report) {
  std::vector<WriteRow> rows;
  const auto& members = options.etcd_endpoints;
  for (int clients : options.write_clients) {
    WriteRow row;
    const std::string run = absl::StrCat(tag, "-w", clients);
    row.txn = report->Add(RunClients(
        "etcd Txn", clients,
        [&](int i) {
          return std::make_unique<EtcdTxnClient>(
              options, members[i % members.size()], absl::StrCat(run, "-", i),
              i, nullptr);
        },
        load));
    {
      WatchedRevisions watched;
      if (!watched.Start(members[0], options.prefix,
                         load.warmup + load.measured + absl::Minutes(2))) {
        report->Error("etcd Txn + watch: etcd did not open the watch");
      }
      row.watched = report->Add(RunClients(
          "etcd Txn + watch", clients,
          [&](int i) {
            return std::make_unique<EtcdTxnClient>(
                options, members[i % members.size()],
                absl::StrCat(run, "-watch-", i), i, &watched);
          },
          load));
    }
    CreateSplit split;
    row.create = report->Add(RunClients(
        "partnergraphd CreateCompany", clients,
        [&](int i) {
          return std::make_unique<CreateCompanyClient>(
              options, options.replicas[0], absl::StrCat(run, "-", i, "-"), i,
              created, &split);
        },
        load));
    {
      absl::MutexLock lock(&split.mu);
      row.before_ns = std::move(split.before_ns);
      row.after_ns = std::move(split.after_ns);
    }
    std::sort(row.before_ns.begin(), row.before_ns.end());
    std::sort(row.after_ns.begin(), row.after_ns.end());
    rows.push_back(std::move(row));
  }
  return rows;
}

void PrintWrites(const std::vector<WriteRow>& rows) {
  std::printf(
      "\nwrites: ops/s and latency (ms); partnergraphd/etcd goal >= 0.70\n");
  std::printf("%7s | %10s %7s %7s | %10s %7s %7s | %10s %7s %7s | %9s %11s\n",
              "CLIENTS", "ETCD_TXN/S", "P50", "P99", "TXN+WATCH", "P50", "P99",
              "PGD/S", "P50", "P99", "PGD/ETCD", "PGD/TXN+W");
  for (const WriteRow& r : rows) {
    auto ratio = [](const RunResult& a, const RunResult& b) {
      return b.Rate() > 0 ? a.Rate() / b.Rate() : NAN;
    };
    std::printf(
        "%7d | %10.0f %7.2f %7.2f | %10.0f %7.2f %7.2f | %10.0f %7.2f %7.2f "
        "| %8.2fx %10.2fx\n",
        r.txn.clients, r.txn.Rate(), r.txn.Ms(0.5), r.txn.Ms(0.99),
        r.watched.Rate(), r.watched.Ms(0.5), r.watched.Ms(0.99),
        r.create.Rate(), r.create.Ms(0.5), r.create.Ms(0.99),
        ratio(r.create, r.txn), ratio(r.create, r.watched));
  }
  std::printf(
      "\npartnergraphd CreateCompany latency (ms) split at the company's "
      "update_time (the writer's commit time, taken before planning):\n"
      "  BEFORE = the request's way in and its wait for a writer; AFTER = "
      "plan, etcd Txn, watch, local apply, answer\n");
  std::printf("%7s | %10s %9s | %9s %9s | %10s %9s\n", "CLIENTS", "BEFORE_P50",
              "P99", "AFTER_P50", "P99", "ETCD+W_P50", "P99");
  for (const WriteRow& r : rows) {
    std::printf("%7d | %10.2f %9.2f | %9.2f %9.2f | %10.2f %9.2f\n",
                r.create.clients, PercentileMs(r.before_ns, 0.5),
                PercentileMs(r.before_ns, 0.99), PercentileMs(r.after_ns, 0.5),
                PercentileMs(r.after_ns, 0.99), r.watched.Ms(0.5),
                r.watched.Ms(0.99));
  }
}

// Tops the created companies up to --companies and waits until every
// replica has applied them all; returns their names.
std::vector<std::string> PrepareReads(const Options& options,
                                      const std::string& tag, Created* created,
                                      Report* report) {
  int64_t have = 0;
  {
    absl::MutexLock lock(&created->mu);
    have = static_cast<int64_t>(created->names.size());
  }
  const absl::Time start = absl::Now();
  if (have < options.companies) {
    LoadOptions load{absl::ZeroDuration(), absl::InfiniteDuration(),
                     options.companies - have};
    report->Add(RunClients(
        "partnergraphd CreateCompany (reads)", 16,
        [&](int i) {
          return std::make_unique<CreateCompanyClient>(
              options, options.replicas[0], absl::StrCat(tag, "-r-", i, "-"), i,
              created, nullptr);
        },
        load));
  }
  absl::MutexLock lock(&created->mu);
  if (created->names.empty()) {
    report->Error("reads: no company was created");
    return {};
  }
  std::printf(
      "\nreads: %zu companies (%lld created by the write runs, the rest in "
      "%.1f s)\n",
      created->names.size(), static_cast<long long>(have),
      absl::ToDoubleSeconds(absl::Now() - start));
  for (const std::string& replica : options.replicas) {
    const absl::Time wait_start = absl::Now();
    auto stub = v1::CompanyService::NewStub(
        grpc::CreateChannel(replica, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(Deadline(absl::Seconds(60)));
    v1::GetCompanyRequest request;
    request.set_name(created->names.back());
    request.set_min_revision(created->max_revision);
    v1::Company answer;
    const grpc::Status status = stub->GetCompany(&context, request, &answer);
    if (!status.ok()) {
      report->Error(absl::StrCat("replica ", replica, " at revision ",
                                 created->max_revision, ": ",
                                 status.error_message()));
    }
    std::printf("replica %s had applied revision %lld after %.3f s\n",
                replica.c_str(), static_cast<long long>(created->max_revision),
                absl::ToDoubleSeconds(absl::Now() - wait_start));
  }
  return created->names;
}

struct ReadRow {
  RunResult one, two;
};

std::vector<ReadRow> RunReads(const Options& options,
                              const std::vector<std::string>& names,
                              const LoadOptions& load, Report* report) {
  std::vector<ReadRow> rows;
  for (int clients : options.read_clients) {
    ReadRow row;
    row.one = report->Add(RunClients(
        "GetCompany, 1 replica", clients,
        [&](int i) {
          return std::make_unique<GetCompanyClient>(
              options, options.replicas[0], &names, i);
        },
        load));
    row.two = report->Add(RunClients(
        "GetCompany, 2 replicas", clients,
        [&](int i) {
          return std::make_unique<GetCompanyClient>(
              options, options.replicas[i % 2], &names, i);
        },
        load));
    rows.push_back(std::move(row));
  }
  return rows;
}

void PrintReads(const std::vector<ReadRow>& rows) {
  std::printf("\nreads: GetCompany QPS and latency (ms)\n");
  std::printf("%7s | %10s %7s %7s | %10s %7s %7s | %9s\n", "CLIENTS",
              "1 REPLICA", "P50", "P99", "2 REPLICAS", "P50", "P99", "2/1");
  for (const ReadRow& r : rows) {
    std::printf("%7d | %10.0f %7.2f %7.2f | %10.0f %7.2f %7.2f | %8.2fx\n",
                r.one.clients, r.one.Rate(), r.one.Ms(0.5), r.one.Ms(0.99),
                r.two.Rate(), r.two.Ms(0.5), r.two.Ms(0.99),
                r.one.Rate() > 0 ? r.two.Rate() / r.one.Rate() : NAN);
  }
}

int Run(const Options& options) {
  if (options.etcd_endpoints.empty() || options.replicas.size() != 2 ||
      options.puts < 1 || options.value_bytes < 0 || options.seconds <= 0 ||
      options.companies < 1 || options.prefix.empty()) {
    std::fprintf(stderr,
                 "want --etcd_endpoints, two --replicas, --puts >= 1, "
                 "--seconds > 0, --companies >= 1 and a --prefix\n");
    return 2;
  }
  std::mt19937_64 seed(std::random_device{}());
  const std::string tag = absl::StrFormat("cb%06x", seed() & 0xffffff);
  const LoadOptions load{absl::Seconds(options.warmup_seconds),
                         absl::Seconds(options.seconds)};
  std::printf(
      "partnergraph cluster bench: etcd %s; replicas %s; %g s per run after "
      "%g s warm-up; one channel per client\n"
      "etcd Txn: 1 compare, %d puts of %d bytes + 1 marker put, under %s\n\n",
      absl::StrJoin(options.etcd_endpoints, ",").c_str(),
      absl::StrJoin(options.replicas, ",").c_str(), options.seconds,
      options.warmup_seconds, options.puts, options.value_bytes,
      options.prefix.c_str());
  Report report;
  report.Header();
  Created created;
  const std::vector<WriteRow> writes =
      RunWrites(options, tag, load, &created, &report);
  const std::vector<std::string> names =
      PrepareReads(options, tag, &created, &report);
  std::vector<ReadRow> reads;
  if (!names.empty()) {
    std::printf("\n");
    report.Header();
    reads = RunReads(options, names, load, &report);
  }

  PrintWrites(writes);
  PrintReads(reads);
  if (report.errors() == 0) {
    std::printf("\nerrors: none\n");
    return 0;
  }
  std::printf("\nerrors: %lld failed calls; this run's figures are suspect\n",
              static_cast<long long>(report.errors()));
  for (const std::string& f : report.failures()) {
    std::printf("  %s\n", f.c_str());
  }
  return 1;
}

}  // namespace
}  // namespace partnergraph::bench

int main(int argc, char** argv) {
  // Debian's Abseil is built with Mutex deadlock detection on, which records
  // a lock graph on every acquisition of every absl::Mutex (gRPC's included).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  partnergraph::bench::Options options;
  CLI::App app(
      "partnergraphd on etcd against etcd alone: write throughput and "
      "GetCompany QPS on one and two replicas.",
      "partnergraph_cluster_bench");
  app.add_option("--etcd_endpoints", options.etcd_endpoints,
                 "The cluster's client endpoints, HOST:PORT,...")
      ->required()
      ->delimiter(',');
  app.add_option("--replicas", options.replicas,
                 "Two partnergraphd replicas of it, HOST:PORT,HOST:PORT")
      ->required()
      ->delimiter(',');
  app.add_option("--seconds", options.seconds, "Measured seconds per run")
      ->capture_default_str();
  app.add_option("--warmup_seconds", options.warmup_seconds,
                 "Unmeasured seconds before each run")
      ->capture_default_str();
  app.add_option("--timeout_seconds", options.timeout_seconds,
                 "Deadline of each call")
      ->capture_default_str();
  app.add_option("--write_clients", options.write_clients,
                 "Client counts of the write runs")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--read_clients", options.read_clients,
                 "Client counts of the read runs")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--companies", options.companies,
                 "Least number of companies the reads pick from")
      ->capture_default_str();
  app.add_option("--puts", options.puts,
                 "Puts of an etcd Txn besides the marker's")
      ->capture_default_str();
  app.add_option("--value_bytes", options.value_bytes,
                 "Bytes of each of those values")
      ->capture_default_str();
  app.add_option("--prefix", options.prefix,
                 "etcd key prefix of the etcd Txn runs")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return partnergraph::bench::Run(options);
}
