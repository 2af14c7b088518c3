#include "client/yaml_proto.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace partnergraph::client {

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin),
                std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  return text;
}

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

absl::Status Invalid(absl::string_view path, absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.empty() ? "document" : path, ": ", rule));
}

const char* NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "null";
  }
}

bool IsWellKnownString(const Descriptor* descriptor) {
  const std::string& name = descriptor->full_name();
  return name == "google.protobuf.Timestamp" ||
         name == "google.protobuf.Duration" ||
         name == "google.protobuf.FieldMask";
}

absl::Status MessageToJson(const YAML::Node& node, const Descriptor* descriptor,
                           const std::string& path, std::string* out);

// One value of a (non-map, non-repeated view of a) field.
absl::Status ValueToJson(const YAML::Node& node, const FieldDescriptor* field,
                         const std::string& path, std::string* out) {
  if (field->type() == FieldDescriptor::TYPE_MESSAGE ||
      field->type() == FieldDescriptor::TYPE_GROUP) {
    return MessageToJson(node, field->message_type(), path, out);
  }
  if (!node.IsScalar()) {
    return Invalid(path,
                   absl::StrCat("want a single value, got ", NodeKind(node)));
  }
  const std::string& text = node.Scalar();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      *out += JsonQuote(text);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL: {
      std::string lower = absl::AsciiStrToLower(text);
      if (lower == "true" || lower == "false") {
        *out += lower;
        return absl::OkStatus();
      }
      return Invalid(path,
                     absl::StrCat("want true or false, got \"", text, "\""));
    }
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return Invalid(path,
                       absl::StrCat("want an integer, got \"", text, "\""));
      }
      absl::StrAppend(out, "\"", value, "\"");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return Invalid(path, absl::StrCat("want a non-negative integer, got \"",
                                          text, "\""));
      }
      absl::StrAppend(out, "\"", value, "\"");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double value;
      if (!absl::SimpleAtod(text, &value)) {
        return Invalid(path, absl::StrCat("want a number, got \"", text, "\""));
      }
      // The JSON parser reads numbers given as strings with full precision.
      *out += JsonQuote(absl::StripAsciiWhitespace(text));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::string name = absl::AsciiStrToUpper(text);
      absl::StrReplaceAll({{"-", "_"}}, &name);
      if (field->enum_type()->FindValueByName(name) == nullptr) {
        std::string choices;
        for (int i = 0; i < field->enum_type()->value_count(); ++i) {
          const std::string& choice = field->enum_type()->value(i)->name();
          if (absl::EndsWith(choice, "_UNSPECIFIED")) continue;
          absl::StrAppend(&choices, choices.empty() ? "" : ", ", choice);
        }
        return Invalid(path, absl::StrCat("unknown value \"", text,
                                          "\"; want one of ", choices));
      }
      *out += JsonQuote(name);
      return absl::OkStatus();
    }
    default:
      return Invalid(path, "unsupported field type");
  }
}

absl::Status FieldToJson(const YAML::Node& node, const FieldDescriptor* field,
                         const std::string& path, std::string* out) {
  if (field->is_map()) {
    if (!node.IsMap()) {
      return Invalid(path, absl::StrCat("want a map, got ", NodeKind(node)));
    }
    const FieldDescriptor* value_field =
        field->message_type()->FindFieldByNumber(2);
    *out += "{";
    bool first = true;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        return Invalid(path, "map keys must be scalars");
      }
      const std::string& key = entry.first.Scalar();
      if (entry.second.IsNull()) continue;
      if (!first) *out += ",";
      first = false;
      *out += JsonQuote(key);
      *out += ":";
      absl::Status status =
          ValueToJson(entry.second, value_field,
                      absl::StrCat(path, "[", JsonQuote(key), "]"), out);
      if (!status.ok()) return status;
    }
    *out += "}";
    return absl::OkStatus();
  }
  if (field->is_repeated()) {
    *out += "[";
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) {
        if (i > 0) *out += ",";
        absl::Status status =
            ValueToJson(node[i], field, absl::StrCat(path, "[", i, "]"), out);
        if (!status.ok()) return status;
      }
    } else {
      absl::Status status = ValueToJson(node, field, path, out);
      if (!status.ok()) return status;
    }
    *out += "]";
    return absl::OkStatus();
  }
  return ValueToJson(node, field, path, out);
}

absl::Status MessageToJson(const YAML::Node& node, const Descriptor* descriptor,
                           const std::string& path, std::string* out) {
  if (IsWellKnownString(descriptor)) {
    if (!node.IsScalar()) {
      return Invalid(path, absl::StrCat("want a string, got ", NodeKind(node)));
    }
    *out += JsonQuote(node.Scalar());
    return absl::OkStatus();
  }
  if (!node.IsMap()) {
    return Invalid(path,
                   absl::StrCat("want a map of fields, got ", NodeKind(node)));
  }
  *out += "{";
  bool first = true;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return Invalid(path, "field names must be scalars");
    }
    const std::string& key = entry.first.Scalar();
    std::string field_path = path.empty() ? key : absl::StrCat(path, ".", key);
    const FieldDescriptor* field = descriptor->FindFieldByName(key);
    for (int i = 0; field == nullptr && i < descriptor->field_count(); ++i) {
      if (descriptor->field(i)->json_name() == key)
        field = descriptor->field(i);
    }
    if (field == nullptr) {
      return Invalid(field_path,
                     absl::StrCat("unknown field of ", descriptor->name()));
    }
    if (entry.second.IsNull()) continue;
    if (!first) *out += ",";
    first = false;
    *out += JsonQuote(field->json_name());
    *out += ":";
    absl::Status status = FieldToJson(entry.second, field, field_path, out);
    if (!status.ok()) return status;
  }
  *out += "}";
  return absl::OkStatus();
}

}  // namespace

absl::Status YamlNodeToMessage(const YAML::Node& node, absl::string_view path,
                               google::protobuf::Message* message) {
  std::string json;
  if (node.IsNull()) {
    json = "{}";
  } else {
    absl::Status status =
        MessageToJson(node, message->GetDescriptor(), std::string(path), &json);
    if (!status.ok()) return status;
  }
  message->Clear();
  google::protobuf::util::JsonParseOptions options;
  auto status =
      google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return Invalid(path, std::string(status.message()));
  }
  return absl::OkStatus();
}

absl::Status ParseYamlMessage(absl::string_view text,
                              google::protobuf::Message* message) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid YAML or JSON: ", e.what()));
  }
  if (documents.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("want one YAML document, got ", documents.size()));
  }
  return YamlNodeToMessage(documents.empty() ? YAML::Node() : documents[0], "",
                           message);
}

}  // namespace partnergraph::client
