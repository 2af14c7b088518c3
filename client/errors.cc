#include "client/errors.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace partnergraph::client {
namespace {

bool Contains(absl::string_view text, absl::string_view word) {
  return absl::StrContains(absl::AsciiStrToLower(text), word);
}

// What to try when the server cannot be reached, from the transport's
// message: TLS on one side only is the usual cause.
std::string UnavailableHint(absl::string_view message,
                            const ErrorContext& context) {
  if (Contains(message, "handshake") || Contains(message, "ssl") ||
      Contains(message, "tls") || Contains(message, "certificate")) {
    return "; the TLS handshake failed: if the server serves plaintext, drop "
           "the TLS flags; if its certificate is signed by your own CA, give "
           "it with --tls-ca FILE (and --tls-cert/--tls-key when the server "
           "wants a client certificate)";
  }
  if (!context.tls &&
      (Contains(message, "socket closed") || Contains(message, "reset") ||
       Contains(message, "end of tcp stream") || Contains(message, "eof") ||
       Contains(message, "frame"))) {
    return "; if the server serves TLS, add --tls (and --tls-ca FILE for a "
           "private CA)";
  }
  return "";
}

}  // namespace

const char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  other failure\n"
    "  2  usage error: bad flags or arguments, or a value the server rejected "
    "(INVALID_ARGUMENT)\n"
    "  3  not found\n"
    "  4  conflict: already exists, etag mismatch (ABORTED) or failed "
    "precondition\n"
    "  5  server unavailable or deadline exceeded (retrying may help)\n"
    "  6  authentication or permission refused (see --token-file)\n";

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kExitUsage;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return kExitConflict;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitAuth;
    default:
      return kExitFailure;
  }
}

std::string DescribeError(const absl::Status& status,
                          const ErrorContext& context) {
  const std::string message(status.message());
  const bool about_one = !context.kind.empty() && !context.id.empty();
  const std::string subject =
      about_one ? absl::StrCat(context.kind, " \"", context.id, "\"") : "";
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      if (about_one) return absl::StrCat(subject, " not found");
      return message.empty() ? "not found" : message;
    case absl::StatusCode::kAlreadyExists:
      if (about_one && context.kind == "company") {
        return absl::StrCat(subject, " already exists");
      }
      return absl::StrCat("already exists: ", message);
    case absl::StatusCode::kAborted:
      return absl::StrCat(about_one ? absl::StrCat(subject, ": ") : "",
                          message.empty() ? "etag mismatch, the record "
                                            "changed since it was read; get "
                                            "it again and retry"
                                          : message);
    case absl::StatusCode::kFailedPrecondition:
      if (context.kind == "company" && context.action == "delete") {
        return absl::StrCat(message,
                            " (use --force to delete the company together "
                            "with its partnerships)");
      }
      return message;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return absl::StrCat("invalid argument: ", message);
    case absl::StatusCode::kUnavailable:
      return absl::StrCat("cannot reach the server at ", context.server, ": ",
                          message, UnavailableHint(message, context));
    case absl::StatusCode::kUnauthenticated:
      return absl::StrCat(
          "the server at ", context.server, " refused the call: ", message,
          context.token
              ? " (the token given is not one the server knows; check "
                "--token-file or $PARTNERGRAPH_TOKEN_FILE)"
              : " (it wants a token: give its file with --token-file FILE or "
                "$PARTNERGRAPH_TOKEN_FILE)");
    case absl::StatusCode::kPermissionDenied:
      return absl::StrCat("permission denied: ", message,
                          " (the token of --token-file has too low a role; "
                          "use one with the role named)");
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat("no answer from the server at ", context.server,
                          " within ", absl::FormatDuration(context.timeout),
                          " (see --timeout)");
    case absl::StatusCode::kUnimplemented:
      return absl::StrCat("the server at ", context.server,
                          " does not implement this call: ", message);
    default:
      return absl::StrCat(
          message, " (",
          absl::AsciiStrToLower(absl::StatusCodeToString(status.code())), ")");
  }
}

}  // namespace partnergraph::client
