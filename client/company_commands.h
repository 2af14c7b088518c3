#ifndef PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_

// partnerctl company create|get|list|search|update|delete, and
// partnerctl describe company ID.

#include "CLI/CLI.hpp"
#include "client/cli_context.h"

namespace partnergraph::client {

void AddCompanyCommands(CLI::App& app, CliContext& cli);

// `describe company ID`: the company and the partnerships it takes part
// in (describe.h). Called by the `describe` group.
void DescribeCompanyCommand(CliContext& cli, const std::string& id);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_COMPANY_COMMANDS_H_
