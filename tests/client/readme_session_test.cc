// The README's session runs as printed: every `$` line of its ```console
// blocks is executed, in order and in one shell, against a fresh
// partnergraphd started as `make run` starts it (demo graph, backup
// directory), with the real partnerctl first on PATH. Each command must exit
// 0, or the code its line names ("# exits 3"), and the lines printed under
// it must appear in what it printed ("..." stands for left-out text). Then
// the README's Python recipe runs against the same server.

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

using ::testing::HasSubstr;

struct Command {
  std::string line;  // without "$ "
  int want_exit = 0;
  std::vector<std::string> want_lines;
};

// The fenced blocks of `markdown` whose info string is `language`.
std::vector<std::vector<std::string>> Blocks(const std::string& markdown,
                                             const std::string& language) {
  std::vector<std::vector<std::string>> blocks;
  std::vector<std::string>* open = nullptr;
  bool in_other = false;
  for (const std::string& line :
       std::vector<std::string>(absl::StrSplit(markdown, '\n'))) {
    if (absl::StartsWith(line, "```")) {
      if (open != nullptr || in_other) {
        open = nullptr;
        in_other = false;
      } else if (line == "```" + language) {
        blocks.emplace_back();
        open = &blocks.back();
      } else {
        in_other = true;
      }
      continue;
    }
    if (open != nullptr) open->push_back(line);
  }
  return blocks;
}

std::vector<Command> Session(const std::string& markdown) {
  std::vector<Command> commands;
  for (const std::vector<std::string>& block : Blocks(markdown, "console")) {
    for (const std::string& line : block) {
      if (absl::StartsWith(line, "$ ")) {
        Command command;
        command.line = line.substr(2);
        const size_t note = command.line.find("# exits ");
        if (note != std::string::npos) {
          EXPECT_TRUE(absl::SimpleAtoi(
              command.line.substr(note + std::strlen("# exits ")),
              &command.want_exit))
              << line;
        }
        commands.push_back(command);
      } else if (!commands.empty() && !line.empty()) {
        commands.back().want_lines.push_back(line);
      }
    }
  }
  return commands;
}

class ReadmeSessionTest : public PartnerctlE2eTest {
 protected:
  std::vector<std::string> ServerFlags() override {
    return {"--load_demo", absl::StrCat("--backup_dir=", dir_, "/backups")};
  }

  // A working directory that looks like the repository after `make`:
  // build/client/partnerctl, client/ and proto/.
  std::string Workspace() {
    const std::string work = dir_ + "/work";
    std::filesystem::create_directories(work + "/build");
    std::filesystem::create_directory_symlink(
        std::filesystem::path(PARTNERCTL_PATH).parent_path(),
        work + "/build/client");
    for (const char* folder : {"client", "proto"}) {
      std::filesystem::create_directory_symlink(
          absl::StrCat(PROJECT_SOURCE_DIR, "/", folder),
          absl::StrCat(work, "/", folder));
    }
    return work;
  }

  Result InWorkspace(const std::string& work, const std::string& script,
                     const std::string& name) {
    return RunProcess(
        {"/bin/bash", "-c", absl::StrCat("cd ", work, " && ", script)},
        ChildEnvironment(
            {absl::StrCat("PARTNERGRAPH_SERVER=", server_->address())}),
        absl::StrCat(dir_, "/", name));
  }
};

TEST_F(ReadmeSessionTest, TheConsoleSessionRunsAsPrinted) {
  const std::string readme = ReadFile(PROJECT_SOURCE_DIR "/README.md");
  const std::vector<Command> commands = Session(readme);
  ASSERT_GE(commands.size(), 10u) << "no ```console session in README.md";
  const std::string work = Workspace();
  // One shell for the whole session (its `export` holds for what follows);
  // each command's output and exit code go to files of their own.
  std::string script = "set +e\n";
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StrAppend(&script, "{ ", commands[i].line, "\n} > ", dir_, "/cmd", i,
                    ".out 2>&1; echo $? > ", dir_, "/cmd", i, ".rc\n");
  }
  Result shell = InWorkspace(work, script, "session");
  ASSERT_EQ(shell.exit_code, 0) << shell;
  for (size_t i = 0; i < commands.size(); ++i) {
    const Command& c = commands[i];
    SCOPED_TRACE(c.line);
    const std::string out = ReadFile(absl::StrCat(dir_, "/cmd", i, ".out"));
    int rc = -1;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(
                                     absl::StrCat(dir_, "/cmd", i, ".rc"))),
                                 &rc));
    EXPECT_EQ(rc, c.want_exit) << out;
    for (const std::string& want : c.want_lines) {
      for (absl::string_view part : absl::StrSplit(want, "...")) {
        part = absl::StripAsciiWhitespace(part);
        if (part.empty()) continue;
        EXPECT_THAT(out, HasSubstr(std::string(part)))
            << "README line: " << want;
      }
    }
  }
  // The dot file of the session renders.
  Result svg = InWorkspace(work, "dot -Tsvg micron.dot", "svg");
  EXPECT_EQ(svg.exit_code, 0) << svg;
}

TEST_F(ReadmeSessionTest, ThePythonRecipeRuns) {
  Result has_grpc = RunProcess({"/usr/bin/python3", "-c", "import grpc"},
                               ChildEnvironment({}), dir_ + "/import");
  ASSERT_EQ(has_grpc.exit_code, 0)
      << "python3-grpcio is missing; deploy/install-deps.sh installs it: "
      << has_grpc;
  const std::string readme = ReadFile(PROJECT_SOURCE_DIR "/README.md");
  const std::string marker = "### From another language: Python";
  const size_t at = readme.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string section = readme.substr(at);
  std::vector<std::vector<std::string>> sh = Blocks(section, "sh");
  std::vector<std::vector<std::string>> python = Blocks(section, "python");
  ASSERT_FALSE(sh.empty());
  ASSERT_FALSE(python.empty());
  const std::string work = Workspace();
  Result generated = InWorkspace(work, absl::StrJoin(sh[0], "\n"), "protoc");
  ASSERT_EQ(generated.exit_code, 0) << generated;
  WriteFile(work + "/recipe.py", absl::StrJoin(python[0], "\n") + "\n");
  Result run = InWorkspace(work, "/usr/bin/python3 recipe.py", "python");
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_THAT(run.out, HasSubstr("health: SERVING"));
  EXPECT_THAT(run.out, HasSubstr("partnergraph.v1.CompanyService"));
  EXPECT_THAT(run.out, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
  EXPECT_THAT(run.out, HasSubstr("Micron Technology ['NASDAQ:MU'] server " +
                                 std::string(PARTNERGRAPH_VERSION)));
}

}  // namespace
}  // namespace partnergraph::testing
