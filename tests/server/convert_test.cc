#include "server/convert.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "storage/graph_store.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ConvertTest, ResourceNames) {
  EXPECT_EQ(CompanyName("micron"), "companies/micron");
  EXPECT_EQ(PartnershipName("micron-anthropic"),
            "partnerships/micron-anthropic");
}

TEST(ConvertTest, TimestampsRoundTripAtMicrosecondPrecision) {
  const int64_t cases[] = {0,
                           1,
                           999999,
                           1000000,
                           -1,
                           -1000000,
                           -1000001,
                           1763600000123456,
                           -62135596800000000,   // 0001-01-01
                           253402300799999999};  // 9999-12-31T23:59:59.999999
  for (int64_t micros : cases) {
    SCOPED_TRACE(micros);
    google::protobuf::Timestamp ts;
    MicrosToTimestamp(micros, &ts);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_LT(ts.nanos(), 1000000000);
    absl::StatusOr<int64_t> back = TimestampToMicros("t", ts);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, micros);
  }
}

TEST(ConvertTest, TimestampOutOfRangeNamesTheField) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(253402300800);  // 10000-01-01
  EXPECT_THAT(TimestampToMicros("x.retrieved_time", ts).status().message(),
              HasSubstr("x.retrieved_time"));
  ts.set_seconds(0);
  ts.set_nanos(-1);
  EXPECT_EQ(TimestampToMicros("x", ts).status().code(),
            absl::StatusCode::kInvalidArgument);
  ts.set_nanos(1000000000);
  EXPECT_EQ(TimestampToMicros("x", ts).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConvertTest, CompanyRoundTrip) {
  v1::Company api;
  api.set_name("companies/ignored");
  api.set_display_name("Micron Technology");
  api.set_legal_name("Micron Technology, Inc.");
  api.add_aliases("Micron");
  api.add_tickers("NASDAQ:MU");
  api.add_sectors("semiconductors/memory");
  api.set_country("US");
  api.set_website("https://www.micron.com");
  api.set_description("Memory.");
  (*api.mutable_labels())["k"] = "v";
  api.set_etag("ignored");
  api.set_create_revision(99);

  storage::CompanyRecord record = CompanyFromApi(api);
  EXPECT_EQ(record.id(), "");
  EXPECT_EQ(record.create_revision(), 0);  // Output-only fields are ignored.
  record.set_id("micron");
  record.set_create_revision(3);
  record.set_update_revision(7);
  record.set_create_time_micros(1000001);
  record.set_update_time_micros(2000002);

  const v1::Company back = CompanyToApi(record);
  EXPECT_EQ(back.name(), "companies/micron");
  EXPECT_EQ(back.create_revision(), 3);
  EXPECT_EQ(back.update_revision(), 7);
  EXPECT_EQ(back.create_time().seconds(), 1);
  EXPECT_EQ(back.create_time().nanos(), 1000);
  EXPECT_EQ(back.update_time().seconds(), 2);
  EXPECT_EQ(back.etag(), storage::EtagFor(7));
  v1::Company expected = api;
  expected.set_name("companies/micron");
  expected.set_create_revision(3);
  expected.set_update_revision(7);
  *expected.mutable_create_time() = back.create_time();
  *expected.mutable_update_time() = back.update_time();
  expected.set_etag(back.etag());
  EXPECT_TRUE(MessageDifferencer::Equals(back, expected))
      << back.DebugString() << "\nwant\n"
      << expected.DebugString();
}

v1::Partnership ArticlePartnership() {
  v1::Partnership p;
  p.set_title("Micron and Anthropic");
  p.set_summary("Memory, supply, Claude.");
  p.add_participants()->set_company("companies/micron");
  p.mutable_participants(0)->set_role(v1::SUPPLIER);
  p.add_participants()->set_company("companies/anthropic");
  p.add_kinds(v1::STRATEGIC_ALLIANCE);
  p.add_kinds(v1::TECHNOLOGY_INTEGRATION);
  p.set_status(v1::ACTIVE);
  p.set_announced_on("2025-11-20");
  p.set_ended_on("2026-01-01");
  p.mutable_terms()->set_disclosure(v1::DISCLOSED);
  p.mutable_terms()->set_value_usd(0);  // Present but zero: kept.
  p.mutable_terms()->set_description("terms");
  v1::Source* s = p.add_sources();
  s->set_url("https://example.com/a");
  s->set_title("t");
  s->set_publisher("p");
  s->set_published_on("2025-11-21");
  s->mutable_retrieved_time()->set_seconds(1763600000);
  s->mutable_retrieved_time()->set_nanos(5000);
  s->set_excerpt("e");
  v1::MarketReaction* m = p.add_market_reactions();
  m->set_ticker("NASDAQ:MU");
  m->set_change_percent(5.58);
  m->set_on("2025-11-20");
  m->set_window("1d");
  m->set_note("n");
  (*p.mutable_labels())["demo"] = "true";
  return p;
}

TEST(ConvertTest, PartnershipRoundTrip) {
  const v1::Partnership api = ArticlePartnership();
  absl::StatusOr<storage::PartnershipRecord> record = PartnershipFromApi(api);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->participants(0).company_id(), "micron");
  EXPECT_EQ(record->participants(0).role(), storage::ROLE_SUPPLIER);
  EXPECT_EQ(record->participants(1).role(), storage::ROLE_UNSPECIFIED);
  EXPECT_THAT(record->kinds(),
              ElementsAre(storage::KIND_STRATEGIC_ALLIANCE,
                          storage::KIND_TECHNOLOGY_INTEGRATION));
  EXPECT_TRUE(record->terms().has_value_usd());
  EXPECT_EQ(record->sources(0).retrieved_time_micros(), 1763600000000005);
  record->set_id("micron-anthropic");
  record->set_update_revision(4);

  const v1::Partnership back = PartnershipToApi(*record);
  EXPECT_EQ(back.name(), "partnerships/micron-anthropic");
  EXPECT_EQ(back.etag(), storage::EtagFor(4));
  v1::Partnership expected = api;
  expected.set_name(back.name());
  expected.set_update_revision(4);
  *expected.mutable_create_time() = back.create_time();
  *expected.mutable_update_time() = back.update_time();
  expected.set_etag(back.etag());
  EXPECT_TRUE(MessageDifferencer::Equals(back, expected))
      << back.DebugString() << "\nwant\n"
      << expected.DebugString();
}

TEST(ConvertTest, UnsetTermsStayUnset) {
  v1::Partnership api = ArticlePartnership();
  api.clear_terms();
  absl::StatusOr<storage::PartnershipRecord> record = PartnershipFromApi(api);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_FALSE(record->has_terms());
  EXPECT_FALSE(PartnershipToApi(*record).has_terms());
}

TEST(ConvertTest, PartnershipInputErrorsNameTheField) {
  struct Case {
    const char* name;
    void (*mutate)(v1::Partnership*);
    const char* field;
  };
  const Case cases[] = {
      {"bare id",
       [](v1::Partnership* p) {
         p->mutable_participants(1)->set_company("anthropic");
       },
       "partnership.participants[1].company"},
      {"wrong collection",
       [](v1::Partnership* p) {
         p->mutable_participants(0)->set_company("partnerships/micron");
       },
       "partnership.participants[0].company"},
      {"unknown kind",
       [](v1::Partnership* p) {
         p->add_kinds(static_cast<v1::PartnershipKind>(42));
       },
       "partnership.kinds[2]"},
      {"unknown role",
       [](v1::Partnership* p) {
         p->mutable_participants(1)->set_role(
             static_cast<v1::ParticipantRole>(-3));
       },
       "partnership.participants[1].role"},
      {"unknown status",
       [](v1::Partnership* p) {
         p->set_status(static_cast<v1::PartnershipStatus>(9));
       },
       "partnership.status"},
      {"unknown disclosure",
       [](v1::Partnership* p) {
         p->mutable_terms()->set_disclosure(
             static_cast<v1::TermsDisclosure>(9));
       },
       "partnership.terms.disclosure"},
      {"bad retrieved_time",
       [](v1::Partnership* p) {
         p->mutable_sources(0)->mutable_retrieved_time()->set_nanos(-5);
       },
       "partnership.sources[0].retrieved_time"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Partnership api = ArticlePartnership();
    c.mutate(&api);
    absl::StatusOr<storage::PartnershipRecord> record = PartnershipFromApi(api);
    ASSERT_EQ(record.status().code(), absl::StatusCode::kInvalidArgument)
        << record.status();
    EXPECT_THAT(std::string(record.status().message()), HasSubstr(c.field));
  }
}

TEST(ConvertTest, FilterToQuery) {
  v1::PartnershipFilter filter;
  filter.add_kinds(v1::SUPPLY_AGREEMENT);
  filter.add_statuses(v1::ENDED);
  filter.set_announced_after("2025-01-01");
  filter.set_announced_before("2025-12-31");
  filter.add_participant_sectors("semiconductors/memory");
  filter.add_participant_sectors("ai");
  filter.set_company("companies/micron");
  filter.set_min_sources(1);
  absl::StatusOr<storage::PartnershipQuery> query =
      PartnershipQueryFromApi("filter", filter);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_THAT(query->kinds(), ElementsAre(storage::KIND_SUPPLY_AGREEMENT));
  EXPECT_THAT(query->statuses(), ElementsAre(storage::STATUS_ENDED));
  EXPECT_EQ(query->announced_after(), "2025-01-01");
  EXPECT_EQ(query->announced_before(), "2025-12-31");
  EXPECT_THAT(query->participant_sectors(),
              ElementsAre("semiconductors/memory", "ai"));
  EXPECT_EQ(query->company_id(), "micron");
  EXPECT_EQ(query->min_sources(), 1);

  filter.set_company("micron");
  EXPECT_THAT(
      std::string(PartnershipQueryFromApi("filter", filter).status().message()),
      HasSubstr("filter.company"));
  filter.set_company("");
  filter.add_kinds(static_cast<v1::PartnershipKind>(77));
  EXPECT_THAT(
      std::string(PartnershipQueryFromApi("filter", filter).status().message()),
      HasSubstr("filter.kinds[1]"));
}

TEST(ConvertTest, UpdateMaskPaths) {
  google::protobuf::FieldMask mask;
  absl::StatusOr<std::vector<std::string>> paths = CompanyUpdatePaths(mask);
  ASSERT_TRUE(paths.ok());
  EXPECT_TRUE(paths->empty());

  mask.add_paths("display_name");
  mask.add_paths("labels");
  paths = CompanyUpdatePaths(mask);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(*paths, ElementsAre("display_name", "labels"));

  mask.add_paths("etag");
  paths = CompanyUpdatePaths(mask);
  EXPECT_EQ(paths.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(paths.status().message()),
              HasSubstr("update_mask.paths[2]"));

  google::protobuf::FieldMask star;
  star.add_paths("*");
  EXPECT_THAT(*PartnershipUpdatePaths(star), ElementsAre("*"));
  star.add_paths("title");  // "*" already names every field.
  absl::StatusOr<std::vector<std::string>> mixed = PartnershipUpdatePaths(star);
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(mixed.status().message()),
              HasSubstr("must be the only path"));

  google::protobuf::FieldMask partnership;
  partnership.add_paths("participants");
  partnership.add_paths("market_reactions");
  partnership.add_paths("terms");
  EXPECT_TRUE(PartnershipUpdatePaths(partnership).ok());
  partnership.add_paths("display_name");  // A company field.
  EXPECT_THAT(
      std::string(PartnershipUpdatePaths(partnership).status().message()),
      HasSubstr("update_mask.paths[3]"));

  google::protobuf::FieldMask many;
  for (int i = 0; i <= kMaxUpdateMaskPaths; ++i) many.add_paths("title");
  EXPECT_EQ(PartnershipUpdatePaths(many).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace partnergraph::server
