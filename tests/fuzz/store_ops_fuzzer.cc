// Fuzzes request validation and the store's mutations together: the input is
// read (FuzzedDataProvider) as a short sequence of store operations with
// field values drawn from valid and invalid examples or raw bytes, applied to
// a real RocksDB store. After every call:
//   - a refused mutation left the store revision unchanged (writes nothing);
//   - an accepted mutation advanced it by exactly one (a repeated create
//     with a known request_id, or an update that changes nothing, by none);
//   - reads never change it.
// At the end GraphStore::CheckConsistency must find no problem (among
// others, no ticker held by two companies: the ticker pool below gives many
// company ids the same valid tickers, so creates, updates and deletes race
// for them and the refused ones must have written nothing).
//
// Opening a RocksDB store per input would cap the fuzzer at a few inputs a
// second, so one store serves the process: each input starts from an empty
// graph (the previous input's records are deleted after its check), request
// ids carry the input's sequence number, and etags and change-log positions
// are taken relative to the revision the input started at. What remains
// shared is the revision counter and the trimmed change log.

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/graph_store.h"
#include "tests/fuzz/fuzz_util.h"

namespace partnergraph::fuzzing {
namespace {

using storage::CompanyRecord;
using storage::PartnershipRecord;

constexpr int kMaxOps = 24;

template <size_t N>
std::string Pick(FuzzedDataProvider& in, const char* const (&pool)[N]) {
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, N);
  if (i == N) return in.ConsumeRandomLengthString(24);
  return pool[i];
}

const char* const kCompanyIds[] = {"micron", "anthropic", "acme", "a", ""};
const char* const kPartnershipIds[] = {"p1", "p2", "deal-2024", ""};
const char* const kNames[] = {"Micron Technology",  "Anthropic", "Acme Corp",
                              "Émile Électronique", "  ",        "Micron"};
const char* const kTickers[] = {"NASDAQ:MU", "NYSE:ACME", "mu",
                                "NASDAQ:",   ":MU",       "XETRA:BRK.B"};
const char* const kSectors[] = {"semiconductors/memory",
                                "ai",
                                "ai/frontier-lab",
                                "AI",
                                "a/b/c/d/e",
                                "a//b"};
const char* const kCountries[] = {"US", "DE", "us", "XX", "USA"};
const char* const kUrls[] = {"https://www.micron.com", "http://a.example/x",
                             "ftp://x", "micron.com"};
const char* const kDates[] = {"2024-01-01", "2025-02-28", "2025-02-29",
                              "2024-02-29", "1799-12-31", "9999-12-31",
                              "2024-13-01", "2024-1-1"};
const char* const kLabelKeys[] = {"source", "tier", "a/b", "Bad Key", "k"};
const char* const kWindows[] = {"1d", "10w", "999h", "1x", "1000d"};
const char* const kCompanyPaths[] = {
    "display_name", "legal_name", "aliases",         "tickers",
    "sectors",      "country",    "website",         "description",
    "labels",       "*",          "create_revision", "id"};
const char* const kPartnershipPaths[] = {
    "title",   "summary",          "participants", "kinds",
    "status",  "announced_on",     "ended_on",     "terms",
    "sources", "market_reactions", "labels",       "*"};
const char* const kRequestIds[] = {"", "r1", "r2"};

// Sequence number of the current input, appended to its request ids.
int64_t input_number = 0;

std::string MakeRequestId(FuzzedDataProvider& in) {
  const std::string id = Pick(in, kRequestIds);
  return id.empty() ? id : absl::StrCat(id, "-", input_number);
}

CompanyRecord MakeCompany(FuzzedDataProvider& in) {
  CompanyRecord c;
  c.set_id(Pick(in, kCompanyIds));
  if (in.ConsumeBool()) c.set_display_name(Pick(in, kNames));
  if (in.ConsumeBool()) c.set_legal_name(Pick(in, kNames));
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    c.add_aliases(Pick(in, kNames));
  }
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    c.add_tickers(Pick(in, kTickers));
  }
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    c.add_sectors(Pick(in, kSectors));
  }
  if (in.ConsumeBool()) c.set_country(Pick(in, kCountries));
  if (in.ConsumeBool()) c.set_website(Pick(in, kUrls));
  if (in.ConsumeBool()) c.set_description(in.ConsumeRandomLengthString(40));
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    (*c.mutable_labels())[Pick(in, kLabelKeys)] =
        in.ConsumeRandomLengthString(8);
  }
  // Output-only fields the store must ignore.
  if (in.ConsumeBool()) c.set_update_revision(in.ConsumeIntegral<int64_t>());
  return c;
}

double MakeDouble(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0:
      return std::numeric_limits<double>::quiet_NaN();
    case 1:
      return std::numeric_limits<double>::infinity();
    case 2:
      return 5.58;
    default:
      return in.ConsumeFloatingPoint<double>();
  }
}

PartnershipRecord MakePartnership(FuzzedDataProvider& in) {
  PartnershipRecord p;
  p.set_id(Pick(in, kPartnershipIds));
  if (in.ConsumeBool()) p.set_title(Pick(in, kNames));
  if (in.ConsumeBool()) p.set_summary(in.ConsumeRandomLengthString(40));
  for (int i = in.ConsumeIntegralInRange(0, 4); i > 0; --i) {
    auto* participant = p.add_participants();
    participant->set_company_id(Pick(in, kCompanyIds));
    participant->set_role(
        static_cast<storage::Role>(in.ConsumeIntegralInRange(-1, 9)));
  }
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    p.add_kinds(static_cast<storage::Kind>(in.ConsumeIntegralInRange(-1, 10)));
  }
  p.set_status(static_cast<storage::Status>(in.ConsumeIntegralInRange(0, 4)));
  if (in.ConsumeBool()) p.set_announced_on(Pick(in, kDates));
  if (in.ConsumeBool()) p.set_ended_on(Pick(in, kDates));
  if (in.ConsumeBool()) {
    auto* terms = p.mutable_terms();
    terms->set_disclosure(
        static_cast<storage::Disclosure>(in.ConsumeIntegralInRange(0, 4)));
    if (in.ConsumeBool()) terms->set_value_usd(in.ConsumeIntegral<int64_t>());
    if (in.ConsumeBool()) {
      terms->set_description(in.ConsumeRandomLengthString(16));
    }
  }
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    auto* source = p.add_sources();
    source->set_url(Pick(in, kUrls));
    if (in.ConsumeBool()) source->set_published_on(Pick(in, kDates));
    if (in.ConsumeBool()) source->set_excerpt(in.ConsumeRandomLengthString(16));
    if (in.ConsumeBool()) {
      source->set_retrieved_time_micros(in.ConsumeIntegral<int64_t>());
    }
  }
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    auto* reaction = p.add_market_reactions();
    reaction->set_ticker(Pick(in, kTickers));
    reaction->set_change_percent(MakeDouble(in));
    if (in.ConsumeBool()) reaction->set_on(Pick(in, kDates));
    if (in.ConsumeBool()) reaction->set_window(Pick(in, kWindows));
  }
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    (*p.mutable_labels())[Pick(in, kLabelKeys)] =
        in.ConsumeRandomLengthString(8);
  }
  return p;
}

template <size_t N>
std::vector<std::string> MakePaths(FuzzedDataProvider& in,
                                   const char* const (&pool)[N]) {
  std::vector<std::string> paths;
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    paths.push_back(Pick(in, pool));
  }
  return paths;
}

std::string MakeEtag(FuzzedDataProvider& in, int64_t revision) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0:
      return "";
    case 1:
      return storage::EtagFor(revision);
    case 2:
      return storage::EtagFor(revision - 1);
    case 3:
      return storage::EtagFor(in.ConsumeIntegralInRange<int64_t>(0, revision));
    default:
      return in.ConsumeRandomLengthString(8);
  }
}

void ExpectRevision(storage::GraphStore* store, int64_t want,
                    const std::string& what, const absl::Status& status) {
  if (store->Revision() != want) {
    Fail(absl::StrCat(what, " answered ", status.ToString(),
                      " and left revision ", store->Revision(), ", want ",
                      want));
  }
}

void RunOps(FuzzedDataProvider& in, storage::GraphStore* store) {
  const int64_t start = store->Revision();
  for (int op = 0; op < kMaxOps && in.remaining_bytes() > 0; ++op) {
    const int64_t before = store->Revision();
    absl::Status status;
    std::string what;
    bool mutation = true;
    bool may_be_noop = false;
    switch (in.ConsumeIntegralInRange(0, 11)) {
      case 0: {
        what = "CreateCompany";
        const std::string request_id = MakeRequestId(in);
        may_be_noop = !request_id.empty();
        status = store->CreateCompany(MakeCompany(in), request_id).status();
        break;
      }
      case 1: {
        what = "UpdateCompany";
        CompanyRecord patch = MakeCompany(in);
        auto paths = MakePaths(in, kCompanyPaths);
        auto updated = store->UpdateCompany(patch, paths, MakeEtag(in, before));
        // An update that changes nothing writes nothing (the record keeps
        // its update_revision).
        may_be_noop = updated.ok() && updated->update_revision() <= before;
        status = updated.status();
        break;
      }
      case 2: {
        what = "DeleteCompany";
        const std::string id = Pick(in, kCompanyIds);
        const std::string etag = MakeEtag(in, before);
        status = store->DeleteCompany(id, etag, in.ConsumeBool());
        break;
      }
      case 3: {
        what = "CreatePartnership";
        const std::string request_id = MakeRequestId(in);
        may_be_noop = !request_id.empty();
        status =
            store->CreatePartnership(MakePartnership(in), request_id).status();
        break;
      }
      case 4: {
        what = "UpdatePartnership";
        PartnershipRecord patch = MakePartnership(in);
        auto paths = MakePaths(in, kPartnershipPaths);
        auto updated =
            store->UpdatePartnership(patch, paths, MakeEtag(in, before));
        may_be_noop = updated.ok() && updated->update_revision() <= before;
        status = updated.status();
        break;
      }
      case 5: {
        what = "DeletePartnership";
        const std::string id = Pick(in, kPartnershipIds);
        status = store->DeletePartnership(id, MakeEtag(in, before));
        break;
      }
      case 6: {
        mutation = false;
        what = "ListCompanies";
        storage::CompanyFilter filter;
        filter.sector = Pick(in, kSectors);
        filter.country = in.ConsumeBool() ? Pick(in, kCountries) : "";
        filter.label = in.ConsumeBool() ? Pick(in, kLabelKeys) : "";
        const int page_size = in.ConsumeIntegralInRange(-1, 1200);
        status = store->ListCompanies(filter, page_size, "").status();
        break;
      }
      case 7: {
        mutation = false;
        what = "ListPartnerships";
        storage::PartnershipQuery query;
        if (in.ConsumeBool()) {
          query.add_kinds(
              static_cast<storage::Kind>(in.ConsumeIntegralInRange(-1, 10)));
        }
        if (in.ConsumeBool()) query.set_announced_after(Pick(in, kDates));
        if (in.ConsumeBool()) query.set_announced_before(Pick(in, kDates));
        if (in.ConsumeBool()) query.add_participant_sectors(Pick(in, kSectors));
        if (in.ConsumeBool()) query.set_company_id(Pick(in, kCompanyIds));
        query.set_min_sources(in.ConsumeIntegralInRange(-1, 3));
        status =
            store->ListPartnerships(query, in.ConsumeIntegralInRange(-1, 5), "")
                .status();
        break;
      }
      case 8: {
        mutation = false;
        what = "SearchCompanies";
        status = store
                     ->SearchCompanies(Pick(in, kNames),
                                       in.ConsumeIntegralInRange(-1, 200))
                     .status();
        break;
      }
      case 9: {
        mutation = false;
        what = "ReadChanges";
        status = store
                     ->ReadChanges(
                         start + in.ConsumeIntegralInRange<int64_t>(-40, 40),
                         in.ConsumeIntegralInRange(-1, 1001))
                     .status();
        break;
      }
      case 10: {
        mutation = false;
        what = "GetCompany";
        status = store->GetCompany(Pick(in, kCompanyIds)).status();
        break;
      }
      default: {
        mutation = false;
        what = "BatchGetCompanies";
        std::vector<std::string> ids;
        for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
          ids.push_back(Pick(in, kCompanyIds));
        }
        status = store->BatchGetCompanies(ids).status();
        break;
      }
    }
    if (status.code() == absl::StatusCode::kInternal ||
        status.code() == absl::StatusCode::kDataLoss ||
        status.code() == absl::StatusCode::kUnknown) {
      Fail(absl::StrCat(what, " answered ", status.ToString()));
    }
    if (!mutation || !status.ok()) {
      ExpectRevision(store, before, what, status);
    } else if (!(may_be_noop && store->Revision() == before)) {
      ExpectRevision(store, before + 1, what, status);
    }
  }
}

// Deletes every record, leaving an empty graph for the next input.
void DeleteAll(storage::GraphStore* store) {
  while (true) {
    auto page = store->ListCompanies(storage::CompanyFilter(),
                                     storage::kMaxPageSize, "");
    if (!page.ok()) Fail(page.status().ToString());
    if (page->companies.empty()) break;
    for (const CompanyRecord& c : page->companies) {
      const absl::Status deleted = store->DeleteCompany(c.id(), "", true);
      if (!deleted.ok()) Fail(absl::StrCat("cleanup: ", deleted.ToString()));
    }
  }
  auto left = store->ListPartnerships(storage::PartnershipQuery(), 1, "");
  if (!left.ok()) Fail(left.status().ToString());
  if (!left->partnerships.empty()) {
    Fail(absl::StrCat("partnership ", left->partnerships[0].id(),
                      " outlived all its participants"));
  }
}

TempStore* Store() {
  static TempStore* store = [] {
    storage::StoreOptions options;
    options.sync = false;
    options.block_cache_bytes = 1 << 20;
    options.history_limit = 32;
    auto* s = new TempStore(options);
    std::atexit([] { delete store; });
    return s;
  }();
  return store;
}

}  // namespace
}  // namespace partnergraph::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace partnergraph;
  FuzzedDataProvider in(data, size);
  storage::GraphStore* store = fuzzing::Store()->get();
  ++fuzzing::input_number;
  fuzzing::RunOps(in, store);
  auto report = store->CheckConsistency();
  if (!report.ok()) fuzzing::Fail(report.status().ToString());
  if (!report->ok()) {
    fuzzing::Fail(absl::StrCat("inconsistent store: ",
                               absl::StrJoin(report->problems, "; ")));
  }
  fuzzing::DeleteAll(store);
  return 0;
}
