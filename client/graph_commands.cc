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
#include "client/cli_flags.h"
#include "client/commands.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

// The filter flags and --as-of, shared by the three commands.
struct FilterFlags {
  PartnershipFilterFields fields;
  AsOfFlag as_of;

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
    as_of.Register(cmd);
  }
};

// Sets `request`'s filter and point in time from `flags`, after checking
// that the filter's company existed then. False after reporting the error
// as `command`'s, before anything is sent when a flag is bad.
template <typename Request>
bool ReadFilterFlags(CliContext& cli, PartnergraphClient& client,
                     const FilterFlags& flags, absl::string_view command,
                     Request* request) {
  absl::StatusOr<v1::PartnershipFilter> built =
      BuildPartnershipFilter(flags.fields);
  if (!built.ok()) return cli.Fail(built.status(), "", "", command);
  absl::StatusOr<AsOf> as_of = flags.as_of.Parse();
  if (!as_of.ok()) return cli.Fail(as_of.status(), "", "", command);
  absl::Status known = CheckFilterCompany(client, flags.fields, *as_of);
  if (!known.ok()) {
    return cli.Fail(known, "company", ShortName(flags.fields.company), command);
  }
  *request->mutable_filter() = *std::move(built);
  SetAsOf(*as_of, request);
  return true;
}

void AddNeighbors(CLI::App& app, CliContext* ctx) {
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
  cmd->footer(CliContext::Footer());
  cmd->callback([ctx, company, depth, max_nodes, filter] {
    PartnergraphClient* client =
        ctx->Connect("neighbors", {OutputFormat::kTable, OutputFormat::kWide,
                                   OutputFormat::kJson, OutputFormat::kYaml,
                                   OutputFormat::kName, OutputFormat::kDot});
    if (client == nullptr) return;
    v1::GetNeighborhoodRequest request;
    if (!ReadFilterFlags(*ctx, *client, *filter, "neighbors", &request)) {
      return;
    }
    request.set_company(CompanyName(*company));
    request.set_depth(*depth);
    request.set_max_nodes(*max_nodes);
    absl::StatusOr<v1::GetNeighborhoodResponse> response =
        client->GetNeighborhood(request);
    if (!response.ok()) {
      return (void)ctx->Fail(response.status(), "company", ShortName(*company),
                             "neighbors");
    }
    std::cout << FormatNeighborhood(*response, ctx->output());
    if (ctx->output().table() && response->truncated()) {
      std::cerr << "Truncated at " << response->nodes_size()
                << " companies; raise --max-nodes or narrow the filter.\n";
    }
  });
}

void AddPath(CLI::App& app, CliContext* ctx) {
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
  cmd->footer(CliContext::Footer());
  cmd->callback([ctx, from, to, max_depth, max_paths, filter] {
    PartnergraphClient* client =
        ctx->Connect("path", {OutputFormat::kTable, OutputFormat::kJson,
                              OutputFormat::kYaml, OutputFormat::kDot});
    if (client == nullptr) return;
    v1::FindPathsRequest request;
    if (!ReadFilterFlags(*ctx, *client, *filter, "path", &request)) return;
    request.set_from(CompanyName(*from));
    request.set_to(CompanyName(*to));
    request.set_max_depth(*max_depth);
    request.set_max_paths(*max_paths);
    absl::StatusOr<v1::FindPathsResponse> response = client->FindPaths(request);
    if (!response.ok()) {
      return (void)ctx->Fail(response.status(), "", "", "path");
    }
    if (ctx->output().table() && response->paths().empty()) {
      std::cerr << "No path from " << ShortName(*from) << " to "
                << ShortName(*to) << " within "
                << (*max_depth == 0 ? 4 : *max_depth) << " hops.\n";
      return;
    }
    std::cout << FormatPaths(*response, ctx->output());
  });
}

void AddTrend(CLI::App& app, CliContext* ctx) {
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
  cmd->footer(CliContext::Footer());
  cmd->callback([ctx, group_by, max_groups, filter] {
    PartnergraphClient* client = ctx->Connect("trend", ReportFormats());
    if (client == nullptr) return;
    v1::AggregatePartnershipsRequest request;
    std::vector<std::string> dims = *group_by;
    if (dims.empty()) dims.push_back("quarter");
    for (const std::string& d : dims) {
      absl::StatusOr<v1::GroupBy> g = ParseGroupBy(d);
      if (!g.ok()) return (void)ctx->Fail(g.status(), "", "", "trend");
      request.add_group_by(*g);
    }
    if (!ReadFilterFlags(*ctx, *client, *filter, "trend", &request)) return;
    request.set_max_groups(*max_groups);
    absl::StatusOr<v1::AggregatePartnershipsResponse> response =
        client->AggregatePartnerships(request);
    if (!response.ok()) {
      return (void)ctx->Fail(response.status(), "", "", "trend");
    }
    std::cout << FormatTrend(request, *response, ctx->output());
    if (ctx->output().table()) {
      std::cerr << response->total() << " partnerships matched"
                << (response->truncated()
                        ? "; more groups than --max-groups, list cut"
                        : "")
                << ".\n";
    }
  });
}

}  // namespace

void AddGraphCommands(CLI::App& app, CliContext& cli) {
  AddNeighbors(app, &cli);
  AddPath(app, &cli);
  AddTrend(app, &cli);
}

}  // namespace partnergraph::client
