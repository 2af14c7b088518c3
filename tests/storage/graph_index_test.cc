// The in-memory graph index: applied revision by revision it equals one
// rebuilt from the store (after random operation sequences, with history
// compaction, and after a restart); a view keeps the revision it was opened
// at while later revisions are applied; the check finds a divergence.

#include "storage/graph_index.h"

#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/graph_store.h"
#include "tests/storage/store_test_util.h"

namespace partnergraph::storage {
namespace {

using testing_util::OpenStore;
using testing_util::SimpleCompany;
using testing_util::SimplePartnership;
using testing_util::TempDir;

ChangeEventRecord CompanyEvent(ChangeEventRecord::Type type,
                               const std::string& id,
                               std::vector<std::string> sectors) {
  ChangeEventRecord e;
  e.set_type(type);
  e.mutable_company()->set_id(id);
  for (auto& s : sectors) e.mutable_company()->add_sectors(s);
  return e;
}

ChangeEventRecord PartnershipEvent(ChangeEventRecord::Type type,
                                   const std::string& id,
                                   std::vector<std::string> participants,
                                   const std::string& date) {
  ChangeEventRecord e;
  e.set_type(type);
  PartnershipRecord* p = e.mutable_partnership();
  p->set_id(id);
  for (auto& c : participants) p->add_participants()->set_company_id(c);
  p->add_kinds(KIND_SUPPLY_AGREEMENT);
  p->set_status(STATUS_ACTIVE);
  p->set_announced_on(date);
  return e;
}

ChangeBatchRecord Batch(int64_t revision,
                        std::vector<ChangeEventRecord> events) {
  ChangeBatchRecord b;
  b.set_revision(revision);
  for (auto& e : events) *b.add_events() = std::move(e);
  return b;
}

RecordSnapshotFactory NoRecords() {
  return [] { return std::unique_ptr<GraphSnapshot>(); };
}

// The partnerships of `company` a view sees, as "id:participants".
std::vector<std::string> Adjacent(GraphSnapshot& view,
                                  const std::string& company) {
  std::vector<std::string> out;
  EXPECT_OK(view.ForEachAdjacent(company, "", "", [&](const EdgeView& e) {
    std::string s = absl::StrCat(e.partnership_id, ":");
    for (absl::string_view p : e.participant_ids) absl::StrAppend(&s, p, ",");
    out.push_back(s);
    return absl::OkStatus();
  }));
  return out;
}

std::vector<ChangeBatchRecord> FirstRevisions() {
  std::vector<ChangeBatchRecord> batches;
  batches.push_back(
      Batch(1, {CompanyEvent(ChangeEventRecord::CREATED, "a", {"ai"}),
                CompanyEvent(ChangeEventRecord::CREATED, "b", {"semis"}),
                CompanyEvent(ChangeEventRecord::CREATED, "c", {})}));
  batches.push_back(Batch(2, {PartnershipEvent(ChangeEventRecord::CREATED, "p1",
                                               {"a", "b"}, "2025-11-20")}));
  return batches;
}

TEST(GraphIndexTest, ViewKeepsWhatItReadsWhileLaterRevisionsApply) {
  GraphIndex index;
  index.Apply(FirstRevisions(), NoRecords());
  std::unique_ptr<GraphSnapshot> at2 = index.OpenView();
  ASSERT_EQ(at2->revision(), 2);
  const std::string described_at2 = index.Describe();

  // Revision 3 moves p1 from b to c; the open view keeps what it reads.
  index.Apply({Batch(3, {PartnershipEvent(ChangeEventRecord::UPDATED, "p1",
                                          {"a", "c"}, "2025-11-20"),
                         CompanyEvent(ChangeEventRecord::UPDATED, "b",
                                      {"semis/memory"})})},
              NoRecords());
  EXPECT_THAT(Adjacent(*at2, "b"), ::testing::ElementsAre("p1:a,b,"));
  EXPECT_THAT(Adjacent(*at2, "c"), ::testing::IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> sectors,
                       at2->CompanySectors("b"));
  EXPECT_THAT(sectors, ::testing::ElementsAre("semis"));
  EXPECT_EQ(index.Describe(2), described_at2);

  std::unique_ptr<GraphSnapshot> at3 = index.OpenView();
  EXPECT_THAT(Adjacent(*at3, "b"), ::testing::IsEmpty());
  EXPECT_THAT(Adjacent(*at3, "c"), ::testing::ElementsAre("p1:a,c,"));
  EXPECT_EQ(index.Stats().partnership_versions, 2);

  // Once no view reads revision 2, the next apply drops what ended by 3.
  at2.reset();
  index.Apply({Batch(4, {CompanyEvent(ChangeEventRecord::CREATED, "d", {})})},
              NoRecords());
  EXPECT_EQ(index.Stats().partnership_versions, 1);
  EXPECT_EQ(index.Stats().company_versions, 4);
  EXPECT_THAT(Adjacent(*at3, "c"), ::testing::ElementsAre("p1:a,c,"));
}

TEST(GraphIndexTest, VerifyFindsAnIndexThatDivergedFromTheStore) {
  // `truth` stands for the store: Verify rebuilds from its view.
  GraphIndex truth;
  truth.Apply(FirstRevisions(), NoRecords());
  auto from_truth = [&truth] { return truth.OpenView(); };

  GraphIndex same;
  same.Apply(FirstRevisions(), from_truth);
  std::vector<std::string> problems;
  ASSERT_OK(same.Verify(100, &problems));
  EXPECT_THAT(problems, ::testing::IsEmpty());

  std::vector<ChangeBatchRecord> tampered = FirstRevisions();
  tampered[1] = Batch(2, {PartnershipEvent(ChangeEventRecord::CREATED, "p1",
                                           {"a", "c"}, "2025-11-20")});
  GraphIndex diverged;
  diverged.Apply(tampered, from_truth);
  ASSERT_OK(diverged.Verify(100, &problems));
  EXPECT_THAT(problems,
              ::testing::Contains(::testing::HasSubstr(
                  "holds what the store does not: c edge p1 2025-11-20")));
  EXPECT_THAT(problems, ::testing::Contains(::testing::HasSubstr(
                            "lacks what the store holds: b edge p1")));
}

// Random writes through a real store (creates, sector and participant
// changes, deletes with and without force, imports small and ingested) with
// a short history, so versions are dropped as they go: after every step the
// consistency check, which compares the applied index with a rebuilt one, is
// clean; after a restart the rebuilt index answers every neighbourhood as
// before.
TEST(GraphIndexTest, RandomOperationsKeepTheIndexEqualToARebuild) {
  TempDir dir;
  StoreOptions options;
  options.history_limit = 7;
  // Imports of 4 or more records are ingested as SST files, smaller ones
  // written through the WriteBatch: both paths feed the index.
  options.ingest_min_records = 4;
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  std::mt19937_64 rng(20261202);
  auto pick = [&rng](int n) {
    return static_cast<int>(rng() % static_cast<uint64_t>(n));
  };
  const std::vector<std::string> sectors = {"ai/frontier-lab", "ai/tools",
                                            "semiconductors/memory", "cloud"};
  const std::vector<std::string> dates = {"2024-01-05", "2024-06-30",
                                          "2025-11-20", "2025-11-21"};
  std::vector<std::string> companies;
  std::vector<std::string> partnerships;
  int next_company = 0;
  auto random_company = [&]() {
    CompanyRecord c = SimpleCompany(absl::StrCat("c", next_company),
                                    absl::StrCat("Company ", next_company));
    ++next_company;
    for (const std::string& sector : sectors) {
      if (pick(3) == 0) c.add_sectors(sector);
    }
    return c;
  };
  auto random_partnership = [&]() {
    PartnershipRecord p =
        SimplePartnership(companies[pick(companies.size())],
                          companies[pick(companies.size())], dates[pick(4)]);
    if (pick(4) == 0) {
      p.add_participants()->set_company_id(companies[pick(companies.size())]);
    }
    if (pick(2) == 0) p.add_kinds(KIND_INVESTMENT);
    p.set_status(pick(2) == 0 ? STATUS_ANNOUNCED : STATUS_ACTIVE);
    for (int i = pick(3); i > 0; --i) p.add_sources()->set_url("https://e.x/");
    return p;
  };
  for (int i = 0; i < 8; ++i) {
    ASSERT_OK_AND_ASSIGN(CompanyRecord c,
                         store->CreateCompany(random_company(), ""));
    companies.push_back(c.id());
  }
  // Writes that took a revision, by kind of operation.
  std::vector<int> committed(8, 0);
  for (int step = 0; step < 300; ++step) {
    const int64_t revision = store->Revision();
    const int op = pick(8);
    SCOPED_TRACE(absl::StrCat("step ", step));
    switch (op) {
      case 0: {
        auto c = store->CreateCompany(random_company(), "");
        if (c.ok()) companies.push_back(c->id());
        break;
      }
      case 1: {
        CompanyRecord patch = random_company();
        patch.set_id(companies[pick(companies.size())]);
        (void)store->UpdateCompany(patch, {"sectors"}, "");
        break;
      }
      case 2:
      case 3: {
        auto p = store->CreatePartnership(random_partnership(), "");
        if (p.ok()) partnerships.push_back(p->id());
        break;
      }
      case 4: {
        if (partnerships.empty()) break;
        PartnershipRecord patch = random_partnership();
        patch.set_id(partnerships[pick(partnerships.size())]);
        (void)store->UpdatePartnership(
            patch,
            {"participants", "kinds", "status", "announced_on", "sources"}, "");
        break;
      }
      case 5: {
        if (partnerships.empty()) break;
        (void)store->DeletePartnership(partnerships[pick(partnerships.size())],
                                       "");
        break;
      }
      case 6: {
        if (companies.size() < 4) break;
        int at = pick(companies.size());
        if (store->DeleteCompany(companies[at], "", pick(2) == 0).ok()) {
          companies.erase(companies.begin() + at);
        }
        break;
      }
      case 7: {
        ImportBatch batch;
        batch.companies.push_back({0, random_company()});
        const int partnerships = pick(6);
        for (int j = 0; j < partnerships; ++j) {
          batch.partnerships.push_back({j + 1, random_partnership()});
        }
        ASSERT_OK_AND_ASSIGN(ImportResult r, store->Import(batch));
        companies.push_back(batch.companies[0].second.id());
        break;
      }
    }
    if (store->Revision() != revision) ++committed[op];
    ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store->CheckConsistency());
    ASSERT_TRUE(report.ok()) << ::testing::PrintToString(report.problems);
  }
  // Every kind of write happened, and most with effect.
  for (int op = 0; op < 8; ++op) {
    EXPECT_GE(committed[op], 5) << "operation " << op;
  }

  auto neighborhoods = [&]() {
    std::vector<std::string> out;
    for (const std::string& c : companies) {
      NeighborhoodQuery q;
      q.company_id = c;
      q.depth = 2;
      auto r = store->GetNeighborhood(q, absl::InfiniteFuture());
      EXPECT_OK(r);
      if (!r.ok()) continue;
      std::string s = c;
      for (const auto& n : r->nodes) absl::StrAppend(&s, " ", n.company.id());
      for (const auto& p : r->partnerships) absl::StrAppend(&s, " ", p.id());
      out.push_back(s);
    }
    return out;
  };
  std::vector<std::string> before = neighborhoods();
  store.reset();
  store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(neighborhoods(), before);
  ASSERT_OK_AND_ASSIGN(ConsistencyReport report, store->CheckConsistency());
  EXPECT_TRUE(report.ok()) << ::testing::PrintToString(report.problems);
}

}  // namespace
}  // namespace partnergraph::storage
