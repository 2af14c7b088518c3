// partnerctl: the command-line client of partnergraph.
//
// This file only declares the global flags, parses and explains a command
// line that does not parse; the commands are in *_commands.cc and the work
// in the partnergraph_client library.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "client/admin_commands.h"
#include "client/apply_commands.h"
#include "client/cli_context.h"
#include "client/company_commands.h"
#include "client/errors.h"
#include "client/graph_commands.h"
#include "client/history_commands.h"
#include "client/meta_commands.h"
#include "client/partnership_commands.h"
#include "client/requests.h"
#include "client/suggest.h"
#include "grpc/support/log.h"

namespace partnergraph::client {
namespace {

constexpr char kDescription[] =
    "partnerctl: command-line client of partnergraph, the knowledge graph of "
    "companies and partnerships.\n\n"
    "Data goes to standard output, messages to standard error. Where a "
    "resource name is expected, a bare id works too (micron = "
    "companies/micron). The commands that read take --as-of REV|TIME to "
    "answer as of a store revision or an RFC 3339 time, e.g. partnerctl "
    "company get micron --as-of 2026-01-31T12:00:00Z; `history company ID` "
    "lists the revisions of a record.";

constexpr char kEnvironmentHelp[] =
    "Environment:\n"
    "  PARTNERGRAPH_SERVER  server address when --server is not given "
    "(default localhost:50051)\n"
    "  PARTNERGRAPH_TOKEN_FILE  token file when --token-file is not given\n";

void NoLog(gpr_log_func_args* /*args*/) {}

// gRPC's own log lines (handshake failures, DNS errors) would reach the
// terminal beside partnerctl's message; the failed call's status says the
// same, so they are turned off before gRPC starts.
void SilenceGrpcLogs() {
  setenv("GRPC_VERBOSITY", "NONE", /*overwrite=*/1);
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
  gpr_set_log_function(&NoLog);
}

void AddGlobalFlags(CLI::App& app, CliContext& cli, bool* version) {
  GlobalFlags& flags = cli.flags();
  app.add_option("--server,-s", flags.server,
                 "Server address HOST:PORT (no scheme; TLS is --tls)")
      ->envname(kServerEnvVar)
      ->capture_default_str();
  app.add_option("--timeout", flags.timeout,
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
  app.add_option("--token-file", flags.transport.token_file,
                 "File holding the raw bearer token sent with every call")
      ->envname(kTokenFileEnvVar);
  app.add_flag("--tls", flags.transport.tls,
               "Use TLS, trusting the system's root CAs unless --tls-ca");
  app.add_option("--tls-ca", flags.transport.tls_ca,
                 "PEM CA bundle trusted for the server's certificate "
                 "(implies TLS)");
  app.add_option("--tls-cert", flags.transport.tls_cert,
                 "PEM client certificate for mutual TLS (implies TLS)");
  app.add_option("--tls-key", flags.transport.tls_key, "PEM key of --tls-cert");
  app.add_flag("--plaintext", flags.transport.plaintext,
               "No TLS (the default when no TLS flag is given)");
  app.add_option("-o,--output", flags.output,
                 "Output format: table (fits 80 columns), wide (every "
                 "column), json (protobuf JSON mapping), yaml, name "
                 "(resource names only) or dot (Graphviz: neighbors, path); "
                 "a command refuses a format it cannot give")
      ->capture_default_str()
      ->check(
          CLI::IsMember({"table", "wide", "json", "yaml", "yml", "name", "dot"},
                        CLI::ignore_case));
  app.add_flag("--no-headers", flags.no_headers,
               "Tables without their header row");
  app.add_flag("--version", *version,
               "Print the client's and the server's versions");
}

// The command the line ended on when it names a group (`partnerctl
// company`), else nullptr.
CLI::App* GroupWithoutCommand(CLI::App& app) {
  CLI::App* deepest = &app;
  while (!deepest->get_subcommands().empty()) {
    deepest = deepest->get_subcommands().front();
  }
  return SubcommandNames(*deepest).empty() ? nullptr : deepest;
}

int Run(int argc, char** argv) {
  SilenceGrpcLogs();
  CliContext cli;
  CLI::App app(kDescription, "partnerctl");
  app.footer(absl::StrCat(kEnvironmentHelp, "\n", kExitCodesHelp));
  // Global flags may also come after the subcommand.
  app.fallthrough();
  bool version = false;
  AddGlobalFlags(app, cli, &version);

  AddCompanyCommands(app, cli);
  AddPartnershipCommands(app, cli);
  AddDescribeCommands(app, cli);
  AddApplyCommands(app, cli);
  AddGraphCommands(app, cli);
  AddHistoryCommands(app, cli);
  AddAdminCommands(app, cli);
  AddMetaCommands(app, cli);

  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cout << app.help();
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help
    }
    const Diagnosis diagnosis = DiagnoseArguments(app, args);
    std::cerr << "Error: "
              << (diagnosis.message.empty() ? e.what() : diagnosis.message)
              << "\nRun '" << diagnosis.command << " --help' for usage.\n";
    return kExitUsage;
  }
  if (version && app.get_subcommands().empty()) {
    PrintVersion(cli, /*client_only=*/false);
    return cli.exit_code();
  }
  if (CLI::App* group = GroupWithoutCommand(app); group != nullptr) {
    std::cout << group->help();
    return kExitOk;
  }
  return cli.exit_code();
}

}  // namespace
}  // namespace partnergraph::client

int main(int argc, char** argv) {
  return partnergraph::client::Run(argc, argv);
}
