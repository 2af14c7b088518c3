#include "storage/record_mask.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/graph_store.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

template <typename Record>
absl::Status ApplyMaskTo(const Record& patch,
                         const std::vector<std::string>& paths,
                         const std::vector<std::string>& mutable_fields,
                         Record* target) {
  const auto* desc = Record::descriptor();
  const auto* refl = Record::GetReflection();
  std::vector<std::string> chosen;
  if (paths.empty()) {
    for (const std::string& f : mutable_fields) {
      const auto* fd = desc->FindFieldByName(f);
      bool set = fd->is_repeated() ? refl->FieldSize(patch, fd) > 0
                                   : refl->HasField(patch, fd);
      if (set) chosen.push_back(f);
    }
  } else if (paths.size() == 1 && paths[0] == "*") {
    chosen = mutable_fields;
  } else {
    for (size_t i = 0; i < paths.size(); ++i) {
      if (std::find(mutable_fields.begin(), mutable_fields.end(), paths[i]) ==
          mutable_fields.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "update_mask.paths[", i, "]: want one of ",
            absl::StrJoin(mutable_fields, ", "), ", got ", Quote(paths[i])));
      }
      chosen.push_back(paths[i]);
    }
  }
  for (const std::string& f : chosen) {
    const auto* fd = desc->FindFieldByName(f);
    refl->ClearField(target, fd);
    if (fd->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(patch, fd); ++i) {
        switch (fd->cpp_type()) {
          case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
            refl->AddString(target, fd, refl->GetRepeatedString(patch, fd, i));
            break;
          case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
            refl->AddEnumValue(target, fd,
                               refl->GetRepeatedEnumValue(patch, fd, i));
            break;
          case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
            refl->AddMessage(target, fd)
                ->CopyFrom(refl->GetRepeatedMessage(patch, fd, i));
            break;
          default:
            return absl::InternalError(absl::StrCat("unsupported field ", f));
        }
      }
    } else {
      switch (fd->cpp_type()) {
        case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
          refl->SetString(target, fd, refl->GetString(patch, fd));
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
          refl->SetEnumValue(target, fd, refl->GetEnumValue(patch, fd));
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
          if (refl->HasField(patch, fd)) {
            refl->MutableMessage(target, fd)
                ->CopyFrom(refl->GetMessage(patch, fd));
          }
          break;
        default:
          return absl::InternalError(absl::StrCat("unsupported field ", f));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckEtag(absl::string_view etag, int64_t update_revision,
                       absl::string_view resource) {
  if (etag.empty() || etag == EtagFor(update_revision)) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat(
      "etag: ", resource, " has changed (etag \"", EtagFor(update_revision),
      "\", got ", Quote(etag), "); read it again and retry"));
}

absl::Status ApplyMask(const CompanyRecord& patch,
                       const std::vector<std::string>& paths,
                       const std::vector<std::string>& mutable_fields,
                       CompanyRecord* target) {
  return ApplyMaskTo(patch, paths, mutable_fields, target);
}

absl::Status ApplyMask(const PartnershipRecord& patch,
                       const std::vector<std::string>& paths,
                       const std::vector<std::string>& mutable_fields,
                       PartnershipRecord* target) {
  return ApplyMaskTo(patch, paths, mutable_fields, target);
}

}  // namespace partnergraph::storage
