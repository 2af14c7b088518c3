#include "client/suggest.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace partnergraph::client {
namespace {

CLI::App* FindSubcommand(CLI::App& app, const std::string& word) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == word) return sub;
    const auto& aliases = sub->get_aliases();
    if (std::find(aliases.begin(), aliases.end(), word) != aliases.end()) {
      return sub;
    }
  }
  return nullptr;
}

// The option `flag` ("--all", "-A") names on `app` or a parent of it.
CLI::Option* FindFlag(CLI::App& app, const std::string& flag) {
  for (CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (CLI::Option* opt : a->get_options()) {
      if (!opt->nonpositional()) continue;
      for (const std::string& name : opt->get_lnames()) {
        if (flag == "--" + name) return opt;
      }
      for (const std::string& name : opt->get_snames()) {
        if (absl::StartsWith(flag, "-" + name) && flag.size() >= 2 &&
            flag[1] != '-') {
          return opt;
        }
      }
    }
  }
  return nullptr;
}

std::string CommandPath(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    names.push_back(a->get_name());
  }
  std::reverse(names.begin(), names.end());
  return absl::StrJoin(names, " ");
}

std::string Suggestion(absl::string_view word,
                       const std::vector<std::string>& candidates) {
  std::vector<std::string> close = Closest(word, candidates);
  if (close.empty()) return "";
  if (close.size() > 3) close.resize(3);
  std::vector<std::string> quoted;
  for (const std::string& c : close)
    quoted.push_back(absl::StrCat("\"", c, "\""));
  return absl::StrCat("; did you mean ", absl::StrJoin(quoted, " or "), "?");
}

}  // namespace

int EditDistance(absl::string_view a, absl::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::vector<std::string> Closest(absl::string_view word,
                                 const std::vector<std::string>& candidates) {
  // Flags are compared without their dashes.
  const auto bare = [](absl::string_view s) {
    while (absl::ConsumePrefix(&s, "-")) {
    }
    return s;
  };
  const absl::string_view w = bare(word);
  const int limit = w.size() <= 4 ? 1 : 2;
  std::vector<std::pair<int, std::string>> scored;
  for (const std::string& candidate : candidates) {
    const absl::string_view c = bare(candidate);
    int distance = EditDistance(w, c);
    if (w.size() >= 2 && absl::StartsWith(c, w))
      distance = std::min(distance, 1);
    if (distance <= limit) scored.emplace_back(distance, candidate);
  }
  std::stable_sort(
      scored.begin(), scored.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [distance, candidate] : scored) {
    if (std::find(out.begin(), out.end(), candidate) == out.end()) {
      out.push_back(std::move(candidate));
    }
  }
  return out;
}

std::vector<std::string> SubcommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
  }
  return names;
}

std::vector<std::string> FlagNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (CLI::Option* opt : a->get_options()) {
      if (!opt->nonpositional()) continue;
      for (const std::string& name : opt->get_lnames()) {
        names.push_back("--" + name);
      }
      for (const std::string& name : opt->get_snames()) {
        names.push_back("-" + name);
      }
    }
  }
  return names;
}

Diagnosis DiagnoseArguments(CLI::App& root,
                            const std::vector<std::string>& args) {
  Diagnosis diagnosis;
  CLI::App* app = &root;
  bool takes_next = false;
  for (const std::string& word : args) {
    if (takes_next) {
      takes_next = false;
      continue;
    }
    if (word == "--") break;
    const bool is_flag = word.size() > 1 && word[0] == '-' &&
                         !(word[1] >= '0' && word[1] <= '9');  // -5 is a value
    if (is_flag) {
      const std::string flag = word.substr(0, word.find('='));
      CLI::Option* opt = FindFlag(*app, flag);
      if (opt == nullptr) {
        diagnosis.command = CommandPath(*app);
        diagnosis.message = absl::StrCat("unknown flag \"", flag, "\" for \"",
                                         diagnosis.command, "\"",
                                         Suggestion(flag, FlagNames(*app)));
        return diagnosis;
      }
      const bool attached = word.find('=') != std::string::npos ||
                            (word[1] != '-' && word.size() > 2);  // -ojson
      takes_next = opt->get_type_size_max() > 0 && !attached;
      continue;
    }
    if (app->get_subcommands([](CLI::App*) { return true; }).empty()) {
      continue;  // an argument of a command
    }
    CLI::App* sub = FindSubcommand(*app, word);
    if (sub == nullptr) {
      diagnosis.command = CommandPath(*app);
      diagnosis.message = absl::StrCat("unknown command \"", word, "\" for \"",
                                       diagnosis.command, "\"",
                                       Suggestion(word, SubcommandNames(*app)));
      return diagnosis;
    }
    app = sub;
  }
  diagnosis.command = CommandPath(*app);
  return diagnosis;
}

}  // namespace partnergraph::client
