// GraphStore::Import on the RocksDB store, on both of its paths (a batch
// written through the WriteBatch, and one of at least
// StoreOptions::ingest_min_records records ingested as an SST file): after
// imports that create, replace and rewrite records (within one batch too),
// into empty and non-empty stores, with duplicates, missing participants and
// taken tickers refused by position, every index entry matches its record
// (CheckConsistency, which also compares the graph index with a rebuild),
// the change log holds one event per record written, and both paths leave
// the same records and the same change log.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::TempDir;
using ::testing::Pair;

// An import of this many records or more is ingested; the other value
// keeps every import on the WriteBatch path.
constexpr int64_t kIngestAll = 1;
constexpr int64_t kIngestNone = kMaxImportRecords + 1;

std::unique_ptr<GraphStore> OpenImportStore(const std::string& path,
                                            int64_t ingest_min_records) {
  StoreOptions options;
  options.sync = false;
  options.ingest_min_records = ingest_min_records;
  return OpenStore(path, options);
}

class RocksDbStoreImportTest : public ::testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    store_ = OpenImportStore(dir_.path() + "/db", GetParam());
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

TEST_P(RocksDbStoreImportTest, ImportsReplacesAndStaysConsistent) {
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

TEST_P(RocksDbStoreImportTest, RewriteWithinOneBatchLeavesNoStaleEntries) {
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

// Into a store written by single creates: replacements (changed and
// unchanged), a duplicate of a stored partnership and one of an earlier
// record of the batch, a missing participant, a ticker held by a stored
// company and one taken by an earlier record of the batch. Each refusal is
// reported at its position and writes nothing; the rest is written.
ImportResult ImportIntoNonEmptyStore(GraphStore* store) {
  for (int i = 0; i < 10; ++i) {
    CompanyRecord c = Company(i, "");
    if (i == 0) c.add_tickers("NASDAQ:MU");
    EXPECT_OK(store->CreateCompany(c, ""));
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_OK(store->CreatePartnership(Partnership(i, i, i + 1, "stored"), ""));
  }
  ImportBatch batch;
  batch.companies.emplace_back(0, Company(1, "renamed"));  // replaced
  batch.companies.emplace_back(1, Company(2, ""));         // unchanged
  CompanyRecord clash = Company(20, "");
  clash.add_tickers("NASDAQ:MU");  // held by c0
  batch.companies.emplace_back(2, clash);
  CompanyRecord first_holder = Company(21, "");
  first_holder.add_tickers("XETRA:NEW");
  batch.companies.emplace_back(3, first_holder);
  CompanyRecord second_holder = Company(22, "");
  second_holder.add_tickers("XETRA:NEW");  // taken by record 3
  batch.companies.emplace_back(4, second_holder);
  batch.partnerships.emplace_back(5, Partnership(0, 0, 1, "retitled"));
  batch.partnerships.emplace_back(6, Partnership(1, 1, 2, "stored"));
  PartnershipRecord dup_stored = Partnership(2, 2, 3, "copy");
  dup_stored.set_id("p-copy");  // same deal as stored p2
  batch.partnerships.emplace_back(7, dup_stored);
  batch.partnerships.emplace_back(8, Partnership(30, 21, 4, "new"));
  PartnershipRecord dup_batch = Partnership(30, 21, 4, "again");
  dup_batch.set_id("p-again");  // same deal as record 8
  batch.partnerships.emplace_back(9, dup_batch);
  batch.partnerships.emplace_back(10, Partnership(31, 5, 99, "missing"));
  batch.partnerships.emplace_back(11, Partnership(32, 22, 5, "refused"));
  auto result = store->Import(std::move(batch));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ImportResult();
}

TEST_P(RocksDbStoreImportTest, NonEmptyStoreRefusesByPositionAndStaysClean) {
  const ImportResult result = ImportIntoNonEmptyStore(store_.get());
  std::vector<std::pair<int64_t, absl::StatusCode>> errors;
  for (const ImportError& e : result.errors) {
    errors.emplace_back(e.index, e.status.code());
  }
  EXPECT_THAT(errors, ::testing::UnorderedElementsAre(
                          Pair(2, absl::StatusCode::kAlreadyExists),
                          Pair(4, absl::StatusCode::kAlreadyExists),
                          Pair(7, absl::StatusCode::kAlreadyExists),
                          Pair(9, absl::StatusCode::kAlreadyExists),
                          Pair(10, absl::StatusCode::kFailedPrecondition),
                          // Its participant c22 was refused (record 4).
                          Pair(11, absl::StatusCode::kFailedPrecondition)));
  // c1 replaced, c2 unchanged, c21 created; p0 replaced, p1 unchanged, p30
  // created.
  EXPECT_EQ(result.companies_written, 2 + 1);
  EXPECT_EQ(result.partnerships_written, 2 + 1);
  ExpectConsistent(11, 6);
  ASSERT_OK_AND_ASSIGN(CompanyRecord c1, store_->GetCompany("c1"));
  EXPECT_THAT(c1.aliases(), ::testing::ElementsAre("renamed"));
  EXPECT_LT(c1.create_revision(), c1.update_revision());
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p0, store_->GetPartnership("p0"));
  EXPECT_EQ(p0.title(), "retitled");
  EXPECT_EQ(store_->GetCompany("c20").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetPartnership("p-copy").status().code(),
            absl::StatusCode::kNotFound);
  // The ticker index answers for the written holder only.
  ASSERT_OK_AND_ASSIGN(SearchResult hits,
                       store_->SearchCompanies("XETRA:NEW", 5));
  ASSERT_EQ(hits.hits.size(), 1u);
  EXPECT_EQ(hits.hits[0].company.id(), "c21");
  // One revision, one event per record written.
  ASSERT_OK_AND_ASSIGN(ChangesPage page,
                       store_->ReadChanges(result.revision, 10));
  ASSERT_EQ(page.batches.size(), 1u);
  EXPECT_EQ(page.batches[0].events_size(), 4);
}

// Enough tickers in one batch that the import reads the ticker table whole
// instead of one ticker at a time: taken tickers are still refused, by the
// store's holders and by earlier records of the batch.
TEST_P(RocksDbStoreImportTest, ManyTickersInOneBatch) {
  ImportBatch first;
  for (int i = 0; i < 100; ++i) {
    CompanyRecord c = Company(i, "");
    c.add_tickers(absl::StrCat("NYSE:S", i));
    first.companies.emplace_back(i, c);
  }
  ASSERT_OK_AND_ASSIGN(ImportResult stored, store_->Import(std::move(first)));
  ASSERT_TRUE(stored.errors.empty()) << stored.errors.front().status;
  ImportBatch second;
  for (int i = 0; i < 200; ++i) {
    CompanyRecord c = Company(1000 + i, "");
    // Every 50th takes a stored company's ticker; every 40th repeats the
    // ticker of the record before it.
    if (i % 50 == 49) {
      c.add_tickers(absl::StrCat("NYSE:S", i / 50));
    } else if (i % 40 == 39) {
      c.add_tickers(absl::StrCat("NYSE:N", i - 1));
    } else {
      c.add_tickers(absl::StrCat("NYSE:N", i));
    }
    second.companies.emplace_back(i, c);
  }
  ASSERT_OK_AND_ASSIGN(ImportResult result, store_->Import(std::move(second)));
  std::vector<int64_t> refused;
  for (const ImportError& e : result.errors) {
    EXPECT_EQ(e.status.code(), absl::StatusCode::kAlreadyExists) << e.status;
    refused.push_back(e.index);
  }
  std::sort(refused.begin(), refused.end());
  EXPECT_THAT(refused,
              ::testing::ElementsAre(39, 49, 79, 99, 119, 149, 159, 199));
  EXPECT_EQ(result.companies_written, 200 - 8);
  ExpectConsistent(100 + 192, 0);
}

INSTANTIATE_TEST_SUITE_P(Paths, RocksDbStoreImportTest,
                         ::testing::Values(kIngestNone, kIngestAll),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return info.param == kIngestAll ? "Ingested"
                                                           : "WriteBatch";
                         });

// Everything a store holds that a client can see, times left out: the
// records, and the change log's events with their revisions.
std::string Contents(GraphStore* store) {
  std::string out;
  auto cursor = store->OpenExport();
  EXPECT_TRUE(cursor.ok()) << cursor.status();
  if (!cursor.ok()) return out;
  std::vector<CompanyRecord> companies;
  std::vector<PartnershipRecord> partnerships;
  while (true) {
    auto more = (*cursor)->Next(1000, &companies, &partnerships);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
  }
  auto strip = [](auto r) {
    r.clear_create_time_micros();
    r.clear_update_time_micros();
    return r.ShortDebugString();
  };
  for (const auto& c : companies) absl::StrAppend(&out, strip(c), "\n");
  for (const auto& p : partnerships) absl::StrAppend(&out, strip(p), "\n");
  auto page = store->ReadChanges(1, kMaxChangeBatches);
  EXPECT_TRUE(page.ok()) << page.status();
  if (!page.ok()) return out;
  for (const ChangeBatchRecord& batch : page->batches) {
    absl::StrAppend(&out, "revision ", batch.revision(), "\n");
    for (const ChangeEventRecord& e : batch.events()) {
      absl::StrAppend(&out, e.type(), " ");
      if (e.has_company()) absl::StrAppend(&out, strip(e.company()));
      if (e.has_partnership()) absl::StrAppend(&out, strip(e.partnership()));
      if (e.has_previous_company()) {
        absl::StrAppend(&out, " was ", strip(e.previous_company()));
      }
      if (e.has_previous_partnership()) {
        absl::StrAppend(&out, " was ", strip(e.previous_partnership()));
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

TEST(RocksDbStoreImportPathsTest, IngestedAndBatchedImportsLeaveTheSameStore) {
  TempDir dir;
  auto batched = OpenImportStore(dir.path() + "/batched", kIngestNone);
  auto ingested = OpenImportStore(dir.path() + "/ingested", kIngestAll);
  ASSERT_NE(batched, nullptr);
  ASSERT_NE(ingested, nullptr);
  for (GraphStore* store : {batched.get(), ingested.get()}) {
    ImportIntoNonEmptyStore(store);
    ASSERT_OK(store->Import(FirstImport()));
    ASSERT_OK(store->DeletePartnership("p7", ""));
  }
  const std::string want = Contents(batched.get());
  EXPECT_GT(want.size(), 100000u);
  EXPECT_EQ(Contents(ingested.get()), want);
}

}  // namespace
}  // namespace partnergraph::storage
