#include "client/requests.h"

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
  if (fields.source_urls) {
    partnership->clear_sources();
    for (const std::string& url : *fields.source_urls) {
      partnership->add_sources()->set_url(url);
    }
    AddPath(mask, "sources");
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
