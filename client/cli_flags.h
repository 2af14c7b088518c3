#ifndef PARTNERGRAPH_CLIENT_CLI_FLAGS_H_
#define PARTNERGRAPH_CLIENT_CLI_FLAGS_H_

// Helpers for the field flags of create and update commands: a flag that
// was not given leaves its field alone; a repeated flag given once with an
// empty value clears its list.

#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

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

}  // namespace partnergraph::client

#endif  // PARTNERGRAPH_CLIENT_CLI_FLAGS_H_
