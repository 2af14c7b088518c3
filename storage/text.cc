#include "storage/text.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace partnergraph::storage {
namespace {

// Base letters of U+00C0..U+017F, one byte per code point. Upper-case
// markers stand for two-letter folds and '.' for a non-letter (×, ÷).
constexpr char kLatinFold[] =
    // U+00C0..U+00FF (Latin-1 Supplement letters).
    "aaaaaaAceeeeiiii"
    "dnooooo.ouuuuyTS"
    "aaaaaaAceeeeiiii"
    "dnooooo.ouuuuyTy"
    // U+0100..U+017F (Latin Extended-A).
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "iiJJjjkkklllllll"
    "lllnnnnnnnnnoooo"
    "ooOOrrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzzs";
static_assert(sizeof(kLatinFold) - 1 == 0x180 - 0xC0,
              "one entry per code point of U+00C0..U+017F");

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at `*pos`, advancing past it. Returns kInvalid and
// advances one byte for an ill-formed sequence.
char32_t DecodeUtf8(absl::string_view s, size_t* pos) {
  const size_t len = Utf8SequenceLength(s, *pos);
  if (len == 0) {
    ++*pos;
    return kInvalid;
  }
  const uint8_t b0 = static_cast<uint8_t>(s[*pos]);
  char32_t cp = len == 1 ? b0 : b0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    cp = (cp << 6) | (static_cast<uint8_t>(s[*pos + i]) & 0x3F);
  }
  *pos += len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Characters that join words without separating them: combining marks (so
// decomposed "e\u0301" folds like "é"), soft hyphen, zero-width joiners and
// variation selectors.
bool IsIgnorable(char32_t cp) {
  return cp == 0xAD || (cp >= 0x300 && cp <= 0x36F) ||
         (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
         (cp >= 0xFE00 && cp <= 0xFE0F);
}

// Non-letters outside ASCII and Latin-1: spaces, punctuation and symbols of
// the blocks people actually type, plus CJK and full-width punctuation.
bool IsSeparator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
         cp == 0x37E || cp == 0x387 || cp == 0x589 || cp == 0x5BE ||
         cp == 0x5C3 || cp == 0x60C || cp == 0x61B || cp == 0x61F ||
         cp == 0x6D4 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x2BFF) ||
         (cp >= 0x2E00 && cp <= 0x2E7F) || (cp >= 0x3000 && cp <= 0x3004) ||
         (cp >= 0x3008 && cp <= 0x3020) || cp == 0x3030 || cp == 0x30FB ||
         (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
         (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
         (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
         (cp >= 0xFFF0 && cp <= 0xFFFF) || (cp >= 0x1F000 && cp <= 0x1FAFF);
}

// Simple lower-case mapping of the Greek and Cyrillic letters, which (unlike
// most scripts) have case and are common in company names.
char32_t LowerGreekCyrillic(char32_t cp) {
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
  if (cp == 0x3C2) return 0x3C3;  // Final sigma folds to sigma.
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
       (cp >= 0x4D0 && cp <= 0x52F)) &&
      cp % 2 == 0) {
    return cp + 1;
  }
  if (cp >= 0x4C1 && cp <= 0x4CE && cp % 2 == 1) return cp + 1;
  if (cp == 0x4C0) return 0x4CF;
  return cp;
}

// Appends the fold of `cp` to `out`; returns false when `cp` is not part of
// a word.
bool AppendFolded(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (c >= 'A' && c <= 'Z') {
      out->push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':') {
      out->push_back(c);
    } else {
      return false;
    }
    return true;
  }
  switch (cp) {
    case 0xAA:  // ª
      out->push_back('a');
      return true;
    case 0xBA:  // º
      out->push_back('o');
      return true;
    case 0xB5:  // µ (micro sign) folds to Greek mu.
      AppendUtf8(0x3BC, out);
      return true;
    case 0xB2:  // ²
      out->push_back('2');
      return true;
    case 0xB3:  // ³
      out->push_back('3');
      return true;
    case 0xB9:  // ¹
      out->push_back('1');
      return true;
  }
  if (cp >= 0xC0 && cp < 0x180) {
    switch (const char f = kLatinFold[cp - 0xC0]) {
      case '.':
        return false;
      case 'A':
        out->append("ae");
        break;
      case 'J':
        out->append("ij");
        break;
      case 'O':
        out->append("oe");
        break;
      case 'S':
        out->append("ss");
        break;
      case 'T':
        out->append("th");
        break;
      default:
        out->push_back(f);
    }
    return true;
  }
  if (IsSeparator(cp)) return false;
  // Full-width ASCII letters and digits, as typed with CJK input methods.
  if (cp >= 0xFF10 && cp <= 0xFF19) {
    out->push_back(static_cast<char>('0' + (cp - 0xFF10)));
  } else if (cp >= 0xFF21 && cp <= 0xFF3A) {
    out->push_back(static_cast<char>('a' + (cp - 0xFF21)));
  } else if (cp >= 0xFF41 && cp <= 0xFF5A) {
    out->push_back(static_cast<char>('a' + (cp - 0xFF41)));
  } else {
    AppendUtf8(LowerGreekCyrillic(cp), out);
  }
  return true;
}

}  // namespace

size_t Utf8SequenceLength(absl::string_view s, size_t pos) {
  const auto b = [&s](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = b(pos);
  if (b0 < 0x80) return 1;
  size_t len;
  uint32_t cp;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((b(pos + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string FoldForSearch(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = DecodeUtf8(text, &pos);
    if (cp == kInvalid || IsIgnorable(cp)) continue;
    const size_t before = out.size();
    if (pending_space && !out.empty()) out.push_back(' ');
    if (AppendFolded(cp, &out)) {
      pending_space = false;
    } else {
      out.resize(before);
      pending_space = true;
    }
  }
  return out;
}

std::string FoldCaseAndAccents(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(text, &pos);
    if (cp == kInvalid || IsIgnorable(cp)) continue;
    const size_t before = out.size();
    if (!AppendFolded(cp, &out)) {
      out.resize(before);
      out.append(text.data() + start, pos - start);
    }
  }
  return out;
}

std::vector<std::string> FoldedWords(absl::string_view folded) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == absl::string_view::npos) end = folded.size();
    if (end > start) words.emplace_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::string Slugify(absl::string_view display_name) {
  constexpr size_t kMaxSlugBytes = 63;
  const std::string folded = FoldForSearch(display_name);
  std::string slug;
  bool pending_dash = false;
  for (const char c : folded) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_dash && !slug.empty()) slug.push_back('-');
      pending_dash = false;
      slug.push_back(c);
    } else {
      // ':', ' ', and the bytes of letters of other scripts all break words.
      pending_dash = true;
    }
  }
  if (slug.size() > kMaxSlugBytes) {
    size_t cut = kMaxSlugBytes;
    if (slug[kMaxSlugBytes] != '-') {
      const size_t dash = slug.rfind('-', kMaxSlugBytes - 1);
      if (dash != std::string::npos) cut = dash;
    }
    slug.resize(cut);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug;
}

}  // namespace partnergraph::storage
