#ifndef PARTNERGRAPH_CLIENT_BENCH_PG_BASELINE_H_
#define PARTNERGRAPH_CLIENT_BENCH_PG_BASELINE_H_

// The PostgreSQL 15 side of the graph benchmark (graph_bench.cc): a private
// cluster, the graph loaded with COPY, indexed for index-only scans, memory
// sized to the data and prewarmed, and the benchmark's queries as prepared
// statements whose answers follow partnergraph's semantics
// (storage/graph_query.h).
//
// Schema (ids are the API's string ids; the database uses the C locale):
//   companies(id, display_name, sector, country, ticker, website)
//   partnerships(id, title, status, announced_on, ended_on, kinds, sources)
//   participants(partnership_id, company_id, role)
//   edges(company_id, partner_id, partnership_id): one row per ordered pair
//     of a partnership's participants, derived from participants after the
//     COPY. It holds what partnergraph's adjacency index holds (a company's
//     partnerships with their participants), so a traversal step is one
//     index-only range scan instead of a join.
// Indexes, each serving index-only scans: participants (partnership_id,
// company_id) as primary key; edges (company_id, partner_id,
// partnership_id); companies (id) INCLUDE (sector) as primary key and
// (sector) INCLUDE (id); partnerships (id) INCLUDE (announced_on) as primary
// key and (announced_on).
//
// Errors are absl::Status: INTERNAL with PostgreSQL's message (and the
// statement) when a command or query fails, DEADLINE_EXCEEDED when a query
// passes statement_timeout, UNAVAILABLE when the cluster does not start.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/bench/graphgen.h"
#include "libpq-fe.h"

namespace partnergraph::bench {

// Server settings that size PostgreSQL's memory.
struct PgMemory {
  int64_t shared_buffers_mb = 1024;
  int64_t effective_cache_size_mb = 8192;
  int64_t work_mem_mb = 64;
  int64_t maintenance_work_mem_mb = 1024;

  // "shared_buffers=... effective_cache_size=... work_mem=...".
  std::string ToString() const;
};

// Memory for serving `data_bytes` of tables and indexes on a machine with
// `ram_bytes`: shared_buffers holds all of it with room to spare (1.5x the
// data plus 256 MiB, in 256 MiB steps, at most 40% of RAM), unless
// `shared_buffers_mb` > 0 fixes it; effective_cache_size is 3/4 of RAM.
PgMemory MemoryForData(int64_t data_bytes, int64_t ram_bytes,
                       int64_t shared_buffers_mb);

// Physical memory of this machine.
int64_t PhysicalMemoryBytes();

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;

// A cluster in `dir` (initdb + pg_ctl from `bin`, as the `postgres` user
// when run as root), listening on a free loopback port. Stopped on
// destruction.
class PgCluster {
 public:
  PgCluster(std::string bin, std::string dir);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // initdb (once), then starts the server with `memory` and bulk-load
  // friendly durability (fsync and full_page_writes off: nothing here needs
  // to survive a crash) and autovacuum off (the tables do not change after
  // PgVacuumAnalyze).
  absl::Status Start(const PgMemory& memory);
  // Stops it (fast shutdown); no-op when stopped.
  void Stop();

  absl::StatusOr<PgConn> Connect() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string bin_, dir_, as_;
  int port_ = 0;
  bool initialized_ = false;
  bool started_ = false;
};

// Runs `sql` (any number of statements), failing on any error.
absl::Status PgExec(PGconn* conn, const std::string& sql);

// Creates the tables and COPYs the graph in.
absl::Status PgCopyGraph(PGconn* conn, const graphgen::Graph& graph);
// Primary keys, secondary indexes and the edge table with its index.
absl::Status PgCreateIndexes(PGconn* conn);
// VACUUM ANALYZE: statistics, and the visibility map index-only scans need.
absl::Status PgVacuumAnalyze(PGconn* conn);
// Pages of the tables marked all-visible (index-only scans skip the heap
// for those) and all their pages, as of the last VACUUM.
absl::StatusOr<std::pair<int64_t, int64_t>> PgAllVisiblePages(PGconn* conn);
// Bytes of the tables with their indexes (and TOAST).
absl::StatusOr<int64_t> PgDataBytes(PGconn* conn);
// Loads every table and index into shared_buffers (pg_prewarm); returns the
// blocks loaded.
absl::StatusOr<int64_t> PgPrewarm(PGconn* conn);

// The benchmark's queries, prepared once on one connection (which it
// borrows) and executed with PQexecPrepared. The connection uses generic
// plans (plan_cache_mode = force_generic_plan): each statement is planned
// once, and its plan does not depend on which company it is asked about.
class PgQueries {
 public:
  // Sets the per-statement `timeout_ms` and prepares every statement.
  static absl::StatusOr<std::unique_ptr<PgQueries>> Prepare(PGconn* conn,
                                                            int timeout_ms);

  struct Neighborhood {
    int nodes = 0;
    int partnerships = 0;
  };
  // GetNeighborhood(company, depth 1..4, max_nodes) without a filter: the
  // companies within `depth` hops by (distance, id), the first `max_nodes`
  // of them (the start included), and the partnerships with at least two
  // participants among them (the newest 20000, as partnergraph caps them).
  absl::StatusOr<Neighborhood> GetNeighborhood(const std::string& company_id,
                                               int depth, int max_nodes);

  // The length of the shortest path from -> to within 4 hops, -1 when none.
  absl::StatusOr<int> ShortestPathLength(const std::string& from_id,
                                         const std::string& to_id);

  // AggregatePartnerships(participant_sectors = [semiconductors/memory, ai],
  // group_by = [QUARTER, SECTOR_PAIR]): "2025-Q4 | ai x semiconductors/memory"
  // -> count, and "total" -> the matching partnerships.
  using Groups = std::map<std::string, int64_t>;
  absl::StatusOr<Groups> MemoryAiTrend();

  // EXPLAIN (ANALYZE, BUFFERS) of the statement each call above executes,
  // with the same arguments; the plan's text.
  absl::StatusOr<std::string> ExplainNeighborhood(const std::string& company_id,
                                                  int depth, int max_nodes);
  absl::StatusOr<std::string> ExplainShortestPath(const std::string& from_id,
                                                  const std::string& to_id);
  absl::StatusOr<std::string> ExplainTrend();

 private:
  explicit PgQueries(PGconn* conn) : conn_(conn) {}
  absl::StatusOr<std::string> Explain(const std::string& statement,
                                      const std::vector<std::string>& args);
  PGconn* conn_;
};

}  // namespace partnergraph::bench

#endif  // PARTNERGRAPH_CLIENT_BENCH_PG_BASELINE_H_
