#ifndef PARTNERGRAPH_STORAGE_TEXT_H_
#define PARTNERGRAPH_STORAGE_TEXT_H_

// Text folding for search keys and slugs.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace partnergraph::storage {

// Folds `text` for case- and accent-insensitive matching: ASCII letters to
// lower case; accented Latin letters (Latin-1 Supplement and Latin
// Extended-A, e.g. "É", "ñ", "Ł") to their base letter, "ß" to "ss", "æ" to
// "ae", "ø" to "o", "œ" to "oe"; ":" kept (tickers); every other run of
// characters that are not letters or digits becomes one space; leading and
// trailing spaces dropped. Other scripts (CJK, Cyrillic, ...) are kept as
// their UTF-8 bytes, lower-cased where Unicode simple case mapping is not
// needed. Invalid UTF-8 bytes are dropped.
std::string FoldForSearch(absl::string_view text);

// Folds letters as FoldForSearch does but keeps every other character as it
// is: "C++" and "C#" stay distinct, "Société" and "SOCIETE" do not.
std::string FoldCaseAndAccents(absl::string_view text);

// The space-separated words of a folded string.
std::vector<std::string> FoldedWords(absl::string_view folded);

// Length in bytes of the well-formed UTF-8 sequence that starts at s[pos]
// (pos < s.size()), or 0 when it is ill-formed: overlong, a surrogate, beyond
// U+10FFFF, truncated or a stray continuation byte.
size_t Utf8SequenceLength(absl::string_view s, size_t pos);

// A company id derived from a display name: folded, ":" and spaces to "-",
// only [a-z0-9-], no leading, trailing or doubled "-", at most 63 bytes (cut
// on a "-" boundary when possible). Empty when nothing usable remains.
std::string Slugify(absl::string_view display_name);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_TEXT_H_
