#ifndef PARTNERGRAPH_CLIENT_META_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_META_COMMANDS_H_

// partnerctl's commands about partnerctl itself:
//
//   partnerctl version [--client]      (also: partnerctl --version)
//       Client Version: 0.5.0
//       Server Version: 0.5.0          (the partnergraph-version header)
//   partnerctl completion bash|zsh
//       a shell completion script made from the command tree:
//       source <(partnerctl completion bash)
//   partnerctl token new|hash
//       bearer tokens and the server's token-file lines.

#include <string>

#include "CLI/CLI.hpp"
#include "client/cli_context.h"

namespace partnergraph::client {

// Adds `version`, `completion` and `token` to `app`.
void AddMetaCommands(CLI::App& app, CliContext& cli);

// Prints the versions (the server's unless `client_only`) as `version`
// does; the exit code is set in `cli` when the server cannot be asked.
void PrintVersion(CliContext& cli, bool client_only);

// The completion script of `app`'s command tree for "bash" or "zsh" (zsh
// loads the bash function through bashcompinit). It completes command
// names, flags and the values of -o.
std::string CompletionScript(CLI::App& app, absl::string_view shell);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_META_COMMANDS_H_
