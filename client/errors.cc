#include "client/errors.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace partnergraph::client {

const char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  other failure\n"
    "  2  usage error: bad flags or arguments, or a value the server rejected "
    "(INVALID_ARGUMENT)\n"
    "  3  not found\n"
    "  4  conflict: already exists, etag mismatch (ABORTED) or failed "
    "precondition\n"
    "  5  server unavailable or deadline exceeded (retrying may help)\n";

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
                          message);
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
