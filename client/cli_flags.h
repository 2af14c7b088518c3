#ifndef PARTNERGRAPH_CLIENT_CLI_FLAGS_H_
#define PARTNERGRAPH_CLIENT_CLI_FLAGS_H_

// Helpers for flags shared by several commands. The field flags of create
// and update commands: a flag that was not given leaves its field alone; a
// repeated flag given once with an empty value clears its list. And --as-of,
// the point in time of every command that reads.

#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "client/requests.h"

namespace partnergraph::client {

// Values of repeated flags: the empty string alone means "clear the list".
inline std::vector<std::string> NonEmpty(
    const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    if (!value.empty()) out.push_back(value);
  }
  return out;
}

template <typename T>
void SetIfGiven(const CLI::Option* option, const T& value,
                std::optional<T>* out) {
  if (option->count() > 0) *out = value;
}

inline void SetListIfGiven(const CLI::Option* option,
                           const std::vector<std::string>& values,
                           std::optional<std::vector<std::string>>* out) {
  if (option->count() > 0) *out = NonEmpty(values);
}

// --as-of REV|TIME (ParseAsOf): read the state at a store revision or a
// commit time instead of now.
struct AsOfFlag {
  std::string text;
  CLI::Option* option = nullptr;

  void Register(CLI::App* command) {
    option = command
                 ->add_option("--as-of", text,
                              "Read the state as of a store revision (e.g. "
                              "42, as `history` lists them) or an RFC 3339 "
                              "time (e.g. 2026-01-31T12:00:00Z or "
                              "2026-01-31T14:00:00+02:00)")
                 ->type_name("REV|TIME");
  }

  // Not set (now) when the flag was not given; INVALID_ARGUMENT naming
  // --as-of for a bad value.
  absl::StatusOr<AsOf> Parse() const {
    if (option == nullptr || option->count() == 0) return AsOf();
    return ParseAsOf("--as-of", text);
  }
};

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_CLI_FLAGS_H_
