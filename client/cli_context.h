#ifndef PARTNERGRAPH_CLIENT_CLI_CONTEXT_H_
#define PARTNERGRAPH_CLIENT_CLI_CONTEXT_H_

// What every partnerctl command shares: the global flags, the client made
// from them, the output format, and the exit code. partnerctl_main.cc owns
// one CliContext; the Add*Commands functions borrow it for their callbacks.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/client.h"
#include "client/output.h"
#include "client/transport.h"

namespace partnergraph::client {

// The global flags, as given.
struct GlobalFlags {
  std::string server = kDefaultServer;
  std::string timeout = "5s";
  std::string output = "table";
  bool no_headers = false;
  TransportOptions transport;
};

// Formats of the commands that print resources.
inline const std::vector<OutputFormat>& ResourceFormats() {
  static const auto* formats = new std::vector<OutputFormat>{
      OutputFormat::kTable, OutputFormat::kWide, OutputFormat::kJson,
      OutputFormat::kYaml, OutputFormat::kName};
  return *formats;
}
// Formats of the commands that print a report rather than resources.
inline const std::vector<OutputFormat>& ReportFormats() {
  static const auto* formats = new std::vector<OutputFormat>{
      OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kYaml};
  return *formats;
}

// After a table page of a list: on stderr, how to get the next page, when
// there is one.
void PrintMoreHint(const std::string& next_page_token);

class CliContext {
 public:
  GlobalFlags& flags() { return flags_; }

  // Resolves -o and checks that `command` (e.g. "stats") gives that format:
  // -o wide counts as table where a command has no wide table. False, after
  // reporting a usage error, otherwise.
  bool CheckFormat(absl::string_view command,
                   const std::vector<OutputFormat>& formats);

  // CheckFormat, then checks --server, --timeout and the transport flags and
  // makes the client. nullptr, after reporting the error, when one is bad.
  PartnergraphClient* Connect(absl::string_view command,
                              const std::vector<OutputFormat>& formats);

  // Valid after CheckFormat or Connect succeeded.
  const Output& output() const { return output_; }
  OutputFormat format() const { return output_.format; }
  PartnergraphClient* client() { return client_.get(); }

  // Prints "Error: ..." for `status` on stderr, naming the resource when
  // `kind` and `id` are given, and records its exit code. Returns false.
  bool Fail(const absl::Status& status, absl::string_view kind = "",
            absl::string_view id = "", absl::string_view action = "");

  // The message Fail would print, without printing it or touching the exit
  // code.
  std::string Describe(const absl::Status& status, absl::string_view kind = "",
                       absl::string_view id = "",
                       absl::string_view action = "") const;

  int exit_code() const { return exit_code_; }
  void set_exit_code(int code) { exit_code_ = code; }

  // Footer of every command's --help: the global flags and exit codes.
  static const std::string& Footer();

 private:
  GlobalFlags flags_;
  Output output_;
  ClientOptions options_;
  std::unique_ptr<PartnergraphClient> client_;
  int exit_code_ = 0;
};

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_CLI_CONTEXT_H_
