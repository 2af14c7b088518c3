// partnerctl as a kubectl or etcdctl user expects it: suggestions for typos,
// help where a command is missing, versions, shell completion, --server
// checked before dialing, one exit code for a filter naming an unknown
// company.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/e2e_harness.h"

namespace partnergraph::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class CliUsabilityTest : public PartnerctlE2eTest {};

TEST_F(CliUsabilityTest, TyposGetADidYouMean) {
  struct Case {
    std::vector<std::string> args;
    std::string want;
    std::string help;
  };
  for (const Case& c : std::vector<Case>{
           {{"compnay", "list"},
            "unknown command \"compnay\" for \"partnerctl\"; did you mean "
            "\"company\"?",
            "partnerctl --help"},
           {{"company", "lst"},
            "unknown command \"lst\" for \"partnerctl company\"; did you mean "
            "\"list\"?",
            "partnerctl company --help"},
           {{"partnership", "list", "--compnay", "micron"},
            "unknown flag \"--compnay\" for \"partnerctl partnership list\"; "
            "did you mean \"--company\"?",
            "partnerctl partnership list --help"},
           {{"company", "list", "--outptu", "json"},
            "did you mean \"--output\"?",
            "partnerctl company list --help"},
           {{"neighbours", "micron"},
            "did you mean \"neighbors\"?",
            "partnerctl --help"},
       }) {
    SCOPED_TRACE(absl::StrJoin(c.args, " "));
    Result r = Ctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, AllOf(StartsWith("Error: "), HasSubstr(c.want),
                             HasSubstr(absl::StrCat("Run '", c.help))))
        << r;
    EXPECT_THAT(r.out, IsEmpty());
  }
  // Nothing close: no suggestion, still the command to ask for help.
  Result r = Ctl({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, AllOf(HasSubstr("unknown command \"frobnicate\""),
                           Not(HasSubstr("did you mean"))));
}

TEST_F(CliUsabilityTest, NoArgumentsOrABareGroupPrintsHelp) {
  Result top = RunRaw({});
  EXPECT_EQ(top.exit_code, 0) << top;
  EXPECT_THAT(top.out,
              AllOf(HasSubstr("Usage:"), HasSubstr("company"),
                    HasSubstr("partnership"), HasSubstr("Exit codes")));
  for (const std::vector<std::string>& group :
       std::vector<std::vector<std::string>>{
           {"company"}, {"partnership"}, {"describe"}, {"token"}}) {
    SCOPED_TRACE(group[0]);
    Result r = Ctl(group);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, AllOf(HasSubstr("Usage:"), HasSubstr("SUBCOMMAND")));
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST_F(CliUsabilityTest, VersionNamesClientAndServer) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"version"}, {"--version"}}) {
    SCOPED_TRACE(args[0]);
    Result r = Ctl(args);
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out,
                AllOf(HasSubstr("Client Version: " PARTNERGRAPH_VERSION),
                      HasSubstr("Server Version: " PARTNERGRAPH_VERSION)));
  }
  Result json = Ctl({"version", "-o", "json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(json.out,
              HasSubstr("\"serverVersion\": \"" PARTNERGRAPH_VERSION));
  // The client's version needs no server; asking a dead one says why.
  Result client = RunRaw({"version", "--client"});
  EXPECT_EQ(client.exit_code, 0) << client;
  EXPECT_EQ(client.out, "Client Version: " PARTNERGRAPH_VERSION "\n");
  Result dead = RunRaw({"--server", "127.0.0.1:1", "version"});
  EXPECT_EQ(dead.exit_code, 5) << dead;
  EXPECT_THAT(dead.out, HasSubstr("Client Version: "));
  EXPECT_THAT(dead.err, HasSubstr("cannot reach the server at 127.0.0.1:1"));
}

TEST_F(CliUsabilityTest, BashCompletionParsesAndCompletesCommands) {
  Result script = RunRaw({"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script;
  const std::string path = TempFile("partnerctl.bash", script.out);
  Result syntax = RunProcess({"/bin/bash", "-n", path}, ChildEnvironment({}),
                             dir_ + "/bash-n");
  EXPECT_EQ(syntax.exit_code, 0) << syntax;

  // Completes with COMP_WORDS as bash would set them after `partnerctl
  // co<TAB>`.
  auto complete = [&](const std::string& words, int cword) {
    const std::string program = absl::StrCat(
        "source ", path, "\nCOMP_WORDS=(", words, ")\nCOMP_CWORD=", cword,
        "\n_partnerctl\necho \"${COMPREPLY[*]}\"\n");
    return RunProcess({"/bin/bash", "-c", program}, ChildEnvironment({}),
                      absl::StrCat(dir_, "/complete", ++runs_));
  };
  Result top = complete("partnerctl co", 1);
  ASSERT_EQ(top.exit_code, 0) << top;
  EXPECT_EQ(top.out, "company companies completion\n");
  Result sub = complete("partnerctl company l", 2);
  EXPECT_EQ(sub.out, "list\n") << sub;
  Result after_flag = complete("partnerctl -s h:1 partnership ''", 4);
  EXPECT_THAT(after_flag.out, AllOf(HasSubstr("create"), HasSubstr("list"),
                                    HasSubstr("delete")))
      << after_flag;
  Result flags = complete("partnerctl partnership list --comp", 3);
  EXPECT_EQ(flags.out, "--company\n") << flags;
  Result formats = complete("partnerctl company list -o y", 4);
  EXPECT_EQ(formats.out, "yaml\n") << formats;

  Result zsh = RunRaw({"completion", "zsh"});
  EXPECT_EQ(zsh.exit_code, 0) << zsh;
  EXPECT_THAT(zsh.out, AllOf(HasSubstr("bashcompinit"),
                             HasSubstr("complete -F _partnerctl partnerctl")));
  EXPECT_EQ(RunRaw({"completion", "fish"}).exit_code, 2);
}

TEST_F(CliUsabilityTest, ServerAddressIsCheckedBeforeDialing) {
  struct Case {
    std::string server;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"127.0.0.1", "no port; want HOST:PORT, e.g. 127.0.0.1:50051"},
           {"localhost:5O051",
            "port \"5O051\" is not a number from 1 to 65535"},
           {"localhost:0", "port \"0\" is not a number from 1 to 65535"},
           {"localhost:70000", "not a number from 1 to 65535"},
           {"http://localhost:50051", "without a scheme, e.g. localhost:50051"},
           {"https://db1:443", "e.g. db1:443 with --tls"},
           {":50051", "no host"},
           {"::1", "an IPv6 host goes in brackets: [::1]:50051"},
       }) {
    SCOPED_TRACE(c.server);
    Result r = RunRaw({"--server", c.server, "company", "list"});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, AllOf(StartsWith("Error: "), HasSubstr("--server"),
                             HasSubstr(c.want)))
        << r;
  }
  // The same rule for $PARTNERGRAPH_SERVER.
  Result env = RunRaw({"company", "list"}, {"PARTNERGRAPH_SERVER=127.0.0.1"});
  EXPECT_EQ(env.exit_code, 2) << env;
  // Good spellings reach the server.
  MustRun({"company", "list"});
  Result bracketed =
      RunRaw({"--server", absl::StrCat("[127.0.0.1]:", server_->port()),
              "company", "list"});
  EXPECT_NE(bracketed.exit_code, 2) << bracketed;
}

TEST_F(CliUsabilityTest, AFilterNamingAnUnknownCompanyExitsThree) {
  MustRun({"company", "create", "micron", "--display-name", "Micron"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"partnership", "list", "--company", "micorn"},
           {"neighbors", "micorn"},
           {"path", "micron", "micorn"},
           {"trend", "--company", "micorn"},
           {"watch", "--company", "micorn", "--since", "1", "--exit"},
       }) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    Result r = Ctl(args);
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_THAT(r.err, AllOf(HasSubstr("micorn"), HasSubstr("not found"))) << r;
    EXPECT_THAT(r.out, IsEmpty());
  }
  Result known = Ctl({"partnership", "list", "--company", "micron"});
  EXPECT_EQ(known.exit_code, 0) << known;
  EXPECT_THAT(known.err, HasSubstr("No partnerships found."));
}

}  // namespace
}  // namespace partnergraph::testing
