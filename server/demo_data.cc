#include "server/demo_data.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storage/status_macros.h"

namespace partnergraph::server {
namespace {

using storage::CompanyRecord;
using storage::PartnershipRecord;

struct CompanySpec {
  const char* id;
  const char* display_name;
  const char* legal_name;
  std::initializer_list<const char*> aliases;
  std::initializer_list<const char*> tickers;
  std::initializer_list<const char*> sectors;
  const char* country;
  const char* website;
  const char* description;
  // False for the two companies of the article; the rest are labelled
  // demo=true.
  bool demo = true;
};

CompanyRecord MakeCompany(const CompanySpec& spec) {
  CompanyRecord c;
  c.set_id(spec.id);
  c.set_display_name(spec.display_name);
  c.set_legal_name(spec.legal_name);
  for (const char* alias : spec.aliases) c.add_aliases(alias);
  for (const char* ticker : spec.tickers) c.add_tickers(ticker);
  for (const char* sector : spec.sectors) c.add_sectors(sector);
  c.set_country(spec.country);
  c.set_website(spec.website);
  c.set_description(spec.description);
  if (spec.demo) (*c.mutable_labels())["demo"] = "true";
  return c;
}

const CompanySpec kCompanies[] = {
    {"micron",
     "Micron Technology",
     "Micron Technology, Inc.",
     {"Micron"},
     {"NASDAQ:MU"},
     {"semiconductors/memory"},
     "US",
     "https://www.micron.com",
     "Memory and storage semiconductors: DRAM, HBM and NAND flash.",
     false},
    {"anthropic",
     "Anthropic",
     "Anthropic PBC",
     {},
     {},
     {"ai/frontier-lab"},
     "US",
     "https://www.anthropic.com",
     "AI safety and research company; develops the Claude models.",
     false},
    {"sk-hynix",
     "SK hynix",
     "SK hynix Inc.",
     {"Hynix"},
     {"KRX:000660"},
     {"semiconductors/memory"},
     "KR",
     "https://www.skhynix.com",
     "Memory semiconductors: DRAM, HBM and NAND flash."},
    {"samsung-electronics",
     "Samsung Electronics",
     "Samsung Electronics Co., Ltd.",
     {"Samsung"},
     {"KRX:005930"},
     {"semiconductors/memory", "consumer-electronics"},
     "KR",
     "https://www.samsung.com",
     "Memory and logic semiconductors, phones and consumer electronics."},
    {"nvidia",
     "NVIDIA",
     "NVIDIA Corporation",
     {},
     {"NASDAQ:NVDA"},
     {"semiconductors/accelerators"},
     "US",
     "https://www.nvidia.com",
     "GPUs and accelerated computing systems."},
    {"openai",
     "OpenAI",
     "",
     {},
     {},
     {"ai/frontier-lab"},
     "US",
     "https://openai.com",
     "AI research and deployment company; ChatGPT."},
    {"alphabet",
     "Alphabet",
     "Alphabet Inc.",
     {"Google"},
     {"NASDAQ:GOOGL", "NASDAQ:GOOG"},
     {"internet", "cloud", "ai/frontier-lab"},
     "US",
     "https://abc.xyz",
     "Parent of Google, Google Cloud and Google DeepMind."},
    {"amazon",
     "Amazon",
     "Amazon.com, Inc.",
     {"AWS", "Amazon Web Services"},
     {"NASDAQ:AMZN"},
     {"cloud", "retail/e-commerce"},
     "US",
     "https://www.amazon.com",
     "Online retail and Amazon Web Services."},
    {"microsoft",
     "Microsoft",
     "Microsoft Corporation",
     {},
     {"NASDAQ:MSFT"},
     {"software", "cloud"},
     "US",
     "https://www.microsoft.com",
     "Software and the Azure cloud."},
};

void AddParticipant(PartnershipRecord* p, const char* company_id,
                    storage::Role role) {
  storage::ParticipantRecord* participant = p->add_participants();
  participant->set_company_id(company_id);
  participant->set_role(role);
}

// The record of data/micron-anthropic-article.txt, with nothing beyond what
// the article states except the announcement date (see
// kMicronAnthropicAnnouncedOn) and the source URL (the article came without
// one; an example.com placeholder stands in).
PartnershipRecord MicronAnthropic() {
  PartnershipRecord p;
  p.set_id("micron-anthropic-2025");
  p.set_title("Micron and Anthropic strategic partnership");
  p.set_summary(
      "Strategic partnership focused on AI memory development, supply "
      "agreements, and integration of Claude AI across Micron's operations. "
      "Positions Micron as an AI infrastructure supplier without competing "
      "in model development.");
  AddParticipant(&p, "micron", storage::ROLE_PARTNER);
  AddParticipant(&p, "anthropic", storage::ROLE_PARTNER);
  p.add_kinds(storage::KIND_STRATEGIC_ALLIANCE);
  p.add_kinds(storage::KIND_SUPPLY_AGREEMENT);
  p.add_kinds(storage::KIND_TECHNOLOGY_INTEGRATION);
  p.set_status(storage::STATUS_ANNOUNCED);
  p.set_announced_on(kMicronAnthropicAnnouncedOn);
  p.mutable_terms()->set_disclosure(storage::DISCLOSURE_UNDISCLOSED);
  p.mutable_terms()->set_description(
      "The deal's financial terms remain undisclosed.");
  storage::SourceRecord* source = p.add_sources();
  source->set_url("https://example.com/micron-anthropic-article");
  source->set_title(
      "Micron (MU) Stock Jumps Over 5% on Strategic Anthropic Partnership");
  source->set_excerpt(
      "Micron Technology announced a strategic partnership with Anthropic "
      "focused on AI memory development, supply agreements, and integration "
      "of Claude AI across its operations, driving the stock up 5.58%.");
  storage::MarketReactionRecord* reaction = p.add_market_reactions();
  reaction->set_ticker("NASDAQ:MU");
  reaction->set_change_percent(5.58);
  reaction->set_window("1d");
  reaction->set_note("Stock gained 5.58% on the announcement.");
  (*p.mutable_labels())["topic"] = "ai-memory";
  (*p.mutable_labels())["announced_on"] =
      "assumed: the source article is undated";
  return p;
}

struct PartnershipSpec {
  const char* id;
  const char* title;
  const char* summary;
  std::initializer_list<std::pair<const char*, storage::Role>> participants;
  std::initializer_list<storage::Kind> kinds;
  storage::Status status;
  const char* announced_on;
  storage::Disclosure disclosure;
  long long value_usd;  // 0: none given
  const char* terms;
};

// Publicly reported deals, summarized from the companies' announcements.
const PartnershipSpec kPartnerships[] = {
    {"openai-samsung-sk-hynix-stargate-2025",
     "Samsung and SK hynix to supply memory for OpenAI's Stargate",
     "Letters of intent under which Samsung Electronics and SK hynix supply "
     "DRAM for the Stargate AI infrastructure build-out.",
     {{"openai", storage::ROLE_CUSTOMER},
      {"samsung-electronics", storage::ROLE_SUPPLIER},
      {"sk-hynix", storage::ROLE_SUPPLIER}},
     {storage::KIND_SUPPLY_AGREEMENT, storage::KIND_STRATEGIC_ALLIANCE},
     storage::STATUS_ANNOUNCED,
     "2025-10-01",
     storage::DISCLOSURE_UNDISCLOSED,
     0,
     "Letters of intent; no value disclosed."},
    {"nvidia-openai-2025",
     "NVIDIA and OpenAI 10-gigawatt systems partnership",
     "Letter of intent for OpenAI to deploy at least 10 gigawatts of NVIDIA "
     "systems, with NVIDIA intending to invest in OpenAI progressively as "
     "each gigawatt is deployed.",
     {{"nvidia", storage::ROLE_PARTNER}, {"openai", storage::ROLE_PARTNER}},
     {storage::KIND_STRATEGIC_ALLIANCE, storage::KIND_SUPPLY_AGREEMENT,
      storage::KIND_INVESTMENT},
     storage::STATUS_ANNOUNCED,
     "2025-09-22",
     storage::DISCLOSURE_DISCLOSED,
     100000000000ll,
     "NVIDIA investment of up to $100 billion."},
    {"microsoft-openai-2023",
     "Microsoft extends its partnership with OpenAI",
     "Multiyear, multibillion-dollar investment; Azure remains OpenAI's "
     "cloud provider.",
     {{"microsoft", storage::ROLE_INVESTOR},
      {"openai", storage::ROLE_INVESTEE}},
     {storage::KIND_INVESTMENT, storage::KIND_STRATEGIC_ALLIANCE},
     storage::STATUS_ACTIVE,
     "2023-01-23",
     storage::DISCLOSURE_UNDISCLOSED,
     0,
     "Described as multibillion-dollar; the amount was not disclosed."},
    {"amazon-anthropic-2023",
     "Amazon to invest up to $4 billion in Anthropic",
     "Minority investment; AWS becomes Anthropic's primary cloud provider and "
     "Anthropic uses AWS Trainium and Inferentia chips.",
     {{"amazon", storage::ROLE_INVESTOR},
      {"anthropic", storage::ROLE_INVESTEE}},
     {storage::KIND_INVESTMENT, storage::KIND_STRATEGIC_ALLIANCE},
     storage::STATUS_ACTIVE,
     "2023-09-25",
     storage::DISCLOSURE_DISCLOSED,
     4000000000ll,
     "Up to $4 billion."},
    {"alphabet-anthropic-2023",
     "Anthropic partners with Google Cloud",
     "Anthropic selects Google Cloud as a preferred cloud provider for "
     "training and serving its models.",
     {{"alphabet", storage::ROLE_SUPPLIER},
      {"anthropic", storage::ROLE_CUSTOMER}},
     {storage::KIND_STRATEGIC_ALLIANCE},
     storage::STATUS_ACTIVE,
     "2023-02-03",
     storage::DISCLOSURE_UNKNOWN,
     0,
     ""},
};

PartnershipRecord MakePartnership(const PartnershipSpec& spec) {
  PartnershipRecord p;
  p.set_id(spec.id);
  p.set_title(spec.title);
  p.set_summary(spec.summary);
  for (const auto& [company_id, role] : spec.participants) {
    AddParticipant(&p, company_id, role);
  }
  for (storage::Kind kind : spec.kinds) p.add_kinds(kind);
  p.set_status(spec.status);
  p.set_announced_on(spec.announced_on);
  p.mutable_terms()->set_disclosure(spec.disclosure);
  if (spec.value_usd > 0) p.mutable_terms()->set_value_usd(spec.value_usd);
  p.mutable_terms()->set_description(spec.terms);
  (*p.mutable_labels())["demo"] = "true";
  return p;
}

}  // namespace

absl::StatusOr<DemoSummary> LoadDemoGraph(storage::GraphStore* store) {
  ASSIGN_OR_RETURN(storage::CompanyPage page,
                   store->ListCompanies(storage::CompanyFilter(), 1, ""));
  if (!page.companies.empty()) {
    return absl::FailedPreconditionError(
        "demo graph not loaded: the store is not empty");
  }
  DemoSummary summary;
  for (const CompanySpec& spec : kCompanies) {
    absl::StatusOr<CompanyRecord> created =
        store->CreateCompany(MakeCompany(spec), "");
    if (!created.ok()) {
      return absl::Status(created.status().code(),
                          absl::StrCat("demo company ", spec.id, ": ",
                                       created.status().message()));
    }
    ++summary.companies;
  }
  PartnershipRecord core = MicronAnthropic();
  RETURN_IF_ERROR(store->CreatePartnership(core, "").status());
  ++summary.partnerships;
  for (const PartnershipSpec& spec : kPartnerships) {
    absl::StatusOr<PartnershipRecord> created =
        store->CreatePartnership(MakePartnership(spec), "");
    if (!created.ok()) {
      return absl::Status(created.status().code(),
                          absl::StrCat("demo partnership ", spec.id, ": ",
                                       created.status().message()));
    }
    ++summary.partnerships;
  }
  return summary;
}

}  // namespace partnergraph::server
