// GraphStore::Import on the RocksDB store: after imports that create,
// replace and rewrite records (within one batch too), every index entry
// matches its record (CheckConsistency), and the change log holds one event
// per record written.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::TempDir;

class RocksDbStoreImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.sync = false;
    store_ = OpenStore(dir_.path() + "/db", options);
    ASSERT_NE(store_, nullptr);
  }

  void ExpectConsistent(int64_t companies, int64_t partnerships) {
    ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store_->CheckConsistency());
    EXPECT_TRUE(report.ok()) << report.problems.front();
    EXPECT_EQ(report.companies, companies);
    EXPECT_EQ(report.partnerships, partnerships);
  }

  TempDir dir_;
  std::unique_ptr<GraphStore> store_;
};

CompanyRecord Company(int i, const std::string& alias) {
  CompanyRecord c;
  c.set_id(absl::StrCat("c", i));
  c.set_display_name(absl::StrCat("Company ", i));
  if (!alias.empty()) c.add_aliases(alias);
  return c;
}

PartnershipRecord Partnership(int i, int a, int b, const std::string& title) {
  PartnershipRecord p;
  p.set_id(absl::StrCat("p", i));
  p.set_title(title);
  p.add_participants()->set_company_id(absl::StrCat("c", a));
  p.add_participants()->set_company_id(absl::StrCat("c", b));
  p.add_kinds(KIND_STRATEGIC_ALLIANCE);
  p.set_status(STATUS_ANNOUNCED);
  p.set_announced_on(
      absl::StrFormat("2023-%02d-%02d", 1 + i % 12, 1 + (i / 12) % 28));
  return p;
}

constexpr int kCompanies = 300;
constexpr int kPartnerships = 2000;

ImportBatch FirstImport() {
  ImportBatch batch;
  for (int i = 0; i < kCompanies; ++i) {
    batch.companies.emplace_back(i, Company(i, ""));
  }
  for (int i = 0; i < kPartnerships; ++i) {
    batch.partnerships.emplace_back(
        kCompanies + i,
        Partnership(i, i % kCompanies, (i * 7 + 1) % kCompanies, "first"));
  }
  return batch;
}

TEST_F(RocksDbStoreImportTest, ImportsReplacesAndStaysConsistent) {
  ASSERT_OK_AND_ASSIGN(ImportResult first, store_->Import(FirstImport()));
  EXPECT_TRUE(first.errors.empty()) << first.errors.front().status;
  EXPECT_EQ(first.companies_written, kCompanies);
  EXPECT_EQ(first.partnerships_written, kPartnerships);
  ExpectConsistent(kCompanies, kPartnerships);

  // Second import: new aliases (search index entries change), new
  // participants for a third of the partnerships (adjacency and dedupe
  // entries move), new titles for the rest, and unchanged records.
  ImportBatch second;
  for (int i = 0; i < kCompanies; i += 2) {
    second.companies.emplace_back(i, Company(i, absl::StrCat("alias ", i)));
  }
  second.companies.emplace_back(1, Company(1, ""));  // unchanged
  for (int i = 0; i < kPartnerships; ++i) {
    const int a = i % kCompanies;
    const int b =
        i % 3 == 0 ? (a + 150) % kCompanies : (i * 7 + 1) % kCompanies;
    second.partnerships.emplace_back(
        i, Partnership(i, a, b, i % 3 == 1 ? "first" : "second"));
  }
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(second));
  EXPECT_TRUE(result.errors.empty()) << result.errors.front().status;
  EXPECT_EQ(result.partnerships_written, kPartnerships);
  ExpectConsistent(kCompanies, kPartnerships);
  ASSERT_OK_AND_ASSIGN(PartnershipRecord moved, store_->GetPartnership("p3"));
  EXPECT_EQ(moved.participants(1).company_id(), "c153");
  EXPECT_EQ(moved.title(), "second");
  EXPECT_EQ(moved.create_revision(), first.revision);
  EXPECT_EQ(moved.update_revision(), result.revision);

  // The change log: one entry per import, one event per record changed.
  ASSERT_OK_AND_ASSIGN(ChangesPage page, store_->ReadChanges(1, 10));
  ASSERT_EQ(page.batches.size(), 2u);
  EXPECT_EQ(page.batches[0].events_size(), kCompanies + kPartnerships);
  // Changed: every other company, and the two thirds of the partnerships
  // whose participants or title changed.
  const int changed =
      kCompanies / 2 + (kPartnerships - (kPartnerships + 1) / 3);
  EXPECT_EQ(page.batches[1].events_size(), changed);
  for (const ChangeEventRecord& e : page.batches[1].events()) {
    EXPECT_EQ(e.type(), ChangeEventRecord::UPDATED);
    if (e.has_partnership()) {
      EXPECT_EQ(e.previous_partnership().id(), e.partnership().id());
      EXPECT_EQ(e.previous_partnership().title(), "first");
    }
  }
}

TEST_F(RocksDbStoreImportTest, RewriteWithinOneBatchLeavesNoStaleEntries) {
  ImportBatch batch;
  for (int i = 0; i < 4; ++i) batch.companies.emplace_back(i, Company(i, ""));
  // The same partnership three times, its participants changing each time:
  // only the last version's index entries may remain.
  batch.partnerships.emplace_back(10, Partnership(1, 0, 1, "v1"));
  batch.partnerships.emplace_back(11, Partnership(1, 0, 2, "v2"));
  batch.partnerships.emplace_back(12, Partnership(1, 0, 3, "v3"));
  // A company renamed twice in the batch: only the last name is indexed.
  batch.companies.emplace_back(13, Company(3, "first alias"));
  batch.companies.emplace_back(14, Company(3, "second alias"));
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(std::move(batch)));
  EXPECT_TRUE(result.errors.empty()) << result.errors.front().status;
  ExpectConsistent(4, 1);
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p, store_->GetPartnership("p1"));
  EXPECT_EQ(p.title(), "v3");
  // The first version's participants and date are free again: no dedupe
  // entry is left for it.
  ImportBatch other;
  PartnershipRecord p2 = Partnership(1, 0, 1, "other");
  p2.set_id("p2");
  other.partnerships.emplace_back(0, p2);
  ASSERT_OK_AND_ASSIGN(ImportResult again, store_->Import(std::move(other)));
  EXPECT_EQ(again.partnerships_written, 1);
  EXPECT_TRUE(again.errors.empty()) << again.errors.front().status;
  ExpectConsistent(4, 2);
}

}  // namespace
}  // namespace partnergraph::storage
