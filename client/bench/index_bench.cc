// partnergraph_index_bench: the in-memory graph index against its physical
// limit, in one process, on one synthetic graph (graphgen.h).
//
//   1. generate the graph and import it into a fresh store (sync off);
//   2. close the store; open its RocksDB read-only and rebuild a GraphIndex
//      from it twice: the first warms the table readers, the second is timed
//      with the process's RSS before and after (malloc_trim in between), so
//      the index's memory per adjacency entry is what the process grew by;
//   3. breadth-first 2-hop traversals from the same start companies (drawn
//      uniformly, and from the top 1% by degree) over
//        - a bare compressed-sparse-row (CSR) array graph built from the
//          generated records: the physical limit,
//        - the index's view (GraphSnapshot::ForEachAdjacent, the interface
//          the graph queries use),
//      each reporting ns per adjacency entry traversed (median of --rounds),
//      with the index / CSR ratio;
//   4. open the store as partnergraphd does (--cache_mb as its block cache;
//      the open rebuilds the index) and time the graph queries in process,
//      without gRPC: 1-hop and 2-hop neighbourhoods and shortest paths from the
//      same starts, and the memory-maker x AI trend by quarter; p50 and p99 of
//      a second pass (the first warms the block cache).
// With --store_dir the loaded store is kept there and reused by later runs
// of the same scale and seed; with --store an existing store of that graph
// (run_graph_bench.sh passes the one partnergraph_graph_bench loaded) is
// used as it is.

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/bench/graphgen.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "storage/graph_index.h"
#include "storage/graph_query.h"
#include "storage/graph_store.h"
#include "storage/key_codec.h"
#include "storage/rocksdb_graph_snapshot.h"

namespace partnergraph {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "partnergraph_index_bench: %s\n", what.c_str());
  std::exit(1);
}

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

storage::CompanyRecord ToRecord(const graphgen::Company& c) {
  storage::CompanyRecord r;
  r.set_id(c.id);
  r.set_display_name(c.display_name);
  r.add_sectors(c.sector);
  r.set_country(c.country);
  if (!c.ticker.empty()) r.add_tickers(c.ticker);
  r.set_website(c.website);
  return r;
}

storage::PartnershipRecord ToRecord(const graphgen::Graph& g,
                                    const graphgen::Partnership& p) {
  storage::PartnershipRecord r;
  r.set_id(p.id);
  r.set_title(p.title);
  for (size_t i = 0; i < p.participants.size(); ++i) {
    auto* part = r.add_participants();
    part->set_company_id(g.companies[p.participants[i]].id);
    part->set_role(static_cast<storage::Role>(p.roles[i]));
  }
  for (int8_t k : p.kinds) r.add_kinds(static_cast<storage::Kind>(k));
  r.set_status(static_cast<storage::Status>(p.status));
  r.set_announced_on(p.announced_on);
  r.set_ended_on(p.ended_on);
  r.mutable_terms()->set_disclosure(
      static_cast<storage::Disclosure>(p.disclosure));
  if (p.value_usd > 0) r.mutable_terms()->set_value_usd(p.value_usd);
  for (int i = 0; i < p.sources; ++i) {
    r.add_sources()->set_url(
        absl::StrCat("https://example.com/", p.id, "/", i));
  }
  return r;
}

void Load(const graphgen::Graph& graph, const std::string& dir) {
  storage::StoreOptions options;
  options.sync = false;
  auto store = storage::OpenRocksDbStore(dir, options);
  if (!store.ok()) Die(store.status().ToString());
  const size_t kBatch = storage::kMaxImportRecords;
  auto import = [&](storage::ImportBatch batch) {
    auto r = (*store)->Import(std::move(batch));
    if (!r.ok()) Die(r.status().ToString());
    if (!r->errors.empty()) Die(r->errors[0].status.ToString());
  };
  for (size_t i = 0; i < graph.companies.size(); i += kBatch) {
    storage::ImportBatch batch;
    for (size_t j = i; j < std::min(graph.companies.size(), i + kBatch); ++j) {
      batch.companies.push_back({j, ToRecord(graph.companies[j])});
    }
    import(std::move(batch));
  }
  for (size_t i = 0; i < graph.partnerships.size(); i += kBatch) {
    storage::ImportBatch batch;
    for (size_t j = i; j < std::min(graph.partnerships.size(), i + kBatch);
         ++j) {
      batch.partnerships.push_back({j, ToRecord(graph, graph.partnerships[j])});
    }
    import(std::move(batch));
  }
}

// The graph as arrays: company -> partnerships, partnership -> companies.
struct Csr {
  std::vector<uint32_t> company_offsets, company_partnerships;
  std::vector<uint32_t> partnership_offsets, partnership_companies;

  explicit Csr(const graphgen::Graph& g) {
    const size_t n = g.companies.size();
    company_offsets.assign(n + 1, 0);
    for (const auto& p : g.partnerships) {
      for (int32_t c : p.participants) ++company_offsets[c + 1];
    }
    for (size_t i = 0; i < n; ++i) company_offsets[i + 1] += company_offsets[i];
    company_partnerships.resize(company_offsets[n]);
    std::vector<uint32_t> fill(company_offsets.begin(),
                               company_offsets.end() - 1);
    partnership_offsets.push_back(0);
    for (size_t i = 0; i < g.partnerships.size(); ++i) {
      for (int32_t c : g.partnerships[i].participants) {
        company_partnerships[fill[c]++] = static_cast<uint32_t>(i);
        partnership_companies.push_back(static_cast<uint32_t>(c));
      }
      partnership_offsets.push_back(
          static_cast<uint32_t>(partnership_companies.size()));
    }
  }

  // Companies within 2 hops of `start`; adds the entries walked.
  size_t TwoHop(uint32_t start, std::vector<uint8_t>& seen,
                int64_t* entries) const {
    std::vector<uint32_t> frontier = {start}, next, touched = {start};
    seen[start] = 1;
    for (int depth = 0; depth < 2; ++depth) {
      next.clear();
      for (uint32_t c : frontier) {
        for (uint32_t i = company_offsets[c]; i < company_offsets[c + 1]; ++i) {
          ++*entries;
          uint32_t p = company_partnerships[i];
          for (uint32_t j = partnership_offsets[p];
               j < partnership_offsets[p + 1]; ++j) {
            uint32_t o = partnership_companies[j];
            if (!seen[o]) {
              seen[o] = 1;
              next.push_back(o);
              touched.push_back(o);
            }
          }
        }
      }
      frontier.swap(next);
    }
    for (uint32_t c : touched) seen[c] = 0;
    return touched.size();
  }
};

// The same traversal over the index's view.
size_t IndexTwoHop(storage::GraphSnapshot& view, absl::string_view start,
                   int64_t* entries) {
  absl::flat_hash_set<absl::string_view> seen = {start};
  std::vector<absl::string_view> frontier = {start}, next;
  for (int depth = 0; depth < 2; ++depth) {
    next.clear();
    for (absl::string_view c : frontier) {
      absl::Status s =
          view.ForEachAdjacent(c, "", "", [&](const storage::EdgeView& e) {
            ++*entries;
            for (absl::string_view o : e.participant_ids) {
              if (seen.insert(o).second) next.push_back(o);
            }
            return absl::OkStatus();
          });
      if (!s.ok()) Die(s.ToString());
    }
    frontier.swap(next);
  }
  return seen.size();
}

struct Options {
  int64_t companies = 100000;
  int64_t partnerships = 1000000;
  uint64_t seed = 1;
  int starts = 200;
  int rounds = 5;
  std::string store_dir;
  int cache_mb = 1024;
  std::string store;
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

// Graph queries through the store, in process: p50 and p99 in ms.
void QueryLatencies(const graphgen::Graph& graph, const std::string& dir,
                    const std::vector<uint32_t>& uniform,
                    const std::vector<uint32_t>& hubs, int cache_mb) {
  absl::Time t0 = absl::Now();
  storage::StoreOptions options;
  options.block_cache_bytes = int64_t{cache_mb} << 20;
  auto opened = storage::OpenRocksDbStore(dir, options);
  if (!opened.ok()) Die(opened.status().ToString());
  std::unique_ptr<storage::GraphStore> store = *std::move(opened);
  std::printf(
      "\nstore open (block cache %d MiB), index rebuilt: %.2f s\n"
      "graph queries in process (no gRPC), ms:\n%-22s %8s %8s %10s %10s\n",
      cache_mb, absl::ToDoubleSeconds(absl::Now() - t0), "query", "p50", "p99",
      "answers", "truncated");
  auto time = [](const char* label, size_t n,
                 const std::function<std::pair<size_t, bool>(size_t)>& one) {
    std::vector<double> ms;
    size_t answers = 0, truncated = 0;
    for (size_t i = 0; i < n; ++i) one(i);  // warm-up: the block cache
    for (size_t i = 0; i < n; ++i) {
      auto a = std::chrono::steady_clock::now();
      auto [size, cut] = one(i);
      auto b = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(b - a).count());
      answers += size;
      truncated += cut ? 1 : 0;
    }
    std::printf("%-22s %8.3f %8.3f %10.1f %10zu\n", label, Percentile(ms, 0.5),
                Percentile(ms, 0.99),
                static_cast<double>(answers) / static_cast<double>(n),
                truncated);
  };
  for (int depth : {1, 2}) {
    for (const auto& [label, starts] : {std::make_pair("uniform", &uniform),
                                        std::make_pair("top 1%", &hubs)}) {
      time(absl::StrCat(depth, "-hop ", label).c_str(), starts->size(),
           [&, depth = depth, starts = starts](size_t i) {
             storage::NeighborhoodQuery q;
             q.company_id = graph.companies[(*starts)[i]].id;
             q.depth = depth;
             auto r = store->GetNeighborhood(q, absl::InfiniteFuture());
             if (!r.ok()) Die(r.status().ToString());
             return std::make_pair(r->nodes.size() + r->partnerships.size(),
                                   r->truncated);
           });
    }
  }
  for (const auto& [label, starts] : {std::make_pair("paths uniform", &uniform),
                                      std::make_pair("paths top 1%", &hubs)}) {
    time(label, starts->size(), [&, starts = starts](size_t i) {
      storage::PathQuery q;
      q.from_id = graph.companies[(*starts)[i]].id;
      // A fixed other start as the target, the same in both passes.
      q.to_id = graph.companies[uniform[(i * 7919 + 13) % uniform.size()]].id;
      if (q.to_id == q.from_id)
        q.to_id = graph.companies[(*starts)[i] == 0 ? 1 : 0].id;
      q.max_depth = 4;
      auto r = store->FindPaths(q, absl::InfiniteFuture());
      if (!r.ok()) Die(r.status().ToString());
      return std::make_pair(r->paths.size(), false);
    });
  }
  time("trend memory x ai", 20, [&](size_t) {
    storage::AggregateQuery q;
    q.filter.add_participant_sectors("semiconductors/memory");
    q.filter.add_participant_sectors("ai");
    q.group_by = {storage::GroupDim::kQuarter, storage::GroupDim::kSectorPair};
    auto r = store->AggregatePartnerships(q, absl::InfiniteFuture());
    if (!r.ok()) Die(r.status().ToString());
    return std::make_pair(static_cast<size_t>(r->total), r->truncated);
  });
}

// What the history held costs: the change log's and the history table's
// bytes (keys and values, before compression), per single-record revision
// and per record of a bulk one.
void PrintHistoryCost(rocksdb::DB* db) {
  struct Sum {
    int64_t revisions = 0, events = 0, bytes = 0;
  } single, bulk;
  auto scan = [db](char table,
                   const std::function<void(const rocksdb::Slice&,
                                            const rocksdb::Slice&)>& fn) {
    const std::string prefix = storage::keys::TablePrefix(table);
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      fn(it->key(), it->value());
    }
  };
  scan(storage::keys::kChange,
       [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
         storage::ChangeBatchRecord batch;
         if (!batch.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
           Die("unreadable change-log entry");
         }
         Sum& sum = batch.events_size() == 1 ? single : bulk;
         ++sum.revisions;
         sum.events += batch.events_size();
         sum.bytes += static_cast<int64_t>(k.size() + v.size());
       });
  int64_t entries = 0, entry_bytes = 0;
  scan(storage::keys::kHistory,
       [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
         ++entries;
         entry_bytes += static_cast<int64_t>(k.size() + v.size());
       });
  const double per_entry =
      static_cast<double>(entry_bytes) / std::max<int64_t>(1, entries);
  std::printf(
      "history held: %lld revisions; %lld of one change, %.0f bytes each of "
      "change log (the record after and, for an update, before) + %.0f of "
      "history entry; %lld bulk ones, %.0f bytes per record + %.0f of "
      "history entry (uncompressed)\n",
      static_cast<long long>(single.revisions + bulk.revisions),
      static_cast<long long>(single.revisions),
      static_cast<double>(single.bytes) /
          std::max<int64_t>(1, single.revisions),
      per_entry, static_cast<long long>(bulk.revisions),
      static_cast<double>(bulk.bytes) / std::max<int64_t>(1, bulk.events),
      per_entry);
}

void Run(const Options& o) {
  graphgen::Options go;
  go.companies = o.companies;
  go.partnerships = o.partnerships;
  go.seed = o.seed;
  absl::Time t0 = absl::Now();
  auto graph = graphgen::Generate(go);
  if (!graph.ok()) Die(graph.status().ToString());
  std::printf("generate %lld companies, %lld partnerships: %.1f s\n",
              static_cast<long long>(o.companies),
              static_cast<long long>(o.partnerships),
              absl::ToDoubleSeconds(absl::Now() - t0));

  const bool keep = !o.store_dir.empty() || !o.store.empty();
  const std::string dir =
      !o.store.empty() ? o.store
      : keep           ? absl::StrCat(o.store_dir, "/c", o.companies, "-p",
                                      o.partnerships, "-s", o.seed)
             : absl::StrCat(std::filesystem::temp_directory_path().string(),
                            "/partnergraph-index-bench-", getpid());
  if (!o.store.empty() && !std::filesystem::exists(dir + "/CURRENT")) {
    Die(absl::StrCat("--store: no store at ", dir));
  }
  if (!keep || !std::filesystem::exists(dir + "/CURRENT")) {
    std::filesystem::remove_all(dir);
    t0 = absl::Now();
    Load(*graph, dir);
    std::printf("import into the store (sync off): %.1f s\n",
                absl::ToDoubleSeconds(absl::Now() - t0));
  } else {
    std::printf("store reused from %s\n", dir.c_str());
  }

  // Read-only, with a 1 MiB block cache so RocksDB's own memory stays out of
  // the index's figure.
  rocksdb::Options db_options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(1 << 20);
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(db_options, dir, &raw);
  if (!s.ok()) Die(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  PrintHistoryCost(db.get());
  auto snapshot = storage::NewSharedSnapshot(db.get());
  storage::RecordSnapshotFactory records = [&db, snapshot] {
    return storage::NewRocksDbGraphSnapshot(db.get(), snapshot, 0);
  };
  std::vector<double> rebuild_seconds;
  int64_t rss_before = 0, rss_after = 0;
  std::unique_ptr<storage::GraphIndex> index;
  for (int i = 0; i < 2; ++i) {
    index.reset();
    malloc_trim(0);
    rss_before = RssBytes();
    index = std::make_unique<storage::GraphIndex>();
    auto scan = records();
    t0 = absl::Now();
    absl::Status r = index->Rebuild(*scan, records);
    if (!r.ok()) Die(r.ToString());
    rebuild_seconds.push_back(absl::ToDoubleSeconds(absl::Now() - t0));
    scan.reset();
    malloc_trim(0);  // what the rebuild allocated and freed again
    rss_after = RssBytes();
  }
  storage::GraphIndexStats stats = index->Stats();
  std::printf(
      "index rebuild from the store: %.2f s cold, %.2f s warm; %lld "
      "companies, %lld partnerships, %lld adjacency entries\n",
      rebuild_seconds[0], rebuild_seconds[1],
      static_cast<long long>(stats.companies),
      static_cast<long long>(stats.partnerships),
      static_cast<long long>(stats.adjacency_entries));
  std::printf(
      "index memory: RSS %.1f MiB -> %.1f MiB, %.1f bytes per adjacency "
      "entry (goal <= 64)\n",
      rss_before / 1048576.0, rss_after / 1048576.0,
      static_cast<double>(rss_after - rss_before) /
          static_cast<double>(std::max<int64_t>(1, stats.adjacency_entries)));

  // Start companies: uniform, and the top 1% by degree.
  Csr csr(*graph);
  const size_t n = graph->companies.size();
  std::vector<uint32_t> by_degree(n);
  for (size_t i = 0; i < n; ++i) by_degree[i] = static_cast<uint32_t>(i);
  std::sort(by_degree.begin(), by_degree.end(), [&](uint32_t a, uint32_t b) {
    return csr.company_offsets[a + 1] - csr.company_offsets[a] >
           csr.company_offsets[b + 1] - csr.company_offsets[b];
  });
  std::mt19937_64 rng(o.seed);
  std::vector<uint32_t> uniform, hubs;
  const size_t top = std::max<size_t>(1, n / 100);
  for (int i = 0; i < o.starts; ++i) {
    uniform.push_back(static_cast<uint32_t>(rng() % n));
    hubs.push_back(by_degree[rng() % top]);
  }

  std::printf(
      "\n2-hop traversals, ns per adjacency entry (median of %d rounds):\n"
      "%-10s %10s %10s %10s %12s\n",
      o.rounds, "starts", "entries", "CSR", "index", "index/CSR");
  std::vector<uint8_t> seen(n, 0);
  for (const auto& [label, starts] :
       {std::make_pair("uniform", &uniform), std::make_pair("top 1%", &hubs)}) {
    std::vector<double> csr_ns, index_ns;
    int64_t csr_entries = 0, index_entries = 0;
    for (int round = 0; round < o.rounds; ++round) {
      csr_entries = 0;
      auto a = std::chrono::steady_clock::now();
      size_t csr_nodes = 0;
      for (uint32_t c : *starts) csr_nodes += csr.TwoHop(c, seen, &csr_entries);
      auto b = std::chrono::steady_clock::now();
      csr_ns.push_back(std::chrono::duration<double, std::nano>(b - a).count() /
                       static_cast<double>(csr_entries));

      index_entries = 0;
      size_t index_nodes = 0;
      auto view = index->OpenView();
      a = std::chrono::steady_clock::now();
      for (uint32_t c : *starts) {
        index_nodes +=
            IndexTwoHop(*view, graph->companies[c].id, &index_entries);
      }
      b = std::chrono::steady_clock::now();
      index_ns.push_back(
          std::chrono::duration<double, std::nano>(b - a).count() /
          static_cast<double>(index_entries));
      if (index_entries != csr_entries || index_nodes != csr_nodes) {
        Die(absl::StrCat("index and CSR disagree: ", index_entries, " vs ",
                         csr_entries, " entries, ", index_nodes, " vs ",
                         csr_nodes, " nodes"));
      }
    }
    double c = Median(csr_ns), i = Median(index_ns);
    std::printf("%-10s %10lld %10.1f %10.1f %11.1fx\n", label,
                static_cast<long long>(csr_entries), c, i, i / c);
  }
  std::printf("(goal: index/CSR <= 2x)\n");
  index.reset();
  records = nullptr;
  snapshot.reset();
  db.reset();
  QueryLatencies(*graph, dir, uniform, hubs, o.cache_mb);
  if (!keep) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace partnergraph

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  partnergraph::Options o;
  CLI::App app{"The graph index against a bare CSR traversal"};
  app.add_option("--companies", o.companies, "companies to generate");
  app.add_option("--partnerships", o.partnerships, "partnerships to generate");
  app.add_option("--seed", o.seed, "generator seed");
  app.add_option("--starts", o.starts, "start companies per kind")
      ->check(CLI::Range(1, 100000));
  app.add_option("--rounds", o.rounds, "rounds (the median is reported)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--cache_mb", o.cache_mb,
                 "the store's block cache for the queries, MiB (as "
                 "partnergraphd --cache_mb)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--store", o.store,
                 "an existing store holding the graph of --companies, "
                 "--partnerships and --seed (e.g. the one "
                 "partnergraph_graph_bench loaded); nothing is imported");
  app.add_option("--store_dir", o.store_dir,
                 "keep the loaded store under this directory and reuse it "
                 "(default: a temporary store, removed at the end)");
  CLI11_PARSE(app, argc, argv);
  partnergraph::Run(o);
  return 0;
}
