#ifndef PARTNERGRAPH_CLIENT_APPLY_COMMANDS_H_
#define PARTNERGRAPH_CLIENT_APPLY_COMMANDS_H_

// partnerctl apply -f FILE [--dry-run] and partnerctl diff -f FILE (the
// rules are in apply.h).
//
// apply prints one line per record on stderr, then the summary:
//   companies/micron created
//   companies/anthropic updated: country
//   partnerships/micron-anthropic-2025 unchanged
//   partnerships/hynix-anthropic failed: ...
//   1 created, 1 updated, 1 unchanged, 1 failed
// With --dry-run each line and the summary end with "(dry run)" and an
// update lists its changes, one "field: old → new" a line.
//
// diff prints, on stdout, each record that would change:
//   companies/anthropic
//     country: "GB" → "US"
//   partnerships/new-deal: would create
// then "N to create, M to update, K unchanged, F failed" on stderr.
//
// Both exit 0 when no record failed, else with the exit code of the first
// record that failed (errors.h).

#include "CLI/CLI.hpp"
#include "client/cli_context.h"

namespace partnergraph::client {

void AddApplyCommands(CLI::App& app, CliContext& cli);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_APPLY_COMMANDS_H_
