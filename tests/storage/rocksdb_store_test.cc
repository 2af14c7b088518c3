// Every store operation and the error codes it returns.

#include <set>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "storage/validation.h"
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

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(StoreTest, MicronAnthropicRecordRoundTripsFieldForField) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK_AND_ASSIGN(PartnershipRecord created,
                       store_->CreatePartnership(MicronAnthropic(), ""));
  ASSERT_OK_AND_ASSIGN(PartnershipRecord got,
                       store_->GetPartnership("micron-anthropic"));

  // Everything the article says survives, with only the output-only fields
  // added by the store.
  PartnershipRecord want = MicronAnthropic();
  EXPECT_EQ(got.create_revision(), 3);
  EXPECT_EQ(got.update_revision(), 3);
  EXPECT_GT(got.create_time_micros(), 0);
  want.set_create_revision(got.create_revision());
  want.set_update_revision(got.update_revision());
  want.set_create_time_micros(got.create_time_micros());
  want.set_update_time_micros(got.update_time_micros());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(want, got))
      << "want " << want.DebugString() << "\ngot " << got.DebugString();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(created, got));

  ASSERT_EQ(got.kinds_size(), 3);
  EXPECT_EQ(got.kinds(0), KIND_STRATEGIC_ALLIANCE);
  EXPECT_EQ(got.kinds(1), KIND_SUPPLY_AGREEMENT);
  EXPECT_EQ(got.kinds(2), KIND_TECHNOLOGY_INTEGRATION);
  EXPECT_EQ(got.terms().disclosure(), DISCLOSURE_UNDISCLOSED);
  EXPECT_FALSE(got.terms().has_value_usd());
  ASSERT_EQ(got.market_reactions_size(), 1);
  EXPECT_EQ(got.market_reactions(0).ticker(), "NASDAQ:MU");
  EXPECT_DOUBLE_EQ(got.market_reactions(0).change_percent(), 5.58);
  ASSERT_EQ(got.sources_size(), 1);
  EXPECT_THAT(got.sources(0).title(),
              HasSubstr("Strategic Anthropic Partnership"));

  ASSERT_OK_AND_ASSIGN(CompanyRecord micron, store_->GetCompany("micron"));
  CompanyRecord want_micron = Micron();
  want_micron.set_create_revision(1);
  want_micron.set_update_revision(1);
  want_micron.set_create_time_micros(micron.create_time_micros());
  want_micron.set_update_time_micros(micron.update_time_micros());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(want_micron, micron))
      << micron.DebugString();
}

TEST_F(StoreTest, RevisionGrowsByOnePerWriteAndEtagFollowsIt) {
  EXPECT_EQ(store_->Revision(), 0);
  ASSERT_OK_AND_ASSIGN(CompanyRecord m, store_->CreateCompany(Micron(), ""));
  EXPECT_EQ(store_->Revision(), 1);
  EXPECT_EQ(m.create_revision(), 1);
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  CompanyRecord patch;
  patch.set_id("micron");
  patch.set_description("updated");
  ASSERT_OK_AND_ASSIGN(CompanyRecord u,
                       store_->UpdateCompany(patch, {"description"}, ""));
  EXPECT_EQ(store_->Revision(), 3);
  EXPECT_EQ(u.create_revision(), 1);
  EXPECT_EQ(u.update_revision(), 3);
  EXPECT_EQ(EtagFor(u.update_revision()), EtagFor(3));
  EXPECT_NE(EtagFor(1), EtagFor(3));
  // A failed write takes no revision.
  EXPECT_FALSE(store_->CreateCompany(Micron(), "").ok());
  EXPECT_EQ(store_->Revision(), 3);
  // An update that changes nothing takes no revision either.
  ASSERT_OK(store_->UpdateCompany(patch, {"description"}, ""));
  EXPECT_EQ(store_->Revision(), 3);
  // Also with several labels, whose map order on the wire is not fixed.
  CompanyRecord labels;
  labels.set_id("micron");
  for (int i = 0; i < 8; ++i) {
    (*labels.mutable_labels())[absl::StrCat("k", i)] = absl::StrCat("v", i);
  }
  ASSERT_OK(store_->UpdateCompany(labels, {"labels"}, ""));
  EXPECT_EQ(store_->Revision(), 4);
  for (int i = 0; i < 5; ++i) {
    CompanyRecord same = labels;
    same.set_display_name("Micron Technology");
    ASSERT_OK(store_->UpdateCompany(same, {"display_name", "labels"}, ""));
  }
  EXPECT_EQ(store_->Revision(), 4);
}

TEST_F(StoreTest, CreateCompanyDerivesIdFromDisplayName) {
  CompanyRecord c;
  c.set_display_name("Société Générale S.A.");
  ASSERT_OK_AND_ASSIGN(CompanyRecord got, store_->CreateCompany(c, ""));
  EXPECT_EQ(got.id(), "societe-generale-s-a");
  EXPECT_OK(store_->GetCompany("societe-generale-s-a"));
}

TEST_F(StoreTest, CompanyErrors) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  struct Case {
    std::string name;
    absl::Status status;
    absl::StatusCode code;
    std::string message;
  };
  CompanyRecord bad_ticker = Anthropic();
  bad_ticker.add_tickers("mu");
  CompanyRecord no_name;
  no_name.set_id("x");
  CompanyRecord bad_id = Anthropic();
  bad_id.set_id("Bad_Id");
  CompanyRecord missing;
  missing.set_id("nvidia");
  missing.set_display_name("NVIDIA");
  std::vector<Case> cases = {
      {"duplicate id", store_->CreateCompany(Micron(), "").status(),
       absl::StatusCode::kAlreadyExists, "companies/micron already exists"},
      {"bad ticker", store_->CreateCompany(bad_ticker, "").status(),
       absl::StatusCode::kInvalidArgument, "company.tickers[0]"},
      {"no display name", store_->CreateCompany(no_name, "").status(),
       absl::StatusCode::kInvalidArgument, "company.display_name"},
      {"bad id", store_->CreateCompany(bad_id, "").status(),
       absl::StatusCode::kInvalidArgument, "company_id"},
      {"bad request id",
       store_->CreateCompany(Anthropic(), std::string(200, 'r')).status(),
       absl::StatusCode::kInvalidArgument, "request_id"},
      {"get missing", store_->GetCompany("nvidia").status(),
       absl::StatusCode::kNotFound, "companies/nvidia not found"},
      {"get malformed", store_->GetCompany("NVIDIA").status(),
       absl::StatusCode::kInvalidArgument, "name"},
      {"update missing", store_->UpdateCompany(missing, {}, "").status(),
       absl::StatusCode::kNotFound, "companies/nvidia"},
      {"update stale etag",
       store_->UpdateCompany(Micron(), {"description"}, "999").status(),
       absl::StatusCode::kAborted, "etag"},
      {"update unknown path",
       store_->UpdateCompany(Micron(), {"create_revision"}, "").status(),
       absl::StatusCode::kInvalidArgument, "update_mask.paths[0]"},
      {"delete missing", store_->DeleteCompany("nvidia", "", false),
       absl::StatusCode::kNotFound, "companies/nvidia"},
      {"delete stale etag", store_->DeleteCompany("micron", "999", false),
       absl::StatusCode::kAborted, "etag"},
      {"batch get empty", store_->BatchGetCompanies({}).status(),
       absl::StatusCode::kInvalidArgument, "names"},
      {"batch get missing",
       store_->BatchGetCompanies({"micron", "nvidia"}).status(),
       absl::StatusCode::kNotFound, "companies/nvidia"},
      {"list negative page", store_->ListCompanies({}, -1, "").status(),
       absl::StatusCode::kInvalidArgument, "page_size"},
      {"list bad token", store_->ListCompanies({}, 10, "garbage!").status(),
       absl::StatusCode::kInvalidArgument, "page_token"},
      {"search empty", store_->SearchCompanies("", 10).status(),
       absl::StatusCode::kInvalidArgument, "query"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.code(), c.code) << c.status;
    EXPECT_THAT(std::string(c.status.message()), HasSubstr(c.message));
  }
  // None of the failures wrote anything.
  EXPECT_EQ(store_->Revision(), 1);
}

TEST_F(StoreTest, BatchGetReturnsInRequestOrder) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK_AND_ASSIGN(
      auto got, store_->BatchGetCompanies({"micron", "anthropic", "micron"}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id(), "micron");
  EXPECT_EQ(got[1].id(), "anthropic");
  EXPECT_EQ(got[2].id(), "micron");
}

TEST_F(StoreTest, UpdateCompanyWithMaskEtagAndSearchReindex) {
  ASSERT_OK_AND_ASSIGN(CompanyRecord m, store_->CreateCompany(Micron(), ""));
  CompanyRecord patch;
  patch.set_id("micron");
  patch.set_display_name("Crucial Memory");
  patch.set_country("ZZ");  // not in the mask: ignored
  ASSERT_OK_AND_ASSIGN(CompanyRecord u,
                       store_->UpdateCompany(patch, {"display_name"},
                                             EtagFor(m.update_revision())));
  EXPECT_EQ(u.display_name(), "Crucial Memory");
  EXPECT_EQ(u.country(), "US");
  EXPECT_EQ(u.legal_name(), "Micron Technology, Inc.");
  // The old etag is now stale.
  EXPECT_EQ(
      store_
          ->UpdateCompany(patch, {"display_name"}, EtagFor(m.update_revision()))
          .status()
          .code(),
      absl::StatusCode::kAborted);
  // Search follows the rename: the old name's words are gone, the new ones
  // found.
  ASSERT_OK_AND_ASSIGN(SearchResult r1, store_->SearchCompanies("crucial", 10));
  ASSERT_EQ(r1.hits.size(), 1u);
  ASSERT_OK_AND_ASSIGN(SearchResult r2,
                       store_->SearchCompanies("technology", 10));
  EXPECT_TRUE(r2.hits.empty());
  // Empty mask: the fields set in the patch. "*": all, clearing the unset.
  CompanyRecord p2;
  p2.set_id("micron");
  p2.set_description("new description");
  ASSERT_OK_AND_ASSIGN(CompanyRecord u2, store_->UpdateCompany(p2, {}, ""));
  EXPECT_EQ(u2.description(), "new description");
  EXPECT_EQ(u2.display_name(), "Crucial Memory");
  CompanyRecord p3 = SimpleCompany("micron", "Micron");
  ASSERT_OK_AND_ASSIGN(CompanyRecord u3, store_->UpdateCompany(p3, {"*"}, ""));
  EXPECT_EQ(u3.display_name(), "Micron");
  EXPECT_TRUE(u3.tickers().empty());
  EXPECT_TRUE(u3.description().empty());
  ASSERT_OK_AND_ASSIGN(auto report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
}

TEST_F(StoreTest, DeleteCompanyRefusedWhileReferencedUnlessForced) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreateCompany(SimpleCompany("sk-hynix", "SK hynix"), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  ASSERT_OK_AND_ASSIGN(
      PartnershipRecord other,
      store_->CreatePartnership(
          SimplePartnership("sk-hynix", "anthropic", "2025-01-01"), ""));
  absl::Status refused = store_->DeleteCompany("micron", "", false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("partnerships/micron-anthropic"));
  int64_t before = store_->Revision();
  ASSERT_OK(store_->DeleteCompany("micron", "", true));
  // One write, one revision, for the company and its partnership.
  EXPECT_EQ(store_->Revision(), before + 1);
  EXPECT_EQ(store_->GetCompany("micron").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetPartnership("micron-anthropic").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_OK(store_->GetPartnership(other.id()));
  ASSERT_OK_AND_ASSIGN(ChangesPage changes,
                       store_->ReadChanges(before + 1, 10));
  ASSERT_EQ(changes.batches.size(), 1u);
  EXPECT_EQ(changes.batches[0].events_size(), 2);
  ASSERT_OK_AND_ASSIGN(auto report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
}

TEST_F(StoreTest, PartnershipErrors) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  PartnershipRecord missing_participant =
      SimplePartnership("micron", "nvidia", "2025-02-01");
  PartnershipRecord duplicate =
      SimplePartnership("anthropic", "micron", "2025-11-20");
  PartnershipRecord one_company =
      SimplePartnership("micron", "micron", "2025-02-01");
  PartnershipRecord bad_date =
      SimplePartnership("micron", "anthropic", "2025-02-30");
  PartnershipRecord no_kind =
      SimplePartnership("micron", "anthropic", "2025-02-01");
  no_kind.clear_kinds();
  PartnershipRecord same_id =
      SimplePartnership("micron", "anthropic", "2024-01-01");
  same_id.set_id("micron-anthropic");
  PartnershipRecord missing_update = MicronAnthropic();
  missing_update.set_id("nope");
  struct Case {
    std::string name;
    absl::Status status;
    absl::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"missing participant",
       store_->CreatePartnership(missing_participant, "").status(),
       absl::StatusCode::kFailedPrecondition,
       "companies/nvidia does not exist"},
      {"duplicate", store_->CreatePartnership(duplicate, "").status(),
       absl::StatusCode::kAlreadyExists, "partnerships/micron-anthropic"},
      {"one company", store_->CreatePartnership(one_company, "").status(),
       absl::StatusCode::kInvalidArgument, "partnership.participants"},
      {"bad date", store_->CreatePartnership(bad_date, "").status(),
       absl::StatusCode::kInvalidArgument, "partnership.announced_on"},
      {"no kind", store_->CreatePartnership(no_kind, "").status(),
       absl::StatusCode::kInvalidArgument, "partnership.kinds"},
      {"id taken", store_->CreatePartnership(same_id, "").status(),
       absl::StatusCode::kAlreadyExists,
       "partnerships/micron-anthropic already exists"},
      {"get missing", store_->GetPartnership("nope").status(),
       absl::StatusCode::kNotFound, "partnerships/nope"},
      {"update missing",
       store_->UpdatePartnership(missing_update, {"title"}, "").status(),
       absl::StatusCode::kNotFound, "partnerships/nope"},
      {"update stale",
       store_->UpdatePartnership(MicronAnthropic(), {"title"}, "1").status(),
       absl::StatusCode::kAborted, "etag"},
      {"delete missing", store_->DeletePartnership("nope", ""),
       absl::StatusCode::kNotFound, "partnerships/nope"},
      {"delete stale", store_->DeletePartnership("micron-anthropic", "1"),
       absl::StatusCode::kAborted, "etag"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.code(), c.code) << c.status;
    EXPECT_THAT(std::string(c.status.message()), HasSubstr(c.message));
  }
  EXPECT_EQ(store_->Revision(), 3);
}

TEST_F(StoreTest, DuplicateNeedsOverlappingKinds) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  // Same participants and date but a disjoint kind set: a different deal.
  PartnershipRecord licensing =
      SimplePartnership("micron", "anthropic", "2025-11-20");
  licensing.set_kinds(0, KIND_LICENSING);
  EXPECT_OK(store_->CreatePartnership(licensing, ""));
  // Three parties including the same two: a different participant set.
  ASSERT_OK(store_->CreateCompany(SimpleCompany("nvidia", "NVIDIA"), ""));
  PartnershipRecord three =
      SimplePartnership("micron", "anthropic", "2025-11-20");
  three.add_participants()->set_company_id("nvidia");
  EXPECT_OK(store_->CreatePartnership(three, ""));
}

TEST_F(StoreTest, PartnershipDefaultsAndServerAssignedId) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK_AND_ASSIGN(
      PartnershipRecord p,
      store_->CreatePartnership(
          SimplePartnership("micron", "anthropic", "2024-05-05"), ""));
  EXPECT_FALSE(p.id().empty());
  EXPECT_OK(ValidateId("id", p.id()));
  EXPECT_EQ(p.status(), STATUS_ANNOUNCED);
  EXPECT_EQ(p.participants(0).role(), ROLE_PARTNER);
  EXPECT_EQ(p.terms().disclosure(), DISCLOSURE_UNKNOWN);
}

TEST_F(StoreTest, UpdatePartnershipMovesIndexesAndRechecksDuplicates) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  ASSERT_OK(store_->CreateCompany(SimpleCompany("openai", "OpenAI"), ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));
  PartnershipRecord second =
      SimplePartnership("micron", "openai", "2025-03-03");
  second.set_id("micron-openai");
  ASSERT_OK(store_->CreatePartnership(second, ""));
  // Moving the second onto the first's participants and date duplicates it.
  PartnershipRecord patch;
  patch.set_id("micron-openai");
  patch.add_participants()->set_company_id("micron");
  patch.add_participants()->set_company_id("anthropic");
  patch.set_announced_on("2025-11-20");
  auto dup =
      store_->UpdatePartnership(patch, {"participants", "announced_on"}, "");
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists)
      << dup.status();
  // Pointing at a company that does not exist is refused.
  patch.mutable_participants(1)->set_company_id("nvidia");
  auto missing = store_->UpdatePartnership(patch, {"participants"}, "");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  // A real move: new date, the listing by company follows.
  patch.mutable_participants(1)->set_company_id("openai");
  patch.set_announced_on("2026-01-01");
  ASSERT_OK(store_->UpdatePartnership(patch, {"announced_on"}, ""));
  PartnershipQuery q;
  q.set_company_id("openai");
  q.set_announced_after("2026-01-01");
  ASSERT_OK_AND_ASSIGN(PartnershipPage page,
                       store_->ListPartnerships(q, 10, ""));
  ASSERT_EQ(page.partnerships.size(), 1u);
  EXPECT_EQ(page.partnerships[0].id(), "micron-openai");
  ASSERT_OK_AND_ASSIGN(auto report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
  // Delete removes every index entry.
  ASSERT_OK(store_->DeletePartnership("micron-openai", ""));
  ASSERT_OK_AND_ASSIGN(page, store_->ListPartnerships(q, 10, ""));
  EXPECT_TRUE(page.partnerships.empty());
  ASSERT_OK_AND_ASSIGN(report, store_->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
}

TEST_F(StoreTest, ListCompaniesFilters) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  CompanyRecord air = SimpleCompany("airbus", "Airbus");
  air.add_sectors("air/aerospace");
  air.set_country("FR");
  (*air.mutable_labels())["tier"] = "1";
  ASSERT_OK(store_->CreateCompany(air, ""));
  auto ids = [&](CompanyFilter f) {
    std::vector<std::string> out;
    auto page = store_->ListCompanies(f, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const auto& c : page->companies) out.push_back(c.id());
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{"airbus", "anthropic", "micron"}));
  EXPECT_EQ(ids({"ai", "", ""}), (V{"anthropic"}));  // not "air/..."
  EXPECT_EQ(ids({"semiconductors", "", ""}), (V{"micron"}));
  EXPECT_EQ(ids({"", "FR", ""}), (V{"airbus"}));
  EXPECT_EQ(ids({"", "", "tier"}), (V{"airbus"}));
  EXPECT_EQ(ids({"", "", "tier=2"}), (V{}));
  EXPECT_EQ(ids({"", "", "source=article"}), (V{"micron"}));
  EXPECT_EQ(store_->ListCompanies({"", "XX", ""}, 10, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, PageTokenIsBoundToItsFilterAndTamperProof) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store_->CreateCompany(
        SimpleCompany(absl::StrCat("c", i), absl::StrCat("C ", i)), ""));
  }
  ASSERT_OK_AND_ASSIGN(CompanyPage page, store_->ListCompanies({}, 2, ""));
  ASSERT_FALSE(page.next_page_token.empty());
  EXPECT_OK(store_->ListCompanies({}, 2, page.next_page_token));
  // Another filter with the same token.
  EXPECT_EQ(store_->ListCompanies({"", "US", ""}, 2, page.next_page_token)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // Each single-character change of the token is caught.
  std::string token = page.next_page_token;
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    SCOPED_TRACE(t);
    EXPECT_EQ(store_->ListCompanies({}, 2, t).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  // A partnership listing refuses a company token.
  EXPECT_EQ(store_->ListPartnerships({}, 2, token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ListPartnershipsNewestFirstWithFilters) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  CompanyRecord hynix = SimpleCompany("sk-hynix", "SK hynix");
  hynix.add_sectors("semiconductors/memory");
  ASSERT_OK(store_->CreateCompany(hynix, ""));
  CompanyRecord openai = SimpleCompany("openai", "OpenAI");
  openai.add_sectors("ai/frontier-lab");
  ASSERT_OK(store_->CreateCompany(openai, ""));
  CompanyRecord nvidia = SimpleCompany("nvidia", "NVIDIA");
  nvidia.add_sectors("semiconductors/gpu");
  ASSERT_OK(store_->CreateCompany(nvidia, ""));
  ASSERT_OK(store_->CreatePartnership(MicronAnthropic(), ""));  // 2025-11-20
  PartnershipRecord p1 = SimplePartnership("sk-hynix", "openai", "2025-10-01");
  p1.set_id("hynix-openai");
  p1.set_kinds(0, KIND_SUPPLY_AGREEMENT);
  ASSERT_OK(store_->CreatePartnership(p1, ""));
  PartnershipRecord p2 = SimplePartnership("nvidia", "openai", "2025-09-22");
  p2.set_id("nvidia-openai");
  p2.set_kinds(0, KIND_INVESTMENT);
  ASSERT_OK(store_->CreatePartnership(p2, ""));
  PartnershipRecord p3 = SimplePartnership("sk-hynix", "micron", "2024-01-01");
  p3.set_id("hynix-micron");
  p3.set_status(STATUS_ENDED);
  ASSERT_OK(store_->CreatePartnership(p3, ""));

  auto ids = [&](PartnershipQuery q) {
    std::vector<std::string> out;
    auto page = store_->ListPartnerships(q, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const auto& p : page->partnerships) out.push_back(p.id());
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{"micron-anthropic", "hynix-openai", "nvidia-openai",
                        "hynix-micron"}));
  PartnershipQuery memory_x_ai;
  memory_x_ai.add_participant_sectors("semiconductors/memory");
  memory_x_ai.add_participant_sectors("ai");
  EXPECT_EQ(ids(memory_x_ai), (V{"micron-anthropic", "hynix-openai"}));
  PartnershipQuery both_memory;  // each prefix needs a different participant
  both_memory.add_participant_sectors("semiconductors/memory");
  both_memory.add_participant_sectors("semiconductors/memory");
  EXPECT_EQ(ids(both_memory), (V{"hynix-micron"}));
  PartnershipQuery supply;
  supply.add_kinds(KIND_SUPPLY_AGREEMENT);
  EXPECT_EQ(ids(supply), (V{"micron-anthropic", "hynix-openai"}));
  PartnershipQuery ended;
  ended.add_statuses(STATUS_ENDED);
  EXPECT_EQ(ids(ended), (V{"hynix-micron"}));
  PartnershipQuery window;
  window.set_announced_after("2025-09-22");
  window.set_announced_before("2025-10-01");
  EXPECT_EQ(ids(window), (V{"hynix-openai", "nvidia-openai"}));
  PartnershipQuery openai_only;
  openai_only.set_company_id("openai");
  EXPECT_EQ(ids(openai_only), (V{"hynix-openai", "nvidia-openai"}));
  PartnershipQuery sourced;
  sourced.set_min_sources(1);
  EXPECT_EQ(ids(sourced), (V{"micron-anthropic"}));
  PartnershipQuery bad;
  bad.set_announced_after("2025-13-01");
  auto s = store_->ListPartnerships(bad, 10, "");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("filter.announced_after"));
}

TEST_F(StoreTest, SearchRanksTickerThenNameThenPrefixThenWordPrefix) {
  ASSERT_OK(store_->CreateCompany(Micron(), ""));  // NASDAQ:MU
  ASSERT_OK(store_->CreateCompany(SimpleCompany("mu-sigma", "Mu Sigma"), ""));
  ASSERT_OK(store_->CreateCompany(SimpleCompany("mubadala", "Mubadala"), ""));
  ASSERT_OK(store_->CreateCompany(SimpleCompany("emu", "Big Mulberry"), ""));
  ASSERT_OK(
      store_->CreateCompany(SimpleCompany("socgen", "Société Générale"), ""));

  ASSERT_OK_AND_ASSIGN(SearchResult r, store_->SearchCompanies("mu", 10));
  std::vector<std::pair<std::string, MatchKind>> got;
  for (const auto& h : r.hits) got.emplace_back(h.company.id(), h.match);
  std::vector<std::pair<std::string, MatchKind>> want = {
      {"micron", MatchKind::kExactTicker},
      {"mu-sigma", MatchKind::kPrefix},
      {"mubadala", MatchKind::kPrefix},
      {"emu", MatchKind::kWordPrefix},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.hits[0].matched_text, "NASDAQ:MU");

  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("MICRON", 10));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].match, MatchKind::kExactName);  // alias "Micron"
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("nasdaq:mu", 10));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].match, MatchKind::kExactTicker);
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("societe generale", 10));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].company.id(), "socgen");
  EXPECT_EQ(r.hits[0].match, MatchKind::kExactName);
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("GÉNÉ", 10));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].match, MatchKind::kWordPrefix);
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("mu", 2));
  EXPECT_EQ(r.hits.size(), 2u);
  ASSERT_OK_AND_ASSIGN(r, store_->SearchCompanies("zzz", 10));
  EXPECT_TRUE(r.hits.empty());
}

TEST_F(StoreTest, RequestIdReplayReturnsTheFirstResult) {
  ASSERT_OK_AND_ASSIGN(CompanyRecord first,
                       store_->CreateCompany(Micron(), "req-1"));
  ASSERT_OK_AND_ASSIGN(CompanyRecord again,
                       store_->CreateCompany(Micron(), "req-1"));
  EXPECT_EQ(again.create_revision(), first.create_revision());
  EXPECT_EQ(store_->Revision(), 1);
  // The same body with another request id is a real (conflicting) create.
  EXPECT_EQ(store_->CreateCompany(Micron(), "req-2").status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_OK(store_->CreateCompany(Anthropic(), ""));
  // Server-assigned partnership ids: the replay names the same partnership.
  PartnershipRecord p = SimplePartnership("micron", "anthropic", "2025-01-01");
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p1,
                       store_->CreatePartnership(p, "req-p"));
  ASSERT_OK_AND_ASSIGN(PartnershipRecord p2,
                       store_->CreatePartnership(p, "req-p"));
  EXPECT_EQ(p1.id(), p2.id());
  EXPECT_EQ(store_->Revision(), 3);
  // After the record is deleted the request id cannot silently recreate it.
  ASSERT_OK(store_->DeletePartnership(p1.id(), ""));
  EXPECT_EQ(store_->CreatePartnership(p, "req-p").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Nor does it answer with a later record that took the same id.
  ASSERT_OK(store_->DeleteCompany("micron", "", true));
  CompanyRecord other = Micron();
  other.set_display_name("Another Micron");
  ASSERT_OK(store_->CreateCompany(other, ""));
  auto replay = store_->CreateCompany(Micron(), "req-1");
  EXPECT_EQ(replay.status().code(), absl::StatusCode::kFailedPrecondition)
      << replay.status();
}

TEST_F(StoreTest, ChangeLogHasOneEntryPerWriteAndIsTrimmed) {
  TempDir dir;
  StoreOptions options;
  options.history_limit = 3;
  auto store = OpenStore(dir.path(), options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store->CreateCompany(
        SimpleCompany(absl::StrCat("c", i), absl::StrCat("C ", i)), ""));
  }
  ASSERT_OK(store->DeleteCompany("c0", "", false));
  ASSERT_OK_AND_ASSIGN(ChangesPage page, store->ReadChanges(4, 100));
  EXPECT_EQ(page.revision, 6);
  EXPECT_EQ(page.compact_revision, 3);
  ASSERT_EQ(page.batches.size(), 3u);
  EXPECT_EQ(page.batches[0].revision(), 4);
  EXPECT_EQ(page.batches[2].events(0).type(), ChangeEventRecord::DELETED);
  EXPECT_EQ(page.batches[2].events(0).company().id(), "c0");
  EXPECT_EQ(store->ReadChanges(3, 100).status().code(),
            absl::StatusCode::kOutOfRange);
  store.reset();

  // A longer history on the next open keeps what is gone gone: the compacted
  // bound never moves back, so a reader is told rather than skipped ahead.
  options.history_limit = 5;
  store = OpenStore(dir.path(), options);
  ASSERT_OK(store->CreateCompany(SimpleCompany("c9", "C 9"), ""));
  ASSERT_OK_AND_ASSIGN(page, store->ReadChanges(4, 100));
  EXPECT_EQ(page.compact_revision, 3);
  ASSERT_EQ(page.batches.size(), 4u);
  EXPECT_EQ(page.batches[0].revision(), 4);
  EXPECT_EQ(store->ReadChanges(3, 100).status().code(),
            absl::StatusCode::kOutOfRange);
  // One read returns a bounded page, and says how far it got.
  ASSERT_OK_AND_ASSIGN(page, store->ReadChanges(4, 2));
  ASSERT_EQ(page.batches.size(), 2u);
  EXPECT_EQ(page.batches[1].revision(), 5);
  EXPECT_EQ(page.revision, 7);
  for (int bad : {0, kMaxChangeBatches + 1}) {
    EXPECT_EQ(store->ReadChanges(4, bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  ASSERT_OK_AND_ASSIGN(auto report, store->CheckConsistency());
  EXPECT_TRUE(report.ok()) << report.problems[0];
}

}  // namespace
}  // namespace partnergraph::storage
