#include "client/requests.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace partnergraph::client {
namespace {

std::string ResourceName(absl::string_view collection,
                         absl::string_view id_or_name) {
  if (absl::StartsWith(id_or_name, absl::StrCat(collection, "/")) ||
      id_or_name.find('/') != absl::string_view::npos) {
    return std::string(id_or_name);
  }
  return absl::StrCat(collection, "/", id_or_name);
}

// Accepted names of an enum, for error messages.
std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const std::string& name = descriptor->value(i)->name();
    if (absl::EndsWith(name, "_UNSPECIFIED")) continue;
    names.push_back(name);
  }
  return absl::StrJoin(names, ", ");
}

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(absl::string_view flag, absl::string_view text) {
  const google::protobuf::EnumDescriptor* descriptor =
      google::protobuf::GetEnumDescriptor<Enum>();
  std::string key = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  absl::StrReplaceAll({{"-", "_"}}, &key);
  const google::protobuf::EnumValueDescriptor* value =
      descriptor->FindValueByName(key);
  if (value == nullptr || absl::EndsWith(key, "_UNSPECIFIED")) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": unknown value \"",
                                                   text, "\"; want one of ",
                                                   EnumChoices(descriptor)));
  }
  return static_cast<Enum>(value->number());
}

void AddPath(google::protobuf::FieldMask* mask, const char* path) {
  if (mask != nullptr) mask->add_paths(path);
}

absl::Status SetLabels(
    const std::vector<std::string>& entries,
    google::protobuf::Map<std::string, std::string>* labels) {
  labels->clear();
  for (const std::string& entry : entries) {
    absl::StatusOr<std::pair<std::string, std::string>> label =
        ParseLabel("--label", entry);
    if (!label.ok()) return label.status();
    (*labels)[label->first] = label->second;
  }
  return absl::OkStatus();
}

}  // namespace

std::string CompanyName(absl::string_view id_or_name) {
  return ResourceName(kCompaniesCollection, id_or_name);
}

std::string PartnershipName(absl::string_view id_or_name) {
  return ResourceName(kPartnershipsCollection, id_or_name);
}

absl::string_view ShortName(absl::string_view name) {
  for (absl::string_view prefix : {"companies/", "partnerships/"}) {
    if (absl::ConsumePrefix(&name, prefix)) return name;
  }
  return name;
}

absl::StatusOr<v1::PartnershipKind> ParseKind(absl::string_view flag,
                                              absl::string_view text) {
  return ParseEnum<v1::PartnershipKind>(flag, text);
}

absl::StatusOr<v1::PartnershipStatus> ParseStatus(absl::string_view flag,
                                                  absl::string_view text) {
  return ParseEnum<v1::PartnershipStatus>(flag, text);
}

absl::StatusOr<v1::ParticipantRole> ParseRole(absl::string_view flag,
                                              absl::string_view text) {
  return ParseEnum<v1::ParticipantRole>(flag, text);
}

absl::StatusOr<v1::TermsDisclosure> ParseDisclosure(absl::string_view flag,
                                                    absl::string_view text) {
  return ParseEnum<v1::TermsDisclosure>(flag, text);
}

absl::StatusOr<v1::Participant> ParseParticipant(absl::string_view flag,
                                                 absl::string_view text) {
  v1::Participant participant;
  absl::string_view company = text;
  v1::ParticipantRole role = v1::PARTNER;
  if (size_t colon = text.rfind(':'); colon != absl::string_view::npos) {
    company = text.substr(0, colon);
    absl::StatusOr<v1::ParticipantRole> parsed =
        ParseRole(absl::StrCat(flag, " role"), text.substr(colon + 1));
    if (!parsed.ok()) return parsed.status();
    role = *parsed;
  }
  company = absl::StripAsciiWhitespace(company);
  if (company.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": want COMPANY or COMPANY:ROLE, got \"", text, "\""));
  }
  participant.set_company(CompanyName(company));
  participant.set_role(role);
  return participant;
}

namespace {

// Splits "HEAD,k1=v1,k2=v2" at each ",KEY=" whose KEY is in `keys`.
// Returns HEAD and fills `values`; a key given twice is an error.
absl::StatusOr<std::string> SplitKeyed(
    absl::string_view flag, absl::string_view text,
    const std::vector<absl::string_view>& keys,
    std::vector<std::pair<std::string, std::string>>* values) {
  struct Cut {
    size_t at;
    absl::string_view key;
  };
  std::vector<Cut> cuts;
  for (absl::string_view key : keys) {
    const std::string marker = absl::StrCat(",", key, "=");
    for (size_t at = text.find(marker); at != absl::string_view::npos;
         at = text.find(marker, at + 1)) {
      cuts.push_back({at, key});
    }
  }
  std::sort(cuts.begin(), cuts.end(),
            [](const Cut& a, const Cut& b) { return a.at < b.at; });
  for (size_t i = 0; i < cuts.size(); ++i) {
    const size_t start = cuts[i].at + cuts[i].key.size() + 2;
    const size_t end = i + 1 < cuts.size() ? cuts[i + 1].at : text.size();
    for (const auto& [seen, unused] : *values) {
      if (seen == cuts[i].key) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag, ": ", cuts[i].key, "= given twice in \"", text, "\""));
      }
    }
    values->emplace_back(std::string(cuts[i].key),
                         std::string(text.substr(start, end - start)));
  }
  return std::string(cuts.empty() ? text : text.substr(0, cuts[0].at));
}

}  // namespace

absl::StatusOr<v1::Source> ParseSource(absl::string_view flag,
                                       absl::string_view text) {
  std::vector<std::pair<std::string, std::string>> values;
  absl::StatusOr<std::string> url = SplitKeyed(
      flag, text, {"title", "publisher", "published", "excerpt"}, &values);
  if (!url.ok()) return url.status();
  if (absl::StripAsciiWhitespace(*url).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag,
        ": want URL[,title=TEXT][,publisher=TEXT][,published=YYYY-MM-DD]"
        "[,excerpt=TEXT], got \"",
        text, "\""));
  }
  v1::Source source;
  source.set_url(std::string(absl::StripAsciiWhitespace(*url)));
  for (const auto& [key, value] : values) {
    if (key == "title") source.set_title(value);
    if (key == "publisher") source.set_publisher(value);
    if (key == "published") source.set_published_on(value);
    if (key == "excerpt") source.set_excerpt(value);
  }
  return source;
}

absl::StatusOr<v1::MarketReaction> ParseMarketReaction(absl::string_view flag,
                                                       absl::string_view text) {
  const auto bad = [&]() {
    return absl::InvalidArgumentError(absl::StrCat(
        flag,
        ": want TICKER:CHANGE%[@YYYY-MM-DD][/WINDOW][,note=TEXT], e.g. "
        "NASDAQ:MU:+5.58%@2025-11-20/1d, got \"",
        text, "\""));
  };
  std::vector<std::pair<std::string, std::string>> values;
  absl::StatusOr<std::string> head = SplitKeyed(flag, text, {"note"}, &values);
  if (!head.ok()) return head.status();
  absl::string_view rest = absl::StripAsciiWhitespace(*head);
  const size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return bad();
  v1::MarketReaction reaction;
  reaction.set_ticker(std::string(rest.substr(0, colon)));
  absl::string_view change = rest.substr(colon + 1);
  if (const size_t slash = change.find('/'); slash != absl::string_view::npos) {
    reaction.set_window(std::string(change.substr(slash + 1)));
    change = change.substr(0, slash);
  }
  if (const size_t at = change.find('@'); at != absl::string_view::npos) {
    reaction.set_on(std::string(change.substr(at + 1)));
    change = change.substr(0, at);
  }
  absl::ConsumeSuffix(&change, "%");
  absl::ConsumePrefix(&change, "+");
  double percent = 0;
  if (change.empty() || !absl::SimpleAtod(change, &percent)) return bad();
  reaction.set_change_percent(percent);
  for (const auto& [key, value] : values) {
    if (key == "note") reaction.set_note(value);
  }
  return reaction;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(
    absl::string_view flag, absl::string_view text) {
  size_t eq = text.find('=');
  std::string key(text.substr(0, eq));
  std::string value(eq == absl::string_view::npos ? absl::string_view()
                                                  : text.substr(eq + 1));
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": want KEY=VALUE, got \"", text, "\""));
  }
  return std::make_pair(std::move(key), std::move(value));
}

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view flag,
                                            absl::string_view text) {
  absl::Duration duration;
  double seconds = 0;
  std::string trimmed(absl::StripAsciiWhitespace(text));
  if (absl::SimpleAtod(trimmed, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(trimmed, &duration)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": want a duration such as 5s, 1500ms or 2m, got \"",
                     text, "\""));
  }
  if (duration <= absl::ZeroDuration() ||
      duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": want a positive, finite duration, got \"", text, "\""));
  }
  return duration;
}

namespace {

bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// Whether `text` matches `shape`, where 'd' stands for a digit, 'T' for T or
// t, and any other character for itself.
bool MatchesShape(absl::string_view text, absl::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    switch (shape[i]) {
      case 'd':
        if (!IsDigit(text[i])) return false;
        break;
      case 'T':
        if (text[i] != 'T' && text[i] != 't') return false;
        break;
      default:
        if (text[i] != shape[i]) return false;
    }
  }
  return true;
}

// RFC 3339's date-time: YYYY-MM-DDTHH:MM:SS[.FRACTION](Z|+HH:MM|-HH:MM).
// absl::ParseTime alone also takes one-digit months and five-digit years.
bool LooksLikeRfc3339(absl::string_view text) {
  constexpr absl::string_view kDateTime = "dddd-dd-ddTdd:dd:dd";
  if (!MatchesShape(text.substr(0, kDateTime.size()), kDateTime)) return false;
  text.remove_prefix(kDateTime.size());
  if (absl::ConsumePrefix(&text, ".")) {
    const size_t digits =
        std::find_if_not(text.begin(), text.end(), IsDigit) - text.begin();
    if (digits == 0) return false;
    text.remove_prefix(digits);
  }
  if (text == "Z" || text == "z") return true;
  return !text.empty() && (text[0] == '+' || text[0] == '-') &&
         MatchesShape(text.substr(1), "dd:dd");
}

// The range of google.protobuf.Timestamp: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status AsOfError(absl::string_view flag, absl::string_view text) {
  constexpr char kRule[] =
      ": want a store revision (a whole number, 1 or more) or an RFC 3339 time "
      "such as 2026-01-31T12:00:00Z or 2026-01-31T14:00:00+02:00; got \"";
  return absl::InvalidArgumentError(absl::StrCat(flag, kRule, text, "\""));
}

}  // namespace

absl::StatusOr<AsOf> ParseAsOf(absl::string_view flag, absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  AsOf as_of;
  if (!trimmed.empty() &&
      std::all_of(trimmed.begin(), trimmed.end(), IsDigit)) {
    if (!absl::SimpleAtoi(trimmed, &as_of.revision) || as_of.revision < 1) {
      return AsOfError(flag, text);
    }
    return as_of;
  }
  absl::Time time;
  std::string error;
  if (!LooksLikeRfc3339(trimmed) ||
      !absl::ParseTime(absl::RFC3339_full, trimmed, &time, &error)) {
    return AsOfError(flag, text);
  }
  const int64_t seconds = absl::ToUnixSeconds(time);
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return AsOfError(flag, text);
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      (time - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  as_of.time = timestamp;
  return as_of;
}

absl::Status ApplyCompanyFields(const CompanyFields& fields,
                                v1::Company* company,
                                google::protobuf::FieldMask* mask) {
  if (fields.display_name) {
    company->set_display_name(*fields.display_name);
    AddPath(mask, "display_name");
  }
  if (fields.legal_name) {
    company->set_legal_name(*fields.legal_name);
    AddPath(mask, "legal_name");
  }
  if (fields.aliases) {
    company->mutable_aliases()->Assign(fields.aliases->begin(),
                                       fields.aliases->end());
    AddPath(mask, "aliases");
  }
  if (fields.tickers) {
    company->mutable_tickers()->Assign(fields.tickers->begin(),
                                       fields.tickers->end());
    AddPath(mask, "tickers");
  }
  if (fields.sectors) {
    company->mutable_sectors()->Assign(fields.sectors->begin(),
                                       fields.sectors->end());
    AddPath(mask, "sectors");
  }
  if (fields.country) {
    company->set_country(*fields.country);
    AddPath(mask, "country");
  }
  if (fields.website) {
    company->set_website(*fields.website);
    AddPath(mask, "website");
  }
  if (fields.description) {
    company->set_description(*fields.description);
    AddPath(mask, "description");
  }
  if (fields.labels) {
    absl::Status status = SetLabels(*fields.labels, company->mutable_labels());
    if (!status.ok()) return status;
    AddPath(mask, "labels");
  }
  return absl::OkStatus();
}

absl::Status ApplyPartnershipFields(const PartnershipFields& fields,
                                    v1::Partnership* partnership,
                                    google::protobuf::FieldMask* mask) {
  if (fields.title) {
    partnership->set_title(*fields.title);
    AddPath(mask, "title");
  }
  if (fields.summary) {
    partnership->set_summary(*fields.summary);
    AddPath(mask, "summary");
  }
  if (fields.participants) {
    partnership->clear_participants();
    for (const std::string& text : *fields.participants) {
      absl::StatusOr<v1::Participant> participant =
          ParseParticipant("--participant", text);
      if (!participant.ok()) return participant.status();
      *partnership->add_participants() = *std::move(participant);
    }
    AddPath(mask, "participants");
  }
  if (fields.kinds) {
    partnership->clear_kinds();
    for (const std::string& text : *fields.kinds) {
      absl::StatusOr<v1::PartnershipKind> kind = ParseKind("--kind", text);
      if (!kind.ok()) return kind.status();
      partnership->add_kinds(*kind);
    }
    AddPath(mask, "kinds");
  }
  if (fields.status) {
    absl::StatusOr<v1::PartnershipStatus> status =
        ParseStatus("--status", *fields.status);
    if (!status.ok()) return status.status();
    partnership->set_status(*status);
    AddPath(mask, "status");
  }
  if (fields.announced_on) {
    partnership->set_announced_on(*fields.announced_on);
    AddPath(mask, "announced_on");
  }
  if (fields.ended_on) {
    partnership->set_ended_on(*fields.ended_on);
    AddPath(mask, "ended_on");
  }
  if (fields.HasTerms()) {
    v1::Terms* terms = partnership->mutable_terms();
    if (fields.disclosure) {
      absl::StatusOr<v1::TermsDisclosure> disclosure =
          ParseDisclosure("--disclosure", *fields.disclosure);
      if (!disclosure.ok()) return disclosure.status();
      terms->set_disclosure(*disclosure);
      // A value only goes with disclosed terms: withdrawing the disclosure
      // withdraws the value kept from the current terms.
      if (*disclosure != v1::DISCLOSED && !fields.value_usd) {
        terms->clear_value_usd();
      }
    }
    if (fields.value_usd) {
      terms->set_value_usd(*fields.value_usd);
      if (!fields.disclosure) terms->set_disclosure(v1::DISCLOSED);
    }
    if (fields.terms_description) {
      terms->set_description(*fields.terms_description);
    }
    AddPath(mask, "terms");
  }
  if (fields.sources) {
    partnership->clear_sources();
    for (const std::string& text : *fields.sources) {
      absl::StatusOr<v1::Source> source = ParseSource("--source", text);
      if (!source.ok()) return source.status();
      *partnership->add_sources() = *std::move(source);
    }
    AddPath(mask, "sources");
  }
  if (fields.market_reactions) {
    partnership->clear_market_reactions();
    for (const std::string& text : *fields.market_reactions) {
      absl::StatusOr<v1::MarketReaction> reaction =
          ParseMarketReaction("--market-reaction", text);
      if (!reaction.ok()) return reaction.status();
      *partnership->add_market_reactions() = *std::move(reaction);
    }
    AddPath(mask, "market_reactions");
  }
  if (fields.labels) {
    absl::Status status =
        SetLabels(*fields.labels, partnership->mutable_labels());
    if (!status.ok()) return status;
    AddPath(mask, "labels");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PartnershipFilter> BuildPartnershipFilter(
    const PartnershipFilterFields& fields) {
  v1::PartnershipFilter filter;
  for (const std::string& text : fields.kinds) {
    absl::StatusOr<v1::PartnershipKind> kind = ParseKind("--kind", text);
    if (!kind.ok()) return kind.status();
    filter.add_kinds(*kind);
  }
  for (const std::string& text : fields.statuses) {
    absl::StatusOr<v1::PartnershipStatus> status =
        ParseStatus("--status", text);
    if (!status.ok()) return status.status();
    filter.add_statuses(*status);
  }
  filter.set_announced_after(fields.announced_after);
  filter.set_announced_before(fields.announced_before);
  if (!fields.company.empty()) filter.set_company(CompanyName(fields.company));
  for (const std::string& sector : fields.participant_sectors) {
    filter.add_participant_sectors(sector);
  }
  filter.set_min_sources(fields.min_sources);
  return filter;
}

}  // namespace partnergraph::client
