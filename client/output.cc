#include "client/output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/requests.h"
#include "google/protobuf/util/json_util.h"
#include "yaml-cpp/yaml.h"

namespace partnergraph::client {
namespace {

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

std::string Joined(
    const google::protobuf::RepeatedPtrField<std::string>& list) {
  return absl::StrJoin(list, ",");
}

std::string Labels(const google::protobuf::Map<std::string, std::string>& map) {
  std::vector<std::string> entries;
  for (const auto& [key, value] : map) {
    entries.push_back(absl::StrCat(key, "=", value));
  }
  std::sort(entries.begin(), entries.end());
  return absl::StrJoin(entries, ",");
}

std::vector<std::string> CompanyRow(const v1::Company& company, bool wide) {
  std::vector<std::string> row = {
      Cell(ShortName(company.name())), Cell(company.display_name()),
      Cell(Joined(company.tickers())), Cell(Joined(company.sectors())),
      Cell(company.country())};
  if (wide) {
    row.push_back(Cell(company.legal_name()));
    row.push_back(Cell(company.website()));
    row.push_back(Cell(Labels(company.labels())));
    row.push_back(absl::StrCat(company.update_revision()));
  }
  return row;
}

std::vector<std::string> CompanyHeader(bool wide) {
  std::vector<std::string> header = {"NAME", "DISPLAY NAME", "TICKERS",
                                     "SECTORS", "COUNTRY"};
  if (wide) {
    for (const char* column : {"LEGAL NAME", "WEBSITE", "LABELS", "REVISION"}) {
      header.push_back(column);
    }
  }
  return header;
}

std::string StatusCell(const v1::Partnership& partnership) {
  return partnership.status() == v1::PARTNERSHIP_STATUS_UNSPECIFIED
             ? ""
             : v1::PartnershipStatus_Name(partnership.status());
}

std::vector<std::string> PartnershipRow(const v1::Partnership& partnership,
                                        bool wide) {
  if (!wide) {
    return {Cell(ShortName(partnership.name())),
            Cell(partnership.announced_on()),
            Cell(ParticipantsCell(partnership)), Cell(partnership.title())};
  }
  return {Cell(ShortName(partnership.name())),
          Cell(partnership.announced_on()),
          Cell(KindsCell(partnership)),
          Cell(ParticipantsCell(partnership)),
          Cell(StatusCell(partnership)),
          absl::StrCat(partnership.sources_size()),
          absl::StrCat(partnership.market_reactions_size()),
          absl::StrCat(partnership.update_revision()),
          Cell(partnership.title())};
}

TableOptions Options(const Output& output, std::vector<int> shrink_tier) {
  TableOptions options;
  options.headers = output.headers;
  if (!output.wide()) {
    options.max_width = output.width;
    options.shrink_tier = std::move(shrink_tier);
  }
  return options;
}

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) absl::StrAppend(&out, name, "\n");
  return out;
}

// Narrows columns tier by tier until a line fits (see TableOptions).
void Narrow(const TableOptions& options, std::vector<size_t>* widths) {
  constexpr size_t kMinWidth = 10;
  size_t total = widths->empty() ? 0 : 3 * (widths->size() - 1);
  for (size_t w : *widths) total += w;
  int max_tier = 0;
  for (int tier : options.shrink_tier) max_tier = std::max(max_tier, tier);
  for (int tier = 1; tier <= max_tier && total > options.max_width; ++tier) {
    size_t slack = 0;
    for (size_t i = 0; i < widths->size(); ++i) {
      if (i < options.shrink_tier.size() && options.shrink_tier[i] == tier &&
          (*widths)[i] > kMinWidth) {
        slack += (*widths)[i] - kMinWidth;
      }
    }
    if (slack == 0) continue;
    const size_t excess = std::min(slack, total - options.max_width);
    size_t taken = 0;
    for (size_t i = 0; i < widths->size(); ++i) {
      if (i >= options.shrink_tier.size() || options.shrink_tier[i] != tier ||
          (*widths)[i] <= kMinWidth) {
        continue;
      }
      // Rounded up, so the tier gives at least `excess` in all.
      size_t cut = ((*widths)[i] - kMinWidth) * excess / slack;
      if (((*widths)[i] - kMinWidth) * excess % slack != 0) ++cut;
      cut = std::min({cut, (*widths)[i] - kMinWidth, excess - taken});
      (*widths)[i] -= cut;
      taken += cut;
    }
    total -= taken;
  }
}

}  // namespace

size_t DisplayWidth(absl::string_view text) {
  // The bytes that do not continue a multi-byte sequence.
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

std::string ProgressLine(absl::string_view what, int64_t done, int64_t total,
                         int64_t records, absl::Duration elapsed) {
  constexpr int kWidth = 30;
  std::string line(what);
  double fraction = 0;
  if (total > 0) {
    fraction = std::min(1.0, std::max(0.0, static_cast<double>(done) /
                                               static_cast<double>(total)));
    const int filled = static_cast<int>(fraction * kWidth);
    absl::StrAppend(&line, " [", std::string(filled, '#'),
                    std::string(kWidth - filled, '.'), "] ",
                    absl::StrFormat("%3d%%", static_cast<int>(fraction * 100)));
  }
  absl::StrAppend(&line, " ", records, " records");
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds >= 0.5 && records > 0) {
    absl::StrAppend(
        &line, " ",
        static_cast<int64_t>(static_cast<double>(records) / seconds), "/s");
    if (total > 0 && fraction > 0 && fraction < 1) {
      const int64_t left =
          static_cast<int64_t>(seconds * (1 - fraction) / fraction + 0.5);
      absl::StrAppend(&line, " ETA ",
                      absl::StrFormat("%d:%02d", left / 60, left % 60));
    }
  }
  return line;
}

std::string Truncate(absl::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  std::string out;
  size_t chars = 0;
  for (char c : text) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && ++chars == width) break;
    out.push_back(c);
  }
  return out + "\xE2\x80\xA6";  // …
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

std::string ParticipantsCell(const v1::Partnership& partnership) {
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
  return absl::StrJoin(participants, ",");
}

std::string KindsCell(const v1::Partnership& partnership) {
  std::vector<std::string> kinds;
  for (int kind : partnership.kinds()) {
    kinds.push_back(
        v1::PartnershipKind_Name(static_cast<v1::PartnershipKind>(kind)));
  }
  return absl::StrJoin(kinds, ",");
}

std::string Document(const google::protobuf::Message& message,
                     const Output& output, bool always_print_primitive_fields) {
  if (output.format == OutputFormat::kYaml) {
    return ToYaml(message, always_print_primitive_fields);
  }
  return ToJson(message, always_print_primitive_fields);
}

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "table") return OutputFormat::kTable;
  if (lower == "wide") return OutputFormat::kWide;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "yaml" || lower == "yml") return OutputFormat::kYaml;
  if (lower == "name") return OutputFormat::kName;
  if (lower == "dot") return OutputFormat::kDot;
  return absl::InvalidArgumentError(
      absl::StrCat("--output: unknown format \"", text,
                   "\"; want table, wide, json, yaml, name or dot"));
}

absl::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kWide:
      return "wide";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kYaml:
      return "yaml";
    case OutputFormat::kName:
      return "name";
    case OutputFormat::kDot:
      return "dot";
  }
  return "table";
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
                        const std::vector<std::vector<std::string>>& rows,
                        const TableOptions& options) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(Cell(row[i])));
    }
  };
  if (options.headers) measure(header);
  for (const auto& row : rows) measure(row);
  if (options.max_width > 0) Narrow(options, &widths);

  std::string out;
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell =
          Truncate(Cell(i < row.size() ? row[i] : ""), widths[i]);
      line += cell;
      if (i + 1 < widths.size()) {
        line.append(widths[i] - DisplayWidth(cell) + 3, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  if (options.headers) print(header);
  for (const auto& row : rows) print(row);
  return out;
}

std::string CompanyTable(
    const google::protobuf::RepeatedPtrField<v1::Company>& companies,
    const Output& output) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Company& company : companies) {
    rows.push_back(CompanyRow(company, output.wide()));
  }
  return FormatTable(CompanyHeader(output.wide()), rows,
                     Options(output, {0, 2, 1, 1, 0}));
}

std::string SearchTable(
    const google::protobuf::RepeatedPtrField<v1::SearchResult>& results,
    const Output& output) {
  std::vector<std::string> header = CompanyHeader(output.wide());
  header.push_back("MATCH");
  std::vector<std::vector<std::string>> rows;
  for (const v1::SearchResult& result : results) {
    std::vector<std::string> row = CompanyRow(result.company(), output.wide());
    row.push_back(result.match() == v1::MATCH_KIND_UNSPECIFIED
                      ? ""
                      : v1::MatchKind_Name(result.match()));
    rows.push_back(std::move(row));
  }
  return FormatTable(header, rows, Options(output, {0, 2, 1, 1, 0, 0}));
}

std::string PartnershipTable(
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships,
    const Output& output) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Partnership& partnership : partnerships) {
    rows.push_back(PartnershipRow(partnership, output.wide()));
  }
  if (output.wide()) {
    return FormatTable({"NAME", "ANNOUNCED", "KINDS", "PARTICIPANTS", "STATUS",
                        "SOURCES", "REACTIONS", "REVISION", "TITLE"},
                       rows, Options(output, {}));
  }
  return FormatTable({"NAME", "ANNOUNCED", "PARTICIPANTS", "TITLE"}, rows,
                     Options(output, {0, 0, 2, 1}));
}

std::string FormatCompany(const v1::Company& company, const Output& output) {
  if (output.table()) {
    google::protobuf::RepeatedPtrField<v1::Company> one;
    *one.Add() = company;
    return CompanyTable(one, output);
  }
  if (output.format == OutputFormat::kName) return Names({company.name()});
  return Document(company, output, false);
}

std::string FormatPartnership(const v1::Partnership& partnership,
                              const Output& output) {
  if (output.table()) {
    google::protobuf::RepeatedPtrField<v1::Partnership> one;
    *one.Add() = partnership;
    return PartnershipTable(one, output);
  }
  if (output.format == OutputFormat::kName) return Names({partnership.name()});
  return Document(partnership, output, false);
}

std::string FormatCompanyList(const v1::ListCompaniesResponse& response,
                              const Output& output) {
  if (output.table()) return CompanyTable(response.companies(), output);
  if (output.format == OutputFormat::kName) {
    std::vector<std::string> names;
    for (const v1::Company& c : response.companies()) names.push_back(c.name());
    return Names(names);
  }
  return Document(response, output, response.companies().empty());
}

std::string FormatPartnershipList(const v1::ListPartnershipsResponse& response,
                                  const Output& output) {
  if (output.table()) return PartnershipTable(response.partnerships(), output);
  if (output.format == OutputFormat::kName) {
    std::vector<std::string> names;
    for (const v1::Partnership& p : response.partnerships()) {
      names.push_back(p.name());
    }
    return Names(names);
  }
  return Document(response, output, response.partnerships().empty());
}

std::string FormatSearch(const v1::SearchCompaniesResponse& response,
                         const Output& output) {
  if (output.table()) return SearchTable(response.results(), output);
  if (output.format == OutputFormat::kName) {
    std::vector<std::string> names;
    for (const v1::SearchResult& r : response.results()) {
      names.push_back(r.company().name());
    }
    return Names(names);
  }
  return Document(response, output, response.results().empty());
}

}  // namespace partnergraph::client
