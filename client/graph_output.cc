#include "client/graph_output.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

constexpr int kBarWidth = 40;
// Most periods a trend fills in.
constexpr int kMaxPeriods = 1000;

std::string Lower(absl::string_view enum_name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(enum_name), {{"_", " "}});
}

// A period of a YEAR ("2025") or QUARTER ("2025-Q4") key as a number that
// counts up by one per period; false when `key` is not one.
bool PeriodIndex(v1::GroupBy by, absl::string_view key, int* index) {
  int year = 0;
  if (key.size() < 4 || !absl::SimpleAtoi(key.substr(0, 4), &year)) {
    return false;
  }
  if (by == v1::YEAR) {
    *index = year;
    return key.size() == 4;
  }
  int quarter = 0;
  if (key.size() != 7 || key.substr(4, 2) != "-Q" ||
      !absl::SimpleAtoi(key.substr(6), &quarter) || quarter < 1 ||
      quarter > 4) {
    return false;
  }
  *index = year * 4 + (quarter - 1);
  return true;
}

std::string PeriodKey(v1::GroupBy by, int index) {
  if (by == v1::YEAR) return absl::StrFormat("%04d", index);
  return absl::StrFormat("%04d-Q%d", index / 4, index % 4 + 1);
}

// The period a filter date ("2025-11-20") falls in.
bool DatePeriod(v1::GroupBy by, absl::string_view date, int* index) {
  int year = 0, month = 0;
  if (date.size() < 7 || !absl::SimpleAtoi(date.substr(0, 4), &year) ||
      !absl::SimpleAtoi(date.substr(5, 2), &month) || month < 1 || month > 12) {
    return false;
  }
  *index = by == v1::YEAR ? year : year * 4 + (month - 1) / 3;
  return true;
}

std::string Quote(absl::string_view text) {
  return absl::StrCat(
      "\"",
      absl::StrReplaceAll(text,
                          {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}}),
      "\"");
}

std::string EdgeLabel(const v1::Partnership& p) {
  std::vector<std::string> kinds;
  for (int k : p.kinds()) kinds.push_back(Lower(v1::PartnershipKind_Name(k)));
  return absl::StrCat(absl::StrJoin(kinds, " + "), "\n", p.announced_on());
}

// Edges of the partnerships among `companies` (ids already emitted as
// nodes); participants missing from it are added as plain nodes.
void PartnershipEdges(
    const google::protobuf::RepeatedPtrField<v1::Partnership>& partnerships,
    std::set<std::string>* companies, std::string* out) {
  std::set<std::string> done;
  for (const v1::Partnership& p : partnerships) {
    if (!done.insert(p.name()).second) continue;
    for (const v1::Participant& participant : p.participants()) {
      const std::string id(ShortName(participant.company()));
      if (companies->insert(id).second) {
        absl::StrAppend(out, "  ", Quote(id), ";\n");
      }
    }
    const std::string label = Quote(EdgeLabel(p));
    const std::string url = Quote(p.name());
    if (p.participants_size() == 2) {
      absl::StrAppend(out, "  ", Quote(ShortName(p.participants(0).company())),
                      " -- ", Quote(ShortName(p.participants(1).company())),
                      " [label=", label, ", tooltip=", url, "];\n");
      continue;
    }
    absl::StrAppend(out, "  ", Quote(p.name()),
                    " [shape=point, width=0.15, xlabel=", label, "];\n");
    for (const v1::Participant& participant : p.participants()) {
      absl::StrAppend(out, "  ", Quote(p.name()), " -- ",
                      Quote(ShortName(participant.company())), ";\n");
    }
  }
}

std::string CompanyNode(const v1::Company& company, absl::string_view extra) {
  std::string label = company.display_name().empty()
                          ? std::string(ShortName(company.name()))
                          : company.display_name();
  return absl::StrCat("  ", Quote(ShortName(company.name())),
                      " [label=", Quote(label), extra, "];\n");
}

constexpr char kDotHeader[] =
    "  graph [fontname=\"Helvetica\", overlap=false];\n"
    "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
    "  edge [fontname=\"Helvetica\", fontsize=10];\n";

}  // namespace

absl::StatusOr<v1::GroupBy> ParseGroupBy(absl::string_view text) {
  std::string name =
      absl::StrReplaceAll(absl::AsciiStrToUpper(text), {{"-", "_"}});
  v1::GroupBy value;
  if (name.empty() || !v1::GroupBy_Parse(name, &value) ||
      value == v1::GROUP_BY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--group-by: unknown value \"", text,
                     "\"; want one of kind, year, quarter, sector-pair, "
                     "company"));
  }
  return value;
}

std::string HopLabel(const v1::Partnership& partnership) {
  std::vector<std::string> kinds;
  for (int k : partnership.kinds()) {
    kinds.push_back(Lower(v1::PartnershipKind_Name(k)));
  }
  return absl::StrCat("—[", absl::StrJoin(kinds, " + "), ", ",
                      partnership.announced_on(), "]→");
}

std::string Bar(int64_t count, int64_t max, int width) {
  if (count <= 0 || max <= 0) return "";
  static const char* const kEighths[] = {"",
                                         "\xE2\x96\x8F",   // ▏
                                         "\xE2\x96\x8E",   // ▎
                                         "\xE2\x96\x8D",   // ▍
                                         "\xE2\x96\x8C",   // ▌
                                         "\xE2\x96\x8B",   // ▋
                                         "\xE2\x96\x8A",   // ▊
                                         "\xE2\x96\x89"};  // ▉
  int64_t eighths = count * width * 8 / max;
  if (eighths == 0) eighths = 1;  // a non-zero count always shows
  std::string bar;
  for (int64_t i = 0; i < eighths / 8; ++i) bar += "\xE2\x96\x88";  // █
  bar += kEighths[eighths % 8];
  return bar;
}

std::vector<v1::AggregateGroup> WithEmptyPeriods(
    const v1::AggregatePartnershipsRequest& request,
    const v1::AggregatePartnershipsResponse& response) {
  std::vector<v1::AggregateGroup> groups(response.groups().begin(),
                                         response.groups().end());
  int time_at = -1;
  for (int i = 0; i < request.group_by_size(); ++i) {
    const v1::GroupBy by = request.group_by(i);
    if (by == v1::YEAR || by == v1::QUARTER) {
      if (time_at >= 0) return groups;  // two time keys: leave as is
      time_at = i;
    }
  }
  if (time_at < 0 || response.truncated()) return groups;
  const v1::GroupBy by = request.group_by(time_at);
  // The other keys of each group, and the periods seen for them.
  std::map<std::vector<std::string>, std::map<int, int64_t>> series;
  int first = 0, last = 0;
  bool any = false;
  for (const v1::AggregateGroup& g : groups) {
    int index = 0;
    if (time_at >= g.keys_size() || !PeriodIndex(by, g.keys(time_at), &index)) {
      return groups;
    }
    std::vector<std::string> others(g.keys().begin(), g.keys().end());
    others.erase(others.begin() + time_at);
    series[others][index] += g.count();
    first = any ? std::min(first, index) : index;
    last = any ? std::max(last, index) : index;
    any = true;
  }
  if (!any) return groups;
  int from = 0, to = 0;
  if (DatePeriod(by, request.filter().announced_after(), &from)) {
    first = std::min(first, from);
  }
  if (DatePeriod(by, request.filter().announced_before(), &to)) {
    last = std::max(last, to);
  }
  if (last - first >= kMaxPeriods) return groups;
  std::vector<v1::AggregateGroup> filled;
  for (const auto& [others, counts] : series) {
    for (int index = first; index <= last; ++index) {
      v1::AggregateGroup group;
      std::vector<std::string> keys = others;
      keys.insert(keys.begin() + time_at, PeriodKey(by, index));
      for (const std::string& key : keys) group.add_keys(key);
      auto it = counts.find(index);
      group.set_count(it == counts.end() ? 0 : it->second);
      filled.push_back(std::move(group));
    }
  }
  std::stable_sort(
      filled.begin(), filled.end(),
      [](const v1::AggregateGroup& a, const v1::AggregateGroup& b) {
        return std::lexicographical_compare(a.keys().begin(), a.keys().end(),
                                            b.keys().begin(), b.keys().end());
      });
  return filled;
}

std::string FormatNeighborhood(const v1::GetNeighborhoodResponse& response,
                               const Output& output) {
  if (output.format == OutputFormat::kDot) return NeighborhoodDot(response);
  if (output.format == OutputFormat::kName) {
    std::string out;
    for (const auto& node : response.nodes()) {
      absl::StrAppend(&out, node.company().name(), "\n");
    }
    for (const auto& p : response.partnerships()) {
      absl::StrAppend(&out, p.name(), "\n");
    }
    return out;
  }
  if (!output.table()) return Document(response, output);
  std::vector<std::vector<std::string>> rows;
  for (const auto& node : response.nodes()) {
    rows.push_back({std::string(ShortName(node.company().name())),
                    node.company().display_name(),
                    absl::StrCat(node.distance()),
                    absl::StrJoin(node.company().sectors(), ",")});
  }
  TableOptions options;
  options.headers = output.headers;
  if (!output.wide()) {
    options.max_width = output.width;
    options.shrink_tier = {0, 2, 0, 1};
  }
  std::string out = FormatTable({"NAME", "DISPLAY NAME", "DISTANCE", "SECTORS"},
                                rows, options);
  if (response.partnerships_size() > 0) {
    absl::StrAppend(&out, "\n",
                    PartnershipTable(response.partnerships(), output));
  }
  return out;
}

std::string FormatPaths(const v1::FindPathsResponse& response,
                        const Output& output) {
  if (output.format == OutputFormat::kDot) return PathsDot(response);
  if (!output.table()) return Document(response, output);
  std::string out;
  for (int i = 0; i < response.paths_size(); ++i) {
    const v1::Path& path = response.paths(i);
    if (i > 0) out += "\n";
    std::string line = path.from().display_name();
    for (const auto& step : path.steps()) {
      absl::StrAppend(&line, " ", HopLabel(step.partnership()), " ",
                      step.company().display_name());
    }
    absl::StrAppend(&out, line, "\n");
    for (const auto& step : path.steps()) {
      const v1::Partnership& p = step.partnership();
      absl::StrAppend(&out, "  ", ShortName(p.name()), ": ", p.title(), "\n");
      for (const auto& source : p.sources()) {
        std::vector<std::string> about;
        if (!source.publisher().empty()) about.push_back(source.publisher());
        if (!source.published_on().empty()) {
          about.push_back(source.published_on());
        }
        absl::StrAppend(
            &out, "    source: ", source.url(),
            about.empty() ? ""
                          : absl::StrCat(" (", absl::StrJoin(about, ", "), ")"),
            "\n");
      }
    }
  }
  return out;
}

std::string FormatTrend(const v1::AggregatePartnershipsRequest& request,
                        const v1::AggregatePartnershipsResponse& response,
                        const Output& output) {
  if (!output.table()) return Document(response, output);
  std::vector<std::string> header;
  for (int g : request.group_by()) {
    header.push_back(absl::StrReplaceAll(v1::GroupBy_Name(g), {{"_", " "}}));
  }
  header.push_back("COUNT");
  const std::vector<v1::AggregateGroup> groups =
      WithEmptyPeriods(request, response);
  int64_t max = 0;
  size_t digits = 5;  // "COUNT"
  for (const auto& group : groups) {
    max = std::max(max, group.count());
    digits = std::max(digits, absl::StrCat(group.count()).size());
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& group : groups) {
    std::vector<std::string> row;
    for (int i = 0; i < group.keys_size(); ++i) {
      bool company =
          i < request.group_by_size() && request.group_by(i) == v1::COMPANY;
      row.push_back(company ? std::string(ShortName(group.keys(i)))
                            : group.keys(i));
    }
    // Counts right-aligned, so the bars after them start in one column.
    std::string count = absl::StrCat(group.count());
    row.push_back(std::string(digits - count.size(), ' ') + count);
    rows.push_back(std::move(row));
  }
  TableOptions options;
  options.headers = output.headers;
  std::string table = FormatTable(header, rows, options);
  std::string out;
  size_t row = 0;
  for (absl::string_view line :
       absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, line);
    const bool data = !options.headers || row > 0;
    if (data) {
      const v1::AggregateGroup& group = groups[options.headers ? row - 1 : row];
      const std::string bar = Bar(group.count(), max, kBarWidth);
      if (!bar.empty()) absl::StrAppend(&out, "  ", bar);
    }
    absl::StrAppend(&out, "\n");
    ++row;
  }
  return out;
}

std::string NeighborhoodDot(const v1::GetNeighborhoodResponse& response) {
  std::string out = absl::StrCat("graph neighbors {\n", kDotHeader);
  std::set<std::string> companies;
  for (const auto& node : response.nodes()) {
    companies.insert(std::string(ShortName(node.company().name())));
    absl::StrAppend(&out,
                    CompanyNode(node.company(),
                                node.distance() == 0 ? ", penwidth=2" : ""));
  }
  PartnershipEdges(response.partnerships(), &companies, &out);
  absl::StrAppend(&out, "}\n");
  return out;
}

std::string PathsDot(const v1::FindPathsResponse& response) {
  std::string out =
      absl::StrCat("graph paths {\n", kDotHeader, "  rankdir=LR;\n");
  std::set<std::string> companies;
  google::protobuf::RepeatedPtrField<v1::Partnership> hops;
  for (const v1::Path& path : response.paths()) {
    if (companies.insert(std::string(ShortName(path.from().name()))).second) {
      absl::StrAppend(&out, CompanyNode(path.from(), ", penwidth=2"));
    }
    for (const auto& step : path.steps()) {
      if (companies.insert(std::string(ShortName(step.company().name())))
              .second) {
        absl::StrAppend(&out, CompanyNode(step.company(), ""));
      }
      *hops.Add() = step.partnership();
    }
  }
  PartnershipEdges(hops, &companies, &out);
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace partnergraph::client
