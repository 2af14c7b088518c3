// PartnershipService over the wire: every RPC's success path and each error
// code it can return.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/server/server_test_util.h"

namespace partnergraph::server_testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::StartsWith;

class PartnershipServiceTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    MustCreateCompany(Micron(), "micron");
    MustCreateCompany(Anthropic(), "anthropic");
    MustCreateCompany(SimpleCompany("SK hynix"), "sk-hynix");
    MustCreateCompany(SimpleCompany("OpenAI"), "openai");
  }

  v1::Partnership MustCreate(const v1::Partnership& partnership,
                             const std::string& id) {
    v1::CreatePartnershipRequest request;
    *request.mutable_partnership() = partnership;
    request.set_partnership_id(id);
    v1::Partnership created;
    const grpc::Status status = CreatePartnership(request, &created);
    EXPECT_TRUE(status.ok()) << "create " << id << ": " << ToString(status);
    return created;
  }

  std::vector<std::string> ListNames(const v1::ListPartnershipsRequest& r) {
    v1::ListPartnershipsResponse response;
    const grpc::Status status = ListPartnerships(r, &response);
    EXPECT_TRUE(status.ok()) << ToString(status);
    std::vector<std::string> names;
    for (const v1::Partnership& p : response.partnerships()) {
      names.push_back(p.name());
    }
    return names;
  }
};

TEST_F(PartnershipServiceTest, TheArticleRecordRoundTripsWithoutLoss) {
  const v1::Partnership input = MicronAnthropic();
  v1::CreatePartnershipRequest request;
  *request.mutable_partnership() = input;
  request.set_partnership_id("micron-anthropic");
  v1::Partnership created;
  ASSERT_GRPC_OK(CreatePartnership(request, &created));

  EXPECT_EQ(created.name(), "partnerships/micron-anthropic");
  EXPECT_GT(created.create_revision(), 0);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_GT(created.create_time().seconds(), 0);
  v1::Partnership expected = input;
  expected.set_name(created.name());
  expected.set_create_revision(created.create_revision());
  expected.set_update_revision(created.update_revision());
  *expected.mutable_create_time() = created.create_time();
  *expected.mutable_update_time() = created.update_time();
  expected.set_etag(created.etag());
  EXPECT_TRUE(MessageDifferencer::Equals(created, expected))
      << created.DebugString() << "\nwant\n"
      << expected.DebugString();

  v1::Partnership got;
  ASSERT_GRPC_OK(GetPartnership("partnerships/micron-anthropic", &got));
  EXPECT_TRUE(MessageDifferencer::Equals(got, created)) << got.DebugString();
}

TEST_F(PartnershipServiceTest, DefaultsAndServerAssignedId) {
  v1::Partnership p = SimplePartnership("micron", "sk-hynix", "2024-05-01");
  v1::CreatePartnershipRequest request;
  *request.mutable_partnership() = p;
  v1::Partnership created;
  ASSERT_GRPC_OK(CreatePartnership(request, &created));
  EXPECT_THAT(created.name(), StartsWith("partnerships/"));
  EXPECT_GT(created.name().size(), std::string("partnerships/").size());
  EXPECT_EQ(created.status(), v1::ANNOUNCED);
  EXPECT_EQ(created.participants(0).role(), v1::PARTNER);
  EXPECT_GRPC_OK(GetPartnership(created.name()));
}

TEST_F(PartnershipServiceTest, CreateRejectsBadInputNamingTheField) {
  struct Case {
    const char* name;
    void (*mutate)(v1::CreatePartnershipRequest*);
    grpc::StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      {"no partnership",
       [](v1::CreatePartnershipRequest* r) { r->clear_partnership(); },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership: required"},
      {"bare participant id",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->mutable_participants(1)->set_company(
             "anthropic");
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       "partnership.participants[1].company"},
      {"one participant",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->mutable_participants()->RemoveLast();
       },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership.participants"},
      {"no kinds",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->clear_kinds();
       },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership.kinds"},
      {"unknown kind",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->add_kinds(
             static_cast<v1::PartnershipKind>(50));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership.kinds[3]"},
      {"bad date",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->set_announced_on("2025-02-30");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership.announced_on"},
      {"bad market ticker",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->mutable_market_reactions(0)->set_ticker(
             "mu");
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       "partnership.market_reactions[0].ticker"},
      {"bad retrieved_time",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()
             ->mutable_sources(0)
             ->mutable_retrieved_time()
             ->set_nanos(-1);
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       "partnership.sources[0].retrieved_time"},
      {"bad partnership_id",
       [](v1::CreatePartnershipRequest* r) { r->set_partnership_id("-bad"); },
       grpc::StatusCode::INVALID_ARGUMENT, "partnership_id"},
      {"bad request_id",
       [](v1::CreatePartnershipRequest* r) { r->set_request_id("tab\there"); },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id"},
      {"missing participant",
       [](v1::CreatePartnershipRequest* r) {
         r->mutable_partnership()->mutable_participants(1)->set_company(
             "companies/ghost");
       },
       grpc::StatusCode::FAILED_PRECONDITION, "ghost"},
  };
  const int64_t revision = store_->Revision();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::CreatePartnershipRequest request;
    *request.mutable_partnership() = MicronAnthropic();
    request.set_partnership_id("micron-anthropic");
    c.mutate(&request);
    EXPECT_THAT(CreatePartnership(request), StatusIs(c.code, c.message));
  }
  EXPECT_EQ(store_->Revision(), revision);  // Nothing was written.
}

TEST_F(PartnershipServiceTest, DuplicateIsAlreadyExistsNamingTheExistingOne) {
  MustCreate(MicronAnthropic(), "micron-anthropic");
  // Same participants (in another order), same date, overlapping kinds.
  v1::Partnership again =
      SimplePartnership("anthropic", "micron", "2025-11-20");
  again.clear_kinds();
  again.add_kinds(v1::SUPPLY_AGREEMENT);
  v1::CreatePartnershipRequest request;
  *request.mutable_partnership() = again;
  EXPECT_THAT(CreatePartnership(request),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, "micron-anthropic"));

  request.set_partnership_id("micron-anthropic");
  request.mutable_partnership()->set_announced_on("2025-12-01");
  EXPECT_THAT(CreatePartnership(request),
              StatusIs(grpc::StatusCode::ALREADY_EXISTS, "micron-anthropic"));
}

TEST_F(PartnershipServiceTest,
       RetriedCreateWithRequestIdReturnsTheFirstResult) {
  v1::CreatePartnershipRequest request;
  *request.mutable_partnership() = MicronAnthropic();
  request.set_request_id("import-2025-11-20-0001");
  v1::Partnership first;
  ASSERT_GRPC_OK(CreatePartnership(request, &first));
  const int64_t revision = store_->Revision();
  v1::Partnership second;
  ASSERT_GRPC_OK(CreatePartnership(request, &second));
  EXPECT_TRUE(MessageDifferencer::Equals(first, second))
      << second.DebugString();
  EXPECT_EQ(store_->Revision(), revision);
  EXPECT_EQ(ListNames(v1::ListPartnershipsRequest()).size(), 1u);
}

TEST_F(PartnershipServiceTest, GetErrors) {
  EXPECT_THAT(GetPartnership("partnerships/nothing"),
              StatusIs(grpc::StatusCode::NOT_FOUND, "nothing"));
  EXPECT_THAT(GetPartnership("companies/micron"),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
}

TEST_F(PartnershipServiceTest, UpdateChangesMaskedFieldsAndChecksEtag) {
  const v1::Partnership created = MustCreate(MicronAnthropic(), "ma");
  v1::UpdatePartnershipRequest request;
  request.mutable_partnership()->set_name("partnerships/ma");
  request.mutable_partnership()->set_status(v1::ACTIVE);
  request.mutable_partnership()->set_title("ignored: not in the mask");
  request.mutable_update_mask()->add_paths("status");
  request.set_etag(created.etag());
  v1::Partnership updated;
  ASSERT_GRPC_OK(UpdatePartnership(request, &updated));
  EXPECT_EQ(updated.status(), v1::ACTIVE);
  EXPECT_EQ(updated.title(), created.title());
  EXPECT_GT(updated.update_revision(), created.update_revision());
  EXPECT_EQ(updated.sources_size(), 1);

  // Same etag again: stale now.
  request.mutable_partnership()->set_status(v1::ENDED);
  EXPECT_THAT(UpdatePartnership(request),
              StatusIs(grpc::StatusCode::ABORTED, ""));
  v1::Partnership got;
  ASSERT_GRPC_OK(GetPartnership("partnerships/ma", &got));
  EXPECT_EQ(got.status(), v1::ACTIVE);

  // Participants can change; the new one must exist.
  v1::UpdatePartnershipRequest participants;
  participants.mutable_partnership()->set_name("partnerships/ma");
  *participants.mutable_partnership()->mutable_participants() =
      created.participants();
  participants.mutable_partnership()->add_participants()->set_company(
      "companies/sk-hynix");
  participants.mutable_update_mask()->add_paths("participants");
  ASSERT_GRPC_OK(UpdatePartnership(participants, &updated));
  EXPECT_EQ(updated.participants_size(), 3);
  EXPECT_EQ(updated.participants(2).company(), "companies/sk-hynix");

  participants.mutable_partnership()->mutable_participants(2)->set_company(
      "companies/ghost");
  EXPECT_THAT(UpdatePartnership(participants),
              StatusIs(grpc::StatusCode::FAILED_PRECONDITION, "ghost"));
}

TEST_F(PartnershipServiceTest, UpdateErrors) {
  MustCreate(MicronAnthropic(), "ma");
  v1::UpdatePartnershipRequest request;
  EXPECT_THAT(
      UpdatePartnership(request),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "partnership: required"));
  request.mutable_partnership()->set_title("New");
  EXPECT_THAT(UpdatePartnership(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "partnership.name"));
  request.mutable_partnership()->set_name("partnerships/nope");
  EXPECT_THAT(UpdatePartnership(request),
              StatusIs(grpc::StatusCode::NOT_FOUND, "nope"));
  request.mutable_partnership()->set_name("partnerships/ma");
  request.mutable_update_mask()->add_paths("title");
  request.mutable_update_mask()->add_paths("participants.company");
  EXPECT_THAT(
      UpdatePartnership(request),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]"));
  request.clear_update_mask();
  request.mutable_partnership()->set_ended_on("2020-01-01");  // Before start.
  EXPECT_THAT(
      UpdatePartnership(request),
      StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "partnership.ended_on"));
}

TEST_F(PartnershipServiceTest, DeleteRemovesAndChecksEtag) {
  const v1::Partnership created = MustCreate(MicronAnthropic(), "ma");
  v1::DeletePartnershipRequest request;
  request.set_name("partnerships/ma");
  request.set_etag("stale-or-garbage");
  EXPECT_THAT(DeletePartnership(request),
              StatusIs(grpc::StatusCode::ABORTED, ""));
  EXPECT_GRPC_OK(GetPartnership("partnerships/ma"));

  request.set_etag(created.etag());
  ASSERT_GRPC_OK(DeletePartnership(request));
  EXPECT_THAT(GetPartnership("partnerships/ma"),
              StatusIs(grpc::StatusCode::NOT_FOUND, ""));
  request.clear_etag();
  EXPECT_THAT(DeletePartnership(request),
              StatusIs(grpc::StatusCode::NOT_FOUND, "ma"));
  request.set_name("ma");
  EXPECT_THAT(DeletePartnership(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, "name"));
  // The company is free to go now.
  v1::DeleteCompanyRequest company;
  company.set_name("companies/micron");
  EXPECT_GRPC_OK(DeleteCompany(company));
}

TEST_F(PartnershipServiceTest, ListIsNewestFirstAndPages) {
  MustCreate(SimplePartnership("micron", "anthropic", "2025-11-20"), "p2025");
  MustCreate(SimplePartnership("sk-hynix", "openai", "2025-10-01"), "p2025b");
  MustCreate(SimplePartnership("micron", "openai", "2023-01-23"), "p2023");
  MustCreate(SimplePartnership("sk-hynix", "anthropic", "2024-06-30"), "p2024");

  EXPECT_THAT(ListNames(v1::ListPartnershipsRequest()),
              ElementsAre("partnerships/p2025", "partnerships/p2025b",
                          "partnerships/p2024", "partnerships/p2023"));

  std::vector<std::string> paged;
  v1::ListPartnershipsRequest request;
  request.set_page_size(1);
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 10) << "pagination does not end";
    v1::ListPartnershipsResponse response;
    ASSERT_GRPC_OK(ListPartnerships(request, &response));
    EXPECT_GT(response.revision(), 0);
    for (const v1::Partnership& p : response.partnerships()) {
      paged.push_back(p.name());
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(paged, ElementsAre("partnerships/p2025", "partnerships/p2025b",
                                 "partnerships/p2024", "partnerships/p2023"));
}

TEST_F(PartnershipServiceTest, ListFilters) {
  MustCreate(MicronAnthropic(), "micron-anthropic");
  v1::Partnership investment =
      SimplePartnership("sk-hynix", "openai", "2025-10-01");
  investment.clear_kinds();
  investment.add_kinds(v1::INVESTMENT);
  MustCreate(investment, "hynix-openai");
  MustCreate(SimplePartnership("micron", "openai", "2023-01-23"),
             "micron-openai");

  v1::ListPartnershipsRequest request;
  request.mutable_filter()->set_company("companies/micron");
  EXPECT_THAT(ListNames(request), ElementsAre("partnerships/micron-anthropic",
                                              "partnerships/micron-openai"));

  request.Clear();
  request.mutable_filter()->add_kinds(v1::INVESTMENT);
  EXPECT_THAT(ListNames(request), ElementsAre("partnerships/hynix-openai"));

  request.Clear();
  request.mutable_filter()->set_announced_after("2025-01-01");
  request.mutable_filter()->set_announced_before("2025-10-31");
  EXPECT_THAT(ListNames(request), ElementsAre("partnerships/hynix-openai"));

  request.Clear();
  request.mutable_filter()->add_participant_sectors("semiconductors/memory");
  request.mutable_filter()->add_participant_sectors("ai");
  EXPECT_THAT(ListNames(request), ElementsAre("partnerships/micron-anthropic"));

  request.Clear();
  request.mutable_filter()->set_min_sources(1);
  EXPECT_THAT(ListNames(request), ElementsAre("partnerships/micron-anthropic"));
}

TEST_F(PartnershipServiceTest, ListErrors) {
  MustCreate(MicronAnthropic(), "a");
  MustCreate(SimplePartnership("sk-hynix", "openai", "2025-10-01"), "b");
  struct Case {
    const char* name;
    void (*mutate)(v1::ListPartnershipsRequest*);
    const char* field;
  };
  const Case cases[] = {
      {"page size",
       [](v1::ListPartnershipsRequest* r) { r->set_page_size(-1); },
       "page_size"},
      {"company name",
       [](v1::ListPartnershipsRequest* r) {
         r->mutable_filter()->set_company("micron");
       },
       "filter.company"},
      {"date",
       [](v1::ListPartnershipsRequest* r) {
         r->mutable_filter()->set_announced_after("2025-13-01");
       },
       "filter.announced_after"},
      {"kind",
       [](v1::ListPartnershipsRequest* r) {
         r->mutable_filter()->add_kinds(v1::INVESTMENT);
         r->mutable_filter()->add_kinds(v1::PARTNERSHIP_KIND_UNSPECIFIED);
       },
       "filter.kinds[1]"},
      {"sector",
       [](v1::ListPartnershipsRequest* r) {
         r->mutable_filter()->add_participant_sectors("Bad Sector");
       },
       "filter.participant_sectors[0]"},
      {"min_sources",
       [](v1::ListPartnershipsRequest* r) {
         r->mutable_filter()->set_min_sources(33);
       },
       "filter.min_sources"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListPartnershipsRequest request;
    c.mutate(&request);
    EXPECT_THAT(ListPartnerships(request),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT, c.field));
  }

  v1::ListPartnershipsRequest request;
  request.set_page_size(1);
  v1::ListPartnershipsResponse first;
  ASSERT_GRPC_OK(ListPartnerships(request, &first));
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token() + "x");
  EXPECT_THAT(ListPartnerships(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, ""));
  request.set_page_token(first.next_page_token());
  request.mutable_filter()->add_kinds(v1::STRATEGIC_ALLIANCE);
  EXPECT_THAT(ListPartnerships(request),
              StatusIs(grpc::StatusCode::INVALID_ARGUMENT, ""));
}

}  // namespace
}  // namespace partnergraph::server_testing
