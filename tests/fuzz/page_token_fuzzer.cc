// Fuzzes the page tokens of ListCompanies and ListPartnerships on a real
// store holding a few pages of records: an arbitrary token, or a real token
// with bytes flipped, cut or appended, must be answered with a valid page or
// INVALID_ARGUMENT naming page_token, never anything else; an unmodified
// token must give the next page.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/graph_store.h"
#include "tests/fuzz/fuzz_util.h"

namespace partnergraph::fuzzing {
namespace {

using storage::CompanyFilter;
using storage::PartnershipQuery;

constexpr int kCompanies = 24;
constexpr int kPartnerships = 12;

TempStore* Store() {
  static TempStore* store = [] {
    storage::StoreOptions options;
    options.sync = false;
    options.block_cache_bytes = 1 << 20;
    auto* s = new TempStore(options);
    for (int i = 0; i < kCompanies; ++i) {
      storage::CompanyRecord c;
      c.set_id(absl::StrCat("c", i));
      c.set_display_name(absl::StrCat("Company ", i));
      c.add_sectors(i % 2 == 0 ? "semiconductors/memory" : "ai/frontier-lab");
      c.set_country(i % 3 == 0 ? "US" : "DE");
      (*c.mutable_labels())["tier"] = i % 4 == 0 ? "one" : "two";
      auto created = (*s)->CreateCompany(c, "");
      if (!created.ok()) Fail(created.status().ToString());
    }
    for (int i = 0; i < kPartnerships; ++i) {
      storage::PartnershipRecord p;
      p.set_id(absl::StrCat("p", i));
      p.set_title(absl::StrCat("Deal ", i));
      p.add_participants()->set_company_id(absl::StrCat("c", i));
      p.add_participants()->set_company_id(absl::StrCat("c", i + 1));
      p.add_kinds(storage::KIND_STRATEGIC_ALLIANCE);
      p.set_status(storage::STATUS_ANNOUNCED);
      p.set_announced_on(absl::StrCat("2024-0", 1 + i % 9, "-1", i % 10));
      auto created = (*s)->CreatePartnership(p, "");
      if (!created.ok()) Fail(created.status().ToString());
    }
    std::atexit([] { delete store; });
    return s;
  }();
  return store;
}

// A token as a client might send it: a real one altered, or raw bytes.
std::string MakeToken(FuzzedDataProvider& in, const std::string& real) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0:
      return real;
    case 1: {  // Flip bytes.
      std::string t = real;
      const int flips = in.ConsumeIntegralInRange(1, 4);
      for (int i = 0; i < flips && !t.empty(); ++i) {
        const size_t at = in.ConsumeIntegralInRange<size_t>(0, t.size() - 1);
        t[at] = static_cast<char>(t[at] ^ in.ConsumeIntegralInRange(1, 255));
      }
      return t;
    }
    case 2:  // Cut.
      return real.substr(0, in.ConsumeIntegralInRange<size_t>(0, real.size()));
    case 3:  // Append.
      return real + in.ConsumeRandomLengthString(16);
    default:
      return in.ConsumeRemainingBytesAsString();
  }
}

void CheckRefusal(const absl::Status& status, const std::string& token) {
  if (status.code() != absl::StatusCode::kInvalidArgument ||
      !absl::StartsWith(status.message(), "page_token: ")) {
    Fail(absl::StrCat("token \"", absl::CHexEscape(token), "\" answered ",
                      status.ToString()));
  }
}

void FuzzCompanies(FuzzedDataProvider& in) {
  static const CompanyFilter kFilters[] = {
      {}, {"ai", "", ""}, {"", "US", ""}, {"", "", "tier=one"}};
  const CompanyFilter& filter = kFilters[in.ConsumeIntegralInRange(0, 3)];
  const int page_size = in.ConsumeIntegralInRange(1, 5);
  auto first = (*Store())->ListCompanies(filter, page_size, "");
  if (!first.ok()) Fail(first.status().ToString());
  // The token may be used with another filter or page size.
  const CompanyFilter& other = kFilters[in.ConsumeIntegralInRange(0, 3)];
  const int other_size = in.ConsumeIntegralInRange(0, 6);
  const std::string token = MakeToken(in, first->next_page_token);
  auto page = (*Store())->ListCompanies(other, other_size, token);
  if (!page.ok()) {
    CheckRefusal(page.status(), token);
    if (token == first->next_page_token && &other == &filter) {
      Fail("an unmodified token was refused");
    }
    return;
  }
  const int limit = other_size == 0 ? storage::kDefaultPageSize : other_size;
  if (static_cast<int>(page->companies.size()) > limit) Fail("page too long");
  if (token == first->next_page_token && !token.empty() && &other == &filter &&
      !page->companies.empty() && !first->companies.empty() &&
      page->companies.front().id() <= first->companies.back().id()) {
    Fail("next page does not follow the first");
  }
}

void FuzzPartnerships(FuzzedDataProvider& in) {
  PartnershipQuery queries[3];
  queries[1].add_kinds(storage::KIND_STRATEGIC_ALLIANCE);
  queries[2].set_company_id("c3");
  const int qi = in.ConsumeIntegralInRange(0, 2);
  const int page_size = in.ConsumeIntegralInRange(1, 5);
  auto first = (*Store())->ListPartnerships(queries[qi], page_size, "");
  if (!first.ok()) Fail(first.status().ToString());
  const int other = in.ConsumeIntegralInRange(0, 2);
  const int other_size = in.ConsumeIntegralInRange(0, 6);
  const std::string token = MakeToken(in, first->next_page_token);
  auto page = (*Store())->ListPartnerships(queries[other], other_size, token);
  if (!page.ok()) {
    CheckRefusal(page.status(), token);
    if (token == first->next_page_token && other == qi) {
      Fail("an unmodified token was refused");
    }
    return;
  }
  const int limit = other_size == 0 ? storage::kDefaultPageSize : other_size;
  if (static_cast<int>(page->partnerships.size()) > limit) {
    Fail("page too long");
  }
}

}  // namespace
}  // namespace partnergraph::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    partnergraph::fuzzing::FuzzCompanies(in);
  } else {
    partnergraph::fuzzing::FuzzPartnerships(in);
  }
  return 0;
}
