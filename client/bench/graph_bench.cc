// partnergraph_graph_bench: graph queries of partnergraph against PostgreSQL
// 15 on the same synthetic graph (graphgen.h), from one driver, in one run.
//
// Phases, each timed and printed:
//   1. generate the graph (--companies, --partnerships, --seed);
//   2. start `partnergraphd --plaintext --nosync --listen=127.0.0.1:0` on an
//      empty temporary data directory and load the graph through the public
//      API: AdminService.ImportRecords over --streams parallel streams when
//      the server implements it, else Create{Company,Partnership} with
//      --in_flight calls outstanding. The server is then restarted with sync
//      on (the default) for the queries;
//   3. start PostgreSQL 15 (initdb + pg_ctl from --pg_bin; as the `postgres`
//      user when run as root) on a free loopback port in a temporary
//      directory, COPY the same graph in, create the indexes, ANALYZE;
//   4. run the same queries on both sides over the same seeded inputs, one
//      at a time, after a warm-up pass: 1-hop and 2-hop neighbourhood,
//      shortest path (<= 4 hops) between random pairs, and the quarterly
//      memory-maker x AI trend by sector pair. Results are compared per input
//      (node / partnership counts, path length, group counts) and every
//      mismatch is printed. Both sides get the same per-call time limit
//      (--timeout_ms: the gRPC deadline, PostgreSQL's statement_timeout);
//      calls over it are counted as timeouts.
//
// Both engines get the same cache size (--cache_mb: RocksDB block cache,
// PostgreSQL shared_buffers). PostgreSQL loads with fsync off, as
// partnergraphd loads with --nosync; neither matters for the read queries.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/bench/graphgen.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/grpcpp.h"
#include "libpq-fe.h"
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
  int timeout_ms = 10000;
  int max_nodes = 1000;
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

int Run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Die("cannot find a free port");
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
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

// Loads through ImportRecords on `streams` parallel streams: all companies
// first, then all partnerships. UNIMPLEMENTED when the server lacks it.
absl::Status ImportGraph(const std::shared_ptr<grpc::Channel>& channel,
                         const graphgen::Graph& graph, int streams) {
  auto stub = v1::AdminService::NewStub(channel);
  auto run = [&](int64_t total,
                 const std::function<void(int64_t, v1::Record*)>& fill)
      -> absl::Status {
    std::vector<absl::Status> results(streams);
    std::vector<std::thread> threads;
    for (int s = 0; s < streams; ++s) {
      threads.emplace_back([&, s] {
        grpc::ClientContext context;
        v1::ImportRecordsResponse response;
        auto writer = stub->ImportRecords(&context, &response);
        v1::ImportRecordsRequest request;
        for (int64_t i = s * 1000; i < total; i += 1000LL * streams) {
          request.Clear();
          for (int64_t k = i; k < std::min(total, i + 1000); ++k) {
            fill(k, request.add_records());
          }
          if (!writer->Write(request)) break;
        }
        writer->WritesDone();
        grpc::Status status = writer->Finish();
        results[s] = status.ok() ? absl::OkStatus()
                                 : absl::Status(static_cast<absl::StatusCode>(
                                                    status.error_code()),
                                                status.error_message());
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& s : results) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  };
  absl::Status status = run(static_cast<int64_t>(graph.companies.size()),
                            [&](int64_t i, v1::Record* r) {
                              *r->mutable_company() =
                                  graphgen::ToApiCompany(graph.companies[i]);
                            });
  if (!status.ok()) return status;
  return run(static_cast<int64_t>(graph.partnerships.size()),
             [&](int64_t i, v1::Record* r) {
               *r->mutable_partnership() =
                   graphgen::ToApiPartnership(graph, graph.partnerships[i]);
             });
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

// ---------------------------------------------------------------------------
// PostgreSQL

class Postgres {
 public:
  Postgres(std::string bin, std::string dir, int cache_mb)
      : bin_(std::move(bin)), dir_(std::move(dir)), cache_mb_(cache_mb) {}
  ~Postgres() { Stop(); }

  void Start() {
    as_ = geteuid() == 0 ? "runuser -u postgres -- " : "";
    std::filesystem::create_directories(dir_);
    if (geteuid() == 0) Run(absl::StrCat("chown -R postgres ", dir_));
    const std::string data = dir_ + "/data";
    if (Run(absl::StrCat(as_, bin_, "/initdb -D ", data,
                         " -U postgres -A trust -E UTF8 --locale=C --no-sync",
                         " >", dir_, "/initdb.log 2>&1")) != 0) {
      Die(absl::StrCat("initdb failed; see ", dir_, "/initdb.log"));
    }
    port_ = FreePort();
    const std::string settings = absl::StrCat(
        "-p ", port_, " -k ", dir_,
        " -c listen_addresses=127.0.0.1 -c shared_buffers=", cache_mb_,
        "MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        " -c max_wal_size=8GB -c maintenance_work_mem=512MB -c work_mem=64MB",
        " -c effective_cache_size=8GB");
    if (Run(absl::StrCat(as_, bin_, "/pg_ctl -D ", data, " -l ", dir_,
                         "/server.log -w -t 120 -o '", settings,
                         "' start >/dev/null")) != 0) {
      Die(absl::StrCat("pg_ctl start failed; see ", dir_, "/server.log"));
    }
    started_ = true;
  }

  void Stop() {
    if (!started_) return;
    Run(absl::StrCat(as_, bin_, "/pg_ctl -D ", dir_,
                     "/data -m fast -w stop >/dev/null 2>&1"));
    started_ = false;
  }

  PGconn* Connect() {
    PGconn* conn = PQconnectdb(absl::StrCat("host=127.0.0.1 port=", port_,
                                            " user=postgres dbname=postgres")
                                   .c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      Die(absl::StrCat("cannot connect to PostgreSQL: ", PQerrorMessage(conn)));
    }
    return conn;
  }

  int port() const { return port_; }

 private:
  std::string bin_, dir_, as_;
  int cache_mb_;
  int port_ = 0;
  bool started_ = false;
};

void Exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    Die(absl::StrCat("SQL failed: ", PQerrorMessage(conn), " in: ", sql));
  }
  PQclear(r);
}

void Copy(PGconn* conn, const graphgen::Graph& graph, const std::string& table,
          int64_t rows) {
  PGresult* r = PQexec(
      conn, absl::StrCat("COPY ", table, " FROM STDIN (FORMAT csv, NULL '')")
                .c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    Die(absl::StrCat("COPY ", table, ": ", PQerrorMessage(conn)));
  }
  PQclear(r);
  std::string chunk;
  for (int64_t i = 0; i < rows; i += 20000) {
    chunk.clear();
    graphgen::AppendCsvRows(graph, table, i, std::min(rows, i + 20000), &chunk);
    if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) !=
        1) {
      Die(absl::StrCat("COPY ", table, ": ", PQerrorMessage(conn)));
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) Die(PQerrorMessage(conn));
  r = PQgetResult(conn);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    Die(absl::StrCat("COPY ", table, ": ", PQerrorMessage(conn)));
  }
  PQclear(r);
  while ((r = PQgetResult(conn)) != nullptr) PQclear(r);
}

void LoadPostgres(PGconn* conn, const graphgen::Graph& graph) {
  Exec(conn, R"sql(
    CREATE TABLE companies (
      id text NOT NULL, display_name text NOT NULL, sector text NOT NULL,
      country text, ticker text, website text);
    CREATE TABLE partnerships (
      id text NOT NULL, title text NOT NULL, status text NOT NULL,
      announced_on date NOT NULL, ended_on date, kinds smallint[] NOT NULL,
      sources int NOT NULL);
    CREATE TABLE participants (
      partnership_id text NOT NULL, company_id text NOT NULL,
      role text NOT NULL))sql");
  const int64_t n = static_cast<int64_t>(graph.companies.size());
  const int64_t m = static_cast<int64_t>(graph.partnerships.size());
  Copy(conn, graph, "companies", n);
  Copy(conn, graph, "partnerships", m);
  Copy(conn, graph, "participants", m);
}

void IndexPostgres(PGconn* conn) {
  Exec(conn, R"sql(
    ALTER TABLE companies ADD PRIMARY KEY (id);
    ALTER TABLE partnerships ADD PRIMARY KEY (id);
    ALTER TABLE participants ADD PRIMARY KEY (partnership_id, company_id);
    CREATE INDEX participants_by_company ON participants (company_id, partnership_id);
    CREATE INDEX partnerships_by_date ON partnerships (announced_on);
    CREATE INDEX companies_by_sector ON companies (sector text_pattern_ops);
    ANALYZE)sql");
}

// Runs a parameterized query; timed_out set on statement_timeout.
struct PgResult {
  PGresult* result = nullptr;
  bool timed_out = false;
  ~PgResult() {
    if (result) PQclear(result);
  }
};

void PgQuery(PGconn* conn, const char* sql,
             const std::vector<std::string>& args, PgResult* out) {
  std::vector<const char*> values;
  for (const std::string& a : args) values.push_back(a.c_str());
  out->result = PQexecParams(conn, sql, static_cast<int>(values.size()),
                             nullptr, values.data(), nullptr, nullptr, 0);
  if (PQresultStatus(out->result) == PGRES_TUPLES_OK) return;
  const char* state = PQresultErrorField(out->result, PG_DIAG_SQLSTATE);
  if (state != nullptr && std::string(state) == "57014") {
    out->timed_out = true;
    return;
  }
  Die(absl::StrCat("query failed: ", PQerrorMessage(conn)));
}

// The neighbourhood as GetNeighborhood defines it: companies within $2 hops
// ordered by (distance, id), cut at $3, and the partnerships with at least
// two participants among them.
constexpr char kNeighborhoodSql[] = R"sql(
WITH RECURSIVE walk(company_id, depth) AS (
    SELECT $1::text, 0
  UNION
    SELECT b.company_id, w.depth + 1
    FROM walk w
    JOIN participants a ON a.company_id = w.company_id
    JOIN participants b ON b.partnership_id = a.partnership_id
                       AND b.company_id <> a.company_id
    WHERE w.depth < $2::int),
nodes AS (
  SELECT company_id, min(depth) AS distance FROM walk
  GROUP BY company_id ORDER BY distance, company_id LIMIT $3::int),
edges AS (
  SELECT a.partnership_id FROM nodes n
  JOIN participants a ON a.company_id = n.company_id
  GROUP BY a.partnership_id HAVING count(*) >= 2)
SELECT 'c', n.distance, c::text FROM nodes n JOIN companies c ON c.id = n.company_id
UNION ALL
SELECT 'p', NULL, p::text FROM edges e JOIN partnerships p ON p.id = e.partnership_id
)sql";

// Shortest path length <= 4: breadth-first distances (UNION keeps each
// (company, depth) once) to depth 2 from both ends, met in the middle.
constexpr char kShortestPathSql[] = R"sql(
WITH RECURSIVE
f(company_id, depth) AS (
    SELECT $1::text, 0
  UNION
    SELECT b.company_id, f.depth + 1 FROM f
    JOIN participants a ON a.company_id = f.company_id
    JOIN participants b ON b.partnership_id = a.partnership_id
                       AND b.company_id <> a.company_id
    WHERE f.depth < 2),
t(company_id, depth) AS (
    SELECT $2::text, 0
  UNION
    SELECT b.company_id, t.depth + 1 FROM t
    JOIN participants a ON a.company_id = t.company_id
    JOIN participants b ON b.partnership_id = a.partnership_id
                       AND b.company_id <> a.company_id
    WHERE t.depth < 2),
fd AS (SELECT company_id, min(depth) AS d FROM f GROUP BY company_id),
td AS (SELECT company_id, min(depth) AS d FROM t GROUP BY company_id)
SELECT min(fd.d + td.d) FROM fd JOIN td USING (company_id)
)sql";

// AggregatePartnerships(participant_sectors = [semiconductors/memory, ai],
// group_by = [QUARTER, SECTOR_PAIR]) plus the total.
constexpr char kTrendSql[] = R"sql(
WITH sel AS (
  SELECT DISTINCT a.partnership_id
  FROM companies ca
  JOIN participants a ON a.company_id = ca.id
  JOIN participants b ON b.partnership_id = a.partnership_id
                     AND b.company_id <> a.company_id
  JOIN companies cb ON cb.id = b.company_id
  WHERE (ca.sector = 'semiconductors/memory'
         OR ca.sector LIKE 'semiconductors/memory/%')
    AND (cb.sector = 'ai' OR cb.sector LIKE 'ai/%')),
pairs AS (
  SELECT DISTINCT s.partnership_id,
         least(cx.sector, cy.sector) || ' x ' || greatest(cx.sector, cy.sector)
           AS pair
  FROM sel s
  JOIN participants x ON x.partnership_id = s.partnership_id
  JOIN participants y ON y.partnership_id = s.partnership_id
                     AND x.company_id < y.company_id
  JOIN companies cx ON cx.id = x.company_id
  JOIN companies cy ON cy.id = y.company_id)
SELECT extract(year FROM p.announced_on)::int || '-Q' ||
         extract(quarter FROM p.announced_on)::int, pairs.pair, count(*)
FROM pairs JOIN partnerships p ON p.id = pairs.partnership_id
GROUP BY 1, 2
UNION ALL
SELECT 'total', '', count(*) FROM sel
)sql";

// ---------------------------------------------------------------------------
// Measurement

struct Sample {
  double ms = 0;
  bool timed_out = false;
};

struct Row {
  std::string name;
  std::vector<Sample> pg, pgraph;
  double goal = 0;
  int compared = 0, mismatches = 0, skipped = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

std::vector<double> Times(const std::vector<Sample>& s) {
  std::vector<double> out;
  for (const Sample& x : s) out.push_back(x.ms);
  return out;
}

int Timeouts(const std::vector<Sample>& s) {
  int n = 0;
  for (const Sample& x : s) n += x.timed_out;
  return n;
}

// Random company indices and pairs from a stream of their own.
struct Inputs {
  std::vector<int32_t> one_hop, two_hop, warm;
  std::vector<std::pair<int32_t, int32_t>> pairs;
};

Inputs MakeInputs(const Options& o, int64_t n) {
  std::mt19937_64 rng(o.seed * 1000003 + 17);
  auto pick = [&] {
    return static_cast<int32_t>(rng() % static_cast<uint64_t>(n));
  };
  Inputs in;
  for (int i = 0; i < o.one_hop; ++i) in.one_hop.push_back(pick());
  for (int i = 0; i < o.two_hop; ++i) in.two_hop.push_back(pick());
  for (int i = 0; i < o.paths; ++i) {
    int32_t a = pick(), b = pick();
    while (b == a) b = pick();
    in.pairs.emplace_back(a, b);
  }
  for (int i = 0; i < 20; ++i) in.warm.push_back(pick());
  return in;
}

std::string Name(const graphgen::Graph& g, int32_t i) {
  return absl::StrCat("companies/", g.companies[i].id);
}

bool CallOk(const grpc::Status& s, Sample* sample) {
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    sample->timed_out = true;
    return false;
  }
  if (!s.ok()) {
    Die(absl::StrCat("partnergraph call failed: ", s.error_code(), " ",
                     s.error_message()));
  }
  return true;
}

void PrintTable(const std::vector<Row>& rows) {
  std::printf("\n%-26s %9s %9s %9s %9s %9s %8s %8s %s\n", "query", "pg p50",
              "pg p99", "pgr p50", "pgr p99", "ratio", "goal", "t/o pg",
              "t/o pgr  checks");
  for (const Row& r : rows) {
    const double pg50 = Percentile(Times(r.pg), 0.5);
    const double pr50 = Percentile(Times(r.pgraph), 0.5);
    std::printf(
        "%-26s %9.2f %9.2f %9.2f %9.2f %8.1fx %7.0fx %8d %7d  %d compared, %d "
        "mismatched, %d not comparable\n",
        r.name.c_str(), pg50, Percentile(Times(r.pg), 0.99), pr50,
        Percentile(Times(r.pgraph), 0.99), pr50 > 0 ? pg50 / pr50 : 0.0, r.goal,
        Timeouts(r.pg), Timeouts(r.pgraph), r.compared, r.mismatches,
        r.skipped);
  }
  std::printf(
      "(ms; ratio = PostgreSQL p50 / partnergraph p50; goal = wanted ratio; "
      "t/o = calls over the time limit, counted at the limit)\n\n");
  std::fflush(stdout);
}

int Main(const Options& o) {
  const auto t_all = Clock::now();
  std::string work = o.work_dir;
  if (work.empty()) {
    char tmpl[] = "/tmp/partnergraph-graph-bench.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
    work = tmpl;
  }
  std::filesystem::create_directories(work);
  chmod(work.c_str(), 0755);
  std::printf(
      "graph_bench: %lld companies, %lld partnerships, seed %llu; work dir "
      "%s\n",
      static_cast<long long>(o.companies),
      static_cast<long long>(o.partnerships),
      static_cast<unsigned long long>(o.seed), work.c_str());

  auto t = Clock::now();
  absl::StatusOr<graphgen::Graph> generated =
      graphgen::Generate({o.companies, o.partnerships, o.seed});
  if (!generated.ok()) Die(generated.status().ToString());
  const graphgen::Graph& graph = *generated;
  Phase("generate graph", t);

  // partnergraph: load.
  const std::string data_dir = work + "/pgraph-data";
  Daemon daemon(o.server_binary, data_dir, work + "/partnergraphd.log",
                o.cache_mb);
  Cleanups().push_back([&daemon] { daemon.Stop(); });
  std::string address = daemon.Start(/*sync=*/false);
  t = Clock::now();
  {
    auto channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    absl::Status s = ImportGraph(channel, graph, o.streams);
    if (absl::IsUnimplemented(s)) {
      std::printf("ImportRecords unimplemented; loading with Create calls\n");
      s = CreateGraph(channel, graph, o.in_flight);
      Phase("partnergraph load (Create calls, --nosync)", t);
    } else {
      Phase("partnergraph load (ImportRecords, --nosync)", t);
    }
    if (!s.ok()) Die(absl::StrCat("load failed: ", s.ToString()));
  }
  daemon.Stop();
  t = Clock::now();
  address = daemon.Start(/*sync=*/true);
  Phase("partnergraph restart (sync on)", t);

  // PostgreSQL: start, COPY, index.
  Postgres pg(o.pg_bin, work + "/pg", o.cache_mb);
  Cleanups().push_back([&pg] { pg.Stop(); });
  t = Clock::now();
  pg.Start();
  Phase("postgres initdb + start", t);
  PGconn* conn = pg.Connect();
  t = Clock::now();
  LoadPostgres(conn, graph);
  Phase("postgres COPY", t);
  t = Clock::now();
  IndexPostgres(conn);
  Phase("postgres indexes + ANALYZE", t);
  Exec(conn, absl::StrCat("SET statement_timeout = ", o.timeout_ms));
  Exec(conn, "SET jit = off");

  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), channel_args);
  auto graph_stub = v1::GraphService::NewStub(channel);
  bool pgraph_on = true;
  const Inputs inputs =
      MakeInputs(o, static_cast<int64_t>(graph.companies.size()));
  auto deadline = [&](grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(o.timeout_ms));
  };

  // --- one query of each kind, on both sides -------------------------------
  struct Hood {
    int nodes = 0, partnerships = 0;
    bool truncated = false;
  };
  auto pgraph_hood = [&](int32_t c, int depth, Sample* sample, Hood* hood) {
    if (!pgraph_on) return false;
    v1::GetNeighborhoodRequest req;
    req.set_company(Name(graph, c));
    req.set_depth(depth);
    req.set_max_nodes(o.max_nodes);
    v1::GetNeighborhoodResponse resp;
    grpc::ClientContext ctx;
    deadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = graph_stub->GetNeighborhood(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    hood->nodes = resp.nodes_size();
    hood->partnerships = resp.partnerships_size();
    hood->truncated = resp.truncated();
    return true;
  };
  auto pg_hood = [&](int32_t c, int depth, Sample* sample, Hood* hood) {
    PgResult r;
    const auto t0 = Clock::now();
    PgQuery(
        conn, kNeighborhoodSql,
        {graph.companies[c].id, absl::StrCat(depth), absl::StrCat(o.max_nodes)},
        &r);
    sample->ms = Ms(Clock::now() - t0);
    if (r.timed_out) {
      sample->timed_out = true;
      return false;
    }
    for (int i = 0; i < PQntuples(r.result); ++i) {
      (PQgetvalue(r.result, i, 0)[0] == 'c' ? hood->nodes
                                            : hood->partnerships)++;
    }
    return true;
  };
  auto pgraph_path = [&](std::pair<int32_t, int32_t> p, Sample* sample,
                         int* len) {
    if (!pgraph_on) return false;
    v1::FindPathsRequest req;
    req.set_from(Name(graph, p.first));
    req.set_to(Name(graph, p.second));
    req.set_max_depth(4);
    v1::FindPathsResponse resp;
    grpc::ClientContext ctx;
    deadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = graph_stub->FindPaths(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    *len = resp.paths_size() == 0 ? -1 : resp.paths(0).steps_size();
    return true;
  };
  auto pg_path = [&](std::pair<int32_t, int32_t> p, Sample* sample, int* len) {
    PgResult r;
    const auto t0 = Clock::now();
    PgQuery(conn, kShortestPathSql,
            {graph.companies[p.first].id, graph.companies[p.second].id}, &r);
    sample->ms = Ms(Clock::now() - t0);
    if (r.timed_out) {
      sample->timed_out = true;
      return false;
    }
    *len = PQgetisnull(r.result, 0, 0) ? -1
                                       : std::atoi(PQgetvalue(r.result, 0, 0));
    return true;
  };
  using Groups = std::map<std::string, int64_t>;
  auto pgraph_trend = [&](Sample* sample, Groups* groups) {
    if (!pgraph_on) return false;
    v1::AggregatePartnershipsRequest req;
    req.mutable_filter()->add_participant_sectors("semiconductors/memory");
    req.mutable_filter()->add_participant_sectors("ai");
    req.add_group_by(v1::QUARTER);
    req.add_group_by(v1::SECTOR_PAIR);
    req.set_max_groups(10000);
    v1::AggregatePartnershipsResponse resp;
    grpc::ClientContext ctx;
    deadline(&ctx);
    const auto t0 = Clock::now();
    grpc::Status s = graph_stub->AggregatePartnerships(&ctx, req, &resp);
    sample->ms = Ms(Clock::now() - t0);
    if (!CallOk(s, sample)) return false;
    for (const v1::AggregateGroup& g : resp.groups()) {
      (*groups)[absl::StrJoin(g.keys(), " | ")] = g.count();
    }
    (*groups)["total"] = resp.total();
    return true;
  };
  auto pg_trend = [&](Sample* sample, Groups* groups) {
    PgResult r;
    const auto t0 = Clock::now();
    PgQuery(conn, kTrendSql, {}, &r);
    sample->ms = Ms(Clock::now() - t0);
    if (r.timed_out) {
      sample->timed_out = true;
      return false;
    }
    for (int i = 0; i < PQntuples(r.result); ++i) {
      const std::string k = PQgetvalue(r.result, i, 0);
      const std::string key =
          k == "total" ? k : absl::StrCat(k, " | ", PQgetvalue(r.result, i, 1));
      (*groups)[key] = std::atoll(PQgetvalue(r.result, i, 2));
    }
    return true;
  };

  // Probe: the graph queries may not be implemented yet.
  {
    v1::GetNeighborhoodRequest req;
    req.set_company(Name(graph, 0));
    v1::GetNeighborhoodResponse resp;
    grpc::ClientContext ctx;
    deadline(&ctx);
    grpc::Status s = graph_stub->GetNeighborhood(&ctx, req, &resp);
    if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      std::printf(
          "GraphService is UNIMPLEMENTED in this partnergraphd: measuring "
          "PostgreSQL only\n");
      pgraph_on = false;
    }
  }

  // Warm-up: not measured.
  t = Clock::now();
  for (int32_t c : inputs.warm) {
    Sample s;
    Hood h;
    pgraph_hood(c, 2, &s, &h);
    pg_hood(c, 2, &s, &h);
  }
  {
    Sample s;
    Groups g;
    pgraph_trend(&s, &g);
    pg_trend(&s, &g);
  }
  Phase("warm-up (both sides)", t);

  std::vector<Row> rows;
  for (int depth : {1, 2}) {
    t = Clock::now();
    Row row;
    row.name = depth == 1 ? "1-hop neighborhood" : "2-hop neighborhood";
    row.goal = depth == 1 ? 0 : 10;
    const auto& starts = depth == 1 ? inputs.one_hop : inputs.two_hop;
    for (int32_t c : starts) {
      Sample a, b;
      Hood ha, hb;
      const bool ok_pg = pg_hood(c, depth, &a, &ha);
      const bool ok_pr = pgraph_hood(c, depth, &b, &hb);
      row.pg.push_back(a);
      row.pgraph.push_back(b);
      if (!ok_pg || !ok_pr) {
        ++row.skipped;
        continue;
      }
      ++row.compared;
      // A truncated answer may cut its last level and its partnerships
      // differently; then only the node count must agree.
      if (ha.nodes != hb.nodes ||
          (!hb.truncated && ha.partnerships != hb.partnerships)) {
        ++row.mismatches;
        std::printf(
            "MISMATCH %s %s: postgres %d nodes %d partnerships, "
            "partnergraph %d nodes %d partnerships\n",
            row.name.c_str(), graph.companies[c].id.c_str(), ha.nodes,
            ha.partnerships, hb.nodes, hb.partnerships);
      }
    }
    rows.push_back(row);
    PrintTable({row});
    Phase(row.name, t);
  }
  {
    t = Clock::now();
    Row row;
    row.name = "shortest path (<=4 hops)";
    row.goal = 30;
    for (const auto& p : inputs.pairs) {
      Sample a, b;
      int la = -2, lb = -2;
      const bool ok_pg = pg_path(p, &a, &la);
      const bool ok_pr = pgraph_path(p, &b, &lb);
      row.pg.push_back(a);
      row.pgraph.push_back(b);
      if (!ok_pg || !ok_pr) {
        ++row.skipped;
        continue;
      }
      ++row.compared;
      if (la != lb) {
        ++row.mismatches;
        std::printf(
            "MISMATCH path %s -> %s: postgres length %d, partnergraph %d\n",
            graph.companies[p.first].id.c_str(),
            graph.companies[p.second].id.c_str(), la, lb);
      }
    }
    rows.push_back(row);
    PrintTable({row});
    Phase(row.name, t);
  }
  {
    t = Clock::now();
    Row row;
    row.name = "trend memory x ai by qtr";
    row.goal = 5;
    for (int i = 0; i < o.trend; ++i) {
      Sample a, b;
      Groups ga, gb;
      const bool ok_pg = pg_trend(&a, &ga);
      const bool ok_pr = pgraph_trend(&b, &gb);
      row.pg.push_back(a);
      row.pgraph.push_back(b);
      if (!ok_pg || !ok_pr) {
        ++row.skipped;
        continue;
      }
      ++row.compared;
      if (ga != gb) {
        ++row.mismatches;
        if (i == 0) {
          for (const auto& [k, v] : ga) {
            auto it = gb.find(k);
            if (it == gb.end() || it->second != v) {
              std::printf(
                  "MISMATCH trend %s: postgres %lld, partnergraph %lld\n",
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
        }
      } else if (i == 0) {
        std::printf("trend: %zu groups, %lld partnerships (both sides agree)\n",
                    ga.size() - 1, static_cast<long long>(ga["total"]));
      }
    }
    rows.push_back(row);
    PrintTable({row});
    Phase(row.name, t);
  }
  PrintTable(rows);

  PQfinish(conn);
  pg.Stop();
  daemon.Stop();

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
  app.add_option("--one_hop", o.one_hop, "1-hop queries")
      ->capture_default_str();
  app.add_option("--two_hop", o.two_hop, "2-hop queries")
      ->capture_default_str();
  app.add_option("--paths", o.paths, "Shortest-path queries")
      ->capture_default_str();
  app.add_option("--trend", o.trend, "Trend queries")->capture_default_str();
  app.add_option("--streams", o.streams, "Parallel ImportRecords streams")
      ->capture_default_str();
  app.add_option("--in_flight", o.in_flight,
                 "Outstanding Create calls when ImportRecords is missing")
      ->capture_default_str();
  app.add_option("--cache_mb", o.cache_mb,
                 "RocksDB block cache and PostgreSQL shared_buffers, MiB")
      ->capture_default_str();
  app.add_option("--timeout_ms", o.timeout_ms,
                 "Per-query limit on both sides (deadline / statement_timeout)")
      ->capture_default_str();
  app.add_option("--max_nodes", o.max_nodes, "Neighbourhood max_nodes")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "Keep the work directory");
  CLI11_PARSE(app, argc, argv);
  return partnergraph::bench::Main(o);
}
