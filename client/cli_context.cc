#include "client/cli_context.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/errors.h"
#include "client/requests.h"

namespace partnergraph::client {

void PrintMoreHint(const std::string& next_page_token) {
  if (next_page_token.empty()) return;
  std::cerr << "More results: repeat with --page-token=" << next_page_token
            << " (or --all)\n";
}

bool CliContext::CheckFormat(absl::string_view command,
                             const std::vector<OutputFormat>& formats) {
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(flags_.output);
  if (!format.ok()) return Fail(format.status());
  OutputFormat chosen = *format;
  const auto gives = [&formats](OutputFormat f) {
    return std::find(formats.begin(), formats.end(), f) != formats.end();
  };
  if (chosen == OutputFormat::kWide && !gives(chosen) &&
      gives(OutputFormat::kTable)) {
    chosen = OutputFormat::kTable;
  }
  if (!gives(chosen)) {
    std::vector<std::string> names;
    for (OutputFormat f : formats) names.emplace_back(OutputFormatName(f));
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("-o ", OutputFormatName(chosen), ": \"", command,
                     "\" prints ", absl::StrJoin(names, ", "), " only")));
  }
  output_.format = chosen;
  output_.headers = !flags_.no_headers;
  return true;
}

PartnergraphClient* CliContext::Connect(
    absl::string_view command, const std::vector<OutputFormat>& formats) {
  if (!CheckFormat(command, formats)) return nullptr;
  absl::StatusOr<std::string> target = CheckServerAddress(flags_.server);
  if (!target.ok()) {
    Fail(target.status());
    return nullptr;
  }
  absl::StatusOr<absl::Duration> timeout =
      ParseTimeout("--timeout", flags_.timeout);
  if (!timeout.ok()) {
    Fail(timeout.status());
    return nullptr;
  }
  absl::StatusOr<Transport> transport = MakeTransport(flags_.transport);
  if (!transport.ok()) {
    Fail(transport.status());
    return nullptr;
  }
  options_.server = *std::move(target);
  options_.timeout = *timeout;
  options_.transport = *std::move(transport);
  client_ = std::make_unique<PartnergraphClient>(options_);
  return client_.get();
}

std::string CliContext::Describe(const absl::Status& status,
                                 absl::string_view kind, absl::string_view id,
                                 absl::string_view action) const {
  ErrorContext context;
  context.kind = std::string(kind);
  context.id = std::string(id);
  context.action = std::string(action);
  context.server = options_.server.empty() ? flags_.server : options_.server;
  context.timeout = options_.timeout;
  const TransportOptions& t = flags_.transport;
  context.tls = t.tls || !t.tls_ca.empty() || !t.tls_cert.empty();
  context.token = !options_.transport.token.empty();
  return DescribeError(status, context);
}

bool CliContext::Fail(const absl::Status& status, absl::string_view kind,
                      absl::string_view id, absl::string_view action) {
  std::cerr << "Error: " << Describe(status, kind, id, action) << "\n";
  exit_code_ = ExitCodeFor(status);
  return false;
}

const std::string& CliContext::Footer() {
  static const auto* footer = new std::string(absl::StrCat(
      "Global options, before or after the command: -s/--server HOST:PORT "
      "(or $PARTNERGRAPH_SERVER), --timeout DURATION, -o/--output "
      "table|wide|json|yaml|name|dot, --no-headers, --tls, --tls-ca FILE, "
      "--token-file FILE.\n\n",
      kExitCodesHelp));
  return *footer;
}

}  // namespace partnergraph::client
