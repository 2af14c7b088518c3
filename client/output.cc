#include "client/output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/requests.h"
#include "google/protobuf/util/json_util.h"
#include "yaml-cpp/yaml.h"

namespace partnergraph::client {
namespace {

// Characters, not bytes, of UTF-8 text: the bytes that do not continue a
// multi-byte sequence.
size_t DisplayWidth(absl::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

// True when a plain YAML scalar `text` could read back as something other
// than this string: a bool or null word, or anything starting like a number
// (numbers, but also dates and times, which YAML 1.1 readers such as PyYAML
// turn into date objects).
bool PlainScalarChangesType(absl::string_view text) {
  if (text.empty()) return true;
  std::string lower = absl::AsciiStrToLower(text);
  for (absl::string_view word : {"true", "false", "yes", "no", "on", "off", "y",
                                 "n", "null", "~", "<<", "="}) {
    if (lower == word) return true;
  }
  // NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks to YAML 1.1
  // readers.
  for (absl::string_view line_break :
       {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    if (absl::StrContains(text, line_break)) return true;
  }
  char first = text[0];
  return absl::ascii_isdigit(static_cast<unsigned char>(first)) ||
         first == '+' || first == '-' || first == '.';
}

void EmitNode(const YAML::Node& node, YAML::Emitter* out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.size() == 0) {
        *out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      *out << YAML::BeginMap;
      for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        *out << YAML::Key;
        if (PlainScalarChangesType(key)) *out << YAML::DoubleQuoted;
        *out << key << YAML::Value;
        EmitNode(entry.second, out);
      }
      *out << YAML::EndMap;
      return;
    case YAML::NodeType::Sequence:
      if (node.size() == 0) {
        *out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      *out << YAML::BeginSeq;
      for (const auto& element : node) EmitNode(element, out);
      *out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      // "!" marks a scalar that was quoted in the JSON: a string.
      if (node.Tag() == "!" && PlainScalarChangesType(text)) {
        *out << YAML::DoubleQuoted << text;
      } else {
        *out << text;
      }
      return;
    }
    default:
      *out << YAML::Null;
      return;
  }
}

std::string Cell(absl::string_view text) {
  return text.empty() ? "-" : std::string(text);
}

std::vector<std::string> CompanyRow(const v1::Company& company) {
  return {Cell(ShortName(company.name())), Cell(company.display_name()),
          Cell(absl::StrJoin(company.tickers(), ",")),
          Cell(absl::StrJoin(company.sectors(), ",")), Cell(company.country())};
}

std::vector<std::string> PartnershipRow(const v1::Partnership& partnership) {
  std::vector<std::string> kinds;
  for (int kind : partnership.kinds()) {
    kinds.push_back(
        v1::PartnershipKind_Name(static_cast<v1::PartnershipKind>(kind)));
  }
  std::vector<std::string> participants;
  for (const v1::Participant& participant : partnership.participants()) {
    std::string entry(ShortName(participant.company()));
    if (participant.role() != v1::PARTNER &&
        participant.role() != v1::PARTICIPANT_ROLE_UNSPECIFIED) {
      absl::StrAppend(&entry, ":",
                      v1::ParticipantRole_Name(participant.role()));
    }
    participants.push_back(std::move(entry));
  }
  std::string status =
      partnership.status() == v1::PARTNERSHIP_STATUS_UNSPECIFIED
          ? ""
          : v1::PartnershipStatus_Name(partnership.status());
  return {Cell(ShortName(partnership.name())),
          Cell(partnership.announced_on()),
          Cell(absl::StrJoin(kinds, ",")),
          Cell(absl::StrJoin(participants, ",")),
          Cell(status),
          Cell(partnership.title())};
}

const std::vector<std::string>& CompanyHeader() {
  static const auto* header = new std::vector<std::string>{
      "NAME", "DISPLAY NAME", "TICKERS", "SECTORS", "COUNTRY"};
  return *header;
}

// Renders `message` as JSON or YAML. List responses print their empty item
// list (`"companies": []`) rather than nothing, so scripts can iterate.
std::string Document(const google::protobuf::Message& message,
                     OutputFormat format, bool always_print_primitive_fields) {
  if (format == OutputFormat::kYaml) {
    return ToYaml(message, always_print_primitive_fields);
  }
  return ToJson(message, always_print_primitive_fields);
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "table" || lower == "wide") return OutputFormat::kTable;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "yaml" || lower == "yml") return OutputFormat::kYaml;
  return absl::InvalidArgumentError(absl::StrCat(
      "--output: unknown format \"", text, "\"; want table, json or yaml"));
}

std::string ToJson(const google::protobuf::Message& message,
                   bool always_print_primitive_fields) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = always_print_primitive_fields;
  std::string json;
  // Printing a valid message cannot fail (no Any fields in this API).
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  if (json.empty() || json.back() != '\n') json.push_back('\n');
  return json;
}

absl::StatusOr<std::string> JsonToYaml(absl::string_view json) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON document: ", e.what()));
  }
  YAML::Emitter out;
  out.SetIndent(2);
  EmitNode(node, &out);
  if (!out.good()) {
    return absl::InternalError(
        absl::StrCat("YAML emitter: ", out.GetLastError()));
  }
  std::string yaml = out.c_str();
  if (yaml.empty() || yaml.back() != '\n') yaml.push_back('\n');
  return yaml;
}

std::string ToYaml(const google::protobuf::Message& message,
                   bool always_print_primitive_fields) {
  absl::StatusOr<std::string> yaml =
      JsonToYaml(ToJson(message, always_print_primitive_fields));
  // ToJson always yields valid JSON, which is valid YAML.
  return yaml.ok() ? *std::move(yaml) : std::string(yaml.status().message());
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(Cell(row[i])));
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);

  std::string out;
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = Cell(i < row.size() ? row[i] : "");
      line += cell;
      if (i + 1 < widths.size()) {
        line.append(widths[i] - DisplayWidth(cell) + 3, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  print(header);
  for (const auto& row : rows) print(row);
  return out;
}

std::string CompanyTable(
    const google::protobuf::RepeatedPtrField<v1::Company>& companies) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Company& company : companies) {
    rows.push_back(CompanyRow(company));
  }
  return FormatTable(CompanyHeader(), rows);
}

std::string SearchTable(
    const google::protobuf::RepeatedPtrField<v1::SearchResult>& results) {
  std::vector<std::string> header = CompanyHeader();
  header.push_back("MATCH");
  std::vector<std::vector<std::string>> rows;
  for (const v1::SearchResult& result : results) {
    std::vector<std::string> row = CompanyRow(result.company());
    row.push_back(result.match() == v1::MATCH_KIND_UNSPECIFIED
                      ? ""
                      : v1::MatchKind_Name(result.match()));
    rows.push_back(std::move(row));
  }
  return FormatTable(header, rows);
}

std::string PartnershipTable(
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Partnership& partnership : partnerships) {
    rows.push_back(PartnershipRow(partnership));
  }
  return FormatTable(
      {"NAME", "ANNOUNCED", "KINDS", "PARTICIPANTS", "STATUS", "TITLE"}, rows);
}

std::string FormatCompany(const v1::Company& company, OutputFormat format) {
  if (format == OutputFormat::kTable) {
    google::protobuf::RepeatedPtrField<v1::Company> one;
    *one.Add() = company;
    return CompanyTable(one);
  }
  return Document(company, format, false);
}

std::string FormatPartnership(const v1::Partnership& partnership,
                              OutputFormat format) {
  if (format == OutputFormat::kTable) {
    google::protobuf::RepeatedPtrField<v1::Partnership> one;
    *one.Add() = partnership;
    return PartnershipTable(one);
  }
  return Document(partnership, format, false);
}

std::string FormatCompanyList(const v1::ListCompaniesResponse& response,
                              OutputFormat format) {
  if (format == OutputFormat::kTable) return CompanyTable(response.companies());
  return Document(response, format, response.companies().empty());
}

std::string FormatPartnershipList(const v1::ListPartnershipsResponse& response,
                                  OutputFormat format) {
  if (format == OutputFormat::kTable) {
    return PartnershipTable(response.partnerships());
  }
  return Document(response, format, response.partnerships().empty());
}

std::string FormatSearch(const v1::SearchCompaniesResponse& response,
                         OutputFormat format) {
  if (format == OutputFormat::kTable) return SearchTable(response.results());
  return Document(response, format, response.results().empty());
}

}  // namespace partnergraph::client
