#ifndef PARTNERGRAPH_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define PARTNERGRAPH_TESTS_STORAGE_STORE_TEST_UTIL_H_

// Shared pieces of the store tests: a fresh on-disk store per test, status
// assertions that print the status, and the records of the article.

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/graph_store.h"
#include "storage/rocksdb_engine.h"

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    const ::absl::Status pg_s_ = ::partnergraph::testing_util::ToStatus(expr); \
    ASSERT_TRUE(pg_s_.ok()) << #expr << ": " << pg_s_;                         \
  } while (0)
#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    const ::absl::Status pg_s_ = ::partnergraph::testing_util::ToStatus(expr); \
    EXPECT_TRUE(pg_s_.ok()) << #expr << ": " << pg_s_;                         \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                          \
  auto PG_CONCAT_(pg_so_, __LINE__) = (expr);                    \
  ASSERT_TRUE(PG_CONCAT_(pg_so_, __LINE__).ok())                 \
      << #expr << ": " << PG_CONCAT_(pg_so_, __LINE__).status(); \
  lhs = *std::move(PG_CONCAT_(pg_so_, __LINE__))
#ifndef PG_CONCAT_
#define PG_CONCAT_INNER_(a, b) a##b
#define PG_CONCAT_(a, b) PG_CONCAT_INNER_(a, b)
#endif

namespace partnergraph::testing_util {

inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// A directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::path(::testing::TempDir()) /
        absl::StrCat(
            "pg-", ::getpid(), "-", counter++, "-",
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<storage::GraphStore> OpenStore(
    const std::string& path, storage::StoreOptions options = {}) {
  auto store = storage::OpenRocksDbStore(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

inline storage::CompanyRecord Micron() {
  storage::CompanyRecord c;
  c.set_id("micron");
  c.set_display_name("Micron Technology");
  c.set_legal_name("Micron Technology, Inc.");
  c.add_aliases("Micron");
  c.add_tickers("NASDAQ:MU");
  c.add_sectors("semiconductors/memory");
  c.set_country("US");
  c.set_website("https://www.micron.com");
  c.set_description("Memory and storage semiconductors.");
  (*c.mutable_labels())["source"] = "article";
  return c;
}

inline storage::CompanyRecord Anthropic() {
  storage::CompanyRecord c;
  c.set_id("anthropic");
  c.set_display_name("Anthropic");
  c.set_legal_name("Anthropic PBC");
  c.add_aliases("Claude");
  c.add_sectors("ai/frontier-lab");
  c.set_country("US");
  c.set_website("https://www.anthropic.com");
  return c;
}

inline storage::CompanyRecord SimpleCompany(const std::string& id,
                                            const std::string& name) {
  storage::CompanyRecord c;
  c.set_id(id);
  c.set_display_name(name);
  return c;
}

// The article's record: strategic partnership covering memory development,
// supply agreements and Claude integration; terms undisclosed; MU +5.58%.
inline storage::PartnershipRecord MicronAnthropic() {
  storage::PartnershipRecord p;
  p.set_id("micron-anthropic");
  p.set_title("Micron and Anthropic strategic partnership");
  p.set_summary(
      "AI memory development, supply agreements, and integration of Claude "
      "across Micron's operations.");
  auto* a = p.add_participants();
  a->set_company_id("micron");
  a->set_role(storage::ROLE_SUPPLIER);
  auto* b = p.add_participants();
  b->set_company_id("anthropic");
  b->set_role(storage::ROLE_PARTNER);
  p.add_kinds(storage::KIND_STRATEGIC_ALLIANCE);
  p.add_kinds(storage::KIND_SUPPLY_AGREEMENT);
  p.add_kinds(storage::KIND_TECHNOLOGY_INTEGRATION);
  p.set_status(storage::STATUS_ANNOUNCED);
  p.set_announced_on("2025-11-20");
  p.mutable_terms()->set_disclosure(storage::DISCLOSURE_UNDISCLOSED);
  p.mutable_terms()->set_description(
      "The deal's financial terms remain undisclosed.");
  auto* s = p.add_sources();
  s->set_url("https://example.com/micron-anthropic");
  s->set_title(
      "Micron (MU) Stock Jumps Over 5% on Strategic Anthropic Partnership");
  s->set_publisher("market news");
  s->set_excerpt("driving the stock up 5.58%");
  s->set_retrieved_time_micros(1763600000000000);
  auto* m = p.add_market_reactions();
  m->set_ticker("NASDAQ:MU");
  m->set_change_percent(5.58);
  m->set_window("1d");
  m->set_note("reaction to the announcement");
  (*p.mutable_labels())["topic"] = "ai-memory";
  return p;
}

inline storage::PartnershipRecord SimplePartnership(const std::string& a,
                                                    const std::string& b,
                                                    const std::string& date) {
  storage::PartnershipRecord p;
  p.set_title(absl::StrCat(a, " and ", b));
  p.add_participants()->set_company_id(a);
  p.add_participants()->set_company_id(b);
  p.add_kinds(storage::KIND_STRATEGIC_ALLIANCE);
  p.set_announced_on(date);
  return p;
}

}  // namespace partnergraph::testing_util

#endif  // PARTNERGRAPH_TESTS_STORAGE_STORE_TEST_UTIL_H_
