#ifndef PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_

// partnerctl company create|get|list|search|update|delete, and
// partnerctl describe company ID. get and list (and describe) take
// --as-of REV|TIME to read the past (cli_flags.h); list keeps it on every
// page it asks for.

#include "CLI/CLI.hpp"
#include "client/cli_context.h"
#include "client/cli_flags.h"

namespace partnergraph::client {

void AddCompanyCommands(CLI::App& app, CliContext& cli);

// `describe company ID [--as-of REV|TIME]`: the company and the
// partnerships it takes part in (describe.h), both read at the same point in
// time. Called by the `describe` group.
void DescribeCompanyCommand(CliContext& cli, const std::string& id,
                            const AsOfFlag& as_of);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_
