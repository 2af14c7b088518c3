#include "client/field_diff.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace partnergraph::client {
namespace {

namespace pb = ::google::protobuf;

bool OutputOnly(const std::string& name) {
  static const auto* const kNames = new std::set<std::string>{
      "name",        "create_revision", "update_revision",
      "create_time", "update_time",     "etag"};
  return kNames->count(name) > 0;
}

// A copy of `message` holding only `field`.
std::unique_ptr<pb::Message> OnlyField(const pb::Message& message,
                                       const pb::FieldDescriptor* field) {
  std::unique_ptr<pb::Message> copy(message.New());
  copy->CopyFrom(message);
  const pb::Reflection* reflection = copy->GetReflection();
  const pb::Descriptor* descriptor = copy->GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i) != field) {
      reflection->ClearField(copy.get(), descriptor->field(i));
    }
  }
  return copy;
}

// The field's value in compact JSON, "(unset)" when it has none.
std::string Value(const pb::Message& only, const pb::FieldDescriptor* field) {
  std::string json;
  pb::util::JsonPrintOptions options;
  (void)pb::util::MessageToJsonString(only, &json, options);
  const std::string prefix = absl::StrCat("{\"", field->json_name(), "\":");
  if (json.size() <= prefix.size() + 1 ||
      json.compare(0, prefix.size(), prefix) != 0) {
    return "(unset)";
  }
  return json.substr(prefix.size(), json.size() - prefix.size() - 1);
}

}  // namespace

std::vector<FieldChange> ChangedFields(const pb::Message& before,
                                       const pb::Message& after,
                                       const std::vector<std::string>& fields) {
  std::vector<FieldChange> changes;
  const pb::Descriptor* descriptor = before.GetDescriptor();
  std::vector<const pb::FieldDescriptor*> ordered;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    ordered.push_back(descriptor->field(i));
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const pb::FieldDescriptor* a, const pb::FieldDescriptor* b) {
              return a->number() < b->number();
            });
  for (const pb::FieldDescriptor* field : ordered) {
    if (OutputOnly(field->name())) continue;
    const bool all = fields.empty() || (fields.size() == 1 && fields[0] == "*");
    if (!all && std::find(fields.begin(), fields.end(), field->name()) ==
                    fields.end()) {
      continue;
    }
    std::unique_ptr<pb::Message> old_value = OnlyField(before, field);
    std::unique_ptr<pb::Message> new_value = OnlyField(after, field);
    if (pb::util::MessageDifferencer::Equals(*old_value, *new_value)) continue;
    changes.push_back(
        {field->name(), Value(*old_value, field), Value(*new_value, field)});
  }
  return changes;
}

std::string FormatFieldChange(const FieldChange& change) {
  return absl::StrCat(change.field, ": ", change.before, " \xE2\x86\x92 ",
                      change.after);
}

std::string ChangedFieldNames(const std::vector<FieldChange>& changes) {
  std::vector<std::string> names;
  for (const FieldChange& change : changes) names.push_back(change.field);
  return absl::StrJoin(names, ", ");
}

}  // namespace partnergraph::client
