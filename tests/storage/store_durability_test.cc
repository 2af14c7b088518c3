// Atomicity under injected failures, persistence across close/reopen, and the
// consistency checker catching a corrupted index.

#include <functional>
#include <memory>
#include <string>

#include "rocksdb/db.h"
#include "storage/key_codec.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::Anthropic;
using ::partnergraph::testing_util::Micron;
using ::partnergraph::testing_util::MicronAnthropic;
using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::SimplePartnership;
using ::partnergraph::testing_util::TempDir;
using ::testing::HasSubstr;

// Fails the `nth` (0-based) call at `point`.
struct Injector {
  std::string point;
  int nth = 0;
  std::shared_ptr<int> seen = std::make_shared<int>(0);
  bool armed = false;
  absl::Status operator()(absl::string_view p) {
    if (!armed || p != point) return absl::OkStatus();
    if ((*seen)++ == nth)
      return absl::InternalError(absl::StrCat("injected at ", p));
    return absl::OkStatus();
  }
};

class DurabilityTest : public ::testing::Test {
 protected:
  void Open() {
    StoreOptions options;
    options.fault_injector = [this](absl::string_view p) {
      return injector_(p);
    };
    store_ = OpenStore(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
  }
  void Arm(std::string point, int nth = 0) {
    injector_.point = std::move(point);
    injector_.nth = nth;
    *injector_.seen = 0;
    injector_.armed = true;
  }
  void ExpectConsistent() {
    auto report = store_->CheckConsistency();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << report->problems[0];
  }
  TempDir dir_;
  Injector injector_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(DurabilityTest, FailureBetweenRecordAndIndexesLeavesNothing) {
  Open();
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  int64_t rev = store_->Revision();

  for (const char* point : {"partnership.record", "partnership.indexes"}) {
    SCOPED_TRACE(point);
    Arm(point);
    auto created = store_->CreatePartnership(MicronAnthropic(), "req");
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInternal);
    injector_.armed = false;
    EXPECT_EQ(store_->GetPartnership("micron-anthropic").status().code(),
              absl::StatusCode::kNotFound);
    auto page = store_->ListPartnerships({}, 10, "");
    ASSERT_OK(page);
    EXPECT_TRUE(page->partnerships.empty());
    EXPECT_EQ(store_->Revision(), rev);
    ExpectConsistent();
  }
  // The request id was not consumed either: the retry creates it.
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p,
                       store_->CreatePartnership(MicronAnthropic(), "req"));
  EXPECT_EQ(p.create_revision(), rev + 1);
}

TEST_F(DurabilityTest, FailedUpdateKeepsOldRecordAndIndexes) {
  Open();
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  CompanyRecord patch = SimpleCompany("micron", "Crucial");
  Arm("company.indexes");
  EXPECT_FALSE(store_->UpdateCompany(patch, {"display_name"}, "").ok());
  injector_.armed = false;
  ASSERT_OK_AND_ASSIGN(CompanyRecord c, store_->GetCompany("micron"));
  EXPECT_EQ(c.display_name(), "Micron Technology");
  ASSERT_OK_AND_ASSIGN(SearchResult r, store_->SearchCompanies("crucial", 10));
  EXPECT_TRUE(r.hits.empty());
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("technology", 10));
  EXPECT_EQ(r.hits.size(), 1u);
  ExpectConsistent();
}

TEST_F(DurabilityTest, ForcedDeleteFailingHalfwayDeletesNothing) {
  Open();
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreateCompany(SimpleCompany("openai", "OpenAI"), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  ASSERT_OK(store_->CreatePartnership(
      SimplePartnership("micron", "openai", "2025-01-01"), ""));
  int64_t rev = store_->Revision();
  Arm("partnership.indexes", /*nth=*/1);  // the second partnership's indexes
  EXPECT_FALSE(store_->DeleteCompany("micron", "", true).ok());
  injector_.armed = false;
  EXPECT_OK(store_->GetCompany("micron"));
  EXPECT_OK(store_->GetPartnership("micron-anthropic"));
  PartnershipQuery q;
  q.set_company_id("micron");
  ASSERT_OK_AND_ASSIGN(PartnershipPage page,
                       store_->ListPartnerships(q, 10, ""));
  EXPECT_EQ(page.partnerships.size(), 2u);
  EXPECT_EQ(store_->Revision(), rev);
  ExpectConsistent();
}

TEST_F(DurabilityTest, FailedCommitFailsTheWholeGroupAndWritesNothing) {
  Open();
  Arm("commit");
  EXPECT_EQ(store_->CreateCompany(Micron(), "").status().code(),
            absl::StatusCode::kInternal);
  injector_.armed = false;
  EXPECT_EQ(store_->Revision(), 0);
  EXPECT_EQ(store_->GetCompany("micron").status().code(),
            absl::StatusCode::kNotFound);
  // The next write reuses the revision that never committed.
  ASSERT_OK_AND_ASSIGN(CompanyRecord c, store_->CreateCompany(Micron(), ""));
  EXPECT_EQ(c.create_revision(), 1);
  ExpectConsistent();
}

TEST_F(DurabilityTest, EverythingSurvivesCloseAndReopen) {
  Open();
  ASSERT_OK(store_->CreateCompany(Micron(), "req-m"));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p,
                       store_->CreatePartnership(MicronAnthropic(), ""));
  ASSERT_OK_AND_ASSIGN(CompanyRecord m, store_->GetCompany("micron"));
  store_.reset();

  Open();
  EXPECT_EQ(store_->Revision(), 3);
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p2,
                       store_->GetPartnership("micron-anthropic"));
  EXPECT_EQ(p2.SerializeAsString(), p.SerializeAsString());
  ASSERT_OK_AND_ASSIGN(CompanyRecord m2, store_->GetCompany("micron"));
  EXPECT_EQ(m2.SerializeAsString(), m.SerializeAsString());
  ASSERT_OK_AND_ASSIGN(SearchResult r, store_->SearchCompanies("MU", 10));
  ASSERT_EQ(r.hits.size(), 1u);
  // Request ids and the change log persist; revisions continue.
  ASSERT_OK_AND_ASSIGN(CompanyRecord replay,
                       store_->CreateCompany(Micron(), "req-m"));
  EXPECT_EQ(replay.create_revision(), 1);
  ASSERT_OK_AND_ASSIGN(CompanyRecord c,
                       store_->CreateCompany(SimpleCompany("x", "X"), ""));
  EXPECT_EQ(c.create_revision(), 4);
  ASSERT_OK_AND_ASSIGN(ChangesPage changes, store_->ReadChanges(1, 100));
  EXPECT_EQ(changes.batches.size(), 4u);
  ExpectConsistent();
}

TEST_F(DurabilityTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  Open();
  auto second = OpenRocksDbStore(dir_.path(), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
}

// Writes one raw key change behind the store's back.
void Tamper(const std::string& path,
            const std::function<void(rocksdb::DB*)>& fn) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options options;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  fn(db.get());
}

TEST_F(DurabilityTest, ConsistencyCheckerCatchesCorruptedIndexes) {
  Open();
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  ExpectConsistent();
  store_.reset();

  struct Case {
    std::string name;
    std::function<void(rocksdb::DB*)> corrupt;
    std::function<void(rocksdb::DB*)> repair;
    std::string problem;
  };
  std::string adjacency =
      keys::AdjacencyKey("anthropic", "2025-11-20", "micron-anthropic");
  std::string stray = keys::SearchKey("ghost", "ghost-co");
  std::string search = keys::SearchKey("nasdaq:mu", "micron");
  std::string search_value;
  std::string adjacency_value;
  std::vector<Case> cases = {
      {"missing adjacency",
       [&](rocksdb::DB* db) {
         db->Get({}, adjacency, &adjacency_value);
         db->Delete({}, adjacency);
       },
       [&](rocksdb::DB* db) { db->Put({}, adjacency, adjacency_value); },
       "record without its index entry"},
      {"stray search entry", [&](rocksdb::DB* db) { db->Put({}, stray, "x"); },
       [&](rocksdb::DB* db) { db->Delete({}, stray); },
       "index entry without its record"},
      {"stale search value",
       [&](rocksdb::DB* db) {
         db->Get({}, search, &search_value);
         db->Put({}, search, "garbage");
       },
       [&](rocksdb::DB* db) { db->Put({}, search, search_value); },
       "stale value"},
      {"change-log gap",
       [&](rocksdb::DB* db) {
         db->Get({}, keys::ChangeKey(2), &search_value);
         db->Delete({}, keys::ChangeKey(2));
       },
       [&](rocksdb::DB* db) { db->Put({}, keys::ChangeKey(2), search_value); },
       "change log"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Tamper(dir_.path(), c.corrupt);
    Open();
    ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store_->CheckConsistency());
    ASSERT_FALSE(report.ok());
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
