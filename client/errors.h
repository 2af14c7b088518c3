#ifndef PARTNERGRAPH_CLIENT_ERRORS_H_
#define PARTNERGRAPH_CLIENT_ERRORS_H_

// What partnerctl tells a person when a call fails, and the exit code it
// returns. The codes are part of the CLI's contract (scripts branch on them)
// and are listed in `partnerctl --help` from kExitCodesHelp.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partnergraph::client {

enum ExitCode : int {
  kExitOk = 0,
  // Any other failure (INTERNAL, a local file, ...).
  kExitFailure = 1,
  // Bad command line, or a value the server rejected as INVALID_ARGUMENT /
  // OUT_OF_RANGE.
  kExitUsage = 2,
  kExitNotFound = 3,
  // ALREADY_EXISTS, ABORTED (stale etag), FAILED_PRECONDITION (e.g. deleting
  // a company that partnerships still reference, a missing participant).
  kExitConflict = 4,
  // UNAVAILABLE, DEADLINE_EXCEEDED: the server could not be reached or did
  // not answer in time; retrying may help.
  kExitUnavailable = 5,
  // UNAUTHENTICATED (no token, or one the server does not know) or
  // PERMISSION_DENIED (the token's role is too low).
  kExitAuth = 6,
};

// The exit-code table for --help.
extern const char kExitCodesHelp[];

// The exit code for a failed call; kExitOk for an OK status.
int ExitCodeFor(const absl::Status& status);

// What the failed command was about, so that messages can name it.
struct ErrorContext {
  // "company" or "partnership"; empty when the command is not about one
  // resource (list, search, apply).
  std::string kind;
  // The bare id, e.g. "nvidia".
  std::string id;
  // The command: "create", "get", "update", "delete", ...
  std::string action;
  // Where the call went, how long it could take, and how: over TLS or not,
  // with a token or not (for the hints of UNAVAILABLE and auth failures).
  std::string server;
  absl::Duration timeout = absl::ZeroDuration();
  bool tls = false;
  bool token = false;
};

// One line for a person, without a trailing newline or an "Error: " prefix:
//   company "nvidia" not found
//   invalid argument: company.tickers[1]: want EXCHANGE:SYMBOL, got "mu"
//   cannot reach the server at localhost:50051: failed to connect ...
// Failures that a flag fixes end with a hint naming it: a TLS handshake that
// failed (--tls-ca, or --plaintext), a plaintext call to a TLS port (--tls),
// a missing or refused token (--token-file).
std::string DescribeError(const absl::Status& status,
                          const ErrorContext& context);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_ERRORS_H_
