#include "client/apply.h"

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/commands.h"
#include "client/requests.h"
#include "client/yaml_proto.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/status_macros.h"
#include "storage/text.h"
#include "yaml-cpp/yaml.h"

namespace partnergraph::client {
namespace {

using google::protobuf::util::MessageDifferencer;

absl::Status WithContext(const absl::Status& status, absl::string_view name) {
  return absl::Status(status.code(),
                      absl::StrCat(name, ": ", status.message()));
}

// Keeps only the fields a user sets, with server defaults filled in.
v1::Company CanonicalCompany(const v1::Company& in) {
  v1::Company company = in;
  company.clear_name();
  company.clear_create_revision();
  company.clear_update_revision();
  company.clear_create_time();
  company.clear_update_time();
  company.clear_etag();
  return company;
}

v1::Partnership CanonicalPartnership(const v1::Partnership& in) {
  v1::Partnership partnership = in;
  partnership.clear_name();
  partnership.clear_create_revision();
  partnership.clear_update_revision();
  partnership.clear_create_time();
  partnership.clear_update_time();
  partnership.clear_etag();
  for (v1::Participant& participant : *partnership.mutable_participants()) {
    participant.set_company(CompanyName(participant.company()));
    if (participant.role() == v1::PARTICIPANT_ROLE_UNSPECIFIED) {
      participant.set_role(v1::PARTNER);
    }
  }
  if (partnership.status() == v1::PARTNERSHIP_STATUS_UNSPECIFIED) {
    partnership.set_status(v1::ANNOUNCED);
  }
  if (partnership.terms().disclosure() == v1::TERMS_DISCLOSURE_UNSPECIFIED) {
    partnership.mutable_terms()->set_disclosure(v1::UNKNOWN);
  }
  // The store keeps times to the microsecond.
  for (v1::Source& source : *partnership.mutable_sources()) {
    if (source.has_retrieved_time()) {
      google::protobuf::Timestamp* t = source.mutable_retrieved_time();
      t->set_nanos(t->nanos() / 1000 * 1000);
    }
  }
  return partnership;
}

// The proto names of the fields a record's YAML map names (by proto or
// JSON name), output-only ones left out.
std::vector<std::string> NamedFields(const YAML::Node& record,
                                     const google::protobuf::Descriptor* type) {
  static const auto* const kOutputOnly = new std::set<std::string>{
      "name",        "create_revision", "update_revision",
      "create_time", "update_time",     "etag"};
  std::vector<std::string> fields;
  if (!record.IsMap()) return fields;
  for (const auto& entry : record) {
    const std::string key = entry.first.Scalar();
    const google::protobuf::FieldDescriptor* field = type->FindFieldByName(key);
    for (int i = 0; field == nullptr && i < type->field_count(); ++i) {
      if (type->field(i)->json_name() == key) field = type->field(i);
    }
    if (field == nullptr || kOutputOnly->count(field->name()) > 0) continue;
    if (std::find(fields.begin(), fields.end(), field->name()) ==
        fields.end()) {
      fields.push_back(field->name());
    }
  }
  return fields;
}

absl::Status ParseDocument(const YAML::Node& document, int index,
                           ApplySpec* spec) {
  const std::string where =
      index == 0 ? "" : absl::StrCat("document ", index + 1, ": ");
  if (document.IsNull()) return absl::OkStatus();
  if (!document.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "want a map with `companies` and `partnerships` lists"));
  }
  for (const auto& entry : document) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& list = entry.second;
    // `list -o yaml|json` output applies as is: skip its paging fields.
    if (key == "revision" || key == "nextPageToken" ||
        key == "next_page_token") {
      continue;
    }
    if (key != "companies" && key != "partnerships") {
      return absl::InvalidArgumentError(absl::StrCat(
          where, key, ": unknown key; want `companies` and `partnerships`"));
    }
    if (list.IsNull()) continue;
    if (!list.IsSequence()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, key, ": want a list"));
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = absl::StrCat(where, key, "[", i, "]");
      if (key == "companies") {
        v1::Company company;
        absl::Status status = YamlNodeToMessage(list[i], path, &company);
        if (!status.ok()) return status;
        if (company.name().empty()) {
          std::string slug = storage::Slugify(company.display_name());
          if (slug.empty()) {
            return absl::InvalidArgumentError(absl::StrCat(
                path,
                ".name: required when displayName has no letter or "
                "digit to derive an id from"));
          }
          company.set_name(CompanyName(slug));
        } else {
          company.set_name(CompanyName(company.name()));
        }
        spec->companies.push_back(std::move(company));
        spec->company_fields.push_back(
            NamedFields(list[i], v1::Company::descriptor()));
      } else {
        v1::Partnership partnership;
        absl::Status status = YamlNodeToMessage(list[i], path, &partnership);
        if (!status.ok()) return status;
        if (partnership.name().empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              path,
              ".name: required, so that apply finds the partnership again "
              "(e.g. name: partnerships/micron-anthropic-2025)"));
        }
        partnership.set_name(PartnershipName(partnership.name()));
        for (v1::Participant& participant :
             *partnership.mutable_participants()) {
          participant.set_company(CompanyName(participant.company()));
        }
        spec->partnerships.push_back(std::move(partnership));
        spec->partnership_fields.push_back(
            NamedFields(list[i], v1::Partnership::descriptor()));
      }
    }
  }
  return absl::OkStatus();
}

ApplyResult Failed(ApplyResult result, const absl::Status& status) {
  result.action = ApplyAction::kFailed;
  result.status = status;
  return result;
}

google::protobuf::FieldMask MaskOf(const std::vector<FieldChange>& changes) {
  google::protobuf::FieldMask mask;
  for (const FieldChange& change : changes) mask.add_paths(change.field);
  return mask;
}

ApplyResult ApplyCompany(PartnergraphClient& client, const v1::Company& desired,
                         const std::vector<std::string>& fields,
                         const ApplyOptions& options) {
  ApplyResult result{"company", desired.name(), ApplyAction::kUnchanged};
  absl::StatusOr<v1::Company> current = client.GetCompany(desired.name());
  if (absl::IsNotFound(current.status())) {
    v1::CreateCompanyRequest request;
    *request.mutable_company() = CanonicalCompany(desired);
    request.set_company_id(std::string(ShortName(desired.name())));
    request.set_validate_only(options.dry_run);
    absl::StatusOr<v1::Company> created = client.CreateCompany(request);
    if (!created.ok()) return Failed(result, created.status());
    result.action = ApplyAction::kCreated;
    return result;
  }
  if (!current.ok()) return Failed(result, current.status());
  if (fields.empty()) return result;
  result.changes = ChangedFields(CanonicalCompany(*current),
                                 CanonicalCompany(desired), fields);
  if (result.changes.empty()) return result;
  v1::UpdateCompanyRequest request;
  *request.mutable_company() = CanonicalCompany(desired);
  request.mutable_company()->set_name(desired.name());
  *request.mutable_update_mask() = MaskOf(result.changes);
  request.set_etag(current->etag());
  request.set_validate_only(options.dry_run);
  absl::StatusOr<v1::Company> updated = client.UpdateCompany(request);
  if (!updated.ok()) return Failed(result, updated.status());
  result.action = ApplyAction::kUpdated;
  return result;
}

// In a dry run, the participants of `partnership` that the file creates:
// they do not exist yet, so the server cannot check the partnership.
std::vector<std::string> PendingParticipants(
    const v1::Partnership& partnership,
    const std::set<std::string>& would_create) {
  std::vector<std::string> pending;
  for (const v1::Participant& p : partnership.participants()) {
    if (would_create.count(p.company()) > 0) pending.push_back(p.company());
  }
  return pending;
}

ApplyResult ApplyPartnership(PartnergraphClient& client,
                             const v1::Partnership& desired,
                             const std::vector<std::string>& fields,
                             const ApplyOptions& options,
                             const std::set<std::string>& would_create) {
  ApplyResult result{"partnership", desired.name(), ApplyAction::kUnchanged};
  absl::StatusOr<v1::Partnership> current =
      client.GetPartnership(desired.name());
  if (absl::IsNotFound(current.status())) {
    v1::CreatePartnershipRequest request;
    *request.mutable_partnership() = CanonicalPartnership(desired);
    if (request.partnership().title().empty()) {
      request.mutable_partnership()->set_title(DefaultTitle(desired));
    }
    request.set_partnership_id(std::string(ShortName(desired.name())));
    request.set_validate_only(options.dry_run);
    absl::StatusOr<v1::Partnership> created = client.CreatePartnership(request);
    if (!created.ok()) {
      const std::vector<std::string> pending =
          PendingParticipants(desired, would_create);
      if (!options.dry_run || pending.empty() ||
          !absl::IsFailedPrecondition(created.status())) {
        return Failed(result, created.status());
      }
      result.note = absl::StrCat(
          "not checked on the server: ", absl::StrJoin(pending, ", "),
          " would be created first");
    }
    result.action = ApplyAction::kCreated;
    return result;
  }
  if (!current.ok()) return Failed(result, current.status());
  if (fields.empty()) return result;
  result.changes = ChangedFields(CanonicalPartnership(*current),
                                 CanonicalPartnership(desired), fields);
  if (result.changes.empty()) return result;
  v1::UpdatePartnershipRequest request;
  *request.mutable_partnership() = CanonicalPartnership(desired);
  request.mutable_partnership()->set_name(desired.name());
  *request.mutable_update_mask() = MaskOf(result.changes);
  request.set_etag(current->etag());
  request.set_validate_only(options.dry_run);
  absl::StatusOr<v1::Partnership> updated = client.UpdatePartnership(request);
  if (!updated.ok()) return Failed(result, updated.status());
  result.action = ApplyAction::kUpdated;
  return result;
}

// The named fields of record `i`; every field when the spec was built
// without them.
std::vector<std::string> Fields(
    const std::vector<std::vector<std::string>>& fields, size_t i) {
  if (i < fields.size()) return fields[i];
  return {"*"};
}

}  // namespace

absl::StatusOr<ApplySpec> ParseApplySpec(absl::string_view text) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid YAML or JSON: ", e.what()));
  }
  ApplySpec spec;
  for (size_t i = 0; i < documents.size(); ++i) {
    absl::Status status =
        ParseDocument(documents[i], static_cast<int>(i), &spec);
    if (!status.ok()) return status;
  }
  std::set<std::string> seen;
  for (const v1::Company& company : spec.companies) {
    if (!seen.insert(company.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(company.name(), ": appears twice in the file"));
    }
  }
  for (const v1::Partnership& partnership : spec.partnerships) {
    if (!seen.insert(partnership.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(partnership.name(), ": appears twice in the file"));
    }
  }
  return spec;
}

absl::StatusOr<ApplySpec> ReadApplyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  absl::StatusOr<ApplySpec> spec = ParseApplySpec(text);
  if (!spec.ok()) return WithContext(spec.status(), path);
  return spec;
}

absl::string_view ApplyActionName(ApplyAction action) {
  switch (action) {
    case ApplyAction::kCreated:
      return "created";
    case ApplyAction::kUpdated:
      return "updated";
    case ApplyAction::kUnchanged:
      return "unchanged";
    case ApplyAction::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string FormatSummary(const ApplySummary& summary) {
  return absl::StrCat(summary.created, " created, ", summary.updated,
                      " updated, ", summary.unchanged, " unchanged, ",
                      summary.failed, " failed");
}

ApplySummary Apply(PartnergraphClient& client, const ApplySpec& spec,
                   const ApplyOptions& options,
                   const std::function<void(const ApplyResult&)>& on_result) {
  ApplySummary summary;
  std::set<std::string> would_create;
  auto count = [&](const ApplyResult& result) {
    switch (result.action) {
      case ApplyAction::kCreated:
        ++summary.created;
        if (options.dry_run) would_create.insert(result.name);
        break;
      case ApplyAction::kUpdated:
        ++summary.updated;
        break;
      case ApplyAction::kUnchanged:
        ++summary.unchanged;
        break;
      case ApplyAction::kFailed:
        if (summary.failed++ == 0) summary.first_failure = result.status;
        break;
    }
    on_result(result);
  };
  for (size_t i = 0; i < spec.companies.size(); ++i) {
    count(ApplyCompany(client, spec.companies[i],
                       Fields(spec.company_fields, i), options));
  }
  for (size_t i = 0; i < spec.partnerships.size(); ++i) {
    count(ApplyPartnership(client, spec.partnerships[i],
                           Fields(spec.partnership_fields, i), options,
                           would_create));
  }
  return summary;
}

bool SameCompany(const v1::Company& desired, const v1::Company& current) {
  return MessageDifferencer::Equals(CanonicalCompany(desired),
                                    CanonicalCompany(current));
}

bool SamePartnership(const v1::Partnership& desired,
                     const v1::Partnership& current) {
  return MessageDifferencer::Equals(CanonicalPartnership(desired),
                                    CanonicalPartnership(current));
}

}  // namespace partnergraph::client
