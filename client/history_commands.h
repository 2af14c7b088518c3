#ifndef PARTNERGRAPH_CLIENT_HISTORY_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_HISTORY_COMMANDS_H_

// partnerctl history company|partnership ID: the versions of one record that
// the server's change log holds, newest first (layouts in history_output.h):
//
//   partnerctl history company micron
//   partnerctl history partnership partnerships/micron-anthropic-2025 -o yaml
//
// --page-size N, --page-token TOKEN and --all/-A page as `company list`
// does: a table page with more after it ends with the "More results" hint on
// stderr. A version's REVISION is what --as-of takes on the commands that
// read (`partnerctl company get micron --as-of 3`). A record that neither
// exists nor has a version held is NOT_FOUND (exit 3); how far back the log
// goes is partnergraphd's --history_limit.

#include "CLI/CLI.hpp"
#include "client/cli_context.h"

namespace partnergraph::client {

void AddHistoryCommands(CLI::App& app, CliContext& cli);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_HISTORY_COMMANDS_H_
