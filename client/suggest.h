#ifndef PARTNERGRAPH_CLIENT_SUGGEST_H_
#define PARTNERGRAPH_CLIENT_SUGGEST_H_

// Explaining a command line that does not parse: which word is unknown,
// which command it was given to, and the known names closest to it
// ("did you mean ..."), the way kubectl and git answer a typo. CLI11 2.1
// only says "The following argument was not expected".

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"

namespace partnergraph::client {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of two neighbouring characters each cost 1 ("compnay" is 1 from
// "company").
int EditDistance(absl::string_view a, absl::string_view b);

// The candidates close enough to `word` to be what was meant, closest
// first: within 2 edits (1 for words of up to 4 characters), or starting
// with `word` when it has at least 2 characters.
std::vector<std::string> Closest(absl::string_view word,
                                 const std::vector<std::string>& candidates);

// What is wrong with `args` (argv without the program name) for `root`:
//   unknown command "compnay" for "partnerctl"; did you mean "company"?
//   unknown flag "--ful" for "partnerctl company list"; did you mean
//   "--all"?
// and the command whose help to point at ("partnerctl company"). Empty
// `message` when every word is known (the error is of another kind).
struct Diagnosis {
  std::string message;
  std::string command = "partnerctl";
};
Diagnosis DiagnoseArguments(CLI::App& root,
                            const std::vector<std::string>& args);

// The command names of `app` (names and aliases) and its flags ("--all",
// "-A"), including the flags its parents pass down.
std::vector<std::string> SubcommandNames(CLI::App& app);
std::vector<std::string> FlagNames(CLI::App& app);

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_SUGGEST_H_
