// Point-in-time reads against the full state kept after every revision:
// random creates, updates and deletes (forced ones too) on the real RocksDB
// store; then for past revisions R every as-of read, listing, version list
// and graph query equals the answer computed from the state at R (the graph
// queries by the brute-force references of graph_reference.h). Then
// compaction, restarts and a store written before the history table.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/graph_store.h"
#include "storage/key_codec.h"
#include "tests/storage/graph_reference.h"
#include "tests/storage/store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::partnergraph::testing_util::OpenStore;
using ::partnergraph::testing_util::SimpleCompany;
using ::partnergraph::testing_util::TempDir;
using ::testing::HasSubstr;
using namespace ::partnergraph::storage::graph_reference;  // NOLINT

constexpr int kCompanyPool = 14;
constexpr int kPartnershipPool = 40;

// Everything stored, as the writes returned it.
struct State {
  std::map<std::string, CompanyRecord> companies;
  std::map<std::string, PartnershipRecord> partnerships;
};

Model ModelOf(const State& s) {
  Model m;
  for (const auto& [id, c] : s.companies) {
    m.sectors[id].assign(c.sectors().begin(), c.sectors().end());
  }
  for (const auto& [id, p] : s.partnerships) m.partnerships.push_back(p);
  return m;
}

std::string CompanyId(int i) { return absl::StrFormat("c%02d", i); }
std::string PartnershipId(int i) { return absl::StrFormat("p%03d", i); }

void RandomSectors(Rng& rng, CompanyRecord* c) {
  c->clear_sectors();
  std::set<std::string> picked;
  for (int k = rng.Uniform(0, 2); k > 0; --k)
    picked.insert(rng.Pick(SectorPool()));
  for (const std::string& s : picked) c->add_sectors(s);
}

// A partnership between 2 or 3 companies of `s`; false when fewer exist.
bool RandomPartnership(Rng& rng, const State& s, PartnershipRecord* p) {
  if (s.companies.size() < 2) return false;
  std::vector<std::string> ids;
  for (const auto& [id, c] : s.companies) ids.push_back(id);
  std::set<std::string> who;
  int parties = (rng.Chance(0.2) && ids.size() >= 3) ? 3 : 2;
  while (static_cast<int>(who.size()) < parties) who.insert(rng.Pick(ids));
  p->clear_participants();
  for (const std::string& w : who) {
    auto* part = p->add_participants();
    part->set_company_id(w);
    part->set_role(ROLE_PARTNER);
  }
  p->clear_kinds();
  p->add_kinds(static_cast<Kind>(rng.Uniform(1, 8)));
  p->set_status(static_cast<Status>(rng.Uniform(1, 3)));
  p->set_announced_on(rng.Pick(DatePool()));
  p->clear_sources();
  for (int k = rng.Uniform(0, 2); k > 0; --k) {
    p->add_sources()->set_url(
        absl::StrCat("https://example.com/", p->id(), "/", k));
  }
  return true;
}

// One random write; true when it committed (one revision), with `s`
// updated from what the store returned.
bool RandomWrite(Rng& rng, GraphStore* store, State& s) {
  const int op = rng.Uniform(0, 9);
  if (op <= 2) {  // create or update a company
    const std::string id = CompanyId(rng.Uniform(0, kCompanyPool - 1));
    auto it = s.companies.find(id);
    if (it == s.companies.end()) {
      CompanyRecord c = SimpleCompany(id, absl::StrCat("Company ", id));
      RandomSectors(rng, &c);
      auto got = store->CreateCompany(c, "");
      EXPECT_TRUE(got.ok()) << got.status();
      if (got.ok()) s.companies[id] = *got;
      return got.ok();
    }
    CompanyRecord patch;
    patch.set_id(id);
    patch.set_display_name(
        absl::StrCat("Company ", id, " v", rng.Uniform(0, 99)));
    RandomSectors(rng, &patch);
    auto got = store->UpdateCompany(patch, {"display_name", "sectors"}, "");
    EXPECT_TRUE(got.ok()) << got.status();
    if (got.ok()) it->second = *got;
    return got.ok();
  }
  if (op == 3) {  // delete a company, forced when referenced
    if (s.companies.empty()) return false;
    auto it = s.companies.begin();
    std::advance(it, rng.Uniform(0, static_cast<int>(s.companies.size()) - 1));
    const std::string id = it->first;
    absl::Status st = store->DeleteCompany(id, "", /*force=*/true);
    EXPECT_TRUE(st.ok()) << st;
    if (!st.ok()) return false;
    s.companies.erase(id);
    for (auto p = s.partnerships.begin(); p != s.partnerships.end();) {
      bool refers = false;
      for (const auto& part : p->second.participants()) {
        refers = refers || part.company_id() == id;
      }
      p = refers ? s.partnerships.erase(p) : std::next(p);
    }
    return true;
  }
  const std::string id = PartnershipId(rng.Uniform(0, kPartnershipPool - 1));
  auto it = s.partnerships.find(id);
  if (it == s.partnerships.end()) {
    PartnershipRecord p;
    p.set_id(id);
    p.set_title(id);
    if (!RandomPartnership(rng, s, &p)) return false;
    auto got = store->CreatePartnership(p, "");
    if (absl::IsAlreadyExists(got.status())) return false;  // duplicate deal
    EXPECT_TRUE(got.ok()) << got.status();
    if (got.ok()) s.partnerships[id] = *got;
    return got.ok();
  }
  if (op == 9) {
    absl::Status st = store->DeletePartnership(id, "");
    EXPECT_TRUE(st.ok()) << st;
    if (st.ok()) s.partnerships.erase(it);
    return st.ok();
  }
  PartnershipRecord patch = it->second;
  if (!RandomPartnership(rng, s, &patch)) return false;
  auto got = store->UpdatePartnership(
      patch, {"participants", "kinds", "status", "announced_on", "sources"},
      "");
  if (absl::IsAlreadyExists(got.status())) return false;
  EXPECT_TRUE(got.ok()) << got.status();
  if (got.ok()) it->second = *got;
  return got.ok();
}

template <typename Record>
void ExpectRecord(const absl::StatusOr<Record>& got,
                  const std::map<std::string, Record>& want,
                  const std::string& id) {
  auto it = want.find(id);
  if (it == want.end()) {
    EXPECT_TRUE(absl::IsNotFound(got.status())) << id << ": " << got.status();
    return;
  }
  ASSERT_TRUE(got.ok()) << id << ": " << got.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*got, it->second))
      << id << "\ngot  " << got->ShortDebugString() << "\nwant "
      << it->second.ShortDebugString();
}

std::vector<std::string> ListedCompanies(GraphStore* store,
                                         const CompanyFilter& filter,
                                         int64_t as_of) {
  std::vector<std::string> ids;
  std::string token;
  do {
    auto page = store->ListCompanies(filter, 3, token, as_of);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    EXPECT_EQ(page->revision, as_of);
    for (const auto& c : page->companies) ids.push_back(c.id());
    token = page->next_page_token;
  } while (!token.empty());
  return ids;
}

std::vector<std::string> ListedPartnerships(GraphStore* store,
                                            const PartnershipQuery& query,
                                            int64_t as_of) {
  std::vector<std::string> ids;
  std::string token;
  do {
    auto page = store->ListPartnerships(query, 4, token, as_of);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    EXPECT_EQ(page->revision, as_of);
    for (const auto& p : page->partnerships) ids.push_back(p.id());
    token = page->next_page_token;
  } while (!token.empty());
  return ids;
}

// The versions of one company, newest first, from the states.
std::vector<std::pair<int64_t, int>> WantVersions(
    const std::vector<State>& states, const std::string& id) {
  std::vector<std::pair<int64_t, int>> out;
  for (size_t r = states.size() - 1; r >= 1; --r) {
    const auto& before = states[r - 1].companies;
    const auto& after = states[r].companies;
    const bool was = before.count(id) > 0, is = after.count(id) > 0;
    if (!was && is) {
      out.emplace_back(r, ChangeEventRecord::CREATED);
    } else if (was && !is) {
      out.emplace_back(r, ChangeEventRecord::DELETED);
    } else if (was && is &&
               !MessageDifferencer::Equals(before.at(id), after.at(id))) {
      out.emplace_back(r, ChangeEventRecord::UPDATED);
    }
  }
  return out;
}

void CheckAt(GraphStore* store, const std::vector<State>& states, int64_t r,
             Rng& rng) {
  SCOPED_TRACE(absl::StrCat("as of revision ", r));
  const State& s = states[r];
  for (int i = 0; i < kCompanyPool; ++i) {
    ExpectRecord(store->GetCompany(CompanyId(i), r), s.companies, CompanyId(i));
  }
  for (int i = 0; i < kPartnershipPool; ++i) {
    ExpectRecord(store->GetPartnership(PartnershipId(i), r), s.partnerships,
                 PartnershipId(i));
  }
  std::vector<std::string> ids;
  for (const auto& [id, c] : s.companies) ids.push_back(id);
  if (!ids.empty()) {
    auto batch = store->BatchGetCompanies(ids, r);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_EQ(batch->size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_TRUE(
          MessageDifferencer::Equals((*batch)[i], s.companies.at(ids[i])));
    }
  }
  EXPECT_EQ(ListedCompanies(store, {}, r), ids);
  CompanyFilter by_sector;
  by_sector.sector = rng.Pick(FilterSectorPool());
  std::vector<std::string> in_sector;
  for (const auto& [id, c] : s.companies) {
    bool under = false;
    for (const std::string& sec : c.sectors()) {
      under = under || Under(sec, by_sector.sector);
    }
    if (under) in_sector.push_back(id);
  }
  EXPECT_EQ(ListedCompanies(store, by_sector, r), in_sector)
      << "sector " << by_sector.sector;

  const Model m = ModelOf(s);
  PartnershipQuery query =
      RandomFilter(rng, ids.empty() ? std::vector<std::string>{"c00"} : ids);
  if (!query.company_id().empty() && !s.companies.count(query.company_id())) {
    query.clear_company_id();
  }
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [id, p] : s.partnerships) {
    if (RefMatches(m, query, p)) order.emplace_back(p.announced_on(), id);
  }
  std::sort(order.rbegin(), order.rend());
  std::vector<std::string> want_p;
  for (const auto& [date, id] : order) want_p.push_back(id);
  EXPECT_EQ(ListedPartnerships(store, query, r), want_p)
      << "filter {" << query.ShortDebugString() << "}";

  if (ids.size() >= 2) {
    for (int i = 0; i < 3; ++i) CheckNeighborhood(m, ids, store, rng, r);
    for (int i = 0; i < 3; ++i) CheckPaths(m, ids, store, rng, r);
  }
  for (int i = 0; i < 2; ++i) CheckAggregate(m, ids, store, rng, r);
}

void CheckVersions(GraphStore* store, const std::vector<State>& states) {
  for (int i = 0; i < kCompanyPool; ++i) {
    const std::string id = CompanyId(i);
    SCOPED_TRACE(id);
    std::vector<std::pair<int64_t, int>> want = WantVersions(states, id);
    std::vector<std::pair<int64_t, int>> got;
    std::string token;
    do {
      auto page = store->ListRevisions(RecordKind::kCompany, id, 2, token);
      if (want.empty()) {
        EXPECT_TRUE(absl::IsNotFound(page.status())) << page.status();
        break;
      }
      ASSERT_TRUE(page.ok()) << page.status();
      for (const RecordVersion& v : page->versions) {
        got.emplace_back(v.revision, v.event.type());
        ASSERT_GE(v.revision, 1);
        ASSERT_LT(v.revision, static_cast<int64_t>(states.size()));
        // The record after the change; for a delete, the last version.
        const bool deleted = v.event.type() == ChangeEventRecord::DELETED;
        const auto& at = states[v.revision - (deleted ? 1 : 0)].companies;
        ASSERT_TRUE(at.count(id)) << "revision " << v.revision;
        EXPECT_TRUE(MessageDifferencer::Equals(v.event.company(), at.at(id)))
            << "revision " << v.revision;
        EXPECT_GT(v.time_micros, 0);
      }
      token = page->next_page_token;
    } while (!token.empty());
    EXPECT_EQ(got, want);
  }
}

TEST(AsOfTest, EveryReadAsOfAPastRevisionMatchesTheStateThen) {
  StoreOptions options;
  options.sync = false;
  for (int seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    TempDir dir;
    auto store = OpenStore(dir.path(), options);
    ASSERT_NE(store, nullptr);
    Rng rng(seed);
    std::vector<State> states(1);  // states[r]: after revision r
    while (states.size() < 120) {
      State next = states.back();
      if (!RandomWrite(rng, store.get(), next)) continue;
      // An update that changes nothing takes no revision.
      if (store->Revision() + 1 == static_cast<int64_t>(states.size())) {
        continue;
      }
      ASSERT_EQ(store->Revision(), static_cast<int64_t>(states.size()));
      states.push_back(std::move(next));
    }
    const int64_t now = store->Revision();
    for (int k = 0; k < 6; ++k) {
      CheckAt(store.get(), states, rng.Uniform(1, static_cast<int>(now)), rng);
    }
    CheckAt(store.get(), states, now, rng);
    CheckAt(store.get(), states, 1, rng);
    CheckVersions(store.get(), states);
    if (::testing::Test::HasFailure()) return;
  }
}

// Writes `n` random revisions into `store`, appending each state.
void WriteRevisions(Rng& rng, GraphStore* store, std::vector<State>& states,
                    int n) {
  const size_t want = states.size() + n;
  while (states.size() < want) {
    State next = states.back();
    if (!RandomWrite(rng, store, next)) continue;
    if (store->Revision() + 1 == static_cast<int64_t>(states.size())) continue;
    ASSERT_EQ(store->Revision(), static_cast<int64_t>(states.size()));
    states.push_back(std::move(next));
  }
}

TEST(AsOfTest, RevisionsOutsideTheHistoryHeldAreOutOfRange) {
  TempDir dir;
  StoreOptions options;
  options.sync = false;
  options.history_limit = 10;
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  Rng rng(7);
  std::vector<State> states(1);
  WriteRevisions(rng, store.get(), states, 40);
  const int64_t now = store->Revision();
  const int64_t oldest = now - options.history_limit + 1;

  auto past = store->GetCompany("c00", oldest - 1);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(past.status().message(),
              HasSubstr(absl::StrCat("the oldest revision held is ", oldest)));
  auto future = store->ListCompanies({}, 10, "", now + 1);
  EXPECT_EQ(future.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(future.status().message(),
              HasSubstr(absl::StrCat("want at most ", now)));
  EXPECT_EQ(store->GetPartnership("p000", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  NeighborhoodQuery q;
  q.company_id = "c00";
  EXPECT_EQ(store->GetNeighborhood(q, absl::InfiniteFuture(), oldest - 1)
                .status()
                .code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store->ListPartnerships({}, 10, "", oldest - 1).status().code(),
            absl::StatusCode::kOutOfRange);
  // The oldest revision held reads exactly.
  CheckAt(store.get(), states, oldest, rng);
  // Versions at or below the compact revision are gone from the lists.
  for (int i = 0; i < kCompanyPool; ++i) {
    auto page =
        store->ListRevisions(RecordKind::kCompany, CompanyId(i), 100, "");
    if (!page.ok()) {
      EXPECT_TRUE(absl::IsNotFound(page.status())) << page.status();
      continue;
    }
    for (const RecordVersion& v : page->versions) EXPECT_GE(v.revision, oldest);
  }
  // A token of one point in time is refused at another.
  auto first = store->ListCompanies({}, 1, "", now);
  ASSERT_TRUE(first.ok()) << first.status();
  if (!first->next_page_token.empty()) {
    EXPECT_EQ(store->ListCompanies({}, 1, first->next_page_token, now - 1)
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(AsOfTest, HistorySurvivesARestartAndIsBuiltForAnOlderStore) {
  TempDir dir;
  StoreOptions options;
  options.sync = false;
  Rng rng(11);
  std::vector<State> states(1);
  {
    auto store = OpenStore(dir.path(), options);
    ASSERT_NE(store, nullptr);
    WriteRevisions(rng, store.get(), states, 60);
  }
  {
    auto store = OpenStore(dir.path(), options);
    ASSERT_NE(store, nullptr);
    CheckAt(store.get(), states, 20, rng);
    CheckVersions(store.get(), states);
  }
  // A store written before the history table: its entries and marker gone.
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const std::string h = keys::TablePrefix(keys::kHistory);
    rocksdb::WriteBatch wipe;
    wipe.DeleteRange(h, keys::PrefixSuccessor(h));
    wipe.Delete(keys::MetaKey(keys::kMetaHistoryIndex));
    ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &wipe).ok());
  }
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  CheckAt(store.get(), states, 33, rng);
  CheckVersions(store.get(), states);
  auto report = store->CheckConsistency();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST(AsOfTest, RevisionAtFindsTheLastCommitAtOrBeforeATime) {
  TempDir dir;
  StoreOptions options;
  options.sync = false;
  auto store = OpenStore(dir.path(), options);
  ASSERT_NE(store, nullptr);
  auto empty = store->RevisionAt(absl::Now());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, 0);
  Rng rng(3);
  std::vector<State> states(1);
  WriteRevisions(rng, store.get(), states, 30);
  const int64_t now = store->Revision();
  EXPECT_EQ(*store->RevisionAt(absl::InfiniteFuture()), now);
  EXPECT_EQ(store->RevisionAt(absl::UnixEpoch()).status().code(),
            absl::StatusCode::kOutOfRange);
  for (const auto& [id, c] : states.back().companies) {
    const absl::Time t = absl::FromUnixMicros(c.update_time_micros());
    auto at = store->RevisionAt(t);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_GE(*at, c.update_revision()) << id;
    auto before = store->RevisionAt(t - absl::Microseconds(1));
    if (before.ok()) {
      EXPECT_LT(*before, c.update_revision()) << id;
    } else {
      EXPECT_EQ(before.status().code(), absl::StatusCode::kOutOfRange);
    }
  }
}

}  // namespace
}  // namespace partnergraph::storage
