// Concurrent writers: etag races and lost updates; pagination over a list
// that changes between pages.

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::SimplePartnership;
using ::partnergraph::testing_util::TempDir;

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.sync =
        false;  // the WAL is still written; the race is the point here
    store_ = OpenStore(dir_.path(), options);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(ConcurrencyTest, ExactlyOneEtagUpdateWinsPerRound) {
  ASSERT_OK(store_->CreateCompany(SimpleCompany("target", "Target"), ""));
  constexpr int kThreads = 16;
  constexpr int kRounds = 30;
  std::vector<std::vector<bool>> won(kRounds, std::vector<bool>(kThreads));
  std::vector<std::string> etags(kRounds);
  for (int round = 0; round < kRounds; ++round) {
    auto current = store_->GetCompany("target");
    ASSERT_OK(current);
    std::string etag = EtagFor(current->update_revision());
    absl::Barrier* start = new absl::Barrier(kThreads);
    std::vector<std::thread> threads;
    std::vector<absl::StatusCode> codes(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        CompanyRecord patch;
        patch.set_id("target");
        patch.set_description(absl::StrCat("round ", round, " thread ", t));
        if (start->Block()) delete start;
        codes[t] =
            store_->UpdateCompany(patch, {"description"}, etag).status().code();
      });
    }
    for (auto& th : threads) th.join();
    int winners = 0;
    for (int t = 0; t < kThreads; ++t) {
      if (codes[t] == absl::StatusCode::kOk) {
        ++winners;
      } else {
        EXPECT_EQ(codes[t], absl::StatusCode::kAborted);
      }
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
  EXPECT_EQ(store_->Revision(), 1 + kRounds);
}

TEST_F(ConcurrencyTest, ReadModifyWriteWithEtagsLosesNoUpdate) {
  ASSERT_OK(store_->CreateCompany(SimpleCompany("counter", "Counter"), ""));
  constexpr int kThreads = 64;
  constexpr int kIncrements = 10;
  std::vector<std::thread> threads;
  std::atomic<int> aborted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        while (true) {
          auto c = store_->GetCompany("counter");
          ASSERT_TRUE(c.ok()) << c.status();
          int n = c->labels().count("n") ? std::stoi(c->labels().at("n")) : 0;
          CompanyRecord patch;
          patch.set_id("counter");
          (*patch.mutable_labels())["n"] = std::to_string(n + 1);
          auto s = store_->UpdateCompany(patch, {"labels"},
                                         EtagFor(c->update_revision()));
          if (s.ok()) break;
          ASSERT_EQ(s.status().code(), absl::StatusCode::kAborted)
              << s.status();
          ++aborted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_OK_AND_ASSIGN(CompanyRecord c, store_->GetCompany("counter"));
  EXPECT_EQ(c.labels().at("n"), std::to_string(kThreads * kIncrements));
  EXPECT_EQ(store_->Revision(), 1 + kThreads * kIncrements);
  ASSERT_OK_AND_ASSIGN(auto report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
}

TEST_F(ConcurrencyTest, ConcurrentCreatesGetDistinctConsecutiveRevisions) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> revisions(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto c =
            store_->CreateCompany(SimpleCompany(absl::StrCat("c-", t, "-", i),
                                                absl::StrCat("C ", t, " ", i)),
                                  "");
        ASSERT_TRUE(c.ok()) << c.status();
        revisions[t].push_back(c->create_revision());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (const auto& v : revisions) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
}

TEST_F(ConcurrencyTest, CompanyPagesSkipAndRepeatNothingThatExistedThroughout) {
  // Stable companies s000..s099 stay; volatile ones come and go between pages.
  std::set<std::string> stable;
  for (int i = 0; i < 100; ++i) {
    std::string id = absl::StrFormat("s%03d", i);
    stable.insert(id);
    ASSERT_OK(store_->CreateCompany(SimpleCompany(id, id), ""));
    ASSERT_OK(store_->CreateCompany(SimpleCompany(id + "-v", id + " v"), ""));
  }
  std::multiset<std::string> seen;
  std::string token;
  int page_no = 0;
  do {
    ASSERT_OK_AND_ASSIGN(CompanyPage page, store_->ListCompanies({}, 7, token));
    for (const auto& c : page.companies) seen.insert(c.id());
    token = page.next_page_token;
    // Churn around and ahead of the cursor.
    for (int k = 0; k < 3; ++k) {
      int i = (page_no * 13 + k * 29) % 100;
      std::string v = absl::StrFormat("s%03d-v", i);
      if (store_->GetCompany(v).ok()) {
        ASSERT_OK(store_->DeleteCompany(v, "", false));
      } else {
        ASSERT_OK(store_->CreateCompany(SimpleCompany(v, v), ""));
      }
      std::string fresh = absl::StrFormat("s%03d-new%d", i, page_no);
      ASSERT_OK(store_->CreateCompany(SimpleCompany(fresh, fresh), ""));
    }
    ++page_no;
  } while (!token.empty());
  for (const auto& id : stable) EXPECT_EQ(seen.count(id), 1u) << id;
  for (const auto& id : seen)
    EXPECT_EQ(seen.count(id), 1u) << id << " repeated";
}

TEST_F(ConcurrencyTest,
       PartnershipPagesSkipAndRepeatNothingThatExistedThroughout) {
  for (int i = 0; i < 12; ++i) {
    ASSERT_OK(store_->CreateCompany(
        SimpleCompany(absl::StrCat("c", i), absl::StrCat("C", i)), ""));
  }
  std::set<std::string> stable;
  for (int d = 1; d <= 28; ++d) {
    for (int j = 0; j < 3; ++j) {
      auto p = SimplePartnership(absl::StrCat("c", j), absl::StrCat("c", j + 3),
                                 absl::StrFormat("2025-02-%02d", d));
      p.set_id(absl::StrFormat("p-%02d-%d", d, j));
      ASSERT_OK(store_->CreatePartnership(p, ""));
      stable.insert(p.id());
    }
  }
  std::multiset<std::string> seen;
  std::string token;
  int page_no = 0;
  std::string last_date = "9999-12-31";
  do {
    ASSERT_OK_AND_ASSIGN(PartnershipPage page,
                         store_->ListPartnerships({}, 5, token));
    for (const auto& p : page.partnerships) {
      seen.insert(p.id());
      EXPECT_LE(p.announced_on(), last_date);  // newest first
      last_date = p.announced_on();
    }
    token = page.next_page_token;
    // New deals on dates before and after the cursor, and a deletion.
    for (int k = 0; k < 2; ++k) {
      auto p = SimplePartnership(
          absl::StrCat("c", 6 + k), absl::StrCat("c", 9 + k),
          absl::StrFormat("2025-02-%02d", 1 + (page_no * 5 + k * 11) % 28));
      p.set_id(absl::StrFormat("n-%d-%d", page_no, k));
      ASSERT_OK(store_->CreatePartnership(p, ""));
    }
    if (page_no > 0)
      ASSERT_OK(store_->DeletePartnership(
          absl::StrFormat("n-%d-0", page_no - 1), ""));
    ++page_no;
  } while (!token.empty());
  for (const auto& id : stable) EXPECT_EQ(seen.count(id), 1u) << id;
  for (const auto& id : seen)
    EXPECT_EQ(seen.count(id), 1u) << id << " repeated";
}

}  // namespace
}  // namespace partnergraph::storage
