#include "client/bench/graphgen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/json_util.h"
#include "storage/text.h"

namespace partnergraph::graphgen {
namespace {

// Integer and real draws on top of mt19937_64 with fixed algorithms.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // Uniform in [0, n), n > 0, by rejection (no modulo bias).
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return x % n;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Index i with probability weights[i] / sum(weights).
  int Weighted(const std::vector<int>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return static_cast<int>(i);
      x -= weights[i];
    }
    return static_cast<int>(weights.size()) - 1;
  }

 private:
  std::mt19937_64 engine_;
};

const std::vector<SectorShare> kSectorShares = {
    {"semiconductors/memory", 5},
    {"semiconductors/logic", 10},
    {"semiconductors/foundry", 3},
    {"semiconductors/equipment", 8},
    {"ai/frontier-lab", 2},
    {"ai/applications", 25},
    {"ai/infrastructure", 10},
    {"cloud", 20},
    {"software/enterprise", 150},
    {"software/security", 60},
    {"software/consumer", 80},
    {"hardware/devices", 60},
    {"hardware/networking", 30},
    {"telecom", 40},
    {"energy/utilities", 40},
    {"energy/renewables", 40},
    {"automotive/manufacturers", 40},
    {"automotive/ev", 15},
    {"finance/banking", 60},
    {"finance/payments", 30},
    {"healthcare/pharma", 50},
    {"healthcare/devices", 40},
    {"retail", 60},
    {"logistics", 40},
    {"media", 30},
    {"industrial/manufacturing", 72},
};

// Name suffix per sector (same order as kSectorShares).
const char* const kSectorSuffixes[] = {
    "Memory",       "Semiconductor", "Foundry",  "Equipment", "AI",
    "Intelligence", "Compute",       "Cloud",    "Software",  "Security",
    "Apps",         "Devices",       "Networks", "Telecom",   "Utilities",
    "Renewables",   "Motors",        "Electric", "Bank",      "Payments",
    "Pharma",       "Medical",       "Retail",   "Logistics", "Media",
    "Industries"};

const char* const kSyllables1[] = {
    "Kel",  "Zen", "Mar", "Vol", "Ast",  "Bry",  "Cor", "Dal", "Eon", "Fal",
    "Gar",  "Hel", "Ix",  "Jor", "Kav",  "Lum",  "Mir", "Nov", "Or",  "Pra",
    "Quin", "Ros", "Sol", "Tor", "Ul",   "Ven",  "Wex", "Xan", "Yor", "Zan",
    "Alt",  "Bel", "Cyr", "Dyn", "Ever", "Flux", "Gen", "Hyp", "Ion", "Kor"};
const char* const kSyllables2[] = {
    "ora", "ex", "ion", "ata", "ix",  "on",   "ara", "eon",
    "ium", "yx", "ova", "ent", "is",  "una",  "ar",  "el",
    "ica", "os", "ax",  "ida", "ova", "ea",   "ith", "ane",
    "oro", "ux", "ira", "ant", "ero", "ynth", "ast", "ode"};

struct CountryShare {
  const char* code;
  int weight;
  const char* exchange;
};
const CountryShare kCountries[] = {
    {"US", 40, "NASDAQ"}, {"CN", 10, "SSE"}, {"JP", 8, "TSE"},
    {"KR", 4, "KRX"},     {"TW", 4, "TWSE"}, {"DE", 5, "XETRA"},
    {"GB", 5, "LSE"},     {"FR", 4, "EPA"},  {"IN", 6, "NSE"},
    {"NL", 2, "AMS"},     {"CA", 3, "TSX"},  {"IL", 2, "TASE"},
    {"SG", 2, "SGX"},     {"SE", 2, "STO"},  {"CH", 3, "SIX"}};

const char* const kPublishers[] = {"Reuters",         "Bloomberg",
                                   "Nikkei Asia",     "Financial Times",
                                   "The Information", "Company press release"};

// Kind weights (index = v1::PartnershipKind number - 1).
const std::vector<int> kKindWeights = {25, 20, 15, 15, 10, 7, 5, 3};
const char* const kKindPhrases[] = {
    "strategic alliance",     "supply agreement", "joint development",
    "technology integration", "investment",       "licensing deal",
    "distribution agreement", "joint venture"};

std::string Base26(uint64_t n) {
  std::string s;
  do {
    s.push_back(static_cast<char>('A' + n % 26));
    n /= 26;
  } while (n > 0);
  std::reverse(s.begin(), s.end());
  return s;
}

std::string DayString(int day) {
  static const absl::CivilDay kFirst(2016, 1, 1);
  return absl::FormatCivilTime(kFirst + day);
}

// Roles for a kind: the first participant is the supplier/investor/licensor.
std::pair<int8_t, int8_t> RolesFor(int kind) {
  switch (kind) {
    case v1::SUPPLY_AGREEMENT:
      return {v1::SUPPLIER, v1::CUSTOMER};
    case v1::INVESTMENT:
      return {v1::INVESTOR, v1::INVESTEE};
    case v1::LICENSING:
      return {v1::LICENSOR, v1::LICENSEE};
    default:
      return {v1::PARTNER, v1::PARTNER};
  }
}

// CSV field with quotes doubled, always quoted.
void AppendQuoted(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

const std::vector<SectorShare>& Sectors() { return kSectorShares; }

absl::StatusOr<Graph> Generate(const Options& options) {
  const int64_t n = options.companies;
  const int64_t m = options.partnerships;
  if (n < kMinCompanies || n > kMaxCompanies) {
    return absl::InvalidArgumentError(absl::StrCat(
        "companies: want ", kMinCompanies, "..", kMaxCompanies, ", got ", n));
  }
  if (m < 0 || m > kMaxPartnerships ||
      static_cast<double>(m) > 20.0 * static_cast<double>(n) * n) {
    return absl::InvalidArgumentError(
        absl::StrCat("partnerships: want 0..", kMaxPartnerships,
                     " and at most 20 x companies^2, got ", m));
  }
  Rng rng(options.seed);
  Graph graph;
  graph.companies.reserve(static_cast<size_t>(n));

  std::vector<int> sector_weights;
  for (const SectorShare& s : kSectorShares)
    sector_weights.push_back(s.per_mille);
  std::vector<int> country_weights;
  for (const CountryShare& c : kCountries) country_weights.push_back(c.weight);

  absl::flat_hash_set<std::string> ids;
  int64_t listed = 0;
  for (int64_t i = 0; i < n; ++i) {
    Company c;
    const int sector = rng.Weighted(sector_weights);
    const int country = rng.Weighted(country_weights);
    const char* s1 = kSyllables1[rng.Below(std::size(kSyllables1))];
    const char* s2 = kSyllables2[rng.Below(std::size(kSyllables2))];
    c.display_name = absl::StrCat(s1, s2, " ", kSectorSuffixes[sector]);
    c.id = storage::Slugify(c.display_name);
    // Names repeat quickly; number the later ones. A bare name never ends in
    // a digit and the number is the company's own, so this one is unique.
    if (!ids.insert(c.id).second) {
      absl::StrAppend(&c.display_name, " ", i + 1);
      c.id = storage::Slugify(c.display_name);
      ids.insert(c.id);
    }
    c.sector = kSectorShares[sector].sector;
    c.country = kCountries[country].code;
    if (rng.Below(100) < 35) {
      c.ticker =
          absl::StrCat(kCountries[country].exchange, ":", Base26(listed));
      ++listed;
    }
    c.website = absl::StrCat("https://www.", c.id, ".example.com");
    graph.companies.push_back(std::move(c));
  }

  // Popularity: rank[i] of company i is a seeded random permutation; the
  // cumulative weights are kept by rank and mapped back through by_rank.
  std::vector<int32_t> by_rank(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) by_rank[i] = static_cast<int32_t>(i);
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(by_rank[i], by_rank[rng.Below(static_cast<uint64_t>(i + 1))]);
  }
  std::vector<double> cumulative(static_cast<size_t>(n));
  double total = 0;
  for (int64_t r = 0; r < n; ++r) {
    total += std::pow(static_cast<double>(r) + kZipfOffset, -kZipfExponent);
    cumulative[r] = total;
  }
  auto pick = [&]() -> int32_t {
    const double x = rng.Unit() * total;
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
    const int64_t r = std::min<int64_t>(it - cumulative.begin(), n - 1);
    return by_rank[r];
  };

  std::vector<std::string> days(kDays);
  for (int d = 0; d < kDays; ++d) days[d] = DayString(d);

  // (sorted participants, day) of every partnership so far.
  absl::flat_hash_set<std::pair<uint64_t, uint64_t>> seen;
  seen.reserve(static_cast<size_t>(m));
  graph.partnerships.reserve(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) {
    Partnership p;
    p.id = absl::StrFormat("p%07d", j + 1);
    const int count = rng.Below(100) < 5 ? 3 : 2;
    // Later years see more deals: day = kDays * sqrt(u).
    int day = 0;
    std::vector<int32_t> sorted;
    for (;;) {
      p.participants.clear();
      while (static_cast<int>(p.participants.size()) < count) {
        const int32_t c = pick();
        if (std::find(p.participants.begin(), p.participants.end(), c) ==
            p.participants.end()) {
          p.participants.push_back(c);
        }
      }
      day =
          std::min(kDays - 1, static_cast<int>(kDays * std::sqrt(rng.Unit())));
      sorted = p.participants;
      std::sort(sorted.begin(), sorted.end());
      const uint64_t third =
          count == 3 ? static_cast<uint32_t>(sorted[2]) : uint64_t{0xFFFFFFFF};
      const std::pair<uint64_t, uint64_t> key(
          (static_cast<uint64_t>(sorted[0]) << 32) |
              static_cast<uint32_t>(sorted[1]),
          (third << 32) | static_cast<uint32_t>(day));
      if (seen.insert(key).second) break;
    }
    p.announced_on = days[day];

    const int first_kind = rng.Weighted(kKindWeights) + 1;
    p.kinds.push_back(static_cast<int8_t>(first_kind));
    if (rng.Below(100) < 20) {
      int second = rng.Weighted(kKindWeights) + 1;
      if (second != first_kind) p.kinds.push_back(static_cast<int8_t>(second));
    }
    const auto [role_a, role_b] = RolesFor(first_kind);
    p.roles.push_back(role_a);
    for (int k = 1; k < count; ++k) p.roles.push_back(role_b);

    const int status = rng.Weighted({50, 35, 15});
    p.status = static_cast<int8_t>(status + 1);
    if (p.status == v1::ENDED) {
      const int length = 30 + static_cast<int>(rng.Below(1500));
      p.ended_on = DayString(day + length);
    }
    p.sources = static_cast<int8_t>(rng.Weighted({10, 45, 30, 15}));
    if (rng.Below(100) < 20) {
      p.disclosure = v1::DISCLOSED;
      p.value_usd = static_cast<int64_t>(1 + rng.Below(5000)) * 1000000;
    } else {
      p.disclosure = rng.Below(2) == 0 ? v1::UNDISCLOSED : v1::UNKNOWN;
    }
    const Company& a = graph.companies[p.participants[0]];
    const Company& b = graph.companies[p.participants[1]];
    p.title = count == 3 ? absl::StrCat(
                               a.display_name, ", ", b.display_name, " and ",
                               graph.companies[p.participants[2]].display_name,
                               " ", kKindPhrases[first_kind - 1])
                         : absl::StrCat(a.display_name, " and ", b.display_name,
                                        " ", kKindPhrases[first_kind - 1]);
    graph.partnerships.push_back(std::move(p));
  }
  return graph;
}

v1::Company ToApiCompany(const Company& company) {
  v1::Company out;
  out.set_name(absl::StrCat("companies/", company.id));
  out.set_display_name(company.display_name);
  if (!company.ticker.empty()) out.add_tickers(company.ticker);
  out.add_sectors(company.sector);
  out.set_country(company.country);
  out.set_website(company.website);
  return out;
}

v1::Partnership ToApiPartnership(const Graph& graph,
                                 const Partnership& partnership) {
  const Partnership& p = partnership;
  v1::Partnership out;
  out.set_name(absl::StrCat("partnerships/", p.id));
  out.set_title(p.title);
  for (size_t i = 0; i < p.participants.size(); ++i) {
    v1::Participant* participant = out.add_participants();
    participant->set_company(
        absl::StrCat("companies/", graph.companies[p.participants[i]].id));
    participant->set_role(static_cast<v1::ParticipantRole>(p.roles[i]));
  }
  for (int8_t kind : p.kinds) {
    out.add_kinds(static_cast<v1::PartnershipKind>(kind));
  }
  out.set_status(static_cast<v1::PartnershipStatus>(p.status));
  out.set_announced_on(p.announced_on);
  if (!p.ended_on.empty()) out.set_ended_on(p.ended_on);
  out.mutable_terms()->set_disclosure(
      static_cast<v1::TermsDisclosure>(p.disclosure));
  if (p.disclosure == v1::DISCLOSED) {
    out.mutable_terms()->set_value_usd(p.value_usd);
  }
  for (int k = 0; k < p.sources; ++k) {
    v1::Source* source = out.add_sources();
    source->set_url(absl::StrCat("https://news.example.com/",
                                 p.announced_on.substr(0, 4), "/", p.id, "-",
                                 k + 1));
    source->set_title(p.title);
    source->set_publisher(kPublishers[(p.id.back() + k) % 6]);
    source->set_published_on(p.announced_on);
  }
  return out;
}

absl::Status WriteJsonl(const Graph& graph, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = false;
  std::string line;
  v1::Record record;
  auto emit = [&]() -> absl::Status {
    line.clear();
    auto status =
        google::protobuf::util::MessageToJsonString(record, &line, print);
    if (!status.ok()) {
      return absl::InternalError(
          absl::StrCat("JSON encoding failed: ", status.ToString()));
    }
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    if (!out) return absl::InternalError("write failed");
    return absl::OkStatus();
  };
  for (const Company& c : graph.companies) {
    *record.mutable_company() = ToApiCompany(c);
    if (absl::Status s = emit(); !s.ok()) return s;
  }
  for (const Partnership& p : graph.partnerships) {
    *record.mutable_partnership() = ToApiPartnership(graph, p);
    if (absl::Status s = emit(); !s.ok()) return s;
  }
  out.flush();
  if (!out) return absl::InternalError("write failed");
  return absl::OkStatus();
}

void AppendCsvRows(const Graph& graph, const std::string& table, int64_t begin,
                   int64_t end, std::string* out) {
  if (table == "companies") {
    for (int64_t i = begin; i < end; ++i) {
      const Company& c = graph.companies[i];
      absl::StrAppend(out, c.id, ",");
      AppendQuoted(out, c.display_name);
      absl::StrAppend(out, ",", c.sector, ",", c.country, ",", c.ticker, ",",
                      c.website, "\n");
    }
    return;
  }
  for (int64_t j = begin; j < end; ++j) {
    const Partnership& p = graph.partnerships[j];
    if (table == "partnerships") {
      absl::StrAppend(out, p.id, ",");
      AppendQuoted(out, p.title);
      absl::StrAppend(out, ",", v1::PartnershipStatus_Name(p.status), ",",
                      p.announced_on, ",", p.ended_on, ",\"{");
      for (size_t k = 0; k < p.kinds.size(); ++k) {
        absl::StrAppend(out, k > 0 ? "," : "", p.kinds[k]);
      }
      absl::StrAppend(out, "}\",", p.sources, "\n");
    } else {
      for (size_t k = 0; k < p.participants.size(); ++k) {
        absl::StrAppend(out, p.id, ",", graph.companies[p.participants[k]].id,
                        ",", v1::ParticipantRole_Name(p.roles[k]), "\n");
      }
    }
  }
}

absl::Status WriteCsv(const Graph& graph, const std::string& dir) {
  const std::pair<const char*, int64_t> tables[] = {
      {"companies", static_cast<int64_t>(graph.companies.size())},
      {"partnerships", static_cast<int64_t>(graph.partnerships.size())},
      {"participants", static_cast<int64_t>(graph.partnerships.size())}};
  for (const auto& [table, rows] : tables) {
    const std::string path = absl::StrCat(dir, "/", table, ".csv");
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return absl::InternalError(absl::StrCat(path, ": cannot open"));
    std::string chunk;
    for (int64_t i = 0; i < rows; i += 10000) {
      chunk.clear();
      AppendCsvRows(graph, table, i, std::min(rows, i + 10000), &chunk);
      file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
    file.close();
    if (!file) return absl::InternalError(absl::StrCat(path, ": write failed"));
  }
  return absl::OkStatus();
}

}  // namespace partnergraph::graphgen
