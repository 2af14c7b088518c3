#ifndef PARTNERGRAPH_CLIENT_BENCH_GRAPHGEN_H_
#define PARTNERGRAPH_CLIENT_BENCH_GRAPHGEN_H_

// A synthetic partnership graph for benchmarks and import tests.
//
// Generate() makes `companies` companies and `partnerships` partnerships:
//   - each company has one sector from a fixed sector tree (kSectors, with
//     its share: 0.5% `semiconductors/memory`, 0.2% `ai/frontier-lab`, ...),
//     a country, a website, and for about a third a ticker;
//   - each partnership has 2 participants (3 for about 5%), chosen with
//     Zipf-weighted probability: every company gets a popularity rank r
//     (a seeded random permutation) and is picked with weight
//     (r + kZipfOffset)^-kZipfExponent, so the degree distribution is heavy
//     tailed (at 100k/1M: highest degree about 5000, median about 7);
//   - kinds (1 or 2), a status (ENDED ones get an ended_on), 0..3 sources and
//     an `announced_on` date in 2016-01-01..2025-12-31, denser in later
//     years;
//   - no two partnerships share their participant set and announced_on, so
//     none is a duplicate in the store's sense.
// Every record passes the store's validation.
//
// Deterministic by seed on every platform: the only randomness is
// std::mt19937_64 (whose output the C++ standard fixes) fed through this
// file's own integer and real conversions, never through std::*_distribution
// (whose algorithms differ between standard libraries). The same options
// give byte-identical output.
//
// Memory: about 200 bytes per company and 150 per partnership (1M
// partnerships: ~150 MB).

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "partnergraph/v1/admin_service.pb.h"
#include "partnergraph/v1/resources.pb.h"

namespace partnergraph::graphgen {

// Bounds of Generate().
inline constexpr int64_t kMinCompanies = 3;
inline constexpr int64_t kMaxCompanies = 10000000;
inline constexpr int64_t kMaxPartnerships = 50000000;
// Popularity weight of rank r: (r + kZipfOffset)^-kZipfExponent.
inline constexpr double kZipfExponent = 0.9;
inline constexpr double kZipfOffset = 30;
// Dates are drawn from this many days from kFirstDay on (ten years).
inline constexpr char kFirstDay[] = "2016-01-01";
inline constexpr int kDays = 3653;

struct Options {
  // kMinCompanies..kMaxCompanies.
  int64_t companies = 100000;
  // 0..kMaxPartnerships, and at most 20 x companies^2 so that distinct
  // (participant set, date) pairs remain plentiful.
  int64_t partnerships = 1000000;
  uint64_t seed = 1;
};

struct Company {
  // `[a-z0-9][a-z0-9-]{0,62}`, derived from display_name.
  std::string id;
  std::string display_name;
  // One sector path from kSectors.
  std::string sector;
  // ISO 3166-1 alpha-2.
  std::string country;
  // EXCHANGE:SYMBOL, or empty for a private company.
  std::string ticker;
  std::string website;
};

struct Partnership {
  // "p0000001"...
  std::string id;
  std::string title;
  // Indices into Graph::companies; 2 or 3 distinct.
  std::vector<int32_t> participants;
  // v1::ParticipantRole numbers, one per participant.
  std::vector<int8_t> roles;
  // Distinct v1::PartnershipKind numbers, 1 or 2.
  std::vector<int8_t> kinds;
  // v1::PartnershipStatus number.
  int8_t status = 1;
  // Number of sources, 0..3.
  int8_t sources = 0;
  // v1::TermsDisclosure number; value_usd is set only for DISCLOSED.
  int8_t disclosure = 3;
  int64_t value_usd = 0;
  // YYYY-MM-DD; ended_on only for ENDED.
  std::string announced_on;
  std::string ended_on;
};

struct Graph {
  std::vector<Company> companies;
  std::vector<Partnership> partnerships;
};

// The sectors companies are drawn from, with their weight in per mille.
struct SectorShare {
  const char* sector;
  int per_mille;
};
const std::vector<SectorShare>& Sectors();

// INVALID_ARGUMENT naming the option and its bounds when out of range.
absl::StatusOr<Graph> Generate(const Options& options);

// The API messages of one record (names `companies/{id}`,
// `partnerships/{id}`; output-only fields unset).
v1::Company ToApiCompany(const Company& company);
v1::Partnership ToApiPartnership(const Graph& graph,
                                 const Partnership& partnership);

// JSON Lines of partnergraph.v1.Record in the protobuf JSON mapping, one
// record a line, every company before any partnership: the input of
// `partnerctl import`. INTERNAL when the stream fails.
absl::Status WriteJsonl(const Graph& graph, std::ostream& out);

// CSV files for PostgreSQL `COPY ... (FORMAT csv)`, without header lines, in
// directory `dir` (which must exist):
//   companies.csv     id,display_name,sector,country,ticker,website
//   partnerships.csv  id,title,status,announced_on,ended_on,kinds,sources
//                     (status a v1 enum name, kinds a `{1,3}` array literal
//                     of v1::PartnershipKind numbers, ended_on/ticker empty
//                     = NULL)
//   participants.csv  partnership_id,company_id,role
// INTERNAL naming the file when a write fails.
absl::Status WriteCsv(const Graph& graph, const std::string& dir);

// The CSV text of each table (what WriteCsv writes), for callers that stream
// it elsewhere (e.g. COPY FROM STDIN). `table` is "companies",
// "partnerships" or "participants"; the rows of companies (or, for the other
// two tables, of partnerships) with index in [begin, end).
void AppendCsvRows(const Graph& graph, const std::string& table, int64_t begin,
                   int64_t end, std::string* out);

}  // namespace partnergraph::graphgen

#endif  // PARTNERGRAPH_CLIENT_BENCH_GRAPHGEN_H_
