#include "client/commands.h"

#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/yaml_proto.h"
#include "storage/status_macros.h"

namespace partnergraph::client {

absl::Status ReadMessageFile(const std::string& path,
                             google::protobuf::Message* message) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  absl::Status status = ParseYamlMessage(text, message);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(path, ": ", status.message()));
  }
  return absl::OkStatus();
}

std::string DefaultTitle(const v1::Partnership& partnership) {
  std::vector<std::string> ids;
  for (const v1::Participant& participant : partnership.participants()) {
    ids.emplace_back(ShortName(participant.company()));
  }
  return absl::StrJoin(ids, " & ");
}

absl::Status CheckFilterCompany(PartnergraphClient& client,
                                const PartnershipFilterFields& filter,
                                const AsOf& as_of) {
  if (filter.company.empty()) return absl::OkStatus();
  v1::GetCompanyRequest request;
  request.set_name(CompanyName(filter.company));
  SetAsOf(as_of, &request);
  return client.GetCompany(request).status();
}

absl::StatusOr<v1::Company> CreateCompany(PartnergraphClient& client,
                                          const CreateCompanyArgs& args) {
  v1::CreateCompanyRequest request;
  v1::Company* company = request.mutable_company();
  if (!args.from_file.empty()) {
    absl::Status status = ReadMessageFile(args.from_file, company);
    if (!status.ok()) return status;
  }
  absl::Status status = ApplyCompanyFields(args.fields, company, nullptr);
  if (!status.ok()) return status;
  std::string id = args.id.empty() ? company->name() : args.id;
  request.set_company_id(std::string(ShortName(id)));
  company->clear_name();
  request.set_request_id(args.request_id);
  return client.CreateCompany(request);
}

// The mask of an update from a file: every field the file sets, and the
// fields the flags name (which may clear one). Output-only fields in the file,
// as `get -o yaml` prints them, are left out.
google::protobuf::FieldMask FileUpdateMask(
    const google::protobuf::Message& from_file,
    const google::protobuf::FieldMask& flag_paths) {
  static const auto* const kOutputOnly = new std::set<std::string>{
      "name",        "create_revision", "update_revision",
      "create_time", "update_time",     "etag"};
  std::set<std::string> paths(flag_paths.paths().begin(),
                              flag_paths.paths().end());
  std::vector<const google::protobuf::FieldDescriptor*> set_fields;
  from_file.GetReflection()->ListFields(from_file, &set_fields);
  for (const google::protobuf::FieldDescriptor* field : set_fields) {
    if (kOutputOnly->count(field->name()) == 0) paths.insert(field->name());
  }
  google::protobuf::FieldMask mask;
  for (const std::string& path : paths) mask.add_paths(path);
  return mask;
}

absl::StatusOr<v1::Company> UpdateCompany(PartnergraphClient& client,
                                          const UpdateCompanyArgs& args) {
  v1::UpdateCompanyRequest request;
  v1::Company* company = request.mutable_company();
  google::protobuf::FieldMask mask;
  if (!args.from_file.empty()) {
    absl::Status status = ReadMessageFile(args.from_file, company);
    if (!status.ok()) return status;
  }
  const v1::Company from_file = *company;
  absl::Status status = ApplyCompanyFields(args.fields, company, &mask);
  if (!status.ok()) return status;
  if (args.from_file.empty() && mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "nothing to update: give --from-file or at least one field flag");
  }
  *request.mutable_update_mask() =
      args.from_file.empty() ? mask : FileUpdateMask(from_file, mask);
  company->set_name(CompanyName(args.name));
  request.set_etag(args.etag);
  return client.UpdateCompany(request);
}

absl::StatusOr<v1::Partnership> CreatePartnership(
    PartnergraphClient& client, const CreatePartnershipArgs& args) {
  v1::CreatePartnershipRequest request;
  v1::Partnership* partnership = request.mutable_partnership();
  if (!args.from_file.empty()) {
    absl::Status status = ReadMessageFile(args.from_file, partnership);
    if (!status.ok()) return status;
  }
  absl::Status status =
      ApplyPartnershipFields(args.fields, partnership, nullptr);
  if (!status.ok()) return status;
  for (v1::Participant& participant : *partnership->mutable_participants()) {
    participant.set_company(CompanyName(participant.company()));
  }
  if (partnership->title().empty()) {
    partnership->set_title(DefaultTitle(*partnership));
  }
  std::string id = args.id.empty() ? partnership->name() : args.id;
  request.set_partnership_id(std::string(ShortName(id)));
  partnership->clear_name();
  request.set_request_id(args.request_id);
  return client.CreatePartnership(request);
}

absl::StatusOr<v1::Partnership> UpdatePartnership(
    PartnergraphClient& client, const UpdatePartnershipArgs& args) {
  v1::UpdatePartnershipRequest request;
  v1::Partnership* partnership = request.mutable_partnership();
  const std::string name = PartnershipName(args.name);
  std::string etag = args.etag;
  if (!args.from_file.empty()) {
    absl::Status status = ReadMessageFile(args.from_file, partnership);
    if (!status.ok()) return status;
  } else if (args.fields.HasTerms()) {
    // Change only the given parts of the terms: start from the current ones.
    absl::StatusOr<v1::Partnership> current = client.GetPartnership(name);
    if (!current.ok()) return current.status();
    *partnership->mutable_terms() = current->terms();
    if (etag.empty()) etag = current->etag();
  }
  google::protobuf::FieldMask mask;
  const v1::Partnership from_file =
      args.from_file.empty() ? v1::Partnership() : *partnership;
  absl::Status status = ApplyPartnershipFields(args.fields, partnership, &mask);
  if (!status.ok()) return status;
  if (args.from_file.empty() && mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "nothing to update: give --from-file or at least one field flag");
  }
  for (v1::Participant& participant : *partnership->mutable_participants()) {
    participant.set_company(CompanyName(participant.company()));
  }
  *request.mutable_update_mask() =
      args.from_file.empty() ? mask : FileUpdateMask(from_file, mask);
  partnership->set_name(name);
  request.set_etag(etag);
  return client.UpdatePartnership(request);
}

}  // namespace partnergraph::client
