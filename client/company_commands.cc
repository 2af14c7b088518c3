#include "client/company_commands.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "client/cli_flags.h"
#include "client/commands.h"
#include "client/describe.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

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

// Prints a created or updated company: the resource on stdout, what
// happened on stderr.
void ReportWrite(CliContext& cli, const absl::StatusOr<v1::Company>& result,
                 absl::string_view id, absl::string_view action,
                 absl::string_view done) {
  if (!result.ok()) {
    cli.Fail(result.status(), "company", id, action);
    return;
  }
  std::cout << FormatCompany(*result, cli.output());
  std::cerr << "company \"" << ShortName(result->name()) << "\" " << done
            << "\n";
}

void AddCreate(CLI::App* company, CliContext& cli) {
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
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, args, flags] {
    PartnergraphClient* client =
        cli.Connect("company create", ResourceFormats());
    if (client == nullptr) return;
    args->fields = flags->Fields();
    ReportWrite(cli, CreateCompany(*client, *args), ShortName(args->id),
                "create", "created");
  });
}

void AddGet(CLI::App* company, CliContext& cli) {
  CLI::App* cmd = company->add_subcommand(
      "get", "Show a company (one table row; `describe company` for more)");
  auto name = std::make_shared<std::string>();
  auto as_of = std::make_shared<AsOfFlag>();
  cmd->add_option("NAME", *name, "Company id or companies/ID")->required();
  as_of->Register(cmd);
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, name, as_of] {
    PartnergraphClient* client = cli.Connect("company get", ResourceFormats());
    if (client == nullptr) return;
    absl::StatusOr<AsOf> when = as_of->Parse();
    if (!when.ok()) {
      cli.Fail(when.status(), "", "", "get");
      return;
    }
    v1::GetCompanyRequest request;
    request.set_name(CompanyName(*name));
    SetAsOf(*when, &request);
    absl::StatusOr<v1::Company> company = client->GetCompany(request);
    if (!company.ok()) {
      cli.Fail(company.status(), "company", ShortName(*name), "get");
      return;
    }
    std::cout << FormatCompany(*company, cli.output());
  });
}

void AddList(CLI::App* company, CliContext& cli) {
  CLI::App* cmd = company->add_subcommand("list", "List companies in id order");
  auto request = std::make_shared<v1::ListCompaniesRequest>();
  auto all = std::make_shared<bool>(false);
  cmd->add_option("--sector", *request->mutable_sector(),
                  "Only companies with a sector under this prefix, e.g. ai");
  cmd->add_option("--country", *request->mutable_country(),
                  "Only companies of this country");
  cmd->add_option("--label", *request->mutable_label(),
                  "Only companies with this label: KEY or KEY=VALUE");
  auto page_size = std::make_shared<int>(0);
  cmd->add_option("--page-size", *page_size,
                  "Companies per page (server default 50, at most 1000)");
  cmd->add_option("--page-token", *request->mutable_page_token(),
                  "Continue from a previous page");
  cmd->add_flag("--all,-A", *all, "Follow pages until the last one");
  auto as_of = std::make_shared<AsOfFlag>();
  as_of->Register(cmd);
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, request, all, page_size, as_of] {
    PartnergraphClient* client = cli.Connect("company list", ResourceFormats());
    if (client == nullptr) return;
    absl::StatusOr<AsOf> when = as_of->Parse();
    if (!when.ok()) {
      cli.Fail(when.status(), "", "", "list");
      return;
    }
    SetAsOf(*when, request.get());
    request->set_page_size(*page_size);
    absl::StatusOr<v1::ListCompaniesResponse> response =
        *all ? client->ListAllCompanies(*request)
             : client->ListCompanies(*request);
    if (!response.ok()) {
      cli.Fail(response.status(), "", "", "list");
      return;
    }
    if (cli.output().table() && response->companies().empty()) {
      std::cerr << "No companies found.\n";
    } else {
      std::cout << FormatCompanyList(*response, cli.output());
    }
    if (cli.output().table()) PrintMoreHint(response->next_page_token());
  });
}

void AddSearch(CLI::App* company, CliContext& cli) {
  CLI::App* cmd = company->add_subcommand(
      "search", "Find companies by name, alias or ticker (best match first)");
  auto words = std::make_shared<std::vector<std::string>>();
  auto page_size = std::make_shared<int>(0);
  cmd->add_option("QUERY", *words,
                  "Text to match; several words are joined with spaces")
      ->required();
  cmd->add_option("--page-size,--limit", *page_size,
                  "Most results (server default 20, at most 100)");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, words, page_size] {
    PartnergraphClient* client =
        cli.Connect("company search", ResourceFormats());
    if (client == nullptr) return;
    v1::SearchCompaniesRequest request;
    request.set_query(absl::StrJoin(*words, " "));
    request.set_page_size(*page_size);
    absl::StatusOr<v1::SearchCompaniesResponse> response =
        client->SearchCompanies(request);
    if (!response.ok()) {
      cli.Fail(response.status(), "", "", "search");
      return;
    }
    if (cli.output().table() && response->results().empty()) {
      std::cerr << "No companies match \"" << request.query() << "\".\n";
      return;
    }
    std::cout << FormatSearch(*response, cli.output());
  });
}

void AddUpdate(CLI::App* company, CliContext& cli) {
  CLI::App* cmd = company->add_subcommand(
      "update",
      "Change fields of a company: only the fields given are written "
      "(repeated flags replace the whole list; an empty value clears it)");
  auto args = std::make_shared<UpdateCompanyArgs>();
  auto flags = std::make_shared<CompanyFlags>();
  cmd->add_option("NAME", args->name, "Company id or companies/ID")->required();
  flags->Register(cmd);
  cmd->add_option("--from-file,-f", args->from_file,
                  "YAML or JSON company; every field set in it is written");
  cmd->add_option("--etag", args->etag,
                  "Only update if the company still has this etag");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, args, flags] {
    PartnergraphClient* client =
        cli.Connect("company update", ResourceFormats());
    if (client == nullptr) return;
    args->fields = flags->Fields();
    ReportWrite(cli, UpdateCompany(*client, *args), ShortName(args->name),
                "update", "updated");
  });
}

void AddDelete(CLI::App* company, CliContext& cli) {
  CLI::App* cmd = company->add_subcommand("delete", "Delete a company");
  auto name = std::make_shared<std::string>();
  auto etag = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "Company id or companies/ID")->required();
  cmd->add_option("--etag", *etag,
                  "Only delete if the company still has this etag");
  cmd->add_flag("--force", *force,
                "Also delete every partnership the company takes part in");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, name, etag, force] {
    PartnergraphClient* client = cli.Connect(
        "company delete", {OutputFormat::kTable, OutputFormat::kName});
    if (client == nullptr) return;
    v1::DeleteCompanyRequest request;
    request.set_name(CompanyName(*name));
    request.set_etag(*etag);
    request.set_force(*force);
    absl::Status status = client->DeleteCompany(request);
    if (!status.ok()) {
      cli.Fail(status, "company", ShortName(*name), "delete");
      return;
    }
    if (cli.format() == OutputFormat::kName) {
      std::cout << request.name() << "\n";
    }
    std::cerr << "company \"" << ShortName(*name) << "\" deleted\n";
  });
}

}  // namespace

void DescribeCompanyCommand(CliContext& cli, const std::string& id,
                            const AsOfFlag& as_of) {
  PartnergraphClient* client = cli.Connect(
      "describe company", {OutputFormat::kTable, OutputFormat::kJson,
                           OutputFormat::kYaml, OutputFormat::kName});
  if (client == nullptr) return;
  absl::StatusOr<AsOf> when = as_of.Parse();
  if (!when.ok()) {
    cli.Fail(when.status(), "", "", "describe");
    return;
  }
  v1::GetCompanyRequest get;
  get.set_name(CompanyName(id));
  SetAsOf(*when, &get);
  absl::StatusOr<v1::Company> company = client->GetCompany(get);
  if (!company.ok()) {
    cli.Fail(company.status(), "company", ShortName(id), "describe");
    return;
  }
  if (!cli.output().table()) {
    std::cout << FormatCompany(*company, cli.output());
    return;
  }
  v1::ListPartnershipsRequest request;
  request.mutable_filter()->set_company(company->name());
  SetAsOf(*when, &request);
  absl::StatusOr<v1::ListPartnershipsResponse> partnerships =
      client->ListAllPartnerships(request);
  if (!partnerships.ok()) {
    cli.Fail(partnerships.status(), "", "", "describe");
    return;
  }
  std::cout << DescribeCompany(*company, partnerships->partnerships());
}

void AddCompanyCommands(CLI::App& app, CliContext& cli) {
  CLI::App* company =
      app.add_subcommand("company",
                         "Create, read, list, search, update and "
                         "delete companies");
  company->alias("companies");
  company->footer(CliContext::Footer());
  AddCreate(company, cli);
  AddGet(company, cli);
  AddList(company, cli);
  AddSearch(company, cli);
  AddUpdate(company, cli);
  AddDelete(company, cli);
}

}  // namespace partnergraph::client
