#include "storage/validation.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/record.pb.h"
#include "store_test_util.h"

namespace partnergraph::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The article's records, as the store tests use them; the description keeps a
// newline (allowed in free text) and the partnership is dated 2025-11-18 so
// the date cases below read plainly.
CompanyRecord Micron() {
  CompanyRecord c = testing_util::Micron();
  c.set_description("Memory and storage.\nBoise, Idaho.");
  return c;
}

CompanyRecord Anthropic() { return testing_util::Anthropic(); }

PartnershipRecord MicronAnthropic() {
  PartnershipRecord p = testing_util::MicronAnthropic();
  p.set_announced_on("2025-11-18");
  p.mutable_sources(0)->set_published_on("2025-11-18");
  p.mutable_market_reactions(0)->set_on("2025-11-18");
  ApplyPartnershipDefaults(&p);
  return p;
}

// Checks `status` against a case: OK when `path` is empty, otherwise
// INVALID_ARGUMENT with a message that starts with `path` and contains
// `substr`.
void ExpectOutcome(const absl::Status& status, const std::string& path,
                   const std::string& substr) {
  if (path.empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith(path + ":"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(substr));
}

TEST(ValidationTest, MicronAnthropicRecordIsValid) {
  EXPECT_TRUE(ValidateCompany(Micron()).ok()) << ValidateCompany(Micron());
  EXPECT_TRUE(ValidateCompany(Anthropic()).ok())
      << ValidateCompany(Anthropic());
  EXPECT_TRUE(ValidatePartnership(MicronAnthropic()).ok())
      << ValidatePartnership(MicronAnthropic());
}

TEST(ValidationTest, MessagesFollowTheDocumentedFormat) {
  CompanyRecord c = Micron();
  c.add_tickers("mu");
  EXPECT_EQ(ValidateCompany(c),
            absl::InvalidArgumentError(
                "company.tickers[1]: want EXCHANGE:SYMBOL, got \"mu\""));

  c = Micron();
  c.clear_display_name();
  EXPECT_EQ(ValidateCompany(c),
            absl::InvalidArgumentError("company.display_name: required"));

  PartnershipRecord p = MicronAnthropic();
  p.mutable_participants()->RemoveLast();
  EXPECT_EQ(ValidatePartnership(p),
            absl::InvalidArgumentError(
                "partnership.participants: want 2..32 entries naming at "
                "least 2 distinct companies, got 1"));
}

struct CompanyCase {
  std::string name;
  std::function<void(CompanyRecord*)> mutate;
  std::string path;    // Empty: the company is valid.
  std::string substr;  // Expected in the message.
};

TEST(ValidateCompanyTest, Rules) {
  const std::string s201(201, 'x');
  const std::vector<CompanyCase> cases = {
      // display_name: required, 1..200 bytes, UTF-8, no controls.
      {"display name max",
       [&](auto* c) { c->set_display_name(std::string(200, 'x')); }, "", ""},
      {"display name accents",
       [](auto* c) { c->set_display_name("Société Générale"); }, "", ""},
      {"display name empty", [](auto* c) { c->clear_display_name(); },
       "company.display_name", "required"},
      {"display name blank", [](auto* c) { c->set_display_name("   "); },
       "company.display_name", "white space"},
      {"display name too long", [&](auto* c) { c->set_display_name(s201); },
       "company.display_name", "got 201 bytes"},
      {"display name bad utf8",
       [](auto* c) { c->set_display_name("Mic\xFFron"); },
       "company.display_name", "UTF-8"},
      {"display name overlong utf8",
       [](auto* c) { c->set_display_name("a\xC0\xAF"); },
       "company.display_name", "UTF-8"},
      {"display name newline",
       [](auto* c) { c->set_display_name("Micron\nTech"); },
       "company.display_name", "got \"Micron\\nTech\""},
      {"display name C1 control",
       [](auto* c) { c->set_display_name("Micron\xC2\x85"); },
       "company.display_name", "control"},
      {"display name DEL", [](auto* c) { c->set_display_name("Micron\x7F"); },
       "company.display_name", "control"},
      // legal_name: at most 300 bytes.
      {"legal name empty", [](auto* c) { c->clear_legal_name(); }, "", ""},
      {"legal name max",
       [](auto* c) { c->set_legal_name(std::string(300, 'x')); }, "", ""},
      {"legal name too long",
       [](auto* c) { c->set_legal_name(std::string(301, 'x')); },
       "company.legal_name", "at most 300 bytes"},
      {"legal name tab", [](auto* c) { c->set_legal_name("a\tb"); },
       "company.legal_name", "control"},
      // aliases: at most 32, each 1..200, distinct after folding.
      {"aliases 32",
       [](auto* c) {
         c->clear_aliases();
         for (int i = 0; i < 32; ++i) c->add_aliases(absl::StrCat("alias ", i));
       },
       "", ""},
      {"aliases 33",
       [](auto* c) {
         c->clear_aliases();
         for (int i = 0; i < 33; ++i) c->add_aliases(absl::StrCat("alias ", i));
       },
       "company.aliases", "at most 32 entries, got 33"},
      {"alias empty", [](auto* c) { c->add_aliases(""); }, "company.aliases[1]",
       "required"},
      {"alias too long", [&](auto* c) { c->add_aliases(s201); },
       "company.aliases[1]", "201 bytes"},
      {"alias control", [](auto* c) { c->add_aliases("a\x01"); },
       "company.aliases[1]", "control"},
      {"alias case duplicate", [](auto* c) { c->add_aliases("MICRON"); },
       "company.aliases[1]", "(same as company.aliases[0]), got \"MICRON\""},
      // Punctuation is part of a name: only case and accents fold.
      {"alias punctuation differs", [](auto* c) { c->add_aliases("MICRON!"); },
       "", ""},
      {"aliases C++ and C#",
       [](auto* c) {
         c->set_aliases(0, "C++");
         c->add_aliases("C#");
       },
       "", ""},
      {"alias accent duplicate",
       [](auto* c) {
         c->set_aliases(0, "Société");
         c->add_aliases("societe");
       },
       "company.aliases[1]", "folding"},
      {"aliases distinct", [](auto* c) { c->add_aliases("Micron Tech"); }, "",
       ""},
      // tickers: EXCHANGE:SYMBOL, at most 16, distinct.
      {"ticker dotted", [](auto* c) { c->add_tickers("NYSE:BRK.B"); }, "", ""},
      {"ticker digits", [](auto* c) { c->add_tickers("TSE:6758"); }, "", ""},
      {"ticker max", [](auto* c) { c->add_tickers("ABCDEFGHIJ:A123456789"); },
       "", ""},
      {"ticker dash", [](auto* c) { c->add_tickers("XETRA:ABC-D"); }, "", ""},
      {"ticker lower", [](auto* c) { c->add_tickers("nasdaq:mu"); },
       "company.tickers[1]", "want EXCHANGE:SYMBOL"},
      {"ticker no exchange", [](auto* c) { c->add_tickers("MU"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker empty exchange", [](auto* c) { c->add_tickers(":MU"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker empty symbol", [](auto* c) { c->add_tickers("NASDAQ:"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker exchange too long",
       [](auto* c) { c->add_tickers("ABCDEFGHIJK:MU"); }, "company.tickers[1]",
       "EXCHANGE:SYMBOL"},
      {"ticker symbol too long",
       [](auto* c) { c->add_tickers("NYSE:A1234567890"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker symbol leading dot", [](auto* c) { c->add_tickers("NYSE:.B"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker digit exchange", [](auto* c) { c->add_tickers("N1:MU"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker two colons", [](auto* c) { c->add_tickers("A:B:C"); },
       "company.tickers[1]", "EXCHANGE:SYMBOL"},
      {"ticker empty", [](auto* c) { c->add_tickers(""); },
       "company.tickers[1]", "required"},
      {"ticker duplicate", [](auto* c) { c->add_tickers("NASDAQ:MU"); },
       "company.tickers[1]", "same as company.tickers[0]"},
      {"tickers 17",
       [](auto* c) {
         c->clear_tickers();
         for (int i = 0; i < 17; ++i) c->add_tickers(absl::StrCat("X:A", i));
       },
       "company.tickers", "at most 16 entries, got 17"},
      {"tickers 16",
       [](auto* c) {
         c->clear_tickers();
         for (int i = 0; i < 16; ++i) c->add_tickers(absl::StrCat("X:A", i));
       },
       "", ""},
      // sectors: 1..4 segments of [a-z0-9-]+, at most 100 bytes, 16, distinct.
      {"sector one segment", [](auto* c) { c->add_sectors("ai"); }, "", ""},
      {"sector four segments", [](auto* c) { c->add_sectors("a/b-c/d1/e"); },
       "", ""},
      {"sector five segments", [](auto* c) { c->add_sectors("a/b/c/d/e"); },
       "company.sectors[1]", "1..4"},
      {"sector upper", [](auto* c) { c->add_sectors("AI"); },
       "company.sectors[1]", "got \"AI\""},
      {"sector empty segment", [](auto* c) { c->add_sectors("ai//lab"); },
       "company.sectors[1]", "sector path"},
      {"sector trailing slash", [](auto* c) { c->add_sectors("ai/"); },
       "company.sectors[1]", "sector path"},
      {"sector leading slash", [](auto* c) { c->add_sectors("/ai"); },
       "company.sectors[1]", "sector path"},
      {"sector space", [](auto* c) { c->add_sectors("frontier lab"); },
       "company.sectors[1]", "sector path"},
      {"sector empty", [](auto* c) { c->add_sectors(""); },
       "company.sectors[1]", "required"},
      {"sector 100 bytes",
       [](auto* c) { c->add_sectors(std::string(100, 'a')); }, "", ""},
      {"sector 101 bytes",
       [](auto* c) { c->add_sectors(std::string(101, 'a')); },
       "company.sectors[1]", "100 bytes"},
      {"sector duplicate",
       [](auto* c) { c->add_sectors("semiconductors/memory"); },
       "company.sectors[1]", "distinct"},
      {"sectors 17",
       [](auto* c) {
         c->clear_sectors();
         for (int i = 0; i < 17; ++i) c->add_sectors(absl::StrCat("s", i));
       },
       "company.sectors", "at most 16 entries"},
      // country: empty or an assigned ISO 3166-1 alpha-2 code.
      {"country empty", [](auto* c) { c->clear_country(); }, "", ""},
      {"country DE", [](auto* c) { c->set_country("DE"); }, "", ""},
      {"country AX", [](auto* c) { c->set_country("AX"); }, "", ""},
      {"country ZW", [](auto* c) { c->set_country("ZW"); }, "", ""},
      {"country AD", [](auto* c) { c->set_country("AD"); }, "", ""},
      {"country lower", [](auto* c) { c->set_country("us"); },
       "company.country", "ISO 3166-1 alpha-2"},
      {"country unassigned", [](auto* c) { c->set_country("XX"); },
       "company.country", "got \"XX\""},
      {"country user-assigned XK", [](auto* c) { c->set_country("XK"); },
       "company.country", "ISO"},
      {"country alpha-3", [](auto* c) { c->set_country("USA"); },
       "company.country", "ISO"},
      {"country UK", [](auto* c) { c->set_country("UK"); }, "company.country",
       "ISO"},
      // website: absolute http(s) URL, at most 2048 bytes.
      {"website empty", [](auto* c) { c->clear_website(); }, "", ""},
      {"website http port path",
       [](auto* c) { c->set_website("http://micron.com:8080/a?b=c#d"); }, "",
       ""},
      {"website upper scheme",
       [](auto* c) { c->set_website("HTTPS://MICRON.COM"); }, "", ""},
      {"website ipv6", [](auto* c) { c->set_website("http://[::1]:80/"); }, "",
       ""},
      {"website idn",
       [](auto* c) { c->set_website("https://société.fr/à-propos"); }, "", ""},
      {"website ftp", [](auto* c) { c->set_website("ftp://micron.com"); },
       "company.website", "http or https"},
      {"website relative", [](auto* c) { c->set_website("micron.com"); },
       "company.website", "absolute"},
      {"website no host", [](auto* c) { c->set_website("https:///path"); },
       "company.website", "URL"},
      {"website space",
       [](auto* c) { c->set_website("https://micron.com/a b"); },
       "company.website", "URL"},
      {"website bad port",
       [](auto* c) { c->set_website("https://micron.com:99999"); },
       "company.website", "URL"},
      {"website 2048",
       [](auto* c) {
         c->set_website("https://a.com/" + std::string(2048 - 14, 'x'));
       },
       "", ""},
      {"website 2049",
       [](auto* c) {
         c->set_website("https://a.com/" + std::string(2049 - 14, 'x'));
       },
       "company.website", "at most 2048 bytes"},
      // description: at most 4000 bytes, newlines and tabs allowed.
      {"description multiline",
       [](auto* c) { c->set_description("a\n\tb\r\nc"); }, "", ""},
      {"description 4000",
       [](auto* c) { c->set_description(std::string(4000, 'x')); }, "", ""},
      {"description 4001",
       [](auto* c) { c->set_description(std::string(4001, 'x')); },
       "company.description", "4000"},
      {"description NUL",
       [](auto* c) { c->set_description(std::string("a\0b", 3)); },
       "company.description", "control"},
      {"description bell", [](auto* c) { c->set_description("a\ab"); },
       "company.description", "\\x07"},
      // labels: at most 64, key pattern, value at most 256 bytes.
      {"label key chars",
       [](auto* c) { (*c->mutable_labels())["a0_.-/x"] = "v"; }, "", ""},
      {"label empty value", [](auto* c) { (*c->mutable_labels())["k"] = ""; },
       "", ""},
      {"label key 63",
       [](auto* c) { (*c->mutable_labels())[std::string(63, 'k')] = "v"; }, "",
       ""},
      {"label key 64",
       [](auto* c) { (*c->mutable_labels())[std::string(64, 'k')] = "v"; },
       "company.labels", "label keys"},
      {"label key upper", [](auto* c) { (*c->mutable_labels())["Env"] = "v"; },
       "company.labels", "got \"Env\""},
      {"label key leading dash",
       [](auto* c) { (*c->mutable_labels())["-x"] = "v"; }, "company.labels",
       "label keys"},
      {"label key empty", [](auto* c) { (*c->mutable_labels())[""] = "v"; },
       "company.labels", "label keys"},
      {"label value 256",
       [](auto* c) { (*c->mutable_labels())["k"] = std::string(256, 'v'); }, "",
       ""},
      {"label value 257",
       [](auto* c) { (*c->mutable_labels())["k"] = std::string(257, 'v'); },
       "company.labels[\"k\"]", "256 bytes"},
      {"label value control",
       [](auto* c) { (*c->mutable_labels())["k"] = "a\nb"; },
       "company.labels[\"k\"]", "control"},
      {"labels 64",
       [](auto* c) {
         c->clear_labels();
         for (int i = 0; i < 64; ++i)
           (*c->mutable_labels())[absl::StrCat("k", i)] = "v";
       },
       "", ""},
      {"labels 65",
       [](auto* c) {
         c->clear_labels();
         for (int i = 0; i < 65; ++i)
           (*c->mutable_labels())[absl::StrCat("k", i)] = "v";
       },
       "company.labels", "at most 64 entries, got 65"},
      // id.
      {"id bad", [](auto* c) { c->set_id("Micron"); }, "company.name",
       "[a-z0-9]"},
      {"id empty", [](auto* c) { c->clear_id(); }, "company.name", "required"},
  };
  for (const CompanyCase& c : cases) {
    SCOPED_TRACE(c.name);
    CompanyRecord company = Micron();
    c.mutate(&company);
    ExpectOutcome(ValidateCompany(company), c.path, c.substr);
  }
}

struct PartnershipCase {
  std::string name;
  std::function<void(PartnershipRecord*)> mutate;
  std::string path;
  std::string substr;
};

void AddParticipants(PartnershipRecord* p, int n) {
  p->clear_participants();
  for (int i = 0; i < n; ++i) {
    ParticipantRecord* part = p->add_participants();
    part->set_company_id(absl::StrCat("c", i));
    part->set_role(ROLE_PARTNER);
  }
}

TEST(ValidatePartnershipTest, Rules) {
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  const std::vector<PartnershipCase> cases = {
      // title: required, 1..300 bytes.
      {"title 300", [](auto* p) { p->set_title(std::string(300, 't')); }, "",
       ""},
      {"title empty", [](auto* p) { p->clear_title(); }, "partnership.title",
       "required"},
      {"title too long", [](auto* p) { p->set_title(std::string(301, 't')); },
       "partnership.title", "1..300 bytes, got 301 bytes"},
      {"title newline", [](auto* p) { p->set_title("a\nb"); },
       "partnership.title", "control"},
      // summary: at most 4000, multi-line.
      {"summary 4001", [](auto* p) { p->set_summary(std::string(4001, 's')); },
       "partnership.summary", "4000"},
      {"summary bad utf8", [](auto* p) { p->set_summary("\xE2\x82"); },
       "partnership.summary", "UTF-8"},
      // participants: 2..32 entries, each a valid id, each company once.
      {"participants 32", [](auto* p) { AddParticipants(p, 32); }, "", ""},
      {"participants 33", [](auto* p) { AddParticipants(p, 33); },
       "partnership.participants", "got 33"},
      {"participants 0", [](auto* p) { p->clear_participants(); },
       "partnership.participants", "got 0"},
      {"participant same company twice",
       [](auto* p) { p->mutable_participants(1)->set_company_id("micron"); },
       "partnership.participants[1].company",
       "same as partnership.participants[0].company"},
      {"participant bad id",
       [](auto* p) {
         p->mutable_participants(1)->set_company_id("companies/anthropic");
       },
       "partnership.participants[1].company",
       "[a-z0-9][a-z0-9-]{0,62}, got \"companies/anthropic\""},
      {"participant empty id",
       [](auto* p) { p->mutable_participants(0)->clear_company_id(); },
       "partnership.participants[0].company", "required"},
      {"participant id 64 bytes",
       [](auto* p) {
         p->mutable_participants(0)->set_company_id(std::string(64, 'a'));
       },
       "partnership.participants[0].company", "want"},
      {"role licensee",
       [](auto* p) { p->mutable_participants(0)->set_role(ROLE_LICENSEE); }, "",
       ""},
      {"role out of range",
       [](auto* p) {
         p->mutable_participants(0)->set_role(static_cast<Role>(42));
       },
       "partnership.participants[0].role", "LICENSEE, got 42"},
      {"role negative",
       [](auto* p) {
         p->mutable_participants(0)->set_role(static_cast<Role>(-1));
       },
       "partnership.participants[0].role", "got -1"},
      // kinds: 1..8 distinct, none unspecified, in range.
      {"kinds one",
       [](auto* p) {
         p->clear_kinds();
         p->add_kinds(KIND_JOINT_VENTURE);
       },
       "", ""},
      {"kinds all 8",
       [](auto* p) {
         p->clear_kinds();
         for (int k = 1; k <= 8; ++k) p->add_kinds(static_cast<Kind>(k));
       },
       "", ""},
      {"kinds empty", [](auto* p) { p->clear_kinds(); }, "partnership.kinds",
       "1..8 distinct kinds, got 0"},
      {"kinds 9",
       [](auto* p) {
         p->clear_kinds();
         for (int k = 1; k <= 9; ++k)
           p->add_kinds(static_cast<Kind>(k % 8 + 1));
       },
       "partnership.kinds", "got 9"},
      {"kind unspecified", [](auto* p) { p->add_kinds(KIND_UNSPECIFIED); },
       "partnership.kinds[3]", "got PARTNERSHIP_KIND_UNSPECIFIED"},
      {"kind out of range", [](auto* p) { p->add_kinds(static_cast<Kind>(9)); },
       "partnership.kinds[3]", "got 9"},
      {"kind duplicate", [](auto* p) { p->add_kinds(KIND_SUPPLY_AGREEMENT); },
       "partnership.kinds[3]",
       "same as partnership.kinds[1]), got SUPPLY_AGREEMENT"},
      // status: in range.
      {"status ended", [](auto* p) { p->set_status(STATUS_ENDED); }, "", ""},
      {"status out of range",
       [](auto* p) { p->set_status(static_cast<Status>(4)); },
       "partnership.status", "ANNOUNCED, ACTIVE, ENDED, got 4"},
      // announced_on: required real date.
      {"announced leap day", [](auto* p) { p->set_announced_on("2024-02-29"); },
       "", ""},
      {"announced 2000 leap",
       [](auto* p) { p->set_announced_on("2000-02-29"); }, "", ""},
      {"announced 1800", [](auto* p) { p->set_announced_on("1800-01-01"); }, "",
       ""},
      {"announced 9999",
       [](auto* p) {
         p->set_announced_on("9999-12-31");
         p->clear_ended_on();
       },
       "", ""},
      {"announced empty", [](auto* p) { p->clear_announced_on(); },
       "partnership.announced_on", "required"},
      {"announced not leap", [](auto* p) { p->set_announced_on("2025-02-29"); },
       "partnership.announced_on", "got \"2025-02-29\""},
      {"announced 1900 not leap",
       [](auto* p) { p->set_announced_on("1900-02-29"); },
       "partnership.announced_on", "calendar date"},
      {"announced april 31", [](auto* p) { p->set_announced_on("2025-04-31"); },
       "partnership.announced_on", "calendar date"},
      {"announced month 13", [](auto* p) { p->set_announced_on("2025-13-01"); },
       "partnership.announced_on", "calendar date"},
      {"announced day 0", [](auto* p) { p->set_announced_on("2025-01-00"); },
       "partnership.announced_on", "calendar date"},
      {"announced 1799", [](auto* p) { p->set_announced_on("1799-12-31"); },
       "partnership.announced_on", "1800..9999"},
      {"announced short", [](auto* p) { p->set_announced_on("2025-1-5"); },
       "partnership.announced_on", "YYYY-MM-DD"},
      {"announced slashes", [](auto* p) { p->set_announced_on("2025/11/18"); },
       "partnership.announced_on", "YYYY-MM-DD"},
      {"announced time",
       [](auto* p) { p->set_announced_on("2025-11-18T00:00"); },
       "partnership.announced_on", "YYYY-MM-DD"},
      {"announced sign", [](auto* p) { p->set_announced_on("+202-11-18"); },
       "partnership.announced_on", "YYYY-MM-DD"},
      // ended_on: optional, not before announced_on.
      {"ended same day", [](auto* p) { p->set_ended_on("2025-11-18"); }, "",
       ""},
      {"ended later", [](auto* p) { p->set_ended_on("2026-01-01"); }, "", ""},
      {"ended before", [](auto* p) { p->set_ended_on("2025-11-17"); },
       "partnership.ended_on",
       "not before partnership.announced_on (2025-11-18), got \"2025-11-17\""},
      {"ended bad", [](auto* p) { p->set_ended_on("2025-11-31"); },
       "partnership.ended_on", "calendar date"},
      // terms.
      {"terms disclosed value",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(DISCLOSURE_DISCLOSED);
         p->mutable_terms()->set_value_usd(1000000000);
       },
       "", ""},
      {"terms value zero",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(DISCLOSURE_DISCLOSED);
         p->mutable_terms()->set_value_usd(0);
       },
       "", ""},
      {"terms value max",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(DISCLOSURE_DISCLOSED);
         p->mutable_terms()->set_value_usd(kMaxValueUsd);
       },
       "", ""},
      {"terms value over max",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(DISCLOSURE_DISCLOSED);
         p->mutable_terms()->set_value_usd(kMaxValueUsd + 1);
       },
       "partnership.terms.value_usd", "got 10000000000001"},
      {"terms value negative",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(DISCLOSURE_DISCLOSED);
         p->mutable_terms()->set_value_usd(-1);
       },
       "partnership.terms.value_usd", "got -1"},
      {"terms value undisclosed",
       [](auto* p) { p->mutable_terms()->set_value_usd(5); },
       "partnership.terms.value_usd",
       "unless partnership.terms.disclosure is DISCLOSED"},
      {"terms disclosure out of range",
       [](auto* p) {
         p->mutable_terms()->set_disclosure(static_cast<Disclosure>(7));
       },
       "partnership.terms.disclosure", "got 7"},
      {"terms description 2000",
       [](auto* p) {
         p->mutable_terms()->set_description(std::string(2000, 'd'));
       },
       "", ""},
      {"terms description 2001",
       [](auto* p) {
         p->mutable_terms()->set_description(std::string(2001, 'd'));
       },
       "partnership.terms.description", "2000"},
      // sources: at most 32; url required.
      {"sources 32",
       [](auto* p) {
         for (int i = 1; i < 32; ++i) *p->add_sources() = p->sources(0);
       },
       "", ""},
      {"sources 33",
       [](auto* p) {
         for (int i = 1; i < 33; ++i) *p->add_sources() = p->sources(0);
       },
       "partnership.sources", "at most 32 entries, got 33"},
      {"source url empty", [](auto* p) { p->mutable_sources(0)->clear_url(); },
       "partnership.sources[0].url", "required"},
      {"source url mailto",
       [](auto* p) { p->add_sources()->set_url("mailto:a@b.c"); },
       "partnership.sources[1].url", "http or https"},
      {"source url too long",
       [](auto* p) {
         p->add_sources()->set_url("https://a.com/" + std::string(3000, 'x'));
       },
       "partnership.sources[1].url", "2048"},
      {"source title 501",
       [](auto* p) { p->mutable_sources(0)->set_title(std::string(501, 'x')); },
       "partnership.sources[0].title", "500"},
      {"source publisher 201",
       [](auto* p) {
         p->mutable_sources(0)->set_publisher(std::string(201, 'x'));
       },
       "partnership.sources[0].publisher", "200"},
      {"source published empty",
       [](auto* p) { p->mutable_sources(0)->clear_published_on(); }, "", ""},
      {"source published bad",
       [](auto* p) { p->mutable_sources(0)->set_published_on("yesterday"); },
       "partnership.sources[0].published_on", "YYYY-MM-DD"},
      {"source excerpt multiline",
       [](auto* p) { p->mutable_sources(0)->set_excerpt("a\nb"); }, "", ""},
      {"source excerpt 2001",
       [](auto* p) {
         p->mutable_sources(0)->set_excerpt(std::string(2001, 'x'));
       },
       "partnership.sources[0].excerpt", "2000"},
      // market reactions.
      {"reaction negative",
       [](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(-100);
       },
       "", ""},
      {"reaction 10000",
       [](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(10000);
       },
       "", ""},
      {"reaction below -100",
       [](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(-100.5);
       },
       "partnership.market_reactions[0].change_percent", "got -100.5"},
      {"reaction above 10000",
       [](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(10000.01);
       },
       "partnership.market_reactions[0].change_percent", "-100..10000"},
      {"reaction nan",
       [=](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(kNan);
       },
       "partnership.market_reactions[0].change_percent", "finite"},
      {"reaction inf",
       [=](auto* p) {
         p->mutable_market_reactions(0)->set_change_percent(kInf);
       },
       "partnership.market_reactions[0].change_percent", "finite"},
      {"reaction ticker empty",
       [](auto* p) { p->mutable_market_reactions(0)->clear_ticker(); },
       "partnership.market_reactions[0].ticker", "required"},
      {"reaction ticker bad",
       [](auto* p) { p->mutable_market_reactions(0)->set_ticker("MU"); },
       "partnership.market_reactions[0].ticker", "EXCHANGE:SYMBOL"},
      {"reaction on empty",
       [](auto* p) { p->mutable_market_reactions(0)->clear_on(); }, "", ""},
      {"reaction on bad",
       [](auto* p) { p->mutable_market_reactions(0)->set_on("2025-11-99"); },
       "partnership.market_reactions[0].on", "calendar date"},
      {"reaction window empty",
       [](auto* p) { p->mutable_market_reactions(0)->clear_window(); }, "", ""},
      {"reaction window 999m",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("999m"); }, "",
       ""},
      {"reaction window 4h",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("4h"); }, "",
       ""},
      {"reaction window 2w",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("2w"); }, "",
       ""},
      {"reaction window 1000d",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("1000d"); },
       "partnership.market_reactions[0].window", "got \"1000d\""},
      {"reaction window unit",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("1y"); },
       "partnership.market_reactions[0].window", "h, d, w or m"},
      {"reaction window no digits",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("d"); },
       "partnership.market_reactions[0].window", "digits"},
      {"reaction window upper",
       [](auto* p) { p->mutable_market_reactions(0)->set_window("1D"); },
       "partnership.market_reactions[0].window", "digits"},
      {"reaction note 501",
       [](auto* p) {
         p->mutable_market_reactions(0)->set_note(std::string(501, 'n'));
       },
       "partnership.market_reactions[0].note", "500"},
      {"reactions 32",
       [](auto* p) {
         for (int i = 1; i < 32; ++i)
           *p->add_market_reactions() = p->market_reactions(0);
       },
       "", ""},
      {"reactions 33",
       [](auto* p) {
         for (int i = 1; i < 33; ++i)
           *p->add_market_reactions() = p->market_reactions(0);
       },
       "partnership.market_reactions", "at most 32 entries"},
      // labels, same rules as on companies.
      {"label ok",
       [](auto* p) { (*p->mutable_labels())["source/feed"] = "reuters"; }, "",
       ""},
      {"label bad key", [](auto* p) { (*p->mutable_labels())["_x"] = "v"; },
       "partnership.labels", "label keys"},
      {"label long value",
       [](auto* p) { (*p->mutable_labels())["k"] = std::string(257, 'v'); },
       "partnership.labels[\"k\"]", "256"},
      // id.
      {"id bad", [](auto* p) { p->set_id("-x"); }, "partnership.name",
       "[a-z0-9]"},
  };
  for (const PartnershipCase& c : cases) {
    SCOPED_TRACE(c.name);
    PartnershipRecord p = MicronAnthropic();
    c.mutate(&p);
    ExpectOutcome(ValidatePartnership(p), c.path, c.substr);
  }
}

TEST(ApplyPartnershipDefaultsTest, FillsUnspecifiedValues) {
  PartnershipRecord p;
  p.add_participants()->set_company_id("a");
  p.add_participants()->set_company_id("b");
  p.mutable_participants(1)->set_role(ROLE_CUSTOMER);
  ApplyPartnershipDefaults(&p);
  EXPECT_EQ(p.participants(0).role(), ROLE_PARTNER);
  EXPECT_EQ(p.participants(1).role(), ROLE_CUSTOMER);
  EXPECT_EQ(p.status(), STATUS_ANNOUNCED);
  EXPECT_EQ(p.terms().disclosure(), DISCLOSURE_UNKNOWN);

  PartnershipRecord q = MicronAnthropic();
  q.set_status(STATUS_ACTIVE);
  ApplyPartnershipDefaults(&q);
  EXPECT_EQ(q.status(), STATUS_ACTIVE);
  EXPECT_EQ(q.terms().disclosure(), DISCLOSURE_UNDISCLOSED);
}

struct QueryCase {
  std::string name;
  std::function<void(PartnershipQuery*)> mutate;
  std::string path;
  std::string substr;
};

TEST(ValidatePartnershipQueryTest, Rules) {
  const std::vector<QueryCase> cases = {
      {"empty", [](auto*) {}, "", ""},
      {"memory x ai",
       [](auto* q) {
         q->add_participant_sectors("semiconductors/memory");
         q->add_participant_sectors("ai");
         q->add_kinds(KIND_SUPPLY_AGREEMENT);
         q->add_statuses(STATUS_ACTIVE);
         q->set_announced_after("2025-01-01");
         q->set_announced_before("2025-12-31");
         q->set_company_id("micron");
         q->set_min_sources(1);
       },
       "", ""},
      {"kinds 8",
       [](auto* q) {
         for (int k = 1; k <= 8; ++k) q->add_kinds(static_cast<Kind>(k));
       },
       "", ""},
      {"kinds 9",
       [](auto* q) {
         for (int k = 0; k < 9; ++k) q->add_kinds(KIND_LICENSING);
       },
       "filter.kinds", "at most 8 entries, got 9"},
      {"kind unspecified", [](auto* q) { q->add_kinds(KIND_UNSPECIFIED); },
       "filter.kinds[0]", "got PARTNERSHIP_KIND_UNSPECIFIED"},
      {"kind out of range",
       [](auto* q) {
         q->add_kinds(KIND_LICENSING);
         q->add_kinds(static_cast<Kind>(12));
       },
       "filter.kinds[1]", "got 12"},
      {"statuses 3",
       [](auto* q) {
         q->add_statuses(STATUS_ANNOUNCED);
         q->add_statuses(STATUS_ACTIVE);
         q->add_statuses(STATUS_ENDED);
       },
       "", ""},
      {"statuses 4",
       [](auto* q) {
         for (int i = 0; i < 4; ++i) q->add_statuses(STATUS_ACTIVE);
       },
       "filter.statuses", "at most 3 entries"},
      {"status unspecified",
       [](auto* q) { q->add_statuses(STATUS_UNSPECIFIED); },
       "filter.statuses[0]", "ANNOUNCED"},
      {"status out of range",
       [](auto* q) { q->add_statuses(static_cast<Status>(5)); },
       "filter.statuses[0]", "got 5"},
      {"after bad", [](auto* q) { q->set_announced_after("2025-02-30"); },
       "filter.announced_after", "calendar date"},
      {"before bad", [](auto* q) { q->set_announced_before("soon"); },
       "filter.announced_before", "got \"soon\""},
      {"after equals before",
       [](auto* q) {
         q->set_announced_after("2025-06-01");
         q->set_announced_before("2025-06-01");
       },
       "", ""},
      {"after later than before",
       [](auto* q) {
         q->set_announced_after("2025-06-02");
         q->set_announced_before("2025-06-01");
       },
       "filter.announced_before", "not before filter.announced_after"},
      {"sectors 8",
       [](auto* q) {
         for (int i = 0; i < 8; ++i) q->add_participant_sectors("ai");
       },
       "", ""},
      {"sectors 9",
       [](auto* q) {
         for (int i = 0; i < 9; ++i) q->add_participant_sectors("ai");
       },
       "filter.participant_sectors", "at most 8 entries"},
      {"sector bad",
       [](auto* q) {
         q->add_participant_sectors("ai");
         q->add_participant_sectors("AI Labs");
       },
       "filter.participant_sectors[1]", "sector path"},
      {"sector empty", [](auto* q) { q->add_participant_sectors(""); },
       "filter.participant_sectors[0]", "required"},
      {"company bad", [](auto* q) { q->set_company_id("Micron"); },
       "filter.company", "got \"Micron\""},
      {"min sources 32", [](auto* q) { q->set_min_sources(32); }, "", ""},
      {"min sources 33", [](auto* q) { q->set_min_sources(33); },
       "filter.min_sources", "0..32, got 33"},
      {"min sources negative", [](auto* q) { q->set_min_sources(-1); },
       "filter.min_sources", "got -1"},
  };
  for (const QueryCase& c : cases) {
    SCOPED_TRACE(c.name);
    PartnershipQuery q;
    c.mutate(&q);
    ExpectOutcome(ValidatePartnershipQuery("filter", q), c.path, c.substr);
  }
}

TEST(ValidateIdTest, Ids) {
  struct Case {
    std::string id;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"micron", true},   {"a", true},
      {"0", true},        {"micron-technology", true},
      {"a-", true},       {std::string(63, 'a'), true},
      {"", false},        {std::string(64, 'a'), false},
      {"-a", false},      {"Micron", false},
      {"a_b", false},     {"a.b", false},
      {"société", false}, {"a b", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    absl::Status s = ValidateId("company_id", c.id);
    EXPECT_EQ(s.ok(), c.ok) << s;
    if (!c.ok) {
      EXPECT_THAT(std::string(s.message()), StartsWith("company_id: "));
    }
  }
}

TEST(ParseResourceNameTest, Names) {
  absl::StatusOr<std::string> id = ParseResourceName(
      "partnership.participants[0].company", "companies/micron", "companies");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "micron");

  id = ParseResourceName("name", "partnerships/p-1", "partnerships");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "p-1");

  EXPECT_EQ(ParseResourceName("partnership.participants[0].company",
                              "partnerships/micron", "companies")
                .status(),
            absl::InvalidArgumentError(
                "partnership.participants[0].company: want "
                "companies/{company_id}, got \"partnerships/micron\""));
  EXPECT_EQ(ParseResourceName("name", "x", "partnerships").status(),
            absl::InvalidArgumentError(
                "name: want partnerships/{partnership_id}, got \"x\""));

  for (const char* bad :
       {"micron", "companies/", "companies/Micron", "companies/micron/x",
        "/companies/micron", "companies//micron", "Companies/micron"}) {
    SCOPED_TRACE(bad);
    absl::Status s =
        ParseResourceName("filter.company", bad, "companies").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(std::string(s.message()),
                StartsWith("filter.company: want companies/{company_id}"));
  }
  EXPECT_EQ(ParseResourceName("name", "", "companies").status(),
            absl::InvalidArgumentError("name: required"));
}

TEST(ValidateDateTest, Dates) {
  struct Case {
    std::string date;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"2025-11-18", true},   {"2024-02-29", true},  {"2000-02-29", true},
      {"1800-01-01", true},   {"9999-12-31", true},  {"2025-12-31", true},
      {"2025-01-31", true},   {"2025-06-30", true},  {"", false},
      {"1900-02-29", false},  {"2100-02-29", false}, {"2023-02-29", false},
      {"2025-06-31", false},  {"2025-00-10", false}, {"1799-12-31", false},
      {"0000-01-01", false},  {"2025-1-01", false},  {"20251118", false},
      {"2025-11-18 ", false}, {"2025-11-1a", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.date);
    absl::Status s = ValidateDate("d", c.date);
    EXPECT_EQ(s.ok(), c.ok) << s;
    if (!c.ok) {
      EXPECT_THAT(std::string(s.message()), StartsWith("d: "));
    }
  }
}

TEST(ValidateRequestIdTest, RequestIds) {
  EXPECT_TRUE(ValidateRequestId("request_id", "").ok());
  EXPECT_TRUE(ValidateRequestId("request_id", "import-2025-11-18/1").ok());
  EXPECT_TRUE(ValidateRequestId("request_id", std::string(128, 'r')).ok());
  ExpectOutcome(ValidateRequestId("request_id", std::string(129, 'r')),
                "request_id", "1..128 bytes, got 129 bytes");
  ExpectOutcome(ValidateRequestId("request_id", "a\nb"), "request_id",
                "printable ASCII");
  ExpectOutcome(ValidateRequestId("request_id", "ключ"), "request_id",
                "printable ASCII");
}

TEST(ValidateCompanyFilterTest, Filters) {
  struct Case {
    std::string sector, country, label;
    std::string path, substr;
  };
  const std::vector<Case> cases = {
      {"", "", "", "", ""},
      {"semiconductors", "US", "tier", "", ""},
      {"semiconductors/memory", "KR", "tier=1", "", ""},
      {"ai", "", "tier=", "", ""},
      {"AI", "", "", "sector", "got \"AI\""},
      {"ai/", "", "", "sector", "sector path"},
      {"", "XX", "", "country", "ISO 3166-1"},
      {"", "us", "", "country", "ISO"},
      {"", "", "Tier=1", "label", "key=value"},
      {"", "", "=1", "label", "key"},
      {"", "", "tier=" + std::string(257, 'v'), "label", "256"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.sector, "|", c.country, "|", c.label));
    ExpectOutcome(ValidateCompanyFilter(c.sector, c.country, c.label), c.path,
                  c.substr);
  }
}

TEST(ValidatePageSizeTest, PageSizes) {
  EXPECT_TRUE(ValidatePageSize("page_size", 0).ok());
  EXPECT_TRUE(ValidatePageSize("page_size", 50).ok());
  EXPECT_TRUE(ValidatePageSize("page_size", 100000).ok());
  ExpectOutcome(ValidatePageSize("page_size", -1), "page_size", "got -1");
}

TEST(ValidateSearchQueryTest, Queries) {
  EXPECT_TRUE(ValidateSearchQuery("query", "micron").ok());
  EXPECT_TRUE(ValidateSearchQuery("query", "NASDAQ:MU").ok());
  EXPECT_TRUE(ValidateSearchQuery("query", "Société").ok());
  EXPECT_TRUE(ValidateSearchQuery("query", "ソニー").ok());
  EXPECT_TRUE(ValidateSearchQuery("query", std::string(200, 'q')).ok());
  ExpectOutcome(ValidateSearchQuery("query", ""), "query", "required");
  ExpectOutcome(ValidateSearchQuery("query", std::string(201, 'q')), "query",
                "200 bytes");
  ExpectOutcome(ValidateSearchQuery("query", "?!,"), "query",
                "at least one letter or digit");
  ExpectOutcome(ValidateSearchQuery("query", ":"), "query",
                "at least one letter or digit");
  ExpectOutcome(ValidateSearchQuery("query", "mic\xFF"), "query", "UTF-8");
}

TEST(SectorHasPrefixTest, MatchesWholeSegments) {
  EXPECT_TRUE(SectorHasPrefix("ai/frontier-lab", "ai"));
  EXPECT_TRUE(SectorHasPrefix("ai", "ai"));
  EXPECT_TRUE(
      SectorHasPrefix("semiconductors/memory", "semiconductors/memory"));
  EXPECT_TRUE(SectorHasPrefix("semiconductors/memory/dram", "semiconductors"));
  EXPECT_FALSE(SectorHasPrefix("air", "ai"));
  EXPECT_FALSE(SectorHasPrefix("airlines/cargo", "ai"));
  EXPECT_FALSE(SectorHasPrefix("ai", "ai/frontier-lab"));
  EXPECT_FALSE(SectorHasPrefix("semiconductors/memory", "semiconductors/mem"));
}

TEST(ValidationTest, QuotedValuesAreEscapedAndBounded) {
  CompanyRecord c = Micron();
  c.set_country(std::string("U\"S"));
  EXPECT_THAT(std::string(ValidateCompany(c).message()),
              HasSubstr("got \"U\\\"S\""));

  c = Micron();
  c.set_website("ftp://" + std::string(1000, 'x'));
  const std::string message(ValidateCompany(c).message());
  EXPECT_THAT(message, StartsWith("company.website: "));
  EXPECT_LT(message.size(), 200u);
  EXPECT_THAT(message, HasSubstr("...\""));
}

}  // namespace
}  // namespace partnergraph::storage
