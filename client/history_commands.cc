#include "client/history_commands.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/history_output.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

struct HistoryFlags {
  std::string id;
  int page_size = 0;
  std::string page_token;
  bool all = false;
};

// What differs between `history company` and `history partnership`.
template <typename Request, typename Response>
struct HistoryKind {
  const char* kind;        // "company"
  const char* collection;  // "companies", also the command's alias
  const char* name_help;
  const char* description;
  std::string (*name)(absl::string_view id_or_name);
  absl::StatusOr<Response> (PartnergraphClient::*page)(const Request&);
  absl::StatusOr<Response> (PartnergraphClient::*all)(Request);
  std::string (*format)(const Response&, const Output&);
};

const std::vector<OutputFormat>& HistoryFormats() {
  static const auto* formats =
      new std::vector<OutputFormat>{OutputFormat::kTable, OutputFormat::kWide,
                                    OutputFormat::kJson, OutputFormat::kYaml};
  return *formats;
}

template <typename Request, typename Response>
void RunHistory(CliContext& cli, const HistoryFlags& flags,
                const HistoryKind<Request, Response>& kind) {
  PartnergraphClient* client =
      cli.Connect(absl::StrCat("history ", kind.kind), HistoryFormats());
  if (client == nullptr) return;
  Request request;
  request.set_name(kind.name(flags.id));
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  absl::StatusOr<Response> response =
      flags.all ? (client->*kind.all)(request) : (client->*kind.page)(request);
  if (!response.ok()) {
    cli.Fail(response.status(), kind.kind, ShortName(flags.id), "history");
    return;
  }
  if (cli.output().table() && response->revisions().empty()) {
    std::cerr << "No versions found.\n";
  } else {
    std::cout << kind.format(*response, cli.output());
  }
  if (cli.output().table()) PrintMoreHint(response->next_page_token());
}

template <typename Request, typename Response>
void AddHistoryCommand(CLI::App* history, CliContext& cli,
                       const HistoryKind<Request, Response>& kind) {
  CLI::App* cmd = history->add_subcommand(kind.kind, kind.description);
  cmd->alias(kind.collection);
  auto flags = std::make_shared<HistoryFlags>();
  cmd->add_option("NAME", flags->id, kind.name_help)->required();
  cmd->add_option("--page-size", flags->page_size,
                  "Versions per page (server default 50, at most 1000)");
  cmd->add_option("--page-token", flags->page_token,
                  "Continue from a previous page");
  cmd->add_flag("--all,-A", flags->all, "Follow pages until the last one");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, flags, kind] { RunHistory(cli, *flags, kind); });
}

}  // namespace

void AddHistoryCommands(CLI::App& app, CliContext& cli) {
  CLI::App* history = app.add_subcommand(
      "history",
      "The versions of a company or partnership, newest first: history "
      "company ID, history partnership ID (a REVISION is what --as-of takes)");
  history->footer(CliContext::Footer());
  AddHistoryCommand(
      history, cli,
      HistoryKind<v1::ListCompanyRevisionsRequest,
                  v1::ListCompanyRevisionsResponse>{
          "company", kCompaniesCollection, "Company id or companies/ID",
          "A company's versions: revision, commit time, change, display name",
          &CompanyName, &PartnergraphClient::ListCompanyRevisions,
          &PartnergraphClient::ListAllCompanyRevisions, &FormatCompanyHistory});
  AddHistoryCommand(
      history, cli,
      HistoryKind<v1::ListPartnershipRevisionsRequest,
                  v1::ListPartnershipRevisionsResponse>{
          "partnership", kPartnershipsCollection,
          "Partnership id or partnerships/ID",
          "A partnership's versions: revision, commit time, change, title",
          &PartnershipName, &PartnergraphClient::ListPartnershipRevisions,
          &PartnergraphClient::ListAllPartnershipRevisions,
          &FormatPartnershipHistory});
}

}  // namespace partnergraph::client
