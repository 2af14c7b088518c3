#include "storage/text.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace partnergraph::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct FoldCase {
  std::string input;
  std::string want;
};

TEST(FoldForSearchTest, Folds) {
  const std::vector<FoldCase> cases = {
      {"Société Générale", "societe generale"},
      {"NASDAQ:MU", "nasdaq:mu"},
      {"  Micron   Technology, Inc. ", "micron technology inc"},
      {"Micron Technology", "micron technology"},
      {"", ""},
      {"   ", ""},
      {"...", ""},
      {"AT&T", "at t"},
      {"3M", "3m"},
      {"Ænima", "aenima"},
      {"Łódź", "lodz"},
      {"Straße", "strasse"},
      {"Øresund", "oresund"},
      {"Œuvre", "oeuvre"},
      {"œuvre", "oeuvre"},
      {"Þór", "thor"},
      {"ÀÁÂÃÄÅàáâãäå", "aaaaaaaaaaaa"},
      {"ÇçÑñÝýÿŸ", "ccnnyyyy"},
      {"ČĆĐŠŽ čćđšž", "ccdsz ccdsz"},
      {"İstanbul ığdır", "istanbul igdir"},
      {"Ĳssel", "ijssel"},
      {"Dvořák", "dvorak"},
      {"Ősz Űr", "osz ur"},
      {"ſ", "s"},
      // × and ÷ are symbols, not letters.
      {"2×3÷4", "2 3 4"},
      // Decomposed accents (combining marks) fold like precomposed ones.
      {"Socie\xCC\x81te\xCC\x81", "societe"},
      // Punctuation outside ASCII separates words.
      {"Micron\xE2\x80\x94"
       "Anthropic",
       "micron anthropic"},
      {"\xC2\xA0Nvidia\xC2\xA0", "nvidia"},
      {"Apple\xE2\x80\x99s", "apple s"},
      // Other scripts are kept; Cyrillic and Greek are lower-cased.
      {"ЯНДЕКС", "яндекс"},
      {"ΑΘΗΝΑ", "αθηνα"},
      {"ソニー 株式会社", "ソニー 株式会社"},
      {"三星電子、サムスン", "三星電子 サムスン"},
      // Full-width Latin letters and digits fold to ASCII.
      {"\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\x91", "abc1"},
      // Invalid UTF-8 bytes are dropped without splitting the word.
      {"Mic\xFFron", "micron"},
      {"ab\xC3", "ab"},
      {"a\xC0\xAF"
       "b",
       "ab"},  // overlong "/"
      {"a\xED\xA0\x80"
       "b",
       "ab"},                        // surrogate
      {"x\xF4\x90\x80\x80y", "xy"},  // beyond U+10FFFF
      {"tab\tnew\nline", "tab new line"},
      {"a:b c", "a:b c"},
  };
  for (const FoldCase& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.input));
    EXPECT_EQ(FoldForSearch(c.input), c.want);
  }
}

TEST(FoldForSearchTest, IsIdempotent) {
  for (const char* s :
       {"Société Générale", "Ænima Łódź", "ЯНДЕКС", "NASDAQ:MU", "  a  b  "}) {
    SCOPED_TRACE(s);
    const std::string once = FoldForSearch(s);
    EXPECT_EQ(FoldForSearch(once), once);
  }
}

TEST(FoldForSearchTest, CaseAndAccentVariantsFoldTheSame) {
  EXPECT_EQ(FoldForSearch("SOCIÉTÉ GÉNÉRALE"),
            FoldForSearch("societe generale"));
  EXPECT_EQ(FoldForSearch("Nestlé"), FoldForSearch("NESTLE"));
  EXPECT_EQ(FoldForSearch("Škoda"), FoldForSearch("skoda"));
}

std::string Utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

// Every letter of U+00C0..U+017F folds to ASCII lower-case letters, and
// upper- and lower-case forms fold the same.
TEST(FoldForSearchTest, LatinTableFoldsCasePairsToAsciiLetters) {
  for (char32_t cp = 0xC0; cp < 0x180; ++cp) {
    if (cp == 0xD7 || cp == 0xF7) continue;  // × and ÷
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << cp);
    const std::string folded = FoldForSearch(Utf8(cp));
    ASSERT_FALSE(folded.empty());
    EXPECT_LE(folded.size(), 2u);
    for (char c : folded) EXPECT_TRUE(c >= 'a' && c <= 'z') << folded;
  }
  auto expect_pair = [](char32_t upper, char32_t lower) {
    SCOPED_TRACE(testing::Message() << "U+" << std::hex << upper);
    EXPECT_EQ(FoldForSearch(Utf8(upper)), FoldForSearch(Utf8(lower)));
  };
  for (char32_t cp = 0xC0; cp <= 0xDE; ++cp) {
    if (cp != 0xD7) expect_pair(cp, cp + 0x20);
  }
  for (char32_t cp = 0x100; cp <= 0x137; cp += 2) expect_pair(cp, cp + 1);
  for (char32_t cp = 0x139; cp <= 0x148; cp += 2) expect_pair(cp, cp + 1);
  for (char32_t cp = 0x14A; cp <= 0x177; cp += 2) expect_pair(cp, cp + 1);
  for (char32_t cp = 0x179; cp <= 0x17E; cp += 2) expect_pair(cp, cp + 1);
  expect_pair(0x178, 0xFF);  // Ÿ ÿ
  // Spot checks of the base letter.
  EXPECT_EQ(FoldForSearch("ĀĈĎĒĜĤĨĴĶĹŃŌŔŚŢŨŴŶŹ"), "acdeghijklnorstuwyz");
  EXPECT_EQ(FoldForSearch("ĿŊĦŦĸ"), "lnhtk");
}

TEST(FoldedWordsTest, SplitsOnSpaces) {
  EXPECT_THAT(FoldedWords("micron technology inc"),
              ElementsAre("micron", "technology", "inc"));
  EXPECT_THAT(FoldedWords("nasdaq:mu"), ElementsAre("nasdaq:mu"));
  EXPECT_THAT(FoldedWords(""), IsEmpty());
  EXPECT_THAT(FoldedWords(FoldForSearch("  Micron   Technology, Inc. ")),
              ElementsAre("micron", "technology", "inc"));
  // Tolerates stray spaces even though FoldForSearch never produces them.
  EXPECT_THAT(FoldedWords(" a  b "), ElementsAre("a", "b"));
}

TEST(SlugifyTest, Slugs) {
  const std::vector<FoldCase> cases = {
      {"Micron Technology, Inc.", "micron-technology-inc"},
      {"Ænima Łódź", "aenima-lodz"},
      {"Anthropic", "anthropic"},
      {"NASDAQ:MU", "nasdaq-mu"},
      {"Société Générale", "societe-generale"},
      {"  --Hello--World--  ", "hello-world"},
      {"AT&T", "at-t"},
      {"3M", "3m"},
      {"Toyota 株式会社", "toyota"},
      {"株式会社 Toyota Motor", "toyota-motor"},
      {"ab株cd", "ab-cd"},
      {"株式会社", ""},
      {"", ""},
      {"!!!", ""},
  };
  for (const FoldCase& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(Slugify(c.input), c.want);
  }
}

// Every slug is a valid company id: [a-z0-9][a-z0-9-]{0,62}.
bool IsCompanyId(const std::string& s) {
  if (s.empty() || s.size() > 63 || s[0] == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

TEST(SlugifyTest, CutsLongNamesOnAWordBoundary) {
  // 10 words of 9 letters: "aaaaaaaaa-bbbbbbbbb-..." is 99 bytes.
  std::string name;
  for (char c = 'a'; c < 'a' + 10; ++c) {
    name += std::string(9, c) + " ";
  }
  const std::string slug = Slugify(name);
  EXPECT_TRUE(IsCompanyId(slug)) << slug;
  // Six whole words fit in 63 bytes (6*9 + 5 = 59); the seventh does not.
  EXPECT_EQ(slug,
            "aaaaaaaaa-bbbbbbbbb-ccccccccc-ddddddddd-eeeeeeeee-fffffffff");
}

TEST(SlugifyTest, KeepsAWordEndingExactlyAtTheLimit) {
  // 63 bytes: "xxx...x" (61) + "-y", followed by more words.
  const std::string name = std::string(61, 'x') + " y zzz";
  EXPECT_EQ(Slugify(name), std::string(61, 'x') + "-y");
}

TEST(SlugifyTest, CutsASingleLongWordAt63Bytes) {
  const std::string slug = Slugify(std::string(100, 'q'));
  EXPECT_EQ(slug, std::string(63, 'q'));
  EXPECT_TRUE(IsCompanyId(slug));
}

TEST(SlugifyTest, SlugsAreValidIds) {
  for (const char* s :
       {"Micron Technology, Inc.", "-a-", "a--b", "Ænima Łódź", "x:y:z",
        "Very Long Company Name That Goes On And On Beyond Sixty Three "
        "Bytes Of Text",
        "1-800-FLOWERS.COM, Inc."}) {
    SCOPED_TRACE(s);
    EXPECT_TRUE(IsCompanyId(Slugify(s))) << Slugify(s);
  }
}

TEST(FoldCaseAndAccentsTest, FoldsLettersAndKeepsEverythingElse) {
  EXPECT_EQ(FoldCaseAndAccents("Société Générale"), "societe generale");
  EXPECT_EQ(FoldCaseAndAccents("C++"), "c++");
  EXPECT_EQ(FoldCaseAndAccents("C#"), "c#");
  EXPECT_EQ(FoldCaseAndAccents("AT&T  Inc."), "at&t  inc.");
  EXPECT_NE(FoldCaseAndAccents("Micron!"), FoldCaseAndAccents("Micron"));
}

}  // namespace
}  // namespace partnergraph::storage
