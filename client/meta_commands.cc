#include "client/meta_commands.h"

#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/errors.h"
#include "client/suggest.h"
#include "client/transport.h"
#include "client/version.h"
#include "google/protobuf/struct.pb.h"

namespace partnergraph::client {
namespace {

struct CommandNode {
  std::string path;  // "company list"; "" for the top
  std::vector<std::string> subcommands;
  std::vector<std::string> flags;
  std::vector<std::string> valued_flags;
};

void Collect(CLI::App& app, const std::string& path,
             std::vector<CommandNode>* nodes) {
  CommandNode node;
  node.path = path;
  node.subcommands = SubcommandNames(app);
  for (CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (CLI::Option* opt : a->get_options()) {
      if (!opt->nonpositional()) continue;
      std::vector<std::string> names;
      for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
      for (const std::string& n : opt->get_snames()) names.push_back("-" + n);
      for (const std::string& n : names) {
        node.flags.push_back(n);
        if (opt->get_type_size_max() > 0) node.valued_flags.push_back(n);
      }
    }
  }
  nodes->push_back(node);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    std::vector<std::string> names = {sub->get_name()};
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
    for (const std::string& name : names) {
      Collect(*sub, path.empty() ? name : absl::StrCat(path, " ", name), nodes);
    }
  }
}

void AddVersionCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "version",
      "Print the client's version and the server's (from its "
      "partnergraph-version response header)");
  auto client_only = std::make_shared<bool>(false);
  cmd->add_flag("--client", *client_only, "Only the client's version");
  cmd->footer(CliContext::Footer());
  cmd->callback([&cli, client_only] { PrintVersion(cli, *client_only); });
}

void AddCompletionCommand(CLI::App& app, CliContext& cli) {
  CLI::App* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script: source <(partnerctl completion bash), "
      "or for zsh: source <(partnerctl completion zsh)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("SHELL", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  cmd->callback([&app, &cli, shell] {
    if (!cli.CheckFormat("completion", {OutputFormat::kTable})) return;
    std::cout << CompletionScript(app, *shell);
  });
}

void AddTokenCommands(CLI::App& app, CliContext& cli) {
  CLI::App* token = app.add_subcommand(
      "token", "Make bearer tokens and the server's token-file lines");
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
    if (!cli.CheckFormat("token new", {OutputFormat::kTable})) return;
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
    if (!cli.CheckFormat("token hash", {OutputFormat::kTable})) return;
    std::string raw((std::istreambuf_iterator<char>(std::cin)),
                    std::istreambuf_iterator<char>());
    absl::StatusOr<std::string> line =
        TokenFileLine(raw, args->role, args->name);
    if (!line.ok()) return (void)cli.Fail(line.status());
    std::cout << *line << "\n";
  });
}

}  // namespace

void PrintVersion(CliContext& cli, bool client_only) {
  if (!cli.CheckFormat("version", ReportFormats())) return;
  std::string server_version;
  absl::Status status;
  if (!client_only) {
    PartnergraphClient* client = cli.Connect("version", ReportFormats());
    if (client == nullptr) return;
    absl::StatusOr<ServerInfo> info = client->GetServerInfo();
    if (info.ok()) {
      server_version = info->version.empty() ? "unknown (the server sends no "
                                               "partnergraph-version header)"
                                             : info->version;
    } else {
      status = info.status();
    }
  }
  if (cli.format() == OutputFormat::kTable) {
    std::cout << "Client Version: " << kClientVersion << "\n";
    if (!server_version.empty()) {
      std::cout << "Server Version: " << server_version << "\n";
    }
  } else {
    google::protobuf::Struct versions;
    (*versions.mutable_fields())["clientVersion"].set_string_value(
        kClientVersion);
    if (!server_version.empty()) {
      (*versions.mutable_fields())["serverVersion"].set_string_value(
          server_version);
    }
    std::cout << Document(versions, cli.output());
  }
  if (!status.ok()) cli.Fail(status, "", "", "version");
}

std::string CompletionScript(CLI::App& app, absl::string_view shell) {
  std::vector<CommandNode> nodes;
  Collect(app, "", &nodes);
  std::vector<std::string> paths, valued;
  std::string cases;
  for (const CommandNode& node : nodes) {
    if (!node.path.empty()) paths.push_back(node.path);
    for (const std::string& flag : node.valued_flags) {
      if (std::find(valued.begin(), valued.end(), flag) == valued.end()) {
        valued.push_back(flag);
      }
    }
    absl::StrAppend(&cases, "    \"", node.path, "\") words_=\"",
                    absl::StrJoin(node.subcommands, " "), "\"; flags_=\"",
                    absl::StrJoin(node.flags, " "), "\" ;;\n");
  }
  std::string script = absl::StrCat(
      "# ", shell,
      " completion for partnerctl, made by `partnerctl completion ", shell,
      "`\n");
  if (shell == "zsh") {
    absl::StrAppend(&script,
                    "autoload -U +X compinit && compinit\n"
                    "autoload -U +X bashcompinit && bashcompinit\n");
  }
  absl::StrAppend(
      &script, "_partnerctl_commands=\"|", absl::StrJoin(paths, "|"), "|\"\n",
      "_partnerctl_valued=\" ", absl::StrJoin(valued, " "), " \"\n",
      "_partnerctl() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      "  local prev=\"\"\n"
      "  [ \"$COMP_CWORD\" -gt 0 ] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local path=\"\" word i skip=0 words_ flags_\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    word=\"${COMP_WORDS[i]}\"\n"
      "    if [ \"$skip\" = 1 ]; then skip=0; continue; fi\n"
      "    case \"$word\" in\n"
      "      -*=*) continue ;;\n"
      "      -*) [[ \"$_partnerctl_valued\" == *\" $word \"* ]] && skip=1;"
      " continue ;;\n"
      "    esac\n"
      "    local next=\"${path:+$path }$word\"\n"
      "    [[ \"$_partnerctl_commands\" == *\"|$next|\"* ]] && path=\"$next\"\n"
      "  done\n"
      "  case \"$prev\" in\n"
      "    -o|--output) COMPREPLY=($(compgen -W \"table wide json yaml name "
      "dot\" -- \"$cur\")); return 0 ;;\n"
      "  esac\n"
      "  if [[ \"$_partnerctl_valued\" == *\" $prev \"* ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\")); return 0\n"
      "  fi\n"
      "  case \"$path\" in\n",
      cases,
      "  esac\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$flags_\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -W \"$words_\" -- \"$cur\"))\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "complete -F _partnerctl partnerctl\n");
  return script;
}

void AddMetaCommands(CLI::App& app, CliContext& cli) {
  AddVersionCommand(app, cli);
  AddCompletionCommand(app, cli);
  AddTokenCommands(app, cli);
}

}  // namespace partnergraph::client
