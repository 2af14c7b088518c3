#include "client/apply_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/apply.h"
#include "client/errors.h"
#include "client/field_diff.h"
#include "client/requests.h"

namespace partnergraph::client {
namespace {

constexpr char kFileHelp[] =
    "YAML or JSON file (- for stdin) with top-level lists `companies` and "
    "`partnerships` in the protobuf JSON mapping; every partnership needs a "
    "name";

constexpr char kExample[] =
    "Example file (client/examples/records.yaml has a complete one):\n"
    "  companies:\n"
    "    - name: micron\n"
    "      displayName: Micron Technology\n"
    "      tickers: [NASDAQ:MU]\n"
    "  partnerships:\n"
    "    - name: micron-anthropic-2025\n"
    "      participants: [{company: micron}, {company: anthropic}]\n"
    "      kinds: [STRATEGIC_ALLIANCE]\n"
    "      announcedOn: \"2025-11-20\"\n"
    "A record writes only the fields it names; the others keep their "
    "values. A partnership without a title gets the participants' ids "
    "joined by \" & \", as `partnership create` gives it.\n\n";

// Reads the file; false after reporting a usage error.
bool ReadSpec(CliContext& cli, const std::string& file, ApplySpec* spec) {
  absl::StatusOr<ApplySpec> read = ReadApplyFile(file);
  if (!read.ok()) return cli.Fail(read.status(), "", "", "apply");
  *spec = *std::move(read);
  return true;
}

void Finish(CliContext& cli, const ApplySummary& summary) {
  if (summary.failed > 0) {
    cli.set_exit_code(ExitCodeFor(summary.first_failure));
  }
}

void AddApply(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "apply",
      "Create or update the companies and partnerships of a YAML or JSON "
      "file; a record changes only the fields it names, records already "
      "equal are left alone, so applying a file twice changes nothing the "
      "second time");
  auto file = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename,--file", *file, kFileHelp)->required();
  cmd->add_flag("--dry-run", *dry_run,
                "Have the server check every write (validate_only) and "
                "show what would change, writing nothing");
  cmd->footer(absl::StrCat(
      "Each record prints \"NAME created|updated|unchanged|failed\" on "
      "stderr, then \"N created, M updated, K unchanged, F failed\"; a "
      "failed record does not stop the others.\n",
      kExample, CliContext::Footer()));
  cmd->callback([&cli, file, dry_run] {
    PartnergraphClient* client = cli.Connect("apply", {OutputFormat::kTable});
    if (client == nullptr) return;
    ApplySpec spec;
    if (!ReadSpec(cli, *file, &spec)) return;
    ApplyOptions options;
    options.dry_run = *dry_run;
    const std::string suffix = options.dry_run ? " (dry run)" : "";
    ApplySummary summary =
        Apply(*client, spec, options, [&](const ApplyResult& result) {
          std::cerr << result.name << " " << ApplyActionName(result.action);
          if (result.action == ApplyAction::kFailed) {
            std::cerr << ": "
                      << cli.Describe(result.status, result.kind,
                                      ShortName(result.name), "apply");
          }
          if (!options.dry_run && result.action == ApplyAction::kUpdated) {
            std::cerr << ": " << ChangedFieldNames(result.changes);
          }
          std::cerr << suffix;
          if (!result.note.empty()) std::cerr << "; " << result.note;
          std::cerr << "\n";
          if (options.dry_run) {
            for (const FieldChange& change : result.changes) {
              std::cerr << "  " << FormatFieldChange(change) << "\n";
            }
          }
        });
    std::cerr << FormatSummary(summary) << suffix << "\n";
    Finish(cli, summary);
  });
}

void AddDiff(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Show what `apply -f FILE` would change, field by field (old → new), "
      "with every write checked by the server (validate_only); nothing is "
      "written");
  auto file = std::make_shared<std::string>();
  cmd->add_option("-f,--filename,--file", *file, kFileHelp)->required();
  cmd->footer(absl::StrCat(
      "Prints each record that would change: its name, then one \"field: "
      "old → new\" line per field, or \"NAME: would create\"; records that "
      "would fail are reported on stderr. Exits 0 unless a record would "
      "fail.\n",
      kExample, CliContext::Footer()));
  cmd->callback([&cli, file] {
    PartnergraphClient* client = cli.Connect("diff", {OutputFormat::kTable});
    if (client == nullptr) return;
    ApplySpec spec;
    if (!ReadSpec(cli, *file, &spec)) return;
    ApplyOptions options;
    options.dry_run = true;
    ApplySummary summary =
        Apply(*client, spec, options, [&](const ApplyResult& result) {
          switch (result.action) {
            case ApplyAction::kCreated:
              std::cout << result.name << ": would create"
                        << (result.note.empty() ? "" : " (") << result.note
                        << (result.note.empty() ? "" : ")") << "\n";
              break;
            case ApplyAction::kUpdated:
              std::cout << result.name << "\n";
              for (const FieldChange& change : result.changes) {
                std::cout << "  " << FormatFieldChange(change) << "\n";
              }
              break;
            case ApplyAction::kUnchanged:
              break;
            case ApplyAction::kFailed:
              std::cerr << result.name << ": would fail: "
                        << cli.Describe(result.status, result.kind,
                                        ShortName(result.name), "apply")
                        << "\n";
              break;
          }
        });
    std::cerr << summary.created << " to create, " << summary.updated
              << " to update, " << summary.unchanged << " unchanged, "
              << summary.failed << " failed\n";
    Finish(cli, summary);
  });
}

}  // namespace

void AddApplyCommands(CLI::App& app, CliContext& cli) {
  AddApply(app, cli);
  AddDiff(app, cli);
}

}  // namespace partnergraph::client
