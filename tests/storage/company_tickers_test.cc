// A ticker belongs to one company at a time, on the RocksDB engine: creates,
// updates, imports and concurrent writers; the ticker index across restarts;
// a store written before the ticker index, and one that already holds a
// ticker twice.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "rocksdb/db.h"
#include "storage/index_entries.h"
#include "storage/key_codec.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::Anthropic;
using ::partnergraph::testing_util::Micron;
using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Another company that claims Micron's ticker, NASDAQ:MU, as its second.
CompanyRecord Claimant(const std::string& id = "micron-technology") {
  CompanyRecord c = SimpleCompany(id, "Micron Tech Holdings");
  c.add_tickers("XETRA:MTE");
  c.add_tickers("NASDAQ:MU");
  return c;
}

constexpr char kHeldByMicron[] =
    "company.tickers[1]: \"NASDAQ:MU\" is held by companies/micron";

// Writes raw key changes behind the store's back (the store is closed).
void Tamper(const std::string& path,
            const std::function<void(rocksdb::DB*)>& fn) {
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  fn(db.get());
}

// Leaves the store as one written before the ticker index: no ticker
// entries and no marker saying they are complete.
void DropTickerIndex(rocksdb::DB* db) {
  const std::string lo = keys::TablePrefix(keys::kTicker);
  ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(),
                              db->DefaultColumnFamily(), lo,
                              keys::PrefixSuccessor(lo))
                  .ok());
  ASSERT_TRUE(
      db->Delete(rocksdb::WriteOptions(), keys::MetaKey(keys::kMetaTickerIndex))
          .ok());
}

class CompanyTickersTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_ = OpenStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  void ExpectConsistent() {
    auto report = store_->CheckConsistency();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  }
  void ExpectRefused(const absl::Status& s, const std::string& message) {
    EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
    EXPECT_EQ(s.message(), message);
  }
  TempDir dir_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(CompanyTickersTest, CreateWithAHeldTickerIsRefusedAndWritesNothing) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  const int64_t revision = store_->Revision();
  ExpectRefused(store_->CreateCompany(Claimant(), "req-1").status(),
                kHeldByMicron);
  EXPECT_EQ(store_->Revision(), revision);
  EXPECT_EQ(store_->GetCompany("micron-technology").status().code(),
            absl::StatusCode::kNotFound);
  // Neither its other ticker nor its request id was taken.
  CompanyRecord free = Claimant();
  free.mutable_tickers()->RemoveLast();
  ASSERT_OK_AND_ASSIGN(CompanyRecord created,
                       store_->CreateCompany(free, "req-1"));
  EXPECT_THAT(created.tickers(), ElementsAre("XETRA:MTE"));
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, UpdateAddingAHeldTickerIsRefused) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  const int64_t revision = store_->Revision();
  CompanyRecord patch;
  patch.set_id("anthropic");
  patch.add_tickers("NYSE:ANTH");
  patch.add_tickers("NASDAQ:MU");
  ExpectRefused(store_->UpdateCompany(patch, {"tickers"}, "").status(),
                kHeldByMicron);
  EXPECT_EQ(store_->Revision(), revision);
  ASSERT_OK_AND_ASSIGN(CompanyRecord anthropic,
                       store_->GetCompany("anthropic"));
  EXPECT_TRUE(anthropic.tickers().empty());
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, UpdateKeepingItsOwnTickersSucceeds) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  CompanyRecord patch;
  patch.set_id("micron");
  patch.set_description("Memory.");
  ASSERT_OK(store_->UpdateCompany(patch, {"description"}, ""));
  // Its tickers given again, reordered, with a new one.
  patch.add_tickers("XETRA:MTE");
  patch.add_tickers("NASDAQ:MU");
  ASSERT_OK_AND_ASSIGN(CompanyRecord updated,
                       store_->UpdateCompany(patch, {"tickers"}, ""));
  EXPECT_THAT(updated.tickers(), ElementsAre("XETRA:MTE", "NASDAQ:MU"));
  // The whole record replaced, tickers unchanged.
  CompanyRecord all = Micron();
  all.add_tickers("XETRA:MTE");
  ASSERT_OK(store_->UpdateCompany(all, {"*"}, ""));
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, TickerFreedByUpdateOrDeleteCanBeTakenAgain) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  CompanyRecord drop;
  drop.set_id("micron");
  ASSERT_OK(store_->UpdateCompany(drop, {"tickers"}, ""));
  ASSERT_OK(store_->CreateCompany(Claimant(), ""));
  // Now micron cannot take it back.
  CompanyRecord back;
  back.set_id("micron");
  back.add_tickers("NASDAQ:MU");
  ExpectRefused(store_->UpdateCompany(back, {"tickers"}, "").status(),
                "company.tickers[0]: \"NASDAQ:MU\" is held by "
                "companies/micron-technology");
  ASSERT_OK(store_->DeleteCompany("micron-technology", "", false));
  ASSERT_OK(store_->UpdateCompany(back, {"tickers"}, ""));
  ASSERT_OK_AND_ASSIGN(SearchResult hits,
                       store_->SearchCompanies("NASDAQ:MU", 10));
  ASSERT_EQ(hits.hits.size(), 1u);
  EXPECT_EQ(hits.hits[0].company.id(), "micron");
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, ImportRefusesATickerHeldInTheStore) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ImportBatch batch;
  batch.companies.emplace_back(0, SimpleCompany("a", "A"));
  batch.companies.emplace_back(1, Claimant());
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(std::move(batch)));
  EXPECT_EQ(result.companies_written, 1);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].index, 1);
  ExpectRefused(result.errors[0].status, kHeldByMicron);
  EXPECT_OK(store_->GetCompany("a"));
  EXPECT_EQ(store_->GetCompany("micron-technology").status().code(),
            absl::StatusCode::kNotFound);
  // Micron itself, imported again with its ticker, is a replacement.
  CompanyRecord micron = Micron();
  micron.set_description("Replaced by import.");
  ImportBatch again;
  again.companies.emplace_back(0, micron);
  ASSERT_OK_AND_ASSIGN(result, store_->Import(std::move(again)));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.companies_written, 1);
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, ImportRefusesTheLaterOfTwoRecordsClaimingATicker) {
  ImportBatch batch;
  CompanyRecord first = SimpleCompany("first", "First");
  first.add_tickers("NYSE:ONE");
  CompanyRecord second = SimpleCompany("second", "Second");
  second.add_tickers("NYSE:ONE");
  CompanyRecord first_again = first;  // a replacement keeps its ticker
  first_again.set_description("Again.");
  batch.companies.emplace_back(0, first);
  batch.companies.emplace_back(1, second);
  batch.companies.emplace_back(2, first_again);
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(std::move(batch)));
  EXPECT_EQ(result.companies_written, 2);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].index, 1);
  ExpectRefused(result.errors[0].status,
                "company.tickers[0]: \"NYSE:ONE\" is held by companies/first");
  ASSERT_OK_AND_ASSIGN(CompanyRecord stored, store_->GetCompany("first"));
  EXPECT_EQ(stored.description(), "Again.");
  EXPECT_EQ(store_->GetCompany("second").status().code(),
            absl::StatusCode::kNotFound);
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, AllOrNothingImportWithATickerClashWritesNothing) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  const int64_t revision = store_->Revision();
  ImportBatch batch;
  batch.all_or_nothing = true;
  batch.companies.emplace_back(0, SimpleCompany("a", "A"));
  batch.companies.emplace_back(1, Claimant());
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(std::move(batch)));
  EXPECT_EQ(result.companies_written, 0);
  EXPECT_EQ(result.revision, revision);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].index, 1);
  ExpectRefused(result.errors[0].status, kHeldByMicron);
  EXPECT_EQ(store_->Revision(), revision);
  EXPECT_EQ(store_->GetCompany("a").status().code(),
            absl::StatusCode::kNotFound);
  // The ticker entry of the refused batch was not written either.
  ASSERT_OK(store_->DeleteCompany("micron", "", false));
  ASSERT_OK(store_->CreateCompany(Claimant(), ""));
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, ConcurrentClaimsOfOneTickerLetExactlyOneWin) {
  constexpr int kThreads = 12;
  std::vector<absl::Status> results(kThreads);
  absl::Barrier* start = new absl::Barrier(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CompanyRecord c = SimpleCompany(absl::StrCat("c", t), "Claimant");
      c.add_tickers("NASDAQ:MU");
      if (start->Block()) delete start;
      results[t] = store_->CreateCompany(c, "").status();
    });
  }
  for (auto& th : threads) th.join();
  int winners = 0;
  for (const absl::Status& s : results) {
    if (s.ok()) {
      ++winners;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(store_->Revision(), 1);
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, TheRuleHoldsAfterARestart) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  store_.reset();
  Open();
  ExpectRefused(store_->CreateCompany(Claimant(), "").status(), kHeldByMicron);
  ExpectConsistent();
}

TEST_F(CompanyTickersTest, AStoreWithoutTheTickerIndexGetsItAtOpen) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  const int64_t revision = store_->Revision();
  store_.reset();
  Tamper(dir_.path(), DropTickerIndex);
  Open();
  EXPECT_EQ(store_->Revision(), revision);
  ExpectConsistent();
  ExpectRefused(store_->CreateCompany(Claimant(), "").status(), kHeldByMicron);
}

TEST_F(CompanyTickersTest, AStoreHoldingATickerTwiceKeepsServingAndIsReported) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  CompanyRecord twin = Claimant();
  twin.mutable_tickers()->Clear();
  ASSERT_OK(store_->CreateCompany(twin, ""));
  store_.reset();
  // Give the second company NASDAQ:MU as a store written before the rule
  // could have: its record and search entries, and no ticker index at all.
  Tamper(dir_.path(), [](rocksdb::DB* db) {
    std::string bytes;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(),
                        keys::CompanyKey("micron-technology"), &bytes)
                    .ok());
    CompanyRecord before;
    ASSERT_TRUE(before.ParseFromString(bytes));
    CompanyRecord after = before;
    after.add_tickers("NASDAQ:MU");
    rocksdb::WriteBatch batch;
    batch.Put(keys::CompanyKey("micron-technology"), after.SerializeAsString());
    for (const auto& [key, value] : CompanyIndexEntries(after)) {
      if (key[0] == keys::kSearch) batch.Put(key, value);
    }
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
    DropTickerIndex(db);
  });
  Open();

  // Reads serve both holders.
  ASSERT_OK_AND_ASSIGN(SearchResult hits,
                       store_->SearchCompanies("NASDAQ:MU", 10));
  std::vector<std::string> ids;
  for (const SearchHit& h : hits.hits) ids.push_back(h.company.id());
  EXPECT_THAT(ids, UnorderedElementsAre("micron", "micron-technology"));
  EXPECT_OK(store_->GetCompany("micron-technology"));

  // The checker names the ticker and both holders, and nothing else.
  ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store_->CheckConsistency());
  ASSERT_EQ(report.problems.size(), 1u)
      << ::testing::PrintToString(report.problems);
  EXPECT_EQ(report.problems[0],
            "ticker \"NASDAQ:MU\" is held by 2 companies: companies/micron, "
            "companies/micron-technology");

  // Both holders still take updates that keep the ticker; a third company
  // cannot take it.
  CompanyRecord patch;
  patch.set_id("micron-technology");
  patch.set_description("Still here.");
  ASSERT_OK(store_->UpdateCompany(patch, {"description"}, ""));
  patch.set_id("micron");
  ASSERT_OK(store_->UpdateCompany(patch, {"description"}, ""));
  CompanyRecord third = SimpleCompany("third", "Third");
  third.add_tickers("NASDAQ:MU");
  EXPECT_EQ(store_->CreateCompany(third, "").status().code(),
            absl::StatusCode::kAlreadyExists);

  // One holder dropping it leaves the store consistent, the ticker held by
  // the other.
  CompanyRecord drop;
  drop.set_id("micron-technology");
  drop.add_tickers("XETRA:MTE");
  ASSERT_OK(store_->UpdateCompany(drop, {"tickers"}, ""));
  ExpectConsistent();
  ExpectRefused(
      store_->CreateCompany(third, "").status(),
      "company.tickers[0]: \"NASDAQ:MU\" is held by companies/micron");
}

TEST_F(CompanyTickersTest, CheckerReportsMissingStaleAndStrayTickerEntries) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  store_.reset();
  const std::string entry = keys::TickerKey("NASDAQ:MU", "micron");
  const std::string stray = keys::TickerKey("NYSE:GHST", "ghost");
  struct Case {
    std::string name;
    std::function<void(rocksdb::DB*)> corrupt;
    std::function<void(rocksdb::DB*)> repair;
    std::string problem;
  };
  const Case cases[] = {
      {"missing entry",
       [&](rocksdb::DB* db) { db->Delete(rocksdb::WriteOptions(), entry); },
       [&](rocksdb::DB* db) { db->Put(rocksdb::WriteOptions(), entry, ""); },
       "record without its index entry"},
      {"stale value",
       [&](rocksdb::DB* db) { db->Put(rocksdb::WriteOptions(), entry, "x"); },
       [&](rocksdb::DB* db) { db->Put(rocksdb::WriteOptions(), entry, ""); },
       "index entry with a stale value"},
      {"stray entry",
       [&](rocksdb::DB* db) { db->Put(rocksdb::WriteOptions(), stray, ""); },
       [&](rocksdb::DB* db) { db->Delete(rocksdb::WriteOptions(), stray); },
       "index entry without its record"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Tamper(dir_.path(), c.corrupt);
    Open();
    ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store_->CheckConsistency());
    ASSERT_EQ(report.problems.size(), 1u)
        << ::testing::PrintToString(report.problems);
    EXPECT_THAT(report.problems[0], HasSubstr(c.problem));
    store_.reset();
    Tamper(dir_.path(), c.repair);
    Open();
    ExpectConsistent();
    store_.reset();
  }
}

}  // namespace
}  // namespace partnergraph::storage
