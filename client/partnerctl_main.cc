// partnerctl: the command-line client of partnergraph.
//
// This file only declares the command line and prints; the work is in the
// partnergraph_client library (commands.h, apply.h, output.h, errors.h).

#include <cstdint>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/admin_commands.h"
#include "client/apply.h"
#include "client/client.h"
#include "client/commands.h"
#include "client/errors.h"
#include "client/graph_commands.h"
#include "client/output.h"
#include "client/requests.h"
#include "client/transport.h"

namespace partnergraph::client {
namespace {

struct GlobalFlags {
  std::string server = kDefaultServer;
  std::string timeout = "5s";
  std::string output = "table";
  TransportOptions transport;
};

// State shared by every command handler.
struct Cli {
  GlobalFlags flags;
  OutputFormat format = OutputFormat::kTable;
  ClientOptions options;
  std::unique_ptr<PartnergraphClient> client;
  int exit_code = kExitOk;

  // Resolves the global flags; false (with exit_code set) when one is bad.
  bool Connect() {
    absl::StatusOr<OutputFormat> format_or = ParseOutputFormat(flags.output);
    if (!format_or.ok()) return Fail(format_or.status());
    format = *format_or;
    absl::StatusOr<absl::Duration> timeout_or =
        ParseTimeout("--timeout", flags.timeout);
    if (!timeout_or.ok()) return Fail(timeout_or.status());
    options.server = flags.server;
    options.timeout = *timeout_or;
    absl::StatusOr<Transport> transport_or = MakeTransport(flags.transport);
    if (!transport_or.ok()) return Fail(transport_or.status());
    options.transport = *std::move(transport_or);
    client = std::make_unique<PartnergraphClient>(options);
    return true;
  }

  // Prints the error and records its exit code. Returns false.
  bool Fail(const absl::Status& status, absl::string_view kind = "",
            absl::string_view id = "", absl::string_view action = "") {
    ErrorContext context;
    context.kind = std::string(kind);
    context.id = std::string(id);
    context.action = std::string(action);
    context.server = options.server.empty() ? flags.server : options.server;
    context.timeout = options.timeout;
    std::cerr << "Error: " << DescribeError(status, context) << "\n";
    exit_code = ExitCodeFor(status);
    return false;
  }

  // Reports a create or update: the resource on stdout and what happened on
  // stderr, or the error (named after `id`, the id the command was given).
  template <typename Resource>
  void ReportWrite(const absl::StatusOr<Resource>& result,
                   std::string (*format_resource)(const Resource&,
                                                  OutputFormat),
                   absl::string_view kind, absl::string_view id,
                   absl::string_view action, absl::string_view done) {
    if (!result.ok()) {
      Fail(result.status(), kind, id, action);
      return;
    }
    std::cout << format_resource(*result, format);
    std::cerr << kind << " \"" << ShortName(result->name()) << "\" " << done
              << "\n";
  }
};

// Values of repeated flags: the empty string alone means "clear the list".
std::vector<std::string> NonEmpty(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    if (!value.empty()) out.push_back(value);
  }
  return out;
}

template <typename T>
void SetIfGiven(const CLI::Option* option, const T& value,
                std::optional<T>* out) {
  if (option->count() > 0) *out = value;
}

void SetListIfGiven(const CLI::Option* option,
                    const std::vector<std::string>& values,
                    std::optional<std::vector<std::string>>* out) {
  if (option->count() > 0) *out = NonEmpty(values);
}

// The field flags of `company create` and `company update`.
struct CompanyFlags {
  std::string display_name, legal_name, country, website, description;
  std::vector<std::string> aliases, tickers, sectors, labels;
  CLI::Option *display_name_opt, *legal_name_opt, *country_opt, *website_opt,
      *description_opt, *aliases_opt, *tickers_opt, *sectors_opt, *labels_opt;

  void Register(CLI::App* command) {
    display_name_opt = command->add_option("--display-name", display_name,
                                           "Name people use, e.g. \"Micron "
                                           "Technology\"");
    legal_name_opt =
        command->add_option("--legal-name", legal_name, "Registered name");
    aliases_opt = command->add_option(
        "--alias", aliases, "Another name (repeat the flag for several)");
    tickers_opt = command
                      ->add_option("--ticker", tickers,
                                   "Listing EXCHANGE:SYMBOL, e.g. NASDAQ:MU "
                                   "(repeatable, or comma-separated)")
                      ->delimiter(',');
    sectors_opt = command
                      ->add_option("--sector", sectors,
                                   "Sector path, e.g. semiconductors/memory "
                                   "(repeatable, or comma-separated)")
                      ->delimiter(',');
    country_opt = command->add_option("--country", country,
                                      "ISO 3166-1 alpha-2 code, e.g. US");
    website_opt = command->add_option("--website", website, "Home page URL");
    description_opt =
        command->add_option("--description", description, "Free text");
    labels_opt =
        command->add_option("--label", labels, "Label KEY=VALUE (repeatable)");
  }

  CompanyFields Fields() const {
    CompanyFields fields;
    SetIfGiven(display_name_opt, display_name, &fields.display_name);
    SetIfGiven(legal_name_opt, legal_name, &fields.legal_name);
    SetListIfGiven(aliases_opt, aliases, &fields.aliases);
    SetListIfGiven(tickers_opt, tickers, &fields.tickers);
    SetListIfGiven(sectors_opt, sectors, &fields.sectors);
    SetIfGiven(country_opt, country, &fields.country);
    SetIfGiven(website_opt, website, &fields.website);
    SetIfGiven(description_opt, description, &fields.description);
    SetListIfGiven(labels_opt, labels, &fields.labels);
    return fields;
  }
};

// The field flags of `partnership create` and `partnership update`.
struct PartnershipFlags {
  std::string title, summary, status, announced_on, ended_on, disclosure,
      terms_description;
  int64_t value_usd = 0;
  std::vector<std::string> participants, kinds, sources, labels;
  CLI::Option *title_opt, *summary_opt, *status_opt, *announced_on_opt,
      *ended_on_opt, *disclosure_opt, *terms_description_opt, *value_usd_opt,
      *participants_opt, *kinds_opt, *sources_opt, *labels_opt;

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
                 "\" & \")"
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
    sources_opt =
        command->add_option("--source", sources, "Evidence URL (repeatable)");
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
    SetListIfGiven(sources_opt, sources, &fields.source_urls);
    SetListIfGiven(labels_opt, labels, &fields.labels);
    return fields;
  }
};

void PrintMoreHint(const std::string& next_page_token) {
  if (next_page_token.empty()) return;
  std::cerr << "More results: repeat with --page-token=" << next_page_token
            << " (or --all)\n";
}

constexpr char kDescription[] =
    "partnerctl: command-line client of partnergraph, the knowledge graph of "
    "companies and partnerships.\n\n"
    "Data goes to standard output, messages to standard error. Where a "
    "resource name is expected, a bare id works too (micron = "
    "companies/micron).";

// Footer of every command's --help.
const std::string& CommandFooter() {
  static const auto* footer = new std::string(absl::StrCat(
      "Global options, before or after the command: -s/--server HOST:PORT "
      "(or $PARTNERGRAPH_SERVER), --timeout DURATION, -o/--output "
      "table|json|yaml.\n\n",
      kExitCodesHelp));
  return *footer;
}

constexpr char kEnvironmentHelp[] =
    "Environment:\n"
    "  PARTNERGRAPH_SERVER  server address when --server is not given "
    "(default localhost:50051)\n"
    "  PARTNERGRAPH_TOKEN_FILE  token file when --token-file is not given\n";

void AddCompanyCommands(CLI::App& app, Cli& cli) {
  CLI::App* company =
      app.add_subcommand("company",
                         "Create, read, list, search, update and "
                         "delete companies");
  company->require_subcommand(1);
  company->alias("companies");
  company->footer(CommandFooter());

  // company create
  {
    CLI::App* cmd = company->add_subcommand("create", "Create a company");
    auto args = std::make_shared<CreateCompanyArgs>();
    auto flags = std::make_shared<CompanyFlags>();
    cmd->add_option("ID", args->id,
                    "Company id, e.g. micron (default: derived from the "
                    "display name)");
    flags->Register(cmd);
    cmd->add_option("--from-file,-f", args->from_file,
                    "YAML or JSON company to start from (- for stdin); "
                    "flags override its fields");
    cmd->add_option("--request-id", args->request_id,
                    "Idempotency key: a retry with the same key returns the "
                    "first result");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, args, flags] {
      if (!cli.Connect()) return;
      args->fields = flags->Fields();
      cli.ReportWrite(CreateCompany(*cli.client, *args), &FormatCompany,
                      "company", ShortName(args->id), "create", "created");
    });
  }
  // company get
  {
    CLI::App* cmd = company->add_subcommand("get", "Show a company");
    auto name = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "Company id or companies/ID")->required();
    cmd->footer(CommandFooter());
    cmd->callback([&cli, name] {
      if (!cli.Connect()) return;
      absl::StatusOr<v1::Company> company =
          cli.client->GetCompany(CompanyName(*name));
      if (!company.ok()) {
        cli.Fail(company.status(), "company", ShortName(*name), "get");
        return;
      }
      std::cout << FormatCompany(*company, cli.format);
    });
  }
  // company list
  {
    CLI::App* cmd =
        company->add_subcommand("list", "List companies in id order");
    auto request = std::make_shared<v1::ListCompaniesRequest>();
    auto all = std::make_shared<bool>(false);
    auto sector = std::make_shared<std::string>();
    auto country = std::make_shared<std::string>();
    auto label = std::make_shared<std::string>();
    auto page_size = std::make_shared<int>(0);
    auto page_token = std::make_shared<std::string>();
    cmd->add_option("--sector", *sector,
                    "Only companies with a sector under this prefix, e.g. ai");
    cmd->add_option("--country", *country, "Only companies of this country");
    cmd->add_option("--label", *label,
                    "Only companies with this label: KEY or KEY=VALUE");
    cmd->add_option("--page-size", *page_size,
                    "Companies per page (server default 50, at most 1000)");
    cmd->add_option("--page-token", *page_token,
                    "Continue from a previous page");
    cmd->add_flag("--all,-A", *all, "Follow pages until the last one");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, request, all, sector, country, label, page_size,
                   page_token] {
      if (!cli.Connect()) return;
      request->set_sector(*sector);
      request->set_country(*country);
      request->set_label(*label);
      request->set_page_size(*page_size);
      request->set_page_token(*page_token);
      absl::StatusOr<v1::ListCompaniesResponse> response =
          *all ? cli.client->ListAllCompanies(*request)
               : cli.client->ListCompanies(*request);
      if (!response.ok()) {
        cli.Fail(response.status(), "", "", "list");
        return;
      }
      if (cli.format == OutputFormat::kTable && response->companies().empty()) {
        std::cerr << "No companies found.\n";
      } else {
        std::cout << FormatCompanyList(*response, cli.format);
      }
      if (cli.format == OutputFormat::kTable) {
        PrintMoreHint(response->next_page_token());
      }
    });
  }
  // company search
  {
    CLI::App* cmd = company->add_subcommand(
        "search", "Find companies by name, alias or ticker (best match first)");
    auto words = std::make_shared<std::vector<std::string>>();
    auto page_size = std::make_shared<int>(0);
    cmd->add_option("QUERY", *words,
                    "Text to match; several words are joined with spaces")
        ->required();
    cmd->add_option("--page-size,--limit", *page_size,
                    "Most results (server default 20, at most 100)");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, words, page_size] {
      if (!cli.Connect()) return;
      v1::SearchCompaniesRequest request;
      request.set_query(absl::StrJoin(*words, " "));
      request.set_page_size(*page_size);
      absl::StatusOr<v1::SearchCompaniesResponse> response =
          cli.client->SearchCompanies(request);
      if (!response.ok()) {
        cli.Fail(response.status(), "", "", "search");
        return;
      }
      if (cli.format == OutputFormat::kTable && response->results().empty()) {
        std::cerr << "No companies match \"" << request.query() << "\".\n";
        return;
      }
      std::cout << FormatSearch(*response, cli.format);
    });
  }
  // company update
  {
    CLI::App* cmd = company->add_subcommand(
        "update",
        "Change fields of a company: only the fields given are written "
        "(repeated flags replace the whole list; an empty value clears it)");
    auto args = std::make_shared<UpdateCompanyArgs>();
    auto flags = std::make_shared<CompanyFlags>();
    cmd->add_option("NAME", args->name, "Company id or companies/ID")
        ->required();
    flags->Register(cmd);
    cmd->add_option("--from-file,-f", args->from_file,
                    "YAML or JSON company; every field set in it is written");
    cmd->add_option("--etag", args->etag,
                    "Only update if the company still has this etag");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, args, flags] {
      if (!cli.Connect()) return;
      args->fields = flags->Fields();
      cli.ReportWrite(UpdateCompany(*cli.client, *args), &FormatCompany,
                      "company", ShortName(args->name), "update", "updated");
    });
  }
  // company delete
  {
    CLI::App* cmd = company->add_subcommand("delete", "Delete a company");
    auto name = std::make_shared<std::string>();
    auto etag = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    cmd->add_option("NAME", *name, "Company id or companies/ID")->required();
    cmd->add_option("--etag", *etag,
                    "Only delete if the company still has this etag");
    cmd->add_flag("--force", *force,
                  "Also delete every partnership the company takes part in");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, name, etag, force] {
      if (!cli.Connect()) return;
      v1::DeleteCompanyRequest request;
      request.set_name(CompanyName(*name));
      request.set_etag(*etag);
      request.set_force(*force);
      absl::Status status = cli.client->DeleteCompany(request);
      if (!status.ok()) {
        cli.Fail(status, "company", ShortName(*name), "delete");
        return;
      }
      std::cerr << "company \"" << ShortName(*name) << "\" deleted\n";
    });
  }
}

void AddPartnershipCommands(CLI::App& app, Cli& cli) {
  CLI::App* partnership = app.add_subcommand(
      "partnership", "Create, read, list, update and delete partnerships");
  partnership->require_subcommand(1);
  partnership->alias("partnerships");
  partnership->footer(CommandFooter());

  // partnership create
  {
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
    cmd->footer(CommandFooter());
    cmd->callback([&cli, args, flags] {
      if (!cli.Connect()) return;
      args->fields = flags->Fields();
      cli.ReportWrite(CreatePartnership(*cli.client, *args), &FormatPartnership,
                      "partnership", ShortName(args->id), "create", "created");
    });
  }
  // partnership get
  {
    CLI::App* cmd = partnership->add_subcommand("get", "Show a partnership");
    auto name = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "Partnership id or partnerships/ID")
        ->required();
    cmd->footer(CommandFooter());
    cmd->callback([&cli, name] {
      if (!cli.Connect()) return;
      absl::StatusOr<v1::Partnership> partnership =
          cli.client->GetPartnership(PartnershipName(*name));
      if (!partnership.ok()) {
        cli.Fail(partnership.status(), "partnership", ShortName(*name), "get");
        return;
      }
      std::cout << FormatPartnership(*partnership, cli.format);
    });
  }
  // partnership list
  {
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
                    "Only partnerships this company takes part in");
    cmd->add_option("--participant-sector", filter->participant_sectors,
                    "Sector prefix matched by a participant; repeat for "
                    "several, each matched by a different participant "
                    "(e.g. semiconductors/memory and ai)")
        ->delimiter(',');
    cmd->add_option("--min-sources", filter->min_sources,
                    "At least this many sources");
    cmd->add_option("--page-size", *page_size,
                    "Partnerships per page (server default 50, at most 1000)");
    cmd->add_option("--page-token", *page_token,
                    "Continue from a previous page");
    cmd->add_flag("--all,-A", *all, "Follow pages until the last one");
    cmd->footer(CommandFooter());
    cmd->callback([&cli, filter, page_size, page_token, all] {
      if (!cli.Connect()) return;
      absl::StatusOr<v1::PartnershipFilter> built =
          BuildPartnershipFilter(*filter);
      if (!built.ok()) {
        cli.Fail(built.status(), "", "", "list");
        return;
      }
      v1::ListPartnershipsRequest request;
      *request.mutable_filter() = *built;
      request.set_page_size(*page_size);
      request.set_page_token(*page_token);
      absl::StatusOr<v1::ListPartnershipsResponse> response =
          *all ? cli.client->ListAllPartnerships(request)
               : cli.client->ListPartnerships(request);
      if (!response.ok()) {
        cli.Fail(response.status(), "", "", "list");
        return;
      }
      if (cli.format == OutputFormat::kTable &&
          response->partnerships().empty()) {
        std::cerr << "No partnerships found.\n";
      } else {
        std::cout << FormatPartnershipList(*response, cli.format);
      }
      if (cli.format == OutputFormat::kTable) {
        PrintMoreHint(response->next_page_token());
      }
    });
  }
  // partnership update
  {
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
    cmd->footer(CommandFooter());
    cmd->callback([&cli, args, flags] {
      if (!cli.Connect()) return;
      args->fields = flags->Fields();
      cli.ReportWrite(UpdatePartnership(*cli.client, *args), &FormatPartnership,
                      "partnership", ShortName(args->name), "update",
                      "updated");
    });
  }
  // partnership delete
  {
    CLI::App* cmd =
        partnership->add_subcommand("delete", "Delete a partnership");
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
    cmd->footer(CommandFooter());
    cmd->callback([&cli, name, etag] {
      if (!cli.Connect()) return;
      v1::DeletePartnershipRequest request;
      request.set_name(PartnershipName(*name));
      request.set_etag(*etag);
      absl::Status status = cli.client->DeletePartnership(request);
      if (!status.ok()) {
        cli.Fail(status, "partnership", ShortName(*name), "delete");
        return;
      }
      std::cerr << "partnership \"" << ShortName(*name) << "\" deleted\n";
    });
  }
}

// partnerctl token new|hash: make the server's token-file line. Needs no
// server.
void AddTokenCommands(CLI::App& app, Cli& cli) {
  CLI::App* token = app.add_subcommand(
      "token", "Make bearer tokens and the server's token-file lines");
  token->require_subcommand(1);
  struct Args {
    std::string role;
    std::string name;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* make = token->add_subcommand(
      "new",
      "Write a new random token to --out (mode 0600) and print its "
      "token-file line for the server");
  make->add_option("--role", args->role, "reader, writer or admin")->required();
  make->add_option("--name", args->name, "Name of the holder (for logs)")
      ->required();
  make->add_option("--out", args->out, "File to write the raw token to")
      ->required();
  make->callback([&cli, args] {
    absl::StatusOr<std::string> raw = NewToken();
    if (!raw.ok()) return (void)cli.Fail(raw.status());
    absl::StatusOr<std::string> line =
        TokenFileLine(*raw, args->role, args->name);
    if (!line.ok()) return (void)cli.Fail(line.status());
    absl::Status written = WriteSecretFile(args->out, *raw + "\n");
    if (!written.ok()) return (void)cli.Fail(written);
    std::cout << *line << "\n";
  });
  CLI::App* hash = token->add_subcommand(
      "hash",
      "Read a raw token on stdin and print its token-file line for the "
      "server");
  hash->add_option("--role", args->role, "reader, writer or admin")->required();
  hash->add_option("--name", args->name, "Name of the holder (for logs)")
      ->required();
  hash->callback([&cli, args] {
    std::string raw((std::istreambuf_iterator<char>(std::cin)),
                    std::istreambuf_iterator<char>());
    absl::StatusOr<std::string> line =
        TokenFileLine(raw, args->role, args->name);
    if (!line.ok()) return (void)cli.Fail(line.status());
    std::cout << *line << "\n";
  });
}

void AddApplyCommand(CLI::App& app, Cli& cli) {
  CLI::App* cmd = app.add_subcommand(
      "apply",
      "Create or update the companies and partnerships of a YAML or JSON "
      "file so the store matches it; records already equal are left alone, "
      "so applying a file twice changes nothing the second time");
  auto file = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename,--file", *file,
                  "YAML or JSON file (- for stdin) with top-level lists "
                  "`companies` and `partnerships` in the protobuf JSON "
                  "mapping; every partnership needs a name")
      ->required();
  cmd->add_flag("--dry-run", *dry_run,
                "Report what would change without writing");
  cmd->footer(absl::StrCat(
      "Each record prints \"NAME created|updated|unchanged\" on stderr.\n"
      "Example file:\n"
      "  companies:\n"
      "    - name: micron\n"
      "      displayName: Micron Technology\n"
      "      tickers: [NASDAQ:MU]\n"
      "  partnerships:\n"
      "    - name: micron-anthropic-2025\n"
      "      title: Micron and Anthropic strategic partnership\n"
      "      participants: [{company: micron}, {company: anthropic}]\n"
      "      kinds: [STRATEGIC_ALLIANCE]\n"
      "      announcedOn: \"2025-11-20\"\n\n",
      CommandFooter()));
  cmd->callback([&cli, file, dry_run] {
    if (!cli.Connect()) return;
    absl::StatusOr<ApplySpec> spec = ReadApplyFile(*file);
    if (!spec.ok()) {
      cli.Fail(spec.status(), "", "", "apply");
      return;
    }
    ApplyOptions options;
    options.dry_run = *dry_run;
    absl::Status status =
        Apply(*cli.client, *spec, options, [&](const ApplyResult& result) {
          std::cerr << result.name << " " << ApplyActionName(result.action)
                    << (options.dry_run ? " (dry run)" : "") << "\n";
        });
    if (!status.ok()) cli.Fail(status, "", "", "apply");
  });
}

int Run(int argc, char** argv) {
  Cli cli;
  CLI::App app(kDescription, "partnerctl");
  app.footer(absl::StrCat(kEnvironmentHelp, "\n", kExitCodesHelp));
  app.require_subcommand(1);
  // Global flags may also come after the subcommand.
  app.fallthrough();
  app.add_option("--server,-s", cli.flags.server, "Server address HOST:PORT")
      ->envname(kServerEnvVar)
      ->capture_default_str();
  app.add_option("--timeout", cli.flags.timeout,
                 "Deadline of each call, e.g. 5s, 500ms, 1m")
      ->capture_default_str()
      ->check(
          [](const std::string& text) -> std::string {
            absl::StatusOr<absl::Duration> duration =
                ParseTimeout("--timeout", text);
            return duration.ok() ? std::string()
                                 : std::string(duration.status().message());
          },
          "DURATION");
  app.add_option("--token-file", cli.flags.transport.token_file,
                 "File holding the raw bearer token sent with every call")
      ->envname(kTokenFileEnvVar);
  app.add_flag("--tls", cli.flags.transport.tls,
               "Use TLS, trusting the system's root CAs unless --tls-ca");
  app.add_option("--tls-ca", cli.flags.transport.tls_ca,
                 "PEM CA bundle trusted for the server's certificate "
                 "(implies TLS)");
  app.add_option("--tls-cert", cli.flags.transport.tls_cert,
                 "PEM client certificate for mutual TLS (implies TLS)");
  app.add_option("--tls-key", cli.flags.transport.tls_key,
                 "PEM key of --tls-cert");
  app.add_flag("--plaintext", cli.flags.transport.plaintext,
               "No TLS (the default when no TLS flag is given)");
  app.add_option("-o,--output", cli.flags.output,
                 "Output format: table, json (protobuf JSON mapping) or yaml")
      ->capture_default_str()
      ->check(
          CLI::IsMember({"table", "json", "yaml", "yml"}, CLI::ignore_case));

  AddCompanyCommands(app, cli);
  AddPartnershipCommands(app, cli);
  AddApplyCommand(app, cli);
  AddTokenCommands(app, cli);
  AddAdminCommands(
      app, {[&cli] { return cli.Connect() ? cli.client.get() : nullptr; },
            [&cli](const absl::Status& s) { cli.Fail(s); },
            [&cli] { return cli.format == OutputFormat::kJson; }});
  AddGraphCommands(
      app, {[&cli] { return cli.Connect() ? cli.client.get() : nullptr; },
            [&cli](const absl::Status& s, absl::string_view id,
                   absl::string_view action) {
              cli.Fail(s, id.empty() ? "" : "company", id, action);
            },
            [&cli] { return cli.format; }, CommandFooter()});

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help
    }
    std::cerr << "Error: " << e.what() << "\n"
              << "Run 'partnerctl --help' (or --help after any command) for "
                 "usage.\n";
    return kExitUsage;
  }
  return cli.exit_code;
}

}  // namespace
}  // namespace partnergraph::client

int main(int argc, char** argv) {
  return partnergraph::client::Run(argc, argv);
}
