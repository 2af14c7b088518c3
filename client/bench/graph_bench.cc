// partnergraph_graph_bench: graph queries of partnergraph against PostgreSQL
// 15 on the same synthetic graph (graphgen.h), from one driver, in one run.
//
// Phases, each timed and printed:
//   1. generate the graph (--companies, --partnerships, --seed) and the
//      inputs: start companies drawn uniformly and from the top 1% by degree;
//   2. build the ImportRecords messages (1000 records each), start
//      `partnergraphd --plaintext --sync --listen=127.0.0.1:0` on an empty
//      temporary data directory and load the graph through the public API:
//      AdminService.ImportRecords over --streams parallel streams when the
//      server implements it, else Create{Company,Partnership} with
//      --in_flight calls outstanding. The server is then restarted (index
//      rebuild included) for the queries;
//   3. start PostgreSQL 15 (pg_baseline.h) in a temporary directory, COPY the
//      same graph in, create the indexes and the edge table, VACUUM ANALYZE
//      (one load figure for the three); restart it with memory sized to the
//      data and prewarm it; prepare the statements;
//   4. warm both sides up, then run the same queries on both over the same
//      seeded inputs, one at a time: 1-hop and 2-hop neighbourhoods and
//      shortest paths (<= 4 hops), each from uniform and from top-1% starts,
//      and the quarterly memory-maker x AI trend by sector pair. Results are
//      compared per input (node / partnership counts, path length, group
//      counts) and every mismatch is printed. Both sides get the same
//      per-call time limit (--timeout_ms: the gRPC deadline, PostgreSQL's
//      statement_timeout); calls over it are counted as timeouts, and
//      partnergraph's RESOURCE_EXHAUSTED answers as refused;
//   5. print PostgreSQL's plan (EXPLAIN (ANALYZE, BUFFERS)) of each row's
//      median input, then the table of all rows;
//   6. import a second graph's partnerships (the next seed, same size, new
//      ids) between the loaded companies into a copy of the loaded store,
//      and print its rate.
//
// Memory: partnergraphd gets --cache_mb of RocksDB block cache; PostgreSQL
// gets shared_buffers sized to its tables and indexes (or
// --pg_shared_buffers_mb) and has all of them prewarmed. PostgreSQL loads
// with fsync off (its COPY formats the rows inside its time), partnergraphd
// with every batch fsync'ed before it is acknowledged (its messages are
// built before its clock starts).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/bench/as_of_bench.h"
#include "client/bench/graphgen.h"
#include "client/bench/pg_baseline.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/grpcpp.h"
#include "partnergraph/v1/admin_service.grpc.pb.h"
#include "partnergraph/v1/company_service.grpc.pb.h"
#include "partnergraph/v1/graph_service.grpc.pb.h"
#include "partnergraph/v1/partnership_service.grpc.pb.h"

extern char** environ;

namespace partnergraph::bench {
namespace {

namespace v1 = ::partnergraph::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  int64_t companies = 100000;
  int64_t partnerships = 1000000;
  uint64_t seed = 1;
  std::string server_binary;
  std::string pg_bin = "/usr/lib/postgresql/15/bin";
  std::string work_dir;
  int one_hop = 200;
  int two_hop = 100;
  int paths = 50;
  int trend = 20;
  int streams = 4;
  int in_flight = 256;
  int cache_mb = 1024;
  int pg_shared_buffers_mb = 0;
  int timeout_ms = 10000;
  int max_nodes = 1000;
  // Partnership updates before the as-of 2-hop line.
  int as_of_writes = 10000;
  bool keep = false;
};

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void Phase(const std::string& what, Clock::time_point start) {
  std::printf("[phase] %-48s %8.1f s\n", what.c_str(),
              Seconds(Clock::now() - start));
  std::fflush(stdout);
}

// Stops what this run started; called on every exit path.
std::vector<std::function<void()>>& Cleanups() {
  static auto* cleanups = new std::vector<std::function<void()>>;
  return *cleanups;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "graph_bench: %s\n", message.c_str());
  for (auto& f : Cleanups()) f();
  std::exit(1);
}

// ---------------------------------------------------------------------------
// partnergraphd

class Daemon {
 public:
  Daemon(std::string binary, std::string data_dir, std::string log,
         int cache_mb)
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        log_(std::move(log)),
        cache_mb_(cache_mb) {}
  ~Daemon() { Stop(); }

  // Starts it and returns "127.0.0.1:PORT".
  std::string Start(bool sync) {
    std::vector<std::string> args = {
        binary_, "--plaintext", "--listen=127.0.0.1:0",
        absl::StrCat("--data_dir=", data_dir_),
        absl::StrCat("--cache_mb=", cache_mb_), "--log_level=warning",
        // A 2-hop neighbourhood with its partnerships can exceed 4 MiB.
        "--max_message_bytes=67108864", sync ? "--sync" : "--nosync"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(),
                    environ) != 0) {
      Die(absl::StrCat("cannot start ", binary_));
    }
    posix_spawn_file_actions_destroy(&actions);
    std::ofstream(log_ + ".pid") << pid_ << "\n";
    for (int i = 0; i < 600; ++i) {
      std::ifstream in(log_);
      std::string line;
      while (std::getline(in, line)) {
        const size_t at = line.find("listening on ");
        if (at == std::string::npos) continue;
        std::string address = line.substr(at + 13);
        address = address.substr(0, address.find(' '));
        return address;
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        Die(absl::StrCat("partnergraphd exited; log in ", log_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Die(absl::StrCat("partnergraphd printed no address; log in ", log_));
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string binary_, data_dir_, log_;
  int cache_mb_;
  pid_t pid_ = -1;
};

// ImportRecords messages of 1000 records each.
using Requests = std::vector<v1::ImportRecordsRequest>;

Requests BuildRequests(int64_t total,
                       const std::function<void(int64_t, v1::Record*)>& fill) {
  Requests requests;
  for (int64_t i = 0; i < total; i += 1000) {
    v1::ImportRecordsRequest& request = requests.emplace_back();
    for (int64_t k = i; k < std::min(total, i + 1000); ++k) {
      fill(k, request.add_records());
    }
  }
  return requests;
}

Requests CompanyRequests(const graphgen::Graph& graph) {
  return BuildRequests(static_cast<int64_t>(graph.companies.size()),
                       [&](int64_t i, v1::Record* r) {
                         *r->mutable_company() =
                             graphgen::ToApiCompany(graph.companies[i]);
                       });
}

// The partnerships of `from` between the companies of `graph` (the same
// company indices), their ids starting with `id_prefix` instead of "p".
Requests PartnershipRequests(const graphgen::Graph& graph,
                             const graphgen::Graph& from,
                             const std::string& id_prefix) {
  return BuildRequests(static_cast<int64_t>(from.partnerships.size()),
                       [&](int64_t i, v1::Record* r) {
                         graphgen::Partnership p = from.partnerships[i];
                         p.id = id_prefix + p.id.substr(1);
                         *r->mutable_partnership() =
                             graphgen::ToApiPartnership(graph, p);
                       });
}

struct ImportTotals {
  int64_t written = 0;
  int64_t refused = 0;
};

// Sends `requests` on `streams` parallel ImportRecords streams (stream s
// sends requests s, s + streams, ...). UNIMPLEMENTED when the server lacks
// the RPC.
absl::Status ImportRequests(const std::shared_ptr<grpc::Channel>& channel,
                            const Requests& requests, int streams,
                            ImportTotals* totals) {
  auto stub = v1::AdminService::NewStub(channel);
  std::vector<absl::Status> results(streams);
  std::vector<v1::ImportRecordsResponse> responses(streams);
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      grpc::ClientContext context;
      auto writer = stub->ImportRecords(&context, &responses[s]);
      for (size_t i = s; i < requests.size(); i += streams) {
        if (!writer->Write(requests[i])) break;
      }
      writer->WritesDone();
      grpc::Status status = writer->Finish();
      results[s] =
          status.ok()
              ? absl::OkStatus()
              : absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                             status.error_message());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int s = 0; s < streams; ++s) {
    if (!results[s].ok()) return results[s];
    totals->written +=
        responses[s].companies_written() + responses[s].partnerships_written();
    totals->refused += responses[s].errors_size() + responses[s].more_errors();
  }
  return absl::OkStatus();
}

// Loads with one Create call per record, `in_flight` outstanding.
absl::Status CreateGraph(const std::shared_ptr<grpc::Channel>& channel,
                         const graphgen::Graph& graph, int in_flight) {
  auto companies = v1::CompanyService::NewStub(channel);
  auto partnerships = v1::PartnershipService::NewStub(channel);
  struct Call {
    grpc::ClientContext context;
    grpc::Status status;
    v1::Company company;
    v1::Partnership partnership;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Company>> c;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Partnership>> p;
  };
  auto run = [&](int64_t total, bool is_company) -> absl::Status {
    grpc::CompletionQueue cq;
    int64_t next = 0, outstanding = 0;
    absl::Status first_error;
    auto issue = [&](int64_t i) {
      auto* call = new Call;
      call->context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::seconds(60));
      if (is_company) {
        v1::CreateCompanyRequest req;
        *req.mutable_company() = graphgen::ToApiCompany(graph.companies[i]);
        req.set_company_id(graph.companies[i].id);
        call->c = companies->AsyncCreateCompany(&call->context, req, &cq);
        call->c->Finish(&call->company, &call->status, call);
      } else {
        v1::CreatePartnershipRequest req;
        *req.mutable_partnership() =
            graphgen::ToApiPartnership(graph, graph.partnerships[i]);
        req.set_partnership_id(graph.partnerships[i].id);
        call->p =
            partnerships->AsyncCreatePartnership(&call->context, req, &cq);
        call->p->Finish(&call->partnership, &call->status, call);
      }
      ++outstanding;
    };
    while (next < total && outstanding < in_flight) issue(next++);
    void* tag;
    bool ok;
    while (outstanding > 0 && cq.Next(&tag, &ok)) {
      auto* call = static_cast<Call*>(tag);
      --outstanding;
      if (!call->status.ok() && first_error.ok()) {
        first_error = absl::Status(
            static_cast<absl::StatusCode>(call->status.error_code()),
            call->status.error_message());
      }
      delete call;
      if (next < total && first_error.ok()) issue(next++);
    }
    return first_error;
  };
  absl::Status s = run(static_cast<int64_t>(graph.companies.size()), true);
  if (!s.ok()) return s;
  return run(static_cast<int64_t>(graph.partnerships.size()), false);
}

// Loads the graph into a fresh partnergraphd with sync on (the messages
// built before the clock starts), then restarts it; returns its address.
std::string LoadPgraph(const Options& o, const graphgen::Graph& graph,
                       Daemon* daemon) {
  auto t = Clock::now();
  const Requests companies = CompanyRequests(graph);
  const Requests partnerships = PartnershipRequests(graph, graph, "p");
  Phase("partnergraph ImportRecords messages built", t);
  std::string address = daemon->Start(/*sync=*/true);
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  t = Clock::now();
  ImportTotals totals;
  absl::Status s = ImportRequests(channel, companies, o.streams, &totals);
  if (s.ok()) s = ImportRequests(channel, partnerships, o.streams, &totals);
  if (absl::IsUnimplemented(s)) {
    std::printf("ImportRecords unimplemented; loading with Create calls\n");
    s = CreateGraph(channel, graph, o.in_flight);
    Phase("partnergraph load (Create calls, --sync)", t);
  } else {
    const double seconds = Seconds(Clock::now() - t);
    Phase("partnergraph load (ImportRecords, --sync)", t);
    std::printf(
        "partnergraph load: %lld records written, %lld refused; %.0f "
        "partnerships/s, %.0f records/s\n",
        static_cast<long long>(totals.written),
        static_cast<long long>(totals.refused),
        static_cast<double>(graph.partnerships.size()) / seconds,
        static_cast<double>(graph.companies.size() +
                            graph.partnerships.size()) /
            seconds);
  }
  if (!s.ok()) Die(absl::StrCat("load failed: ", s.ToString()));
  daemon->Stop();
  t = Clock::now();
  address = daemon->Start(/*sync=*/true);
  Phase("partnergraph restart (sync on)", t);
  return address;
}

// A second graph's partnerships (next seed, same size) between the loaded
// companies, with new ids, imported into a copy of the loaded store (the
// index bench reads the original after this run); prints the rate.
void ImportSecondGraph(const Options& o, const graphgen::Graph& graph,
                       const std::string& work) {
  auto t = Clock::now();
  const std::string copy = work + "/pgraph-data-second";
  std::filesystem::copy(work + "/pgraph-data", copy,
                        std::filesystem::copy_options::recursive);
  Daemon daemon(o.server_binary, copy, work + "/partnergraphd-second.log",
                o.cache_mb);
  Cleanups().push_back([&daemon] { daemon.Stop(); });
  const std::string address = daemon.Start(/*sync=*/true);
  Phase("loaded store copied, partnergraphd started on the copy", t);
  t = Clock::now();
  absl::StatusOr<graphgen::Graph> second =
      graphgen::Generate({o.companies, o.partnerships, o.seed + 1});
  if (!second.ok()) Die(second.status().ToString());
  const Requests requests = PartnershipRequests(graph, *second, "q");
  Phase("second graph generated, messages built", t);
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  t = Clock::now();
  ImportTotals totals;
  absl::Status s = ImportRequests(channel, requests, o.streams, &totals);
  if (!s.ok()) Die(absl::StrCat("second import failed: ", s.ToString()));
  const double seconds = Seconds(Clock::now() - t);
  Phase("partnergraph second import into the loaded store", t);
  std::printf(
      "second import: %zu partnerships into the loaded store, %lld written, "
      "%lld refused (duplicates of loaded ones); %.0f partnerships/s\n",
      second->partnerships.size(), static_cast<long long>(totals.written),
      static_cast<long long>(totals.refused),
      static_cast<double>(second->partnerships.size()) / seconds);
  daemon.Stop();
  Cleanups().pop_back();
  std::error_code ec;
  std::filesystem::remove_all(copy, ec);
}

// ---------------------------------------------------------------------------
// Measurement

struct Sample {
  double ms = 0;
  bool timed_out = false;
  // partnergraph answered RESOURCE_EXHAUSTED (a size limit).
  bool refused = false;
};

// One row of the table: the same inputs on both sides.
struct Row {
  std::string name;
  double goal = 0;
  // Per input.
  std::vector<Sample> pg, pgraph;
  std::vector<std::string> labels;
  int compared = 0, mismatches = 0, skipped = 0;
  // EXPLAIN (ANALYZE, BUFFERS) of PostgreSQL's statement for input i.
  std::function<absl::StatusOr<std::string>(size_t)> explain;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

// The times of the inputs partnergraph did not refuse.
std::vector<double> Times(const Row& row, const std::vector<Sample>& side) {
  std::vector<double> out;
  for (size_t i = 0; i < side.size(); ++i) {
    if (!row.pgraph[i].refused) out.push_back(side[i].ms);
  }
  return out;
}

int Count(const std::vector<Sample>& s, bool Sample::*flag) {
  int n = 0;
  for (const Sample& x : s) n += x.*flag;
  return n;
}

// Start companies and pairs: uniformly drawn, and drawn from the top 1% of
// companies by degree (pairs: from such a hub to a uniformly drawn company).
// Each from a seeded stream of its own.
struct Inputs {
  std::vector<int32_t> one_hop, two_hop, hub_one_hop, hub_two_hop;
  std::vector<std::pair<int32_t, int32_t>> pairs, hub_pairs;
  std::vector<int32_t> warm, hub_warm;
  size_t hubs = 0;
  int64_t min_hub_degree = 0;
};

Inputs MakeInputs(const Options& o, const graphgen::Graph& graph) {
  const int64_t n = static_cast<int64_t>(graph.companies.size());
  std::vector<int64_t> degree(n, 0);
  for (const graphgen::Partnership& p : graph.partnerships) {
    for (int32_t c : p.participants) ++degree[c];
  }
  std::vector<int32_t> by_degree(n);
  for (int32_t i = 0; i < n; ++i) by_degree[i] = i;
  std::stable_sort(by_degree.begin(), by_degree.end(),
                   [&](int32_t a, int32_t b) { return degree[a] > degree[b]; });
  Inputs in;
  in.hubs = static_cast<size_t>(std::max<int64_t>(1, n / 100));
  by_degree.resize(in.hubs);
  in.min_hub_degree = degree[by_degree.back()];

  std::mt19937_64 rng(o.seed * 1000003 + 17);
  auto pick = [&] {
    return static_cast<int32_t>(rng() % static_cast<uint64_t>(n));
  };
  std::mt19937_64 hub_rng(o.seed * 1000003 + 29);
  auto pick_hub = [&] { return by_degree[hub_rng() % by_degree.size()]; };
  auto pair_from = [&](int32_t a) {
    int32_t b = pick();
    while (b == a) b = pick();
    return std::make_pair(a, b);
  };
  for (int i = 0; i < o.one_hop; ++i) in.one_hop.push_back(pick());
  for (int i = 0; i < o.two_hop; ++i) in.two_hop.push_back(pick());
  for (int i = 0; i < o.paths; ++i) in.pairs.push_back(pair_from(pick()));
  for (int i = 0; i < 20; ++i) in.warm.push_back(pick());
  for (int i = 0; i < o.one_hop; ++i) in.hub_one_hop.push_back(pick_hub());
  for (int i = 0; i < o.two_hop; ++i) in.hub_two_hop.push_back(pick_hub());
  for (int i = 0; i < o.paths; ++i) {
    in.hub_pairs.push_back(pair_from(pick_hub()));
  }
  for (int i = 0; i < 20; ++i) in.hub_warm.push_back(pick_hub());
  return in;
}

void PrintTable(const std::vector<Row>& rows) {
  std::printf("\n%-22s %9s %9s %9s %9s %9s %6s %6s %7s %7s  %s\n", "query",
              "pg p50", "pg p99", "pgr p50", "pgr p99", "ratio", "goal",
              "t/o pg", "t/o pgr", "refused", "checks");
  for (const Row& r : rows) {
    const double pg50 = Percentile(Times(r, r.pg), 0.5);
    const double pr50 = Percentile(Times(r, r.pgraph), 0.5);
    std::printf(
        "%-22s %9.2f %9.2f %9.2f %9.2f %8.1fx %5.0fx %6d %7d %7d  %d "
        "compared, %d mismatched, %d not comparable\n",
        r.name.c_str(), pg50, Percentile(Times(r, r.pg), 0.99), pr50,
        Percentile(Times(r, r.pgraph), 0.99), pr50 > 0 ? pg50 / pr50 : 0.0,
        r.goal, Count(r.pg, &Sample::timed_out),
        Count(r.pgraph, &Sample::timed_out), Count(r.pgraph, &Sample::refused),
        r.compared, r.mismatches, r.skipped);
  }
  std::printf(
      "(ms; pg = PostgreSQL, pgr = partnergraph; ratio = pg p50 / pgr p50; "
      "goal = wanted ratio; t/o = calls over the time limit, counted at the "
      "limit; refused = partnergraph answered RESOURCE_EXHAUSTED, that input "
      "left out of both sides' percentiles; top1%% = starts drawn from the "
      "top 1%% of companies by degree, paths from such a company to a "
      "uniformly drawn one)\n\n");
  std::fflush(stdout);
}

// The plan of each row's median input (by PostgreSQL time).
void PrintPlans(const std::vector<Row>& rows) {
  std::printf(
      "\n=== PostgreSQL plans: EXPLAIN (ANALYZE, BUFFERS) of each row's "
      "prepared statement, on the input with the row's median PostgreSQL "
      "time ===\n");
  for (const Row& r : rows) {
    if (r.pg.empty() || !r.explain) continue;
    std::vector<size_t> order(r.pg.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return r.pg[a].ms < r.pg[b].ms; });
    const size_t i = order[order.size() / 2];
    absl::StatusOr<std::string> plan = r.explain(i);
    if (!plan.ok()) Die(plan.status().ToString());
    std::printf("\n--- %s: %s (%.2f ms in the timed run)\n%s", r.name.c_str(),
                r.labels[i].c_str(), r.pg[i].ms, plan->c_str());
  }
  std::printf("=== end of PostgreSQL plans ===\n");
  std::fflush(stdout);
}

// The queries of both sides, one call at a time.
class Sides {
 public:
  using Groups = PgQueries::Groups;
  struct Hood {
    int nodes = 0, partnerships = 0;
    bool truncated = false;
  };

  Sides(const Options& o, const graphgen::Graph& graph,
        const std::shared_ptr<grpc::Channel>& channel, PgQueries* pg)
      : o_(o),
        graph_(graph),
        stub_(v1::GraphService::NewStub(channel)),
        pg_(pg) {}

  // False when partnergraph does not implement the graph queries.
  bool ProbePgraph() {
    v1::GetNeighborhoodRequest req;
    req.set_company(Name(0));
    v1::GetNeighborhoodResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    grpc::Status s = stub_->GetNeighborhood(&ctx, req, &resp);
    pgraph_on_ = s.error_code() != grpc::StatusCode::UNIMPLEMENTED;
    return pgraph_on_;
  }

  bool PgraphHood(int32_t c, int depth, Sample* sample, Hood* hood) {
    if (!pgraph_on_) return false;
    v1::GetNeighborhoodRequest req;
    req.set_company(Name(c));
    req.set_depth(depth);
    req.set_max_nodes(o_.max_nodes);
    v1::GetNeighborhoodResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = stub_->GetNeighborhood(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    hood->nodes = resp.nodes_size();
    hood->partnerships = resp.partnerships_size();
    hood->truncated = resp.truncated();
    return true;
  }

  bool PgHood(int32_t c, int depth, Sample* sample, Hood* hood) {
    const auto t0 = Clock::now();
    absl::StatusOr<PgQueries::Neighborhood> r =
        pg_->GetNeighborhood(graph_.companies[c].id, depth, o_.max_nodes);
    sample->ms = Ms(Clock::now() - t0);
    if (!PgOk(r.status(), sample)) return false;
    hood->nodes = r->nodes;
    hood->partnerships = r->partnerships;
    return true;
  }

  bool PgraphPath(std::pair<int32_t, int32_t> p, Sample* sample, int* len) {
    if (!pgraph_on_) return false;
    v1::FindPathsRequest req;
    req.set_from(Name(p.first));
    req.set_to(Name(p.second));
    req.set_max_depth(4);
    v1::FindPathsResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = stub_->FindPaths(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    *len = resp.paths_size() == 0 ? -1 : resp.paths(0).steps_size();
    return true;
  }

  bool PgPath(std::pair<int32_t, int32_t> p, Sample* sample, int* len) {
    const auto t0 = Clock::now();
    absl::StatusOr<int> r = pg_->ShortestPathLength(
        graph_.companies[p.first].id, graph_.companies[p.second].id);
    sample->ms = Ms(Clock::now() - t0);
    if (!PgOk(r.status(), sample)) return false;
    *len = *r;
    return true;
  }

  bool PgraphTrend(Sample* sample, Groups* groups) {
    if (!pgraph_on_) return false;
    v1::AggregatePartnershipsRequest req;
    req.mutable_filter()->add_participant_sectors("semiconductors/memory");
    req.mutable_filter()->add_participant_sectors("ai");
    req.add_group_by(v1::QUARTER);
    req.add_group_by(v1::SECTOR_PAIR);
    req.set_max_groups(10000);
    v1::AggregatePartnershipsResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = stub_->AggregatePartnerships(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    for (const v1::AggregateGroup& g : resp.groups()) {
      (*groups)[absl::StrJoin(g.keys(), " | ")] = g.count();
    }
    (*groups)["total"] = resp.total();
    return true;
  }

  bool PgTrend(Sample* sample, Groups* groups) {
    const auto t0 = Clock::now();
    absl::StatusOr<Groups> r = pg_->MemoryAiTrend();
    sample->ms = Ms(Clock::now() - t0);
    if (!PgOk(r.status(), sample)) return false;
    *groups = *std::move(r);
    return true;
  }

  std::string Name(int32_t c) const {
    return absl::StrCat("companies/", graph_.companies[c].id);
  }

 private:
  void SetDeadline(grpc::ClientContext* c) const {
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(o_.timeout_ms));
  }

  static bool CallOk(const grpc::Status& s, Sample* sample) {
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      sample->timed_out = true;
      return false;
    }
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      sample->refused = true;
      return false;
    }
    if (!s.ok()) {
      Die(absl::StrCat("partnergraph call failed: ", s.error_code(), " ",
                       s.error_message()));
    }
    return true;
  }

  static bool PgOk(const absl::Status& s, Sample* sample) {
    if (absl::IsDeadlineExceeded(s)) {
      sample->timed_out = true;
      return false;
    }
    if (!s.ok()) Die(absl::StrCat("PostgreSQL query failed: ", s.ToString()));
    return true;
  }

  const Options& o_;
  const graphgen::Graph& graph_;
  std::unique_ptr<v1::GraphService::Stub> stub_;
  PgQueries* pg_;
  bool pgraph_on_ = true;
};

// Counts the outcome of one input on both sides into `row`; `same` compares
// the two answers when both came.
void Tally(Row* row, const Sample& pg, bool ok_pg, const Sample& pgraph,
           bool ok_pgraph, const std::function<bool()>& same) {
  row->pg.push_back(pg);
  row->pgraph.push_back(pgraph);
  if (!ok_pg || !ok_pgraph) {
    if (!pgraph.refused) ++row->skipped;
    return;
  }
  ++row->compared;
  if (!same()) ++row->mismatches;
}

Row NeighborhoodRow(Sides& sides, PgQueries& pg, const graphgen::Graph& graph,
                    const std::string& name, int depth,
                    const std::vector<int32_t>& starts, int max_nodes) {
  Row row;
  row.name = name;
  row.goal = depth == 1 ? 50 : 10;
  for (int32_t c : starts) {
    Sample a, b;
    Sides::Hood ha, hb;
    const bool ok_pg = sides.PgHood(c, depth, &a, &ha);
    const bool ok_pr = sides.PgraphHood(c, depth, &b, &hb);
    row.labels.push_back(graph.companies[c].id);
    // A truncated answer may cut its last level and its partnerships
    // differently; then only the node count must agree.
    Tally(&row, a, ok_pg, b, ok_pr, [&] {
      if (ha.nodes == hb.nodes &&
          (hb.truncated || ha.partnerships == hb.partnerships)) {
        return true;
      }
      std::printf(
          "MISMATCH %s %s: postgres %d nodes %d partnerships, "
          "partnergraph %d nodes %d partnerships\n",
          name.c_str(), graph.companies[c].id.c_str(), ha.nodes,
          ha.partnerships, hb.nodes, hb.partnerships);
      return false;
    });
  }
  row.explain = [&pg, &graph, starts, depth, max_nodes](size_t i) {
    return pg.ExplainNeighborhood(graph.companies[starts[i]].id, depth,
                                  max_nodes);
  };
  return row;
}

Row PathRow(Sides& sides, PgQueries& pg, const graphgen::Graph& graph,
            const std::string& name,
            const std::vector<std::pair<int32_t, int32_t>>& pairs) {
  Row row;
  row.name = name;
  row.goal = 30;
  for (const auto& p : pairs) {
    Sample a, b;
    int la = -2, lb = -2;
    const bool ok_pg = sides.PgPath(p, &a, &la);
    const bool ok_pr = sides.PgraphPath(p, &b, &lb);
    const std::string& from = graph.companies[p.first].id;
    const std::string& to = graph.companies[p.second].id;
    row.labels.push_back(absl::StrCat(from, " -> ", to));
    Tally(&row, a, ok_pg, b, ok_pr, [&] {
      if (la == lb) return true;
      std::printf(
          "MISMATCH path %s -> %s: postgres length %d, partnergraph %d\n",
          from.c_str(), to.c_str(), la, lb);
      return false;
    });
  }
  row.explain = [&pg, &graph, pairs](size_t i) {
    return pg.ExplainShortestPath(graph.companies[pairs[i].first].id,
                                  graph.companies[pairs[i].second].id);
  };
  return row;
}

Row TrendRow(Sides& sides, PgQueries& pg, int runs) {
  Row row;
  row.name = "trend memory x ai/qtr";
  row.goal = 5;
  for (int i = 0; i < runs; ++i) {
    Sample a, b;
    Sides::Groups ga, gb;
    const bool ok_pg = sides.PgTrend(&a, &ga);
    const bool ok_pr = sides.PgraphTrend(&b, &gb);
    row.labels.push_back(absl::StrCat("run ", i + 1));
    Tally(&row, a, ok_pg, b, ok_pr, [&] {
      if (ga == gb) {
        if (i == 0) {
          std::printf(
              "trend: %zu groups, %lld partnerships (both sides agree)\n",
              ga.size() - 1, static_cast<long long>(ga["total"]));
        }
        return true;
      }
      if (i > 0) return false;
      for (const auto& [k, v] : ga) {
        auto it = gb.find(k);
        if (it == gb.end() || it->second != v) {
          std::printf("MISMATCH trend %s: postgres %lld, partnergraph %lld\n",
                      k.c_str(), static_cast<long long>(v),
                      static_cast<long long>(it == gb.end() ? -1 : it->second));
        }
      }
      for (const auto& [k, v] : gb) {
        if (!ga.count(k)) {
          std::printf("MISMATCH trend %s: postgres -, partnergraph %lld\n",
                      k.c_str(), static_cast<long long>(v));
        }
      }
      return false;
    });
  }
  row.explain = [&pg](size_t) { return pg.ExplainTrend(); };
  return row;
}

// Not measured: both sides, every query kind and both kinds of start
// (PostgreSQL plans each prepared statement at its first execution).
void WarmUp(Sides& sides, const Inputs& inputs) {
  for (const auto* starts : {&inputs.warm, &inputs.hub_warm}) {
    for (size_t i = 0; i < starts->size(); ++i) {
      const int32_t c = (*starts)[i];
      const std::pair<int32_t, int32_t> pair(
          c, (*starts)[(i + 1) % starts->size()]);
      Sample s;
      Sides::Hood h;
      int len;
      for (int depth : {1, 2}) {
        sides.PgHood(c, depth, &s, &h);
        sides.PgraphHood(c, depth, &s, &h);
      }
      if (pair.first != pair.second) {
        sides.PgPath(pair, &s, &len);
        sides.PgraphPath(pair, &s, &len);
      }
    }
  }
  for (int i = 0; i < 8; ++i) {
    Sample s;
    Sides::Groups g;
    sides.PgTrend(&s, &g);
    sides.PgraphTrend(&s, &g);
  }
}

// PostgreSQL: start, COPY, index, VACUUM ANALYZE; then restart with memory
// sized to the data and prewarm. Returns the memory it got.
PgMemory LoadPostgres(const Options& o, const graphgen::Graph& graph,
                      PgCluster* cluster) {
  const int64_t ram = PhysicalMemoryBytes();
  PgMemory load_memory = MemoryForData(0, ram, o.pg_shared_buffers_mb);
  load_memory.shared_buffers_mb =
      std::max<int64_t>(load_memory.shared_buffers_mb, 1024);
  auto t = Clock::now();
  if (absl::Status s = cluster->Start(load_memory); !s.ok()) {
    Die(s.ToString());
  }
  Phase("postgres initdb + start", t);
  absl::StatusOr<PgConn> conn = cluster->Connect();
  if (!conn.ok()) Die(conn.status().ToString());
  const auto t_load = Clock::now();
  t = t_load;
  if (absl::Status s = PgCopyGraph(conn->get(), graph); !s.ok()) {
    Die(s.ToString());
  }
  Phase("postgres COPY", t);
  t = Clock::now();
  if (absl::Status s = PgCreateIndexes(conn->get()); !s.ok()) {
    Die(s.ToString());
  }
  Phase("postgres indexes + edge table", t);
  t = Clock::now();
  if (absl::Status s = PgVacuumAnalyze(conn->get()); !s.ok()) {
    Die(s.ToString());
  }
  Phase("postgres VACUUM ANALYZE", t);
  Phase("postgres load (COPY + indexes + VACUUM ANALYZE)", t_load);
  absl::StatusOr<int64_t> bytes = PgDataBytes(conn->get());
  if (!bytes.ok()) Die(bytes.status().ToString());
  absl::StatusOr<std::pair<int64_t, int64_t>> visible =
      PgAllVisiblePages(conn->get());
  if (!visible.ok()) Die(visible.status().ToString());
  conn->reset();

  t = Clock::now();
  const PgMemory memory = MemoryForData(*bytes, ram, o.pg_shared_buffers_mb);
  cluster->Stop();
  if (absl::Status s = cluster->Start(memory); !s.ok()) Die(s.ToString());
  conn = cluster->Connect();
  if (!conn.ok()) Die(conn.status().ToString());
  absl::StatusOr<int64_t> blocks = PgPrewarm(conn->get());
  if (!blocks.ok()) Die(blocks.status().ToString());
  Phase("postgres restart with memory for the data + prewarm", t);
  std::printf(
      "postgres: tables + indexes %.0f MiB, %.0f MiB prewarmed into "
      "shared_buffers; %lld of %lld table pages all-visible\n",
      static_cast<double>(*bytes) / (1 << 20),
      static_cast<double>(*blocks) * 8192 / (1 << 20),
      static_cast<long long>(visible->first),
      static_cast<long long>(visible->second));
  return memory;
}

// The scratch directory: --work_dir, else a new one under /tmp.
std::string WorkDir(const Options& o) {
  std::string work = o.work_dir;
  if (work.empty()) {
    char tmpl[] = "/tmp/partnergraph-graph-bench.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
    work = tmpl;
  }
  std::filesystem::create_directories(work);
  chmod(work.c_str(), 0755);
  return work;
}

// Every row, each printed as it completes.
std::vector<Row> MeasureRows(const Options& o, const graphgen::Graph& graph,
                             const Inputs& inputs, Sides& sides, PgQueries& q) {
  std::vector<Row> rows;
  auto measure = [&](const std::function<Row()>& run) {
    const auto t0 = Clock::now();
    rows.push_back(run());
    PrintTable({rows.back()});
    Phase(rows.back().name, t0);
  };
  measure([&] {
    return NeighborhoodRow(sides, q, graph, "1-hop uniform", 1, inputs.one_hop,
                           o.max_nodes);
  });
  measure([&] {
    return NeighborhoodRow(sides, q, graph, "1-hop top1%", 1,
                           inputs.hub_one_hop, o.max_nodes);
  });
  measure([&] {
    return NeighborhoodRow(sides, q, graph, "2-hop uniform", 2, inputs.two_hop,
                           o.max_nodes);
  });
  measure([&] {
    return NeighborhoodRow(sides, q, graph, "2-hop top1%", 2,
                           inputs.hub_two_hop, o.max_nodes);
  });
  measure([&] {
    return PathRow(sides, q, graph, "path<=4 uniform", inputs.pairs);
  });
  measure([&] {
    return PathRow(sides, q, graph, "path<=4 top1%", inputs.hub_pairs);
  });
  measure([&] { return TrendRow(sides, q, o.trend); });

  return rows;
}

int Main(const Options& o) {
  const auto t_all = Clock::now();
  const std::string work = WorkDir(o);
  std::printf(
      "graph_bench: %lld companies, %lld partnerships, seed %llu; work dir "
      "%s\n",
      static_cast<long long>(o.companies),
      static_cast<long long>(o.partnerships),
      static_cast<unsigned long long>(o.seed), work.c_str());
  const std::string pg_memory =
      o.pg_shared_buffers_mb > 0
          ? absl::StrCat("shared_buffers=", o.pg_shared_buffers_mb, "MB")
          : "memory sized to its tables and indexes once loaded";
  std::printf("graph_bench: partnergraph gets --cache_mb=%d, PostgreSQL %s\n",
              o.cache_mb, pg_memory.c_str());

  auto t = Clock::now();
  absl::StatusOr<graphgen::Graph> generated =
      graphgen::Generate({o.companies, o.partnerships, o.seed});
  if (!generated.ok()) Die(generated.status().ToString());
  const graphgen::Graph& graph = *generated;
  const Inputs inputs = MakeInputs(o, graph);
  Phase("generate graph", t);

  Daemon daemon(o.server_binary, work + "/pgraph-data",
                work + "/partnergraphd.log", o.cache_mb);
  Cleanups().push_back([&daemon] { daemon.Stop(); });
  const std::string address = LoadPgraph(o, graph, &daemon);

  PgCluster cluster(o.pg_bin, work + "/pg");
  Cleanups().push_back([&cluster] { cluster.Stop(); });
  const PgMemory memory = LoadPostgres(o, graph, &cluster);
  absl::StatusOr<PgConn> conn = cluster.Connect();
  if (!conn.ok()) Die(conn.status().ToString());
  absl::StatusOr<std::unique_ptr<PgQueries>> pg =
      PgQueries::Prepare(conn->get(), o.timeout_ms);
  if (!pg.ok()) Die(pg.status().ToString());

  const std::string memory_line = absl::StrCat(
      "memory: partnergraph --cache_mb=", o.cache_mb,
      " (RocksDB block cache); PostgreSQL ", memory.ToString(),
      o.pg_shared_buffers_mb > 0 ? " (from --pg_shared_buffers_mb)"
                                 : " (sized to its tables and indexes)");
  std::printf("%s\n", memory_line.c_str());
  std::printf("starts: top 1%% = %zu companies of degree >= %lld\n",
              inputs.hubs, static_cast<long long>(inputs.min_hub_degree));

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  Sides sides(o, graph,
              grpc::CreateCustomChannel(
                  address, grpc::InsecureChannelCredentials(), channel_args),
              pg->get());
  if (!sides.ProbePgraph()) {
    std::printf(
        "GraphService is UNIMPLEMENTED in this partnergraphd: measuring "
        "PostgreSQL only\n");
  }
  t = Clock::now();
  WarmUp(sides, inputs);
  Phase("warm-up (both sides)", t);

  const std::vector<Row> rows = MeasureRows(o, graph, inputs, sides, **pg);
  PrintPlans(rows);
  std::printf("\n%s\n", memory_line.c_str());
  PrintTable(rows);

  t = Clock::now();
  AsOfBenchOptions as_of;
  as_of.writes = o.as_of_writes;
  as_of.max_nodes = o.max_nodes;
  as_of.timeout_ms = o.timeout_ms;
  as_of.seed = o.seed;
  RunAsOfBench(grpc::CreateCustomChannel(
                   address, grpc::InsecureChannelCredentials(), channel_args),
               graph, inputs.two_hop, as_of);
  Phase("2-hop as of a past revision", t);

  pg->reset();
  conn->reset();
  cluster.Stop();
  daemon.Stop();
  ImportSecondGraph(o, graph, work);
  Phase("total", t_all);
  if (!o.keep) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  return 0;
}

}  // namespace
}  // namespace partnergraph::bench

int main(int argc, char** argv) {
  partnergraph::bench::Options o;
  CLI::App app{"partnergraph vs PostgreSQL 15 graph-query benchmark"};
  app.add_option("--companies", o.companies)->capture_default_str();
  app.add_option("--partnerships", o.partnerships)->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--server_binary", o.server_binary, "Path of partnergraphd")
      ->required();
  app.add_option("--pg_bin", o.pg_bin, "PostgreSQL 15 bin directory")
      ->capture_default_str();
  app.add_option("--work_dir", o.work_dir,
                 "Scratch directory (default: a new one under /tmp)");
  app.add_option("--one_hop", o.one_hop,
                 "1-hop queries per row (uniform, top 1%)")
      ->capture_default_str();
  app.add_option("--two_hop", o.two_hop,
                 "2-hop queries per row (uniform, top 1%)")
      ->capture_default_str();
  app.add_option("--paths", o.paths,
                 "Shortest-path queries per row (uniform, top 1%)")
      ->capture_default_str();
  app.add_option("--trend", o.trend, "Trend queries")->capture_default_str();
  app.add_option("--streams", o.streams, "Parallel ImportRecords streams")
      ->capture_default_str();
  app.add_option("--in_flight", o.in_flight,
                 "Outstanding Create calls when ImportRecords is missing")
      ->capture_default_str();
  app.add_option("--cache_mb", o.cache_mb,
                 "partnergraphd --cache_mb (RocksDB block cache), MiB")
      ->capture_default_str();
  app.add_option("--pg_shared_buffers_mb", o.pg_shared_buffers_mb,
                 "PostgreSQL shared_buffers, MiB; 0 sizes it to the loaded "
                 "tables and indexes")
      ->capture_default_str();
  app.add_option("--timeout_ms", o.timeout_ms,
                 "Per-query limit on both sides (deadline / statement_timeout)")
      ->capture_default_str();
  app.add_option("--max_nodes", o.max_nodes, "Neighbourhood max_nodes")
      ->capture_default_str();
  app.add_option("--as_of_writes", o.as_of_writes,
                 "Writes between the past revision and now in the as-of line")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "Keep the work directory");
  CLI11_PARSE(app, argc, argv);
  return partnergraph::bench::Main(o);
}
