// Turning command-line values into requests, and error reporting. No server.

#include "client/requests.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "client/errors.h"
#include "client/transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace partnergraph::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NamesTest, BareIdsBecomeResourceNames) {
  EXPECT_EQ(CompanyName("micron"), "companies/micron");
  EXPECT_EQ(CompanyName("companies/micron"), "companies/micron");
  EXPECT_EQ(PartnershipName("p1"), "partnerships/p1");
  EXPECT_EQ(PartnershipName("partnerships/p1"), "partnerships/p1");
  // A name of another collection is left for the server to reject.
  EXPECT_EQ(CompanyName("partnerships/p1"), "partnerships/p1");
  EXPECT_EQ(ShortName("companies/micron"), "micron");
  EXPECT_EQ(ShortName("partnerships/p1"), "p1");
  EXPECT_EQ(ShortName("micron"), "micron");
}

TEST(EnumTest, AcceptsLooseSpellings) {
  for (const std::string text :
       {"STRATEGIC_ALLIANCE", "strategic_alliance", "strategic-alliance",
        " Strategic-Alliance "}) {
    SCOPED_TRACE(text);
    absl::StatusOr<v1::PartnershipKind> kind = ParseKind("--kind", text);
    ASSERT_TRUE(kind.ok()) << kind.status();
    EXPECT_EQ(*kind, v1::STRATEGIC_ALLIANCE);
  }
  absl::StatusOr<v1::PartnershipStatus> status =
      ParseStatus("--status", "ended");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, v1::ENDED);
}

TEST(EnumTest, RejectsUnknownAndUnspecifiedNamingTheFlagAndChoices) {
  for (const std::string text :
       {"alliance", "PARTNERSHIP_KIND_UNSPECIFIED", ""}) {
    SCOPED_TRACE(text);
    absl::StatusOr<v1::PartnershipKind> kind = ParseKind("--kind", text);
    ASSERT_EQ(kind.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(kind.status().message(), HasSubstr("--kind"));
    EXPECT_THAT(kind.status().message(), HasSubstr("JOINT_VENTURE"));
    absl::string_view message = kind.status().message();
    absl::string_view choices = message.substr(message.find("want one of"));
    EXPECT_THAT(choices, ::testing::Not(HasSubstr("UNSPECIFIED")));
  }
}

TEST(ParticipantTest, ParsesIdNameAndRole) {
  struct Case {
    std::string text;
    std::string company;
    v1::ParticipantRole role;
  };
  for (const Case& c :
       std::vector<Case>{{"micron", "companies/micron", v1::PARTNER},
                         {"companies/micron", "companies/micron", v1::PARTNER},
                         {"micron:supplier", "companies/micron", v1::SUPPLIER},
                         {"companies/anthropic:CUSTOMER", "companies/anthropic",
                          v1::CUSTOMER}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<v1::Participant> participant =
        ParseParticipant("--participant", c.text);
    ASSERT_TRUE(participant.ok()) << participant.status();
    EXPECT_EQ(participant->company(), c.company);
    EXPECT_EQ(participant->role(), c.role);
  }
  EXPECT_FALSE(ParseParticipant("--participant", "micron:boss").ok());
  EXPECT_FALSE(ParseParticipant("--participant", ":supplier").ok());
}

TEST(LabelTest, SplitsAtTheFirstEquals) {
  absl::StatusOr<std::pair<std::string, std::string>> label =
      ParseLabel("--label", "source=a=b");
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->first, "source");
  EXPECT_EQ(label->second, "a=b");
  label = ParseLabel("--label", "flag");
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->second, "");
  EXPECT_FALSE(ParseLabel("--label", "=x").ok());
}

TEST(TimeoutTest, ParsesDurationsAndBareSeconds) {
  struct Case {
    std::string text;
    absl::Duration want;
  };
  for (const Case& c : std::vector<Case>{{"5s", absl::Seconds(5)},
                                         {"1500ms", absl::Milliseconds(1500)},
                                         {"2m", absl::Minutes(2)},
                                         {"1m30s", absl::Seconds(90)},
                                         {"3", absl::Seconds(3)},
                                         {"0.5", absl::Milliseconds(500)}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<absl::Duration> duration = ParseTimeout("--timeout", c.text);
    ASSERT_TRUE(duration.ok()) << duration.status();
    EXPECT_EQ(*duration, c.want);
  }
  for (const std::string bad : {"", "soon", "0s", "-1s", "inf"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseTimeout("--timeout", bad).ok());
  }
}

TEST(AsOfTest, APlainPositiveIntegerIsARevision) {
  struct Case {
    std::string text;
    int64_t want;
  };
  for (const Case& c : std::vector<Case>{{"1", 1},
                                         {"42", 42},
                                         {" 7 ", 7},
                                         {"9223372036854775807", INT64_MAX}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<AsOf> as_of = ParseAsOf("--as-of", c.text);
    ASSERT_TRUE(as_of.ok()) << as_of.status();
    EXPECT_EQ(as_of->revision, c.want);
    EXPECT_FALSE(as_of->time.has_value());
  }
}

TEST(AsOfTest, AnRfc3339TimeIsACommitTimeWithItsOffsetApplied) {
  const int64_t noon_utc = absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(2026, 1, 31, 12, 0, 0), absl::UTCTimeZone()));
  struct Case {
    std::string text;
    int64_t want_seconds;
    int32_t want_nanos;
  };
  for (const Case& c :
       std::vector<Case>{{"2026-01-31T12:00:00Z", noon_utc, 0},
                         {"2026-01-31T14:00:00+02:00", noon_utc, 0},
                         {"2026-01-31T07:00:00-05:00", noon_utc, 0},
                         {"2026-01-31t12:00:00z", noon_utc, 0},
                         {"2026-01-31T12:00:00.25Z", noon_utc, 250000000}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<AsOf> as_of = ParseAsOf("--as-of", c.text);
    ASSERT_TRUE(as_of.ok()) << as_of.status();
    EXPECT_EQ(as_of->revision, 0);
    ASSERT_TRUE(as_of->time.has_value());
    EXPECT_EQ(as_of->time->seconds(), c.want_seconds);
    EXPECT_EQ(as_of->time->nanos(), c.want_nanos);
  }
}

TEST(AsOfTest, AnythingElseIsAUsageErrorNamingTheFlagAndTheRule) {
  for (const std::string bad :
       {"0", "-5", "yesterday", "2026-13-01T00:00:00Z", "",
        "2026-02-30T00:00:00Z", "2026-01-31T12:00:00", "2026-01-31",
        "2026-1-31T12:00:00Z", "0000-06-01T00:00:00Z", "1.5", "+5", "5abc",
        "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<AsOf> as_of = ParseAsOf("--as-of", bad);
    ASSERT_EQ(as_of.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ExitCodeFor(as_of.status()), kExitUsage);
    EXPECT_THAT(as_of.status().message(), HasSubstr("--as-of"));
    EXPECT_THAT(as_of.status().message(), HasSubstr("revision"));
    EXPECT_THAT(as_of.status().message(), HasSubstr("RFC 3339"));
    EXPECT_THAT(as_of.status().message(), HasSubstr("\"" + bad + "\""));
  }
}

TEST(AsOfTest, SetsOneFieldOfTheRequestOrNone) {
  v1::GetCompanyRequest request;
  SetAsOf(AsOf(), &request);
  EXPECT_EQ(request.as_of_revision(), 0);
  EXPECT_FALSE(request.has_as_of_time());

  absl::StatusOr<AsOf> revision = ParseAsOf("--as-of", "12");
  ASSERT_TRUE(revision.ok()) << revision.status();
  SetAsOf(*revision, &request);
  EXPECT_EQ(request.as_of_revision(), 12);
  EXPECT_FALSE(request.has_as_of_time());

  v1::ListPartnershipsRequest list;
  absl::StatusOr<AsOf> time = ParseAsOf("--as-of", "2026-01-31T12:00:00Z");
  ASSERT_TRUE(time.ok()) << time.status();
  SetAsOf(*time, &list);
  EXPECT_EQ(list.as_of_revision(), 0);
  ASSERT_TRUE(list.has_as_of_time());
  EXPECT_EQ(list.as_of_time().seconds(), time->time->seconds());
}

TEST(CompanyFieldsTest, SetsGivenFieldsAndTheirMaskPaths) {
  CompanyFields fields;
  fields.display_name = "Micron Technology";
  fields.tickers = std::vector<std::string>{"NASDAQ:MU"};
  fields.labels = std::vector<std::string>{"tier=1"};
  v1::Company company;
  company.set_country("US");
  google::protobuf::FieldMask mask;
  ASSERT_TRUE(ApplyCompanyFields(fields, &company, &mask).ok());
  EXPECT_EQ(company.display_name(), "Micron Technology");
  EXPECT_THAT(company.tickers(), ElementsAre("NASDAQ:MU"));
  EXPECT_EQ(company.labels().at("tier"), "1");
  EXPECT_EQ(company.country(), "US");  // untouched
  EXPECT_THAT(mask.paths(), ElementsAre("display_name", "tickers", "labels"));
}

TEST(CompanyFieldsTest, AnEmptyListClearsTheField) {
  CompanyFields fields;
  fields.sectors = std::vector<std::string>{};
  v1::Company company;
  company.add_sectors("ai");
  google::protobuf::FieldMask mask;
  ASSERT_TRUE(ApplyCompanyFields(fields, &company, &mask).ok());
  EXPECT_TRUE(company.sectors().empty());
  EXPECT_THAT(mask.paths(), ElementsAre("sectors"));
}

TEST(PartnershipFieldsTest, BuildsParticipantsKindsAndTerms) {
  PartnershipFields fields;
  fields.participants =
      std::vector<std::string>{"micron:supplier", "companies/anthropic"};
  fields.kinds =
      std::vector<std::string>{"strategic-alliance", "SUPPLY_AGREEMENT"};
  fields.announced_on = "2025-11-20";
  fields.value_usd = 1000000;
  v1::Partnership partnership;
  google::protobuf::FieldMask mask;
  ASSERT_TRUE(ApplyPartnershipFields(fields, &partnership, &mask).ok());
  ASSERT_EQ(partnership.participants_size(), 2);
  EXPECT_EQ(partnership.participants(0).company(), "companies/micron");
  EXPECT_EQ(partnership.participants(0).role(), v1::SUPPLIER);
  EXPECT_EQ(partnership.participants(1).role(), v1::PARTNER);
  EXPECT_THAT(partnership.kinds(),
              ElementsAre(v1::STRATEGIC_ALLIANCE, v1::SUPPLY_AGREEMENT));
  EXPECT_EQ(partnership.terms().disclosure(), v1::DISCLOSED);
  EXPECT_EQ(partnership.terms().value_usd(), 1000000);
  EXPECT_THAT(mask.paths(),
              ElementsAre("participants", "kinds", "announced_on", "terms"));
}

TEST(PartnershipFieldsTest, TermsFlagsKeepTheOtherPartsOfTheTerms) {
  PartnershipFields fields;
  fields.terms_description = "multi-year";
  v1::Partnership partnership;
  partnership.mutable_terms()->set_disclosure(v1::UNDISCLOSED);
  ASSERT_TRUE(ApplyPartnershipFields(fields, &partnership, nullptr).ok());
  EXPECT_EQ(partnership.terms().disclosure(), v1::UNDISCLOSED);
  EXPECT_EQ(partnership.terms().description(), "multi-year");
}

TEST(PartnershipFieldsTest, BadKindNamesTheFlag) {
  PartnershipFields fields;
  fields.kinds = std::vector<std::string>{"merger"};
  v1::Partnership partnership;
  absl::Status status = ApplyPartnershipFields(fields, &partnership, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--kind"));
}

TEST(FilterTest, BuildsTheFilter) {
  PartnershipFilterFields fields;
  fields.kinds = {"supply-agreement"};
  fields.statuses = {"active"};
  fields.company = "micron";
  fields.participant_sectors = {"semiconductors/memory", "ai"};
  fields.announced_after = "2025-01-01";
  fields.min_sources = 1;
  absl::StatusOr<v1::PartnershipFilter> filter = BuildPartnershipFilter(fields);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->kinds(), ElementsAre(v1::SUPPLY_AGREEMENT));
  EXPECT_THAT(filter->statuses(), ElementsAre(v1::ACTIVE));
  EXPECT_EQ(filter->company(), "companies/micron");
  EXPECT_THAT(filter->participant_sectors(),
              ElementsAre("semiconductors/memory", "ai"));
  EXPECT_EQ(filter->announced_after(), "2025-01-01");
  EXPECT_EQ(filter->min_sources(), 1);
}

TEST(ExitCodeTest, FollowsTheDocumentedTable) {
  struct Case {
    absl::StatusCode code;
    int want;
  };
  for (const Case& c :
       std::vector<Case>{{absl::StatusCode::kOk, 0},
                         {absl::StatusCode::kInternal, 1},
                         {absl::StatusCode::kPermissionDenied, 6},
                         {absl::StatusCode::kUnauthenticated, 6},
                         {absl::StatusCode::kInvalidArgument, 2},
                         {absl::StatusCode::kNotFound, 3},
                         {absl::StatusCode::kAlreadyExists, 4},
                         {absl::StatusCode::kAborted, 4},
                         {absl::StatusCode::kFailedPrecondition, 4},
                         {absl::StatusCode::kUnavailable, 5},
                         {absl::StatusCode::kDeadlineExceeded, 5}}) {
    SCOPED_TRACE(absl::StatusCodeToString(c.code));
    EXPECT_EQ(ExitCodeFor(absl::Status(
                  c.code, c.code == absl::StatusCode::kOk ? "" : "x")),
              c.want);
  }
}

TEST(DescribeErrorTest, ReadsWell) {
  ErrorContext get_nvidia;
  get_nvidia.kind = "company";
  get_nvidia.id = "nvidia";
  get_nvidia.action = "get";
  get_nvidia.server = "localhost:50051";
  get_nvidia.timeout = absl::Seconds(5);
  EXPECT_EQ(DescribeError(absl::NotFoundError("companies/nvidia: not found"),
                          get_nvidia),
            "company \"nvidia\" not found");
  EXPECT_EQ(
      DescribeError(absl::InvalidArgumentError(
                        "company.tickers[1]: want EXCHANGE:SYMBOL, got \"mu\""),
                    get_nvidia),
      "invalid argument: company.tickers[1]: want EXCHANGE:SYMBOL, got \"mu\"");
  EXPECT_THAT(
      DescribeError(absl::UnavailableError("connection refused"), get_nvidia),
      HasSubstr("cannot reach the server at localhost:50051"));
  EXPECT_THAT(DescribeError(absl::DeadlineExceededError("Deadline Exceeded"),
                            get_nvidia),
              HasSubstr("within 5s"));
  EXPECT_EQ(DescribeError(absl::AbortedError(""), get_nvidia),
            "company \"nvidia\": etag mismatch, the record changed since it "
            "was read; get it again and retry");
  ErrorContext delete_micron = get_nvidia;
  delete_micron.id = "micron";
  delete_micron.action = "delete";
  EXPECT_THAT(DescribeError(absl::FailedPreconditionError(
                                "companies/micron: 2 partnerships refer to it"),
                            delete_micron),
              HasSubstr("--force"));
}

TEST(ParseSourceTest, TakesKeyedPartsWhoseValuesMayHoldCommas) {
  absl::StatusOr<v1::Source> source = ParseSource(
      "--source",
      "https://example.com/a,b,title=Up 5%, on the news,publisher=Example,"
      "published=2025-11-20,excerpt=x");
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->url(), "https://example.com/a,b");
  EXPECT_EQ(source->title(), "Up 5%, on the news");
  EXPECT_EQ(source->publisher(), "Example");
  EXPECT_EQ(source->published_on(), "2025-11-20");
  EXPECT_EQ(source->excerpt(), "x");
  EXPECT_EQ(
      ParseSource("--source", "https://x,title=a,title=b").status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSource("--source", ",title=a").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseMarketReactionTest, TickerChangeDateWindowNote) {
  absl::StatusOr<v1::MarketReaction> r = ParseMarketReaction(
      "--market-reaction", "NASDAQ:MU:+5.58%@2025-11-20/1d,note=on the news");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ticker(), "NASDAQ:MU");
  EXPECT_DOUBLE_EQ(r->change_percent(), 5.58);
  EXPECT_EQ(r->on(), "2025-11-20");
  EXPECT_EQ(r->window(), "1d");
  EXPECT_EQ(r->note(), "on the news");
  absl::StatusOr<v1::MarketReaction> bare =
      ParseMarketReaction("--market-reaction", "KRX:000660:-3");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_DOUBLE_EQ(bare->change_percent(), -3);
  EXPECT_TRUE(bare->window().empty());
  for (const char* bad : {"NASDAQ:MU", "MU:", "NASDAQ:MU:up", ":5%"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseMarketReaction("--market-reaction", bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(CheckServerAddressTest, HostAndNumericPortWithoutScheme) {
  for (const char* good : {"localhost:50051", "10.0.0.7:1", "[::1]:65535",
                           "db-1.example.com:443", "unix:/run/pg.sock"}) {
    SCOPED_TRACE(good);
    EXPECT_TRUE(CheckServerAddress(good).ok());
  }
  for (const char* bad :
       {"", "127.0.0.1", "localhost:", "localhost:5O051", "localhost:0",
        "localhost:65536", "http://x:1", "::1", "[::1]", ":50051", "unix:"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<std::string> target = CheckServerAddress(bad);
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(target.status().message()),
                ::testing::StartsWith("--server: "));
  }
}

}  // namespace
}  // namespace partnergraph::client
