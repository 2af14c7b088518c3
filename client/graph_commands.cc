#include "client/graph_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

// Filter flags shared by the three commands.
struct FilterFlags {
  PartnershipFilterFields fields;

  void Register(CLI::App* cmd) {
    cmd->add_option("--kind", fields.kinds,
                    "Follow/count only these kinds (repeatable, "
                    "comma-separated)")
        ->delimiter(',');
    cmd->add_option("--status", fields.statuses,
                    "Only these statuses (repeatable, comma-separated)")
        ->delimiter(',');
    cmd->add_option("--after", fields.announced_after,
                    "Announced on or after YYYY-MM-DD");
    cmd->add_option("--before", fields.announced_before,
                    "Announced on or before YYYY-MM-DD");
    cmd->add_option("--company", fields.company,
                    "Only partnerships this company takes part in");
    cmd->add_option("--sectors,--participant-sector",
                    fields.participant_sectors,
                    "Sector prefixes, each matched by a different "
                    "participant, e.g. semiconductors/memory,ai")
        ->delimiter(',');
    cmd->add_option("--min-sources", fields.min_sources,
                    "At least this many sources");
  }
};

std::string Lower(absl::string_view enum_name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(enum_name), {{"_", " "}});
}

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

std::string FormatNeighborhood(const v1::GetNeighborhoodResponse& response,
                               OutputFormat format) {
  if (format == OutputFormat::kJson) return ToJson(response);
  if (format == OutputFormat::kYaml) return ToYaml(response);
  std::vector<std::vector<std::string>> rows;
  for (const auto& node : response.nodes()) {
    rows.push_back({std::string(ShortName(node.company().name())),
                    node.company().display_name(),
                    absl::StrCat(node.distance()),
                    absl::StrJoin(node.company().sectors(), ",")});
  }
  std::string out =
      FormatTable({"NAME", "DISPLAY NAME", "DISTANCE", "SECTORS"}, rows);
  if (response.partnerships_size() > 0) {
    absl::StrAppend(&out, "\n", PartnershipTable(response.partnerships()));
  }
  return out;
}

std::string FormatPaths(const v1::FindPathsResponse& response,
                        OutputFormat format) {
  if (format == OutputFormat::kJson) return ToJson(response);
  if (format == OutputFormat::kYaml) return ToYaml(response);
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
                        OutputFormat format) {
  if (format == OutputFormat::kJson) return ToJson(response);
  if (format == OutputFormat::kYaml) return ToYaml(response);
  std::vector<std::string> header;
  for (int g : request.group_by()) {
    header.push_back(absl::StrReplaceAll(v1::GroupBy_Name(g), {{"_", " "}}));
  }
  header.push_back("COUNT");
  std::vector<std::vector<std::string>> rows;
  for (const auto& group : response.groups()) {
    std::vector<std::string> row;
    for (int i = 0; i < group.keys_size(); ++i) {
      bool company =
          i < request.group_by_size() && request.group_by(i) == v1::COMPANY;
      row.push_back(company ? std::string(ShortName(group.keys(i)))
                            : group.keys(i));
    }
    row.push_back(absl::StrCat(group.count()));
    rows.push_back(std::move(row));
  }
  return FormatTable(header, rows);
}

void AddGraphCommands(CLI::App& app, GraphCommandContext context) {
  auto ctx = std::make_shared<GraphCommandContext>(std::move(context));

  // neighbors
  {
    CLI::App* cmd = app.add_subcommand(
        "neighbors",
        "Companies within --depth partnership hops of a company, nearest "
        "first, and the partnerships among them");
    cmd->alias("neighborhood");
    auto company = std::make_shared<std::string>();
    auto depth = std::make_shared<int>(0);
    auto max_nodes = std::make_shared<int>(0);
    auto filter = std::make_shared<FilterFlags>();
    cmd->add_option("COMPANY", *company, "Company id or companies/ID")
        ->required();
    cmd->add_option("--depth", *depth, "Hops, 1..4 (default 1)");
    cmd->add_option("--max-nodes", *max_nodes,
                    "Most companies returned, 1..10000 (default 1000)");
    filter->Register(cmd);
    cmd->footer(ctx->footer);
    cmd->callback([ctx, company, depth, max_nodes, filter] {
      PartnergraphClient* client = ctx->connect();
      if (client == nullptr) return;
      absl::StatusOr<v1::PartnershipFilter> built =
          BuildPartnershipFilter(filter->fields);
      if (!built.ok()) return ctx->fail(built.status(), "", "neighbors");
      v1::GetNeighborhoodRequest request;
      request.set_company(CompanyName(*company));
      request.set_depth(*depth);
      request.set_max_nodes(*max_nodes);
      *request.mutable_filter() = *built;
      absl::StatusOr<v1::GetNeighborhoodResponse> response =
          client->GetNeighborhood(request);
      if (!response.ok()) {
        return ctx->fail(response.status(), ShortName(*company), "neighbors");
      }
      std::cout << FormatNeighborhood(*response, ctx->format());
      if (ctx->format() == OutputFormat::kTable && response->truncated()) {
        std::cerr << "Truncated at " << response->nodes_size()
                  << " companies; raise --max-nodes or narrow the filter.\n";
      }
    });
  }
  // path
  {
    CLI::App* cmd = app.add_subcommand(
        "path",
        "Shortest partnership paths between two companies, with evidence");
    cmd->alias("paths");
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    auto max_depth = std::make_shared<int>(0);
    auto max_paths = std::make_shared<int>(0);
    auto filter = std::make_shared<FilterFlags>();
    cmd->add_option("FROM", *from, "Company id or companies/ID")->required();
    cmd->add_option("TO", *to, "Company id or companies/ID")->required();
    cmd->add_option("--max-depth", *max_depth, "Most hops, 1..6 (default 4)");
    cmd->add_option("--max-paths", *max_paths, "Most paths, 1..20 (default 5)");
    filter->Register(cmd);
    cmd->footer(ctx->footer);
    cmd->callback([ctx, from, to, max_depth, max_paths, filter] {
      PartnergraphClient* client = ctx->connect();
      if (client == nullptr) return;
      absl::StatusOr<v1::PartnershipFilter> built =
          BuildPartnershipFilter(filter->fields);
      if (!built.ok()) return ctx->fail(built.status(), "", "path");
      v1::FindPathsRequest request;
      request.set_from(CompanyName(*from));
      request.set_to(CompanyName(*to));
      request.set_max_depth(*max_depth);
      request.set_max_paths(*max_paths);
      *request.mutable_filter() = *built;
      absl::StatusOr<v1::FindPathsResponse> response =
          client->FindPaths(request);
      if (!response.ok()) return ctx->fail(response.status(), "", "path");
      if (ctx->format() == OutputFormat::kTable && response->paths().empty()) {
        std::cerr << "No path from " << ShortName(*from) << " to "
                  << ShortName(*to) << " within "
                  << (*max_depth == 0 ? 4 : *max_depth) << " hops.\n";
        return;
      }
      std::cout << FormatPaths(*response, ctx->format());
    });
  }
  // trend
  {
    CLI::App* cmd = app.add_subcommand(
        "trend",
        "Count partnerships per group, e.g. memory makers x AI labs per "
        "quarter: partnerctl trend --group-by quarter --sectors "
        "semiconductors/memory,ai");
    cmd->alias("aggregate");
    auto group_by = std::make_shared<std::vector<std::string>>();
    auto max_groups = std::make_shared<int>(0);
    auto filter = std::make_shared<FilterFlags>();
    cmd->add_option("--group-by,-g", *group_by,
                    "1..3 of kind, year, quarter, sector-pair, company "
                    "(comma-separated; default quarter)")
        ->delimiter(',');
    cmd->add_option("--max-groups", *max_groups,
                    "Most groups, 1..10000 (default 1000)");
    filter->Register(cmd);
    cmd->footer(ctx->footer);
    cmd->callback([ctx, group_by, max_groups, filter] {
      PartnergraphClient* client = ctx->connect();
      if (client == nullptr) return;
      v1::AggregatePartnershipsRequest request;
      std::vector<std::string> dims = *group_by;
      if (dims.empty()) dims.push_back("quarter");
      for (const std::string& d : dims) {
        absl::StatusOr<v1::GroupBy> g = ParseGroupBy(d);
        if (!g.ok()) return ctx->fail(g.status(), "", "trend");
        request.add_group_by(*g);
      }
      absl::StatusOr<v1::PartnershipFilter> built =
          BuildPartnershipFilter(filter->fields);
      if (!built.ok()) return ctx->fail(built.status(), "", "trend");
      *request.mutable_filter() = *built;
      request.set_max_groups(*max_groups);
      absl::StatusOr<v1::AggregatePartnershipsResponse> response =
          client->AggregatePartnerships(request);
      if (!response.ok()) return ctx->fail(response.status(), "", "trend");
      std::cout << FormatTrend(request, *response, ctx->format());
      if (ctx->format() == OutputFormat::kTable) {
        std::cerr << response->total() << " partnerships matched"
                  << (response->truncated()
                          ? "; more groups than --max-groups, list cut"
                          : "")
                  << ".\n";
      }
    });
  }
}

}  // namespace partnergraph::client
