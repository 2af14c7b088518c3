#ifndef PARTNERGRAPH_CLIENT_PARTNERSHIP_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_PARTNERSHIP_COMMANDS_H_

// partnerctl partnership create|get|list|update|delete, and the
// `describe company|partnership ID` group.
//
// `partnership get` prints the describe view (participants with roles,
// terms, sources, market reactions, revisions, times); -o wide prints the
// one-row wide table, -o json/yaml the resource.
//
// get, list and describe take --as-of REV|TIME (cli_flags.h): the state at
// that store revision or commit time; list keeps it on every page it asks
// for, and the participants' names of the describe view are read at it too.

#include "CLI/CLI.hpp"
#include "client/cli_context.h"

namespace partnergraph::client {

void AddPartnershipCommands(CLI::App& app, CliContext& cli);
void AddDescribeCommands(CLI::App& app, CliContext& cli);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_PARTNERSHIP_COMMANDS_H_
