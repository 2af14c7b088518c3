// The write rules against an in-memory store: what they plan (keys, events)
// and the preconditions they record, with no engine involved.

#include "storage/write_plan.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/index_entries.h"
#include "storage/key_codec.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::partnergraph::testing_util::Anthropic;
using ::partnergraph::testing_util::Micron;
using ::partnergraph::testing_util::MicronAnthropic;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::SimplePartnership;
using ::testing::ElementsAre;
using ::testing::Pair;

// A store that is a sorted map; Commit plays the engine.
class MapStore final : public PlanReader {
 public:
  absl::StatusOr<bool> Get(const std::string& key,
                           std::string* value) override {
    auto it = data_.find(key);
    if (it == data_.end()) return false;
    *value = it->second;
    return true;
  }

  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated) override {
    *truncated = false;
    for (auto it = data_.lower_bound(prefix);
         it != data_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      if (static_cast<int>(out->size()) >= limit) {
        *truncated = true;
        break;
      }
      out->push_back(*it);
    }
    return absl::OkStatus();
  }

  // Applies a plan as the next revision.
  void Commit(const WritePlan& plan) {
    ++revision_;
    for (const auto& [key, value] : plan.writes) {
      if (value.has_value()) {
        data_[key] = *value;
      } else {
        data_.erase(key);
      }
    }
  }

  // A context for the next write.
  PlanContext Next() { return PlanContext(this, revision_ + 1, 1000); }

  std::map<std::string, std::string> data_;
  int64_t revision_ = 0;
};

using Kind = Precondition::Kind;

// The precondition on `key`, or nullptr.
const Precondition* Find(const WritePlan& plan, const std::string& key) {
  for (const Precondition& p : plan.preconditions) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

void CreateCompanies(MapStore& store) {
  for (const CompanyRecord& c : {Micron(), Anthropic()}) {
    PlanContext ctx = store.Next();
    CompanyRecord created;
    ASSERT_TRUE(PlanCreateCompany(ctx, c, "", &created).ok());
    store.Commit(ctx.plan());
  }
}

TEST(WritePlanTest, CreatePlansRecordIndexesRequestIdAndAbsence) {
  MapStore store;
  PlanContext ctx = store.Next();
  CompanyRecord created;
  ASSERT_TRUE(PlanCreateCompany(ctx, Micron(), "req-1", &created).ok());
  const WritePlan& plan = ctx.plan();
  EXPECT_EQ(created.create_revision(), 1);
  EXPECT_EQ(created.create_time_micros(), 1000);
  EXPECT_TRUE(plan.writes.count(keys::CompanyKey("micron")));
  EXPECT_TRUE(plan.writes.count(keys::RequestIdKey(kCompanies, "req-1")));
  for (const auto& [key, value] : CompanyIndexEntries(created)) {
    ASSERT_TRUE(plan.writes.count(key));
    EXPECT_EQ(plan.writes.at(key), value);
  }
  ASSERT_EQ(plan.changes.events_size(), 1);
  EXPECT_EQ(plan.changes.events(0).type(), ChangeEventRecord::CREATED);
  const Precondition* rid = Find(plan, keys::RequestIdKey(kCompanies, "req-1"));
  const Precondition* record = Find(plan, keys::CompanyKey("micron"));
  ASSERT_NE(rid, nullptr);
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(rid->kind, Kind::kAbsent);
  EXPECT_EQ(record->kind, Kind::kAbsent);
}

TEST(WritePlanTest, UpdateRequiresTheRecordAtTheRevisionRead) {
  MapStore store;
  CreateCompanies(store);
  CompanyRecord patch;
  patch.set_id("micron");
  patch.set_description("Memory.");
  PlanContext ctx = store.Next();
  CompanyRecord updated;
  ASSERT_TRUE(
      PlanUpdateCompany(ctx, patch, {"description"}, "", &updated).ok());
  const Precondition* p = Find(ctx.plan(), keys::CompanyKey("micron"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, Kind::kModRevision);
  EXPECT_EQ(p->revision, 1);
  ASSERT_EQ(ctx.plan().changes.events_size(), 1);
  EXPECT_EQ(ctx.plan().changes.events(0).type(), ChangeEventRecord::UPDATED);
  EXPECT_EQ(ctx.plan().changes.events(0).previous_company().description(),
            Micron().description());

  // A stale etag plans nothing to commit.
  PlanContext stale = store.Next();
  EXPECT_EQ(
      PlanUpdateCompany(stale, patch, {"description"}, "7", &updated).code(),
      absl::StatusCode::kAborted);
}

TEST(WritePlanTest, PartnershipRequiresParticipantsAndNoNewDuplicate) {
  MapStore store;
  CreateCompanies(store);
  PartnershipRecord p = MicronAnthropic();
  ASSERT_TRUE(PreparePartnershipCreate(&p, "").ok());
  PlanContext ctx = store.Next();
  PartnershipRecord created;
  ASSERT_TRUE(PlanCreatePartnership(ctx, p, "", &created).ok());
  const WritePlan& plan = ctx.plan();
  for (const char* id : {"micron", "anthropic"}) {
    const Precondition* c = Find(plan, keys::CompanyKey(id));
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ(c->kind, Kind::kExists);
  }
  const Precondition* dedupe =
      Find(plan, keys::DedupePrefix(p.announced_on(), SortedParticipantIds(p)));
  ASSERT_NE(dedupe, nullptr);
  EXPECT_EQ(dedupe->kind, Kind::kRangeUnchanged);
  EXPECT_EQ(dedupe->revision, 2);
  store.Commit(plan);

  PartnershipRecord again = MicronAnthropic();
  again.set_id("again");
  ASSERT_TRUE(PreparePartnershipCreate(&again, "").ok());
  PlanContext dup = store.Next();
  EXPECT_EQ(PlanCreatePartnership(dup, again, "", &created).code(),
            absl::StatusCode::kAlreadyExists);

  PartnershipRecord missing =
      SimplePartnership("micron", "nobody", "2025-01-02");
  ASSERT_TRUE(PreparePartnershipCreate(&missing, "").ok());
  PlanContext miss = store.Next();
  absl::Status s = PlanCreatePartnership(miss, missing, "", &created);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("nobody"));
}

TEST(WritePlanTest, ForcedDeleteRemovesPartnershipsInOnePlan) {
  MapStore store;
  CreateCompanies(store);
  PartnershipRecord p = MicronAnthropic();
  ASSERT_TRUE(PreparePartnershipCreate(&p, "").ok());
  PlanContext create = store.Next();
  PartnershipRecord created;
  ASSERT_TRUE(PlanCreatePartnership(create, p, "", &created).ok());
  store.Commit(create.plan());

  PlanContext refused = store.Next();
  EXPECT_EQ(PlanDeleteCompany(refused, "micron", "", false).code(),
            absl::StatusCode::kFailedPrecondition);

  PlanContext ctx = store.Next();
  ASSERT_TRUE(PlanDeleteCompany(ctx, "micron", "", true).ok());
  ASSERT_EQ(ctx.plan().changes.events_size(), 2);
  EXPECT_TRUE(ctx.plan().changes.events(0).has_partnership());
  EXPECT_TRUE(ctx.plan().changes.events(1).has_company());
  store.Commit(ctx.plan());
  // Only anthropic's record and index entries are left.
  for (const auto& [key, value] : store.data_) {
    EXPECT_TRUE(key == keys::CompanyKey("anthropic") ||
                CompanyIndexEntries(Anthropic()).count(key) ||
                key[0] == keys::kSearch)
        << key;
  }
  EXPECT_FALSE(store.data_.count(keys::PartnershipKey(p.id())));
}

TEST(WritePlanTest, ImportChecksRecordsOfTheSameBatchByTheSameRules) {
  MapStore store;
  ImportResult result;
  ImportBatch batch;
  batch.companies.emplace_back(0, SimpleCompany("a", "A"));
  batch.companies.emplace_back(1, SimpleCompany("b", "B"));
  PartnershipRecord first = SimplePartnership("a", "b", "2025-01-02");
  first.set_id("first");
  PartnershipRecord second = first;
  second.set_id("second");
  PartnershipRecord missing = SimplePartnership("a", "zed", "2025-01-02");
  missing.set_id("missing");
  batch.partnerships.emplace_back(2, first);
  batch.partnerships.emplace_back(3, second);
  batch.partnerships.emplace_back(4, missing);
  PreparedImport work = PrepareImport(std::move(batch), &result);
  ASSERT_TRUE(result.errors.empty());
  PlanContext ctx = store.Next();
  absl::StatusOr<bool> write = PlanImport(ctx, work, &result);
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_TRUE(*write);
  EXPECT_EQ(result.companies_written, 2);
  EXPECT_EQ(result.partnerships_written, 1);
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].index, 3);
  EXPECT_EQ(result.errors[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(result.errors[1].index, 4);
  EXPECT_EQ(result.errors[1].status.code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.revision, 1);
  EXPECT_EQ(ctx.plan().changes.events_size(), 3);
  // A company of the batch is required absent (read before its write), not
  // present: the participant check reads it from the plan.
  const Precondition* b = Find(ctx.plan(), keys::CompanyKey("b"));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, Kind::kAbsent);
  const Precondition* zed = Find(ctx.plan(), keys::CompanyKey("zed"));
  ASSERT_NE(zed, nullptr);
  EXPECT_EQ(zed->kind, Kind::kAbsent);
}

TEST(WritePlanTest, TickerOfAnotherCompanyIsRefusedOnRecordedRange) {
  MapStore store;
  CreateCompanies(store);
  CompanyRecord clash = SimpleCompany("micron-technology", "Micron Tech");
  clash.add_tickers("XETRA:MTE");
  clash.add_tickers("NASDAQ:MU");
  PlanContext ctx = store.Next();
  CompanyRecord created;
  absl::Status s = PlanCreateCompany(ctx, clash, "", &created);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(s.message(),
            "company.tickers[1]: \"NASDAQ:MU\" is held by companies/micron");

  // A free ticker plans its entry, relying on its range staying unchanged.
  clash.mutable_tickers()->RemoveLast();
  PlanContext free = store.Next();
  ASSERT_TRUE(PlanCreateCompany(free, clash, "", &created).ok());
  const Precondition* range =
      Find(free.plan(), keys::TickerPrefix("XETRA:MTE"));
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->kind, Kind::kRangeUnchanged);
  EXPECT_EQ(range->revision, 2);
  EXPECT_THAT(free.plan().writes,
              ::testing::Contains(
                  Pair(keys::TickerKey("XETRA:MTE", "micron-technology"),
                       std::optional<std::string>(""))));

  // An update that keeps its tickers does not read them again.
  CompanyRecord patch;
  patch.set_id("micron");
  patch.set_description("Memory.");
  PlanContext keep = store.Next();
  CompanyRecord updated;
  ASSERT_TRUE(
      PlanUpdateCompany(keep, patch, {"description"}, "", &updated).ok());
  EXPECT_EQ(Find(keep.plan(), keys::TickerPrefix("NASDAQ:MU")), nullptr);
}

TEST(WritePlanTest, ImportRefusesALaterRecordClaimingAnEarlierOnesTicker) {
  MapStore store;
  ImportResult result;
  ImportBatch batch;
  CompanyRecord a = SimpleCompany("a", "A");
  a.add_tickers("NYSE:A");
  CompanyRecord b = SimpleCompany("b", "B");
  b.add_tickers("NYSE:A");
  // The same company again (a replacement) keeps its ticker.
  CompanyRecord a_again = a;
  a_again.set_description("Replaced.");
  batch.companies.emplace_back(0, a);
  batch.companies.emplace_back(1, b);
  batch.companies.emplace_back(2, a_again);
  PreparedImport work = PrepareImport(std::move(batch), &result);
  PlanContext ctx = store.Next();
  absl::StatusOr<bool> write = PlanImport(ctx, work, &result);
  ASSERT_TRUE(write.ok()) << write.status();
  EXPECT_TRUE(*write);
  EXPECT_EQ(result.companies_written, 2);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].index, 1);
  EXPECT_EQ(result.errors[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(result.errors[0].status.message(),
            "company.tickers[0]: \"NYSE:A\" is held by companies/a");
  EXPECT_FALSE(ctx.plan().writes.count(keys::CompanyKey("b")));
  EXPECT_FALSE(ctx.plan().writes.count(keys::TickerKey("NYSE:A", "b")));
}

TEST(PlanContextTest, ScanSeesThePlansOwnWrites) {
  MapStore store;
  store.data_ = {{"a1", "1"}, {"a2", "2"}, {"a3", "3"}, {"b1", "x"}};
  PlanContext ctx = store.Next();
  ctx.Delete("a2");
  ctx.Put("a4", "4");
  ctx.Put("a1", "one");
  std::vector<std::pair<std::string, std::string>> out;
  bool truncated = true;
  ASSERT_TRUE(ctx.Scan("a", 10, &out, &truncated).ok());
  EXPECT_FALSE(truncated);
  EXPECT_THAT(out,
              ElementsAre(Pair("a1", "one"), Pair("a3", "3"), Pair("a4", "4")));
  out.clear();
  ASSERT_TRUE(ctx.Scan("a", 2, &out, &truncated).ok());
  EXPECT_TRUE(truncated);
  EXPECT_THAT(out, ElementsAre(Pair("a1", "one"), Pair("a3", "3")));
  std::string value;
  ASSERT_TRUE(ctx.Get("a2", &value).ok());
  EXPECT_FALSE(*ctx.Get("a2", &value));
  EXPECT_TRUE(*ctx.Exists("b1"));
  EXPECT_EQ(Find(ctx.plan(), "a2"), nullptr);
  ASSERT_NE(Find(ctx.plan(), "b1"), nullptr);
}

}  // namespace
}  // namespace partnergraph::storage
