#include "client/partnership_commands.h"

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/cli_flags.h"
#include "client/commands.h"
#include "client/company_commands.h"
#include "client/describe.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

// The field flags of `partnership create` and `partnership update`.
struct PartnershipFlags {
  std::string title, summary, status, announced_on, ended_on, disclosure,
      terms_description;
  int64_t value_usd = 0;
  std::vector<std::string> participants, kinds, sources, market_reactions,
      labels;
  CLI::Option *title_opt, *summary_opt, *status_opt, *announced_on_opt,
      *ended_on_opt, *disclosure_opt, *terms_description_opt, *value_usd_opt,
      *participants_opt, *kinds_opt, *sources_opt, *market_reactions_opt,
      *labels_opt;

  void Register(CLI::App* command, bool create) {
    participants_opt =
        command
            ->add_option("--participant", participants,
                         "Company taking part: ID, companies/ID, or either "
                         "with :ROLE (e.g. micron:supplier); repeat for each")
            ->delimiter(',');
    kinds_opt = command
                    ->add_option("--kind", kinds,
                                 "STRATEGIC_ALLIANCE, SUPPLY_AGREEMENT, "
                                 "JOINT_DEVELOPMENT, TECHNOLOGY_INTEGRATION, "
                                 "INVESTMENT, LICENSING, DISTRIBUTION or "
                                 "JOINT_VENTURE (repeatable, comma-separated, "
                                 "any case)")
                    ->delimiter(',');
    announced_on_opt = command->add_option("--announced-on", announced_on,
                                           "Announcement date YYYY-MM-DD");
    title_opt = command->add_option(
        "--title", title,
        create ? "Short headline (default: the participants' ids joined by "
                 "\" & \", as apply does)"
               : "Short headline");
    summary_opt = command->add_option("--summary", summary, "Free text");
    status_opt = command->add_option("--status", status,
                                     "ANNOUNCED (default), ACTIVE or ENDED");
    ended_on_opt =
        command->add_option("--ended-on", ended_on, "End date YYYY-MM-DD");
    disclosure_opt =
        command->add_option("--disclosure", disclosure,
                            "Terms disclosure: DISCLOSED, UNDISCLOSED or "
                            "UNKNOWN");
    value_usd_opt = command->add_option(
        "--value-usd", value_usd,
        "Deal value in whole US dollars (implies --disclosure DISCLOSED)");
    terms_description_opt = command->add_option("--terms", terms_description,
                                                "Free text about the terms");
    sources_opt = command->add_option(
        "--source", sources,
        "Evidence: URL[,title=TEXT][,publisher=TEXT][,published=YYYY-MM-DD]"
        "[,excerpt=TEXT], e.g. \"https://example.com/a,title=Micron jumps 5%,"
        "publisher=Example News,published=2025-11-20\" (repeatable; a value "
        "runs to the next ,KEY=)");
    market_reactions_opt = command->add_option(
        "--market-reaction", market_reactions,
        "TICKER:CHANGE%[@YYYY-MM-DD][/WINDOW][,note=TEXT], e.g. "
        "NASDAQ:MU:+5.58%@2025-11-20/1d (repeatable; WINDOW is 1..3 digits "
        "then h, d, w or m)");
    labels_opt =
        command->add_option("--label", labels, "Label KEY=VALUE (repeatable)");
  }

  PartnershipFields Fields() const {
    PartnershipFields fields;
    SetIfGiven(title_opt, title, &fields.title);
    SetIfGiven(summary_opt, summary, &fields.summary);
    SetListIfGiven(participants_opt, participants, &fields.participants);
    SetListIfGiven(kinds_opt, kinds, &fields.kinds);
    SetIfGiven(status_opt, status, &fields.status);
    SetIfGiven(announced_on_opt, announced_on, &fields.announced_on);
    SetIfGiven(ended_on_opt, ended_on, &fields.ended_on);
    SetIfGiven(disclosure_opt, disclosure, &fields.disclosure);
    SetIfGiven(value_usd_opt, value_usd, &fields.value_usd);
    SetIfGiven(terms_description_opt, terms_description,
               &fields.terms_description);
    SetListIfGiven(sources_opt, sources, &fields.sources);
    SetListIfGiven(market_reactions_opt, market_reactions,
                   &fields.market_reactions);
    SetListIfGiven(labels_opt, labels, &fields.labels);
    return fields;
  }
};

void ReportWrite(CliContext& cli, const absl::StatusOr<v1::Partnership>& result,
                 absl::string_view id, absl::string_view action,
                 absl::string_view done) {
  if (!result.ok()) {
    cli.Fail(result.status(), "partnership", id, action);
    return;
  }
  std::cout << FormatPartnership(*result, cli.output());
  std::cerr << "partnership \"" << ShortName(result->name()) << "\" " << done
            << "\n";
}

// Display names of the participants, for the describe view; empty when the
// lookup fails (the view then shows ids only).
std::map<std::string, std::string> ParticipantNames(
    PartnergraphClient& client, const v1::Partnership& partnership,
    const AsOf& as_of) {
  std::map<std::string, std::string> names;
  v1::BatchGetCompaniesRequest request;
  SetAsOf(as_of, &request);
  for (const v1::Participant& p : partnership.participants()) {
    request.add_names(p.company());
  }
  absl::StatusOr<v1::BatchGetCompaniesResponse> response =
      client.BatchGetCompanies(request);
  if (!response.ok()) return names;
  for (const v1::Company& company : response->companies()) {
    names[company.name()] = company.display_name();
  }
  return names;
}

// `partnership get` and `describe partnership`, the participants' names
// read at the same point in time as the partnership.
void ShowPartnership(CliContext& cli, const std::string& id,
                     absl::string_view command, const AsOfFlag& as_of) {
  PartnergraphClient* client = cli.Connect(command, ResourceFormats());
  if (client == nullptr) return;
  absl::StatusOr<AsOf> when = as_of.Parse();
  if (!when.ok()) {
    cli.Fail(when.status(), "", "", "get");
    return;
  }
  v1::GetPartnershipRequest request;
  request.set_name(PartnershipName(id));
  SetAsOf(*when, &request);
  absl::StatusOr<v1::Partnership> partnership = client->GetPartnership(request);
  if (!partnership.ok()) {
    cli.Fail(partnership.status(), "partnership", ShortName(id), "get");
    return;
  }
  if (cli.format() == OutputFormat::kTable) {
    std::cout << DescribePartnership(
        *partnership, ParticipantNames(*client, *partnership, *when));
    return;
  }
  std::cout << FormatPartnership(*partnership, cli.output());
}

void AddCreate(CLI::App* partnership, CliContext& cli) {
  CLI::App* cmd = partnership->add_subcommand(
      "create",
      "Create a partnership, e.g. partnerctl partnership create "
      "--participant micron --participant anthropic --kind "
      "STRATEGIC_ALLIANCE --announced-on 2025-11-20");
  auto args = std::make_shared<CreatePartnershipArgs>();
  auto flags = std::make_shared<PartnershipFlags>();
  cmd->add_option("ID", args->id,
                  "Partnership id (default: assigned by the server)");
  flags->Register(cmd, /*create=*/true);
  cmd->add_option("--from-file,-f", args->from_file,
                  "YAML or JSON partnership to start from (- for stdin); "
                  "flags override its fields");
  cmd->add_option("--request-id", args->request_id,
                  "Idempotency key: a retry with the same key returns the "
                  "first result");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, args, flags] {
    PartnergraphClient* client =
        cli.Connect("partnership create", ResourceFormats());
    if (client == nullptr) return;
    args->fields = flags->Fields();
    ReportWrite(cli, CreatePartnership(*client, *args), ShortName(args->id),
                "create", "created");
  });
}

void AddList(CLI::App* partnership, CliContext& cli) {
  CLI::App* cmd = partnership->add_subcommand(
      "list", "List partnerships, newest announcement first");
  auto filter = std::make_shared<PartnershipFilterFields>();
  auto page_size = std::make_shared<int>(0);
  auto page_token = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  cmd->add_option("--kind", filter->kinds,
                  "Any of these kinds (repeatable, comma-separated)")
      ->delimiter(',');
  cmd->add_option("--status", filter->statuses,
                  "Any of these statuses (repeatable, comma-separated)")
      ->delimiter(',');
  cmd->add_option("--after", filter->announced_after,
                  "Announced on or after YYYY-MM-DD");
  cmd->add_option("--before", filter->announced_before,
                  "Announced on or before YYYY-MM-DD");
  cmd->add_option("--company", filter->company,
                  "Only partnerships this company takes part in (it must "
                  "exist: an unknown company exits 3)");
  cmd->add_option("--participant-sector", filter->participant_sectors,
                  "Sector prefix matched by a participant; repeat for "
                  "several, each matched by a different participant "
                  "(e.g. semiconductors/memory and ai)")
      ->delimiter(',');
  cmd->add_option("--min-sources", filter->min_sources,
                  "At least this many sources");
  cmd->add_option("--page-size", *page_size,
                  "Partnerships per page (server default 50, at most 1000)");
  cmd->add_option("--page-token", *page_token, "Continue from a previous page");
  cmd->add_flag("--all,-A", *all, "Follow pages until the last one");
  auto as_of = std::make_shared<AsOfFlag>();
  as_of->Register(cmd);
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, filter, page_size, page_token, all, as_of] {
    PartnergraphClient* client =
        cli.Connect("partnership list", ResourceFormats());
    if (client == nullptr) return;
    absl::StatusOr<v1::PartnershipFilter> built =
        BuildPartnershipFilter(*filter);
    if (!built.ok()) {
      cli.Fail(built.status(), "", "", "list");
      return;
    }
    absl::StatusOr<AsOf> when = as_of->Parse();
    if (!when.ok()) {
      cli.Fail(when.status(), "", "", "list");
      return;
    }
    absl::Status company = CheckFilterCompany(*client, *filter, *when);
    if (!company.ok()) {
      cli.Fail(company, "company", ShortName(filter->company), "list");
      return;
    }
    v1::ListPartnershipsRequest request;
    *request.mutable_filter() = *built;
    request.set_page_size(*page_size);
    request.set_page_token(*page_token);
    SetAsOf(*when, &request);
    absl::StatusOr<v1::ListPartnershipsResponse> response =
        *all ? client->ListAllPartnerships(request)
             : client->ListPartnerships(request);
    if (!response.ok()) {
      cli.Fail(response.status(), "", "", "list");
      return;
    }
    if (cli.output().table() && response->partnerships().empty()) {
      std::cerr << "No partnerships found.\n";
    } else {
      std::cout << FormatPartnershipList(*response, cli.output());
    }
    if (cli.output().table()) PrintMoreHint(response->next_page_token());
  });
}

void AddUpdate(CLI::App* partnership, CliContext& cli) {
  CLI::App* cmd = partnership->add_subcommand(
      "update",
      "Change fields of a partnership: only the fields given are written "
      "(repeated flags replace the whole list; an empty value clears it)");
  auto args = std::make_shared<UpdatePartnershipArgs>();
  auto flags = std::make_shared<PartnershipFlags>();
  cmd->add_option("NAME", args->name, "Partnership id or partnerships/ID")
      ->required();
  flags->Register(cmd, /*create=*/false);
  cmd->add_option("--from-file,-f", args->from_file,
                  "YAML or JSON partnership; every field set in it is "
                  "written");
  cmd->add_option("--etag", args->etag,
                  "Only update if the partnership still has this etag");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, args, flags] {
    PartnergraphClient* client =
        cli.Connect("partnership update", ResourceFormats());
    if (client == nullptr) return;
    args->fields = flags->Fields();
    ReportWrite(cli, UpdatePartnership(*client, *args), ShortName(args->name),
                "update", "updated");
  });
}

void AddDelete(CLI::App* partnership, CliContext& cli) {
  CLI::App* cmd = partnership->add_subcommand("delete", "Delete a partnership");
  auto name = std::make_shared<std::string>();
  auto etag = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "Partnership id or partnerships/ID")
      ->required();
  cmd->add_option("--etag", *etag,
                  "Only delete if the partnership still has this etag");
  cmd->add_flag("--force", *force,
                "Accepted for symmetry with company delete; a partnership "
                "has nothing that depends on it");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, name, etag] {
    PartnergraphClient* client = cli.Connect(
        "partnership delete", {OutputFormat::kTable, OutputFormat::kName});
    if (client == nullptr) return;
    v1::DeletePartnershipRequest request;
    request.set_name(PartnershipName(*name));
    request.set_etag(*etag);
    absl::Status status = client->DeletePartnership(request);
    if (!status.ok()) {
      cli.Fail(status, "partnership", ShortName(*name), "delete");
      return;
    }
    if (cli.format() == OutputFormat::kName) {
      std::cout << request.name() << "\n";
    }
    std::cerr << "partnership \"" << ShortName(*name) << "\" deleted\n";
  });
}

}  // namespace

void AddPartnershipCommands(CLI::App& app, CliContext& cli) {
  CLI::App* partnership = app.add_subcommand(
      "partnership", "Create, read, list, update and delete partnerships");
  partnership->alias("partnerships");
  partnership->footer(CliContext::Footer());
  AddCreate(partnership, cli);
  {
    CLI::App* cmd = partnership->add_subcommand(
        "get",
        "Show a partnership with its participants, terms, sources and market "
        "reactions (-o wide: one table row)");
    auto name = std::make_shared<std::string>();
    auto as_of = std::make_shared<AsOfFlag>();
    cmd->add_option("NAME", *name, "Partnership id or partnerships/ID")
        ->required();
    as_of->Register(cmd);
    cmd->footer(CliContext::Footer());
    cmd->callback([&cli, name, as_of] {
      ShowPartnership(cli, *name, "partnership get", *as_of);
    });
  }
  AddList(partnership, cli);
  AddUpdate(partnership, cli);
  AddDelete(partnership, cli);
}

void AddDescribeCommands(CLI::App& app, CliContext& cli) {
  CLI::App* describe = app.add_subcommand(
      "describe",
      "Show one company or partnership in full, for reading: describe "
      "company ID, describe partnership ID");
  describe->footer(CliContext::Footer());
  {
    CLI::App* cmd = describe->add_subcommand(
        "company", "A company's fields and the partnerships it takes part in");
    cmd->alias("companies");
    auto id = std::make_shared<std::string>();
    auto as_of = std::make_shared<AsOfFlag>();
    cmd->add_option("NAME", *id, "Company id or companies/ID")->required();
    as_of->Register(cmd);
    cmd->footer(CliContext::Footer());
    cmd->callback(
        [&cli, id, as_of] { DescribeCompanyCommand(cli, *id, *as_of); });
  }
  {
    CLI::App* cmd = describe->add_subcommand(
        "partnership",
        "A partnership's participants with roles, terms, sources, market "
        "reactions, revisions and times");
    cmd->alias("partnerships");
    auto id = std::make_shared<std::string>();
    auto as_of = std::make_shared<AsOfFlag>();
    cmd->add_option("NAME", *id, "Partnership id or partnerships/ID")
        ->required();
    as_of->Register(cmd);
    cmd->footer(CliContext::Footer());
    cmd->callback([&cli, id, as_of] {
      ShowPartnership(cli, *id, "describe partnership", *as_of);
    });
  }
}

}  // namespace partnergraph::client
