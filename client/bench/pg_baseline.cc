#include "client/bench/pg_baseline.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/status_macros.h"

namespace partnergraph::bench {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

int RunCommand(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return absl::UnavailableError("cannot find a free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// PQresultStatus as a Status; `what` names the statement in errors.
absl::Status ResultStatus(PGconn* conn, PGresult* r, const std::string& what) {
  const ExecStatusType s = PQresultStatus(r);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return absl::OkStatus();
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (state != nullptr && std::string(state) == "57014") {
    return absl::DeadlineExceededError(
        absl::StrCat("statement_timeout in ", what));
  }
  return absl::InternalError(absl::StrCat(PQerrorMessage(conn), " in: ", what));
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

absl::StatusOr<Result> Query(PGconn* conn, const std::string& sql) {
  Result r(PQexec(conn, sql.c_str()));
  RETURN_IF_ERROR(ResultStatus(conn, r.get(), sql));
  return r;
}

absl::StatusOr<Result> ExecPrepared(PGconn* conn, const std::string& name,
                                    const std::vector<std::string>& args) {
  std::vector<const char*> values;
  values.reserve(args.size());
  for (const std::string& a : args) values.push_back(a.c_str());
  Result r(PQexecPrepared(conn, name.c_str(), static_cast<int>(values.size()),
                          values.data(), nullptr, nullptr, 0));
  RETURN_IF_ERROR(ResultStatus(conn, r.get(), name));
  return r;
}

absl::Status Copy(PGconn* conn, const graphgen::Graph& graph,
                  const std::string& table, int64_t rows) {
  const std::string sql =
      absl::StrCat("COPY ", table, " FROM STDIN (FORMAT csv, NULL '')");
  Result r(PQexec(conn, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COPY_IN) {
    return absl::InternalError(
        absl::StrCat(PQerrorMessage(conn), " in: ", sql));
  }
  std::string chunk;
  for (int64_t i = 0; i < rows; i += 20000) {
    chunk.clear();
    graphgen::AppendCsvRows(graph, table, i, std::min(rows, i + 20000), &chunk);
    if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) !=
        1) {
      return absl::InternalError(
          absl::StrCat(PQerrorMessage(conn), " in: ", sql));
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) {
    return absl::InternalError(
        absl::StrCat(PQerrorMessage(conn), " in: ", sql));
  }
  r.reset(PQgetResult(conn));
  absl::Status status = ResultStatus(conn, r.get(), sql);
  while (PGresult* rest = PQgetResult(conn)) PQclear(rest);
  return status;
}

// GetNeighborhood at `depth`, as depth-bounded joins over the edge table:
// level k is the partners of level k-1 EXCEPT the earlier levels, computed
// only while the levels before it hold fewer than max_nodes companies (a
// one-time filter), as the breadth-first walk stops once it is full. The
// partnerships joining two nodes are the edges from a node to a later node
// (each pair once): a range scan of each node's edges with a hash probe of
// the nodes. $1 company id, $2 max_nodes.
//
// Each company contributes only its first max_nodes distinct partners (in
// id order, straight from the index): the nodes kept at the last level are
// the ones with the smallest ids, and every partner of a company that sorts
// before a kept one is itself kept or nearer, so none of them lies past
// max_nodes in that company's list. When a level is complete no list is
// that long.
//
// The statements run with generic plans, so they are written to have no
// plan that grows with the product of two sets whatever the estimates: set
// operations (EXCEPT, INTERSECT) rather than anti- and semi-joins of CTEs,
// and OFFSET 0 subqueries to pin the index lookups.
std::string NeighborhoodSql(int depth) {
  std::string sql = R"sql(WITH l1 AS MATERIALIZED (
  SELECT DISTINCT partner_id AS company_id
  FROM edges
  WHERE company_id = $1::text
  ORDER BY 1
  LIMIT $2::int))sql";
  std::string found = "1";
  std::string levels = "SELECT $1::text AS company_id, 0 AS distance";
  for (int k = 1; k <= depth; ++k) {
    if (k > 1) {
      absl::StrAppend(&sql, ",\nl", k, R"sql( AS MATERIALIZED (
  SELECT e.company_id
  FROM l)sql",
                      k - 1, R"sql( u
  CROSS JOIN LATERAL (
    SELECT DISTINCT partner_id AS company_id
    FROM edges
    WHERE company_id = u.company_id
    ORDER BY 1
    LIMIT $2::int) e
  WHERE )sql",
                      found, " < $2::int");
      for (int j = k - 1; j >= 1; --j) {
        absl::StrAppend(&sql, "\n  EXCEPT SELECT company_id FROM l", j);
      }
      sql += "\n  EXCEPT SELECT $1::text)";
    }
    absl::StrAppend(&found, " + (SELECT count(*) FROM l", k, ")");
    absl::StrAppend(&levels, "\n    UNION ALL SELECT company_id, ", k,
                    " FROM l", k);
  }
  // The partnership rows are read by primary key, one lookup each, whatever
  // number the planner expects.
  absl::StrAppend(&sql, R"sql(,
nodes AS MATERIALIZED (
  SELECT company_id, distance FROM (
    )sql",
                  levels, R"sql() n
  ORDER BY distance, company_id
  LIMIT $2::int),
joined AS (
  SELECT DISTINCT e.partnership_id
  FROM nodes n
  CROSS JOIN LATERAL (
    SELECT partner_id, partnership_id FROM edges
    WHERE company_id = n.company_id AND partner_id > n.company_id
    OFFSET 0) e
  WHERE e.partner_id IN (SELECT company_id FROM nodes))
SELECT 'c', n.distance, c::text
FROM nodes n JOIN companies c ON c.id = n.company_id
UNION ALL
(SELECT 'p', NULL, p::text
 FROM joined j
 CROSS JOIN LATERAL (
   SELECT * FROM partnerships p WHERE p.id = j.partnership_id OFFSET 0) p
 ORDER BY p.announced_on DESC, p.id
 LIMIT 20000))sql");
  return sql;
}

// Shortest path length <= 4, met in the middle: F1/T1 the partners of
// either end; the smaller of the two (s1; l1 the other) is expanded once
// more into s2. Length 1: an edge from -> to; 2: F1 and T1 meet; 3: s2
// meets l1; 4: s2 meets the partners of l1. CASE evaluates its tests in
// order, so a short path costs little.
constexpr char kShortestPathSql[] = R"sql(WITH f1 AS MATERIALIZED (
  SELECT DISTINCT partner_id AS company_id FROM edges
  WHERE company_id = $1::text),
t1 AS MATERIALIZED (
  SELECT DISTINCT partner_id AS company_id FROM edges
  WHERE company_id = $2::text),
forward AS MATERIALIZED (
  SELECT (SELECT count(*) FROM f1) <= (SELECT count(*) FROM t1) AS yes),
s1 AS (
  SELECT company_id FROM f1 WHERE (SELECT yes FROM forward)
  UNION ALL
  SELECT company_id FROM t1 WHERE NOT (SELECT yes FROM forward)),
l1 AS (
  SELECT company_id FROM t1 WHERE (SELECT yes FROM forward)
  UNION ALL
  SELECT company_id FROM f1 WHERE NOT (SELECT yes FROM forward)),
s2 AS MATERIALIZED (
  SELECT e.partner_id AS company_id
  FROM s1 JOIN edges e ON e.company_id = s1.company_id)
SELECT CASE
  WHEN EXISTS (SELECT FROM edges
               WHERE company_id = $1::text AND partner_id = $2::text) THEN 1
  WHEN EXISTS (SELECT company_id FROM f1
               INTERSECT SELECT company_id FROM t1) THEN 2
  WHEN EXISTS (SELECT company_id FROM s2
               INTERSECT SELECT company_id FROM l1) THEN 3
  WHEN EXISTS (SELECT company_id FROM s2
               INTERSECT
               SELECT e.partner_id
               FROM l1 JOIN edges e ON e.company_id = l1.company_id) THEN 4
  ELSE -1 END)sql";

// The memory-maker x AI trend: the edges of the memory makers (from the
// sector index) whose partner is an AI company (a hash of those), then
// every sector pair of the partnerships found, by quarter.
constexpr char kTrendSql[] = R"sql(WITH memory AS (
  SELECT id FROM companies
  WHERE sector = 'semiconductors/memory'
     OR sector LIKE 'semiconductors/memory/%'),
ai AS (
  SELECT id FROM companies WHERE sector = 'ai' OR sector LIKE 'ai/%'),
sel AS MATERIALIZED (
  SELECT DISTINCT e.partnership_id
  FROM memory m JOIN edges e ON e.company_id = m.id
  WHERE e.partner_id IN (SELECT id FROM ai)),
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
SELECT to_char(p.announced_on, 'YYYY-"Q"Q'), pairs.pair, count(*)
FROM pairs JOIN partnerships p ON p.id = pairs.partnership_id
GROUP BY 1, 2
UNION ALL
SELECT 'total', '', count(*) FROM sel)sql";

constexpr int kMaxDepth = 4;

std::string NeighborhoodStatement(int depth) {
  return absl::StrCat("neighborhood_", depth);
}

}  // namespace

std::string PgMemory::ToString() const {
  return absl::StrCat("shared_buffers=", shared_buffers_mb,
                      "MB effective_cache_size=", effective_cache_size_mb,
                      "MB work_mem=", work_mem_mb,
                      "MB maintenance_work_mem=", maintenance_work_mem_mb,
                      "MB");
}

PgMemory MemoryForData(int64_t data_bytes, int64_t ram_bytes,
                       int64_t shared_buffers_mb) {
  PgMemory m;
  const int64_t ram_mb = std::max<int64_t>(ram_bytes / kMiB, 1024);
  if (shared_buffers_mb > 0) {
    m.shared_buffers_mb = shared_buffers_mb;
  } else {
    const int64_t want_mb = (data_bytes * 3 / 2) / kMiB + 256;
    m.shared_buffers_mb = std::min((want_mb + 255) / 256 * 256, ram_mb * 2 / 5);
  }
  m.effective_cache_size_mb = ram_mb * 3 / 4;
  m.work_mem_mb = 64;
  m.maintenance_work_mem_mb = std::min<int64_t>(1024, ram_mb / 8);
  return m;
}

int64_t PhysicalMemoryBytes() {
  return static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
         static_cast<int64_t>(sysconf(_SC_PAGE_SIZE));
}

PgCluster::PgCluster(std::string bin, std::string dir)
    : bin_(std::move(bin)),
      dir_(std::move(dir)),
      as_(geteuid() == 0 ? "runuser -u postgres -- " : "") {}

PgCluster::~PgCluster() { Stop(); }

absl::Status PgCluster::Start(const PgMemory& memory) {
  if (started_) return absl::OkStatus();
  const std::string data = dir_ + "/data";
  if (!initialized_) {
    std::filesystem::create_directories(dir_);
    if (geteuid() == 0) RunCommand(absl::StrCat("chown -R postgres ", dir_));
    if (RunCommand(
            absl::StrCat(as_, bin_, "/initdb -D ", data,
                         " -U postgres -A trust -E UTF8 --locale=C --no-sync >",
                         dir_, "/initdb.log 2>&1")) != 0) {
      return absl::UnavailableError(
          absl::StrCat("initdb failed; see ", dir_, "/initdb.log"));
    }
    initialized_ = true;
  }
  ASSIGN_OR_RETURN(port_, FreePort());
  const std::string settings = absl::StrCat(
      "-p ", port_, " -k ", dir_, " -c listen_addresses=127.0.0.1",
      " -c shared_buffers=", memory.shared_buffers_mb, "MB",
      " -c effective_cache_size=", memory.effective_cache_size_mb, "MB",
      " -c work_mem=", memory.work_mem_mb, "MB",
      " -c maintenance_work_mem=", memory.maintenance_work_mem_mb, "MB",
      // Everything is served from memory; the tables do not change after
      // the explicit VACUUM ANALYZE.
      " -c random_page_cost=1.1 -c jit=off -c autovacuum=off",
      // synchronous_commit stays on: a commit whose WAL is not flushed
      // yet keeps VACUUM from setting hint bits, so pages written just
      // before it would not be marked all-visible (with fsync off, the
      // flush costs little).
      " -c fsync=off -c full_page_writes=off", " -c max_wal_size=8GB");
  if (RunCommand(absl::StrCat(as_, bin_, "/pg_ctl -D ", data, " -l ", dir_,
                              "/server.log -w -t 120 -o '", settings,
                              "' start >/dev/null")) != 0) {
    return absl::UnavailableError(
        absl::StrCat("pg_ctl start failed; see ", dir_, "/server.log"));
  }
  started_ = true;
  return absl::OkStatus();
}

void PgCluster::Stop() {
  if (!started_) return;
  RunCommand(absl::StrCat(as_, bin_, "/pg_ctl -D ", dir_,
                          "/data -m fast -w stop >/dev/null 2>&1"));
  started_ = false;
}

absl::StatusOr<PgConn> PgCluster::Connect() const {
  PgConn conn(PQconnectdb(absl::StrCat("host=127.0.0.1 port=", port_,
                                       " user=postgres dbname=postgres")
                              .c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ",
                                               PQerrorMessage(conn.get())));
  }
  return conn;
}

absl::Status PgExec(PGconn* conn, const std::string& sql) {
  return Query(conn, sql).status();
}

absl::Status PgCopyGraph(PGconn* conn, const graphgen::Graph& graph) {
  RETURN_IF_ERROR(PgExec(conn, R"sql(
    CREATE TABLE companies (
      id text NOT NULL, display_name text NOT NULL, sector text NOT NULL,
      country text, ticker text, website text);
    CREATE TABLE partnerships (
      id text NOT NULL, title text NOT NULL, status text NOT NULL,
      announced_on date NOT NULL, ended_on date, kinds smallint[] NOT NULL,
      sources int NOT NULL);
    CREATE TABLE participants (
      partnership_id text NOT NULL, company_id text NOT NULL,
      role text NOT NULL))sql"));
  const int64_t n = static_cast<int64_t>(graph.companies.size());
  const int64_t m = static_cast<int64_t>(graph.partnerships.size());
  RETURN_IF_ERROR(Copy(conn, graph, "companies", n));
  RETURN_IF_ERROR(Copy(conn, graph, "partnerships", m));
  return Copy(conn, graph, "participants", m);
}

absl::Status PgCreateIndexes(PGconn* conn) {
  return PgExec(conn, R"sql(
    ALTER TABLE companies ADD PRIMARY KEY (id) INCLUDE (sector);
    ALTER TABLE partnerships ADD PRIMARY KEY (id) INCLUDE (announced_on);
    ALTER TABLE participants ADD PRIMARY KEY (partnership_id, company_id);
    CREATE INDEX partnerships_by_date ON partnerships (announced_on);
    CREATE INDEX companies_by_sector ON companies (sector) INCLUDE (id);
    CREATE TABLE edges AS
      SELECT a.company_id, b.company_id AS partner_id, a.partnership_id
      FROM participants a
      JOIN participants b ON b.partnership_id = a.partnership_id
                         AND b.company_id <> a.company_id;
    CREATE INDEX edges_by_company
      ON edges (company_id, partner_id, partnership_id))sql");
}

absl::Status PgVacuumAnalyze(PGconn* conn) {
  return PgExec(conn, "VACUUM ANALYZE");
}

absl::StatusOr<std::pair<int64_t, int64_t>> PgAllVisiblePages(PGconn* conn) {
  ASSIGN_OR_RETURN(Result r, Query(conn, R"sql(
    SELECT sum(relallvisible)::bigint, sum(relpages)::bigint FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')sql"));
  return std::make_pair(std::atoll(PQgetvalue(r.get(), 0, 0)),
                        std::atoll(PQgetvalue(r.get(), 0, 1)));
}

absl::StatusOr<int64_t> PgDataBytes(PGconn* conn) {
  ASSIGN_OR_RETURN(Result r, Query(conn, R"sql(
    SELECT sum(pg_total_relation_size(oid))::bigint FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')sql"));
  return std::atoll(PQgetvalue(r.get(), 0, 0));
}

absl::StatusOr<int64_t> PgPrewarm(PGconn* conn) {
  RETURN_IF_ERROR(PgExec(conn, "CREATE EXTENSION IF NOT EXISTS pg_prewarm"));
  // Tables, their visibility maps (index-only scans read them) and indexes.
  ASSIGN_OR_RETURN(Result r, Query(conn, R"sql(
    SELECT sum(pg_prewarm(oid, 'buffer', 'main')
               + CASE WHEN relkind = 'r'
                      THEN pg_prewarm(oid, 'buffer', 'vm') ELSE 0 END)::bigint
    FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i'))sql"));
  return std::atoll(PQgetvalue(r.get(), 0, 0));
}

absl::StatusOr<std::unique_ptr<PgQueries>> PgQueries::Prepare(PGconn* conn,
                                                              int timeout_ms) {
  // Generic plans: planned once per connection (see NeighborhoodSql).
  RETURN_IF_ERROR(
      PgExec(conn, absl::StrCat("SET statement_timeout = ", timeout_ms,
                                "; SET plan_cache_mode = force_generic_plan")));
  std::vector<std::pair<std::string, std::string>> statements = {
      {"shortest_path", kShortestPathSql}, {"memory_ai_trend", kTrendSql}};
  for (int depth = 1; depth <= kMaxDepth; ++depth) {
    statements.emplace_back(NeighborhoodStatement(depth),
                            NeighborhoodSql(depth));
  }
  for (const auto& [name, sql] : statements) {
    Result r(PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr));
    RETURN_IF_ERROR(ResultStatus(conn, r.get(), sql));
  }
  return std::unique_ptr<PgQueries>(new PgQueries(conn));
}

absl::StatusOr<PgQueries::Neighborhood> PgQueries::GetNeighborhood(
    const std::string& company_id, int depth, int max_nodes) {
  if (depth < 1 || depth > kMaxDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("depth: want 1..", kMaxDepth, ", got ", depth));
  }
  ASSIGN_OR_RETURN(Result r,
                   ExecPrepared(conn_, NeighborhoodStatement(depth),
                                {company_id, absl::StrCat(max_nodes)}));
  Neighborhood out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    (PQgetvalue(r.get(), i, 0)[0] == 'c' ? out.nodes : out.partnerships)++;
  }
  return out;
}

absl::StatusOr<int> PgQueries::ShortestPathLength(const std::string& from_id,
                                                  const std::string& to_id) {
  ASSIGN_OR_RETURN(Result r,
                   ExecPrepared(conn_, "shortest_path", {from_id, to_id}));
  return std::atoi(PQgetvalue(r.get(), 0, 0));
}

absl::StatusOr<PgQueries::Groups> PgQueries::MemoryAiTrend() {
  ASSIGN_OR_RETURN(Result r, ExecPrepared(conn_, "memory_ai_trend", {}));
  Groups groups;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    const std::string k = PQgetvalue(r.get(), i, 0);
    const std::string key =
        k == "total" ? k : absl::StrCat(k, " | ", PQgetvalue(r.get(), i, 1));
    groups[key] = std::atoll(PQgetvalue(r.get(), i, 2));
  }
  return groups;
}

absl::StatusOr<std::string> PgQueries::Explain(
    const std::string& statement, const std::vector<std::string>& args) {
  std::vector<std::string> literals;
  for (const std::string& a : args) {
    char* quoted = PQescapeLiteral(conn_, a.c_str(), a.size());
    if (quoted == nullptr) return absl::InternalError(PQerrorMessage(conn_));
    literals.emplace_back(quoted);
    PQfreemem(quoted);
  }
  std::string sql =
      absl::StrCat("EXPLAIN (ANALYZE, BUFFERS) EXECUTE ", statement);
  if (!literals.empty()) {
    absl::StrAppend(&sql, "(", absl::StrJoin(literals, ", "), ")");
  }
  ASSIGN_OR_RETURN(Result r, Query(conn_, sql));
  std::string plan;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    absl::StrAppend(&plan, PQgetvalue(r.get(), i, 0), "\n");
  }
  return plan;
}

absl::StatusOr<std::string> PgQueries::ExplainNeighborhood(
    const std::string& company_id, int depth, int max_nodes) {
  return Explain(NeighborhoodStatement(depth),
                 {company_id, absl::StrCat(max_nodes)});
}

absl::StatusOr<std::string> PgQueries::ExplainShortestPath(
    const std::string& from_id, const std::string& to_id) {
  return Explain("shortest_path", {from_id, to_id});
}

absl::StatusOr<std::string> PgQueries::ExplainTrend() {
  return Explain("memory_ai_trend", {});
}

}  // namespace partnergraph::bench
