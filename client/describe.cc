#include "client/describe.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/output.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

constexpr int kLabelWidth = 15;

std::string OrDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

// "Label:" padded to the value column; multi-line values are indented to it.
void Field(std::string* out, absl::string_view label, const std::string& value,
           int indent = 0, int width = kLabelWidth) {
  const std::string head = absl::StrCat(std::string(indent, ' '), label, ":");
  const std::string pad(std::max<int>(1, indent + width - head.size()), ' ');
  const std::string continuation(indent + width, ' ');
  absl::StrAppend(
      out, head, pad,
      absl::StrReplaceAll(OrDash(value), {{"\n", "\n" + continuation}}), "\n");
}

std::string List(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return absl::StrJoin(list, ", ");
}

std::string Labels(const google::protobuf::Map<std::string, std::string>& map) {
  std::vector<std::string> entries;
  for (const auto& [key, value] : map) {
    entries.push_back(absl::StrCat(key, "=", value));
  }
  std::sort(entries.begin(), entries.end());
  return absl::StrJoin(entries, ", ");
}

std::string Revisions(int64_t created, int64_t updated,
                      const std::string& etag) {
  return absl::StrCat("created ", created, ", updated ", updated, ", etag \"",
                      etag, "\"");
}

// A table indented under its section title.
std::string Indented(const std::string& table) {
  std::string out;
  for (absl::string_view line :
       absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "  ", line, "\n");
  }
  return out;
}

void Terms(std::string* out, const v1::Terms& terms) {
  absl::StrAppend(out, "Terms:\n");
  Field(out, "Disclosure",
        terms.disclosure() == v1::TERMS_DISCLOSURE_UNSPECIFIED
            ? "UNKNOWN"
            : v1::TermsDisclosure_Name(terms.disclosure()),
        2, 14);
  Field(out, "Value (USD)",
        terms.has_value_usd() ? absl::StrCat(terms.value_usd()) : "", 2, 14);
  Field(out, "Description", terms.description(), 2, 14);
}

void Sources(std::string* out,
             const google::protobuf::RepeatedPtrField<v1::Source>& sources) {
  if (sources.empty()) {
    Field(out, "Sources", "");
    return;
  }
  absl::StrAppend(out, "Sources:\n");
  for (int i = 0; i < sources.size(); ++i) {
    const v1::Source& s = sources[i];
    const std::string number = absl::StrCat(i + 1, ". ");
    absl::StrAppend(out, "  ", number, s.url(), "\n");
    const int indent = 2 + static_cast<int>(number.size());
    if (!s.title().empty()) Field(out, "Title", s.title(), indent, 12);
    if (!s.publisher().empty()) {
      Field(out, "Publisher", s.publisher(), indent, 12);
    }
    if (!s.published_on().empty()) {
      Field(out, "Published", s.published_on(), indent, 12);
    }
    if (s.has_retrieved_time()) {
      Field(out, "Retrieved", FormatTime(s.retrieved_time()), indent, 12);
    }
    if (!s.excerpt().empty()) Field(out, "Excerpt", s.excerpt(), indent, 12);
  }
}

void Reactions(
    std::string* out,
    const google::protobuf::RepeatedPtrField<v1::MarketReaction>& reactions) {
  if (reactions.empty()) {
    Field(out, "Market Reactions", "", 0, 18);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::MarketReaction& r : reactions) {
    rows.push_back({r.ticker(), FormatPercent(r.change_percent()), r.on(),
                    r.window(), r.note()});
  }
  absl::StrAppend(out, "Market Reactions:\n",
                  Indented(FormatTable(
                      {"TICKER", "CHANGE", "ON", "WINDOW", "NOTE"}, rows)));
}

}  // namespace

std::string FormatPercent(double percent) {
  std::string text = absl::StrFormat("%+.2f", percent);
  // 5.00 -> 5, 5.50 -> 5.5: as few digits as the value needs.
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text + "%";
}

std::string DescribeCompany(
    const v1::Company& company,
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships) {
  std::string out;
  Field(&out, "Name", company.name());
  Field(&out, "Display Name", company.display_name());
  Field(&out, "Legal Name", company.legal_name());
  Field(&out, "Aliases", List(company.aliases()));
  Field(&out, "Tickers", List(company.tickers()));
  Field(&out, "Sectors", List(company.sectors()));
  Field(&out, "Country", company.country());
  Field(&out, "Website", company.website());
  Field(&out, "Description", company.description());
  Field(&out, "Labels", Labels(company.labels()));
  if (partnerships.empty()) {
    Field(&out, "Partnerships", "");
  } else {
    Output indented;
    indented.width = kTableWidth - 2;
    absl::StrAppend(&out, "Partnerships:\n",
                    Indented(PartnershipTable(partnerships, indented)));
  }
  Field(&out, "Revisions",
        Revisions(company.create_revision(), company.update_revision(),
                  company.etag()));
  Field(&out, "Created", FormatTime(company.create_time()));
  Field(&out, "Updated", FormatTime(company.update_time()));
  return out;
}

std::string DescribePartnership(
    const v1::Partnership& partnership,
    const std::map<std::string, std::string>& display_names) {
  std::string out;
  Field(&out, "Name", partnership.name());
  Field(&out, "Title", partnership.title());
  Field(&out, "Status",
        partnership.status() == v1::PARTNERSHIP_STATUS_UNSPECIFIED
            ? "ANNOUNCED"
            : v1::PartnershipStatus_Name(partnership.status()));
  Field(&out, "Announced", partnership.announced_on());
  Field(&out, "Ended", partnership.ended_on());
  Field(&out, "Kinds",
        absl::StrReplaceAll(KindsCell(partnership), {{",", ", "}}));
  Field(&out, "Summary", partnership.summary());
  std::vector<std::vector<std::string>> rows;
  for (const v1::Participant& p : partnership.participants()) {
    auto it = display_names.find(p.company());
    rows.push_back({std::string(ShortName(p.company())),
                    p.role() == v1::PARTICIPANT_ROLE_UNSPECIFIED
                        ? "PARTNER"
                        : v1::ParticipantRole_Name(p.role()),
                    it == display_names.end() ? "" : it->second});
  }
  absl::StrAppend(
      &out, "Participants:\n",
      Indented(FormatTable({"COMPANY", "ROLE", "DISPLAY NAME"}, rows)));
  Terms(&out, partnership.terms());
  Sources(&out, partnership.sources());
  Reactions(&out, partnership.market_reactions());
  Field(&out, "Labels", Labels(partnership.labels()));
  Field(&out, "Revisions",
        Revisions(partnership.create_revision(), partnership.update_revision(),
                  partnership.etag()));
  Field(&out, "Created", FormatTime(partnership.create_time()));
  Field(&out, "Updated", FormatTime(partnership.update_time()));
  return out;
}

}  // namespace partnergraph::client
