#include "storage/validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "storage/status_macros.h"
#include "storage/text.h"

namespace partnergraph::storage {
namespace {

constexpr absl::string_view kIdRule = "want [a-z0-9][a-z0-9-]{0,62}";
constexpr absl::string_view kTickerRule =
    "want EXCHANGE:SYMBOL";  // The example message of the API docs.
constexpr absl::string_view kSectorRule =
    "want a sector path of 1..4 lower-case segments [a-z0-9-]+ joined by "
    "\"/\", at most 100 bytes";
constexpr absl::string_view kDateRule =
    "want a real calendar date YYYY-MM-DD, years 1800..9999";
constexpr absl::string_view kUrlRule = "want an absolute http or https URL";
constexpr absl::string_view kLabelKeyRule =
    "want label keys matching [a-z0-9][a-z0-9_.\\-/]{0,62}";

// The 249 assigned ISO 3166-1 alpha-2 codes, in order.
constexpr absl::string_view kCountryCodes =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBY"
    "BZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFK"
    "FMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIR"
    "ISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMK"
    "MLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPM"
    "PNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTF"
    "TGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";
static_assert(kCountryCodes.size() == 2 * 249, "249 two-letter codes");

constexpr const char* kKindNames[] = {"PARTNERSHIP_KIND_UNSPECIFIED",
                                      "STRATEGIC_ALLIANCE",
                                      "SUPPLY_AGREEMENT",
                                      "JOINT_DEVELOPMENT",
                                      "TECHNOLOGY_INTEGRATION",
                                      "INVESTMENT",
                                      "LICENSING",
                                      "DISTRIBUTION",
                                      "JOINT_VENTURE"};
constexpr const char* kRoleNames[] = {"PARTICIPANT_ROLE_UNSPECIFIED",
                                      "PARTNER",
                                      "SUPPLIER",
                                      "CUSTOMER",
                                      "INVESTOR",
                                      "INVESTEE",
                                      "LICENSOR",
                                      "LICENSEE"};
constexpr const char* kStatusNames[] = {"PARTNERSHIP_STATUS_UNSPECIFIED",
                                        "ANNOUNCED", "ACTIVE", "ENDED"};
constexpr const char* kDisclosureNames[] = {
    "TERMS_DISCLOSURE_UNSPECIFIED", "DISCLOSED", "UNDISCLOSED", "UNKNOWN"};

// The API names of an enum's values, for messages.
struct EnumNames {
  const char* const* names;
  int count;

  // "one of A, B, C" for the values 1..count-1.
  std::string OneOf() const {
    std::string s = "want one of ";
    for (int i = 1; i < count; ++i)
      absl::StrAppend(&s, i > 1 ? ", " : "", names[i]);
    return s;
  }
  // The name of `value`, or its number when it has none.
  std::string Name(int value) const {
    if (value >= 0 && value < count) return names[value];
    return absl::StrCat(value);
  }
  bool InRange(int value) const { return value >= 0 && value < count; }
};

constexpr EnumNames kKinds{kKindNames, 9};
constexpr EnumNames kRoles{kRoleNames, 8};
constexpr EnumNames kStatuses{kStatusNames, 4};
constexpr EnumNames kDisclosures{kDisclosureNames, 4};

bool IsLowerOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The code point of the well-formed `len`-byte sequence at s[pos].
char32_t CodePointAt(absl::string_view s, size_t pos, size_t len) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[pos + i]); };
  switch (len) {
    case 1:
      return b(0);
    case 2:
      return (char32_t{b(0)} & 0x1F) << 6 | (b(1) & 0x3F);
    case 3:
      return (char32_t{b(0)} & 0x0F) << 12 | (char32_t{b(1)} & 0x3F) << 6 |
             (b(2) & 0x3F);
    default:
      return (char32_t{b(0)} & 0x07) << 18 | (char32_t{b(1)} & 0x3F) << 12 |
             (char32_t{b(2)} & 0x3F) << 6 | (b(3) & 0x3F);
  }
}

// Embedding, override and isolate controls, which reorder how the text
// around them is shown (names that read as another name).
bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// White space (Unicode White_Space) and characters that show nothing
// (zero-width spaces and joiners, word joiner, byte order mark, Hangul
// fillers): a text of only these is blank.
bool IsBlank(char32_t cp) {
  static constexpr char32_t kBlank[] = {
      ' ',    '\t',   '\n',   '\r',   0x0B,   0x0C,   0x85,
      0xA0,   0x1680, 0x180E, 0x2028, 0x2029, 0x202F, 0x205F,
      0x3000, 0xFEFF, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2060};
  return (cp >= 0x2000 && cp <= 0x200D) ||
         std::find(std::begin(kBlank), std::end(kBlank), cp) !=
             std::end(kBlank);
}

// C0 controls, DEL and the C1 controls U+0080..U+009F (encoded C2 80..C2 9F).
bool IsControlAt(absl::string_view s, size_t pos, size_t len) {
  const uint8_t b0 = static_cast<uint8_t>(s[pos]);
  if (len == 1) return b0 < 0x20 || b0 == 0x7F;
  return len == 2 && b0 == 0xC2 && static_cast<uint8_t>(s[pos + 1]) < 0xA0;
}

absl::Status Invalid(absl::string_view path, absl::string_view rule,
                     absl::string_view got) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", rule, ", got ", got));
}

absl::Status InvalidValue(absl::string_view path, absl::string_view rule,
                          absl::string_view value) {
  return Invalid(path, rule, Quote(value));
}

absl::Status Required(absl::string_view path) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": required"));
}

absl::Status TooMany(absl::string_view path, int max, int got) {
  return Invalid(path, absl::StrCat("want at most ", max, " entries"),
                 absl::StrCat(got));
}

std::string Indexed(absl::string_view path, int i) {
  return absl::StrCat(path, "[", i, "]");
}

enum class Lines { kSingle, kMulti };

// Checks a free-text field: length in bytes, well-formed UTF-8, no control
// characters (newlines and tabs allowed in multi-line text). `required`
// fields must also contain something other than white space.
absl::Status CheckText(absl::string_view path, absl::string_view value,
                       int max_bytes, bool required, Lines lines) {
  if (value.empty()) return required ? Required(path) : absl::OkStatus();
  if (value.size() > static_cast<size_t>(max_bytes)) {
    return Invalid(path,
                   absl::StrCat("want ", required ? "1.." : "at most ",
                                max_bytes, " bytes"),
                   absl::StrCat(value.size(), " bytes"));
  }
  bool blank = true;
  for (size_t pos = 0; pos < value.size();) {
    const size_t len = Utf8SequenceLength(value, pos);
    if (len == 0) return InvalidValue(path, "want valid UTF-8", value);
    const char32_t cp = CodePointAt(value, pos, len);
    if (IsBidiControl(cp)) {
      return InvalidValue(path,
                          "want no bidirectional control characters "
                          "(U+202A..U+202E, U+2066..U+2069)",
                          value);
    }
    if (IsControlAt(value, pos, len)) {
      const char c = value[pos];
      const bool allowed =
          lines == Lines::kMulti &&
          (c == '\n' || c == '\t' ||
           (c == '\r' && pos + 1 < value.size() && value[pos + 1] == '\n'));
      if (!allowed) {
        return InvalidValue(
            path,
            lines == Lines::kMulti
                ? "want no control characters other than newline and tab"
                : "want no control characters",
            value);
      }
    }
    if (!IsBlank(cp)) blank = false;
    pos += len;
  }
  if (required && blank) {
    return InvalidValue(path, "want a value that is not only white space",
                        value);
  }
  return absl::OkStatus();
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > static_cast<size_t>(kMaxIdBytes)) return false;
  if (!IsLowerOrDigit(id[0])) return false;
  for (char c : id) {
    if (!IsLowerOrDigit(c) && c != '-') return false;
  }
  return true;
}

bool IsValidTicker(absl::string_view t) {
  const size_t colon = t.find(':');
  if (colon == absl::string_view::npos || colon < 1 || colon > 10) return false;
  for (size_t i = 0; i < colon; ++i) {
    if (!IsUpper(t[i])) return false;
  }
  const absl::string_view symbol = t.substr(colon + 1);
  if (symbol.empty() || symbol.size() > 10) return false;
  if (!IsUpper(symbol[0]) && !IsDigit(symbol[0])) return false;
  for (char c : symbol) {
    if (!IsUpper(c) && !IsDigit(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsValidSector(absl::string_view sector) {
  if (sector.empty() || sector.size() > static_cast<size_t>(kMaxSectorBytes)) {
    return false;
  }
  int segments = 1;
  size_t segment_bytes = 0;
  for (char c : sector) {
    if (c == '/') {
      if (segment_bytes == 0) return false;
      ++segments;
      segment_bytes = 0;
    } else if (IsLowerOrDigit(c) || c == '-') {
      ++segment_bytes;
    } else {
      return false;
    }
  }
  return segment_bytes > 0 && segments <= kMaxSectorSegments;
}

bool IsValidCountry(absl::string_view code) {
  if (code.size() != 2 || !IsUpper(code[0]) || !IsUpper(code[1])) return false;
  for (size_t i = 0; i < kCountryCodes.size(); i += 2) {
    if (kCountryCodes.substr(i, 2) == code) return true;
  }
  return false;
}

bool IsValidLabelKey(absl::string_view key) {
  if (key.empty() || key.size() > 63 || !IsLowerOrDigit(key[0])) return false;
  for (char c : key) {
    if (!IsLowerOrDigit(c) && c != '_' && c != '.' && c != '-' && c != '/') {
      return false;
    }
  }
  return true;
}

bool IsValidWindow(absl::string_view w) {
  if (w.size() < 2 || w.size() > 4) return false;
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (!IsDigit(w[i])) return false;
  }
  const char unit = w.back();
  return unit == 'h' || unit == 'd' || unit == 'w' || unit == 'm';
}

bool IsHostChar(char c) {
  return IsLowerOrDigit(c) || IsUpper(c) || c == '-' || c == '.' || c == '_' ||
         static_cast<uint8_t>(c) >= 0x80;
}

// An absolute http(s) URL with a host: scheme (any case), "://", an
// authority with an optional user-info and port, then anything without
// spaces, controls or characters that never appear unescaped in URLs.
bool IsValidHttpUrl(absl::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return false;
  std::string scheme;
  for (char c : url.substr(0, scheme_end)) {
    scheme.push_back(IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (scheme != "http" && scheme != "https") return false;
  for (size_t pos = 0; pos < url.size();) {
    const size_t len = Utf8SequenceLength(url, pos);
    if (len == 0 || IsControlAt(url, pos, len)) return false;
    const char c = url[pos];
    if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\') return false;
    pos += len;
  }
  absl::string_view rest = url.substr(scheme_end + 3);
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) authority.remove_prefix(at + 1);
  absl::string_view host = authority;
  absl::string_view port;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1)) {
      const bool hex =
          IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    absl::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
  } else {
    const size_t colon = host.find(':');
    if (colon != absl::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return false;
    }
    if (host.empty() || host[0] == '.' || host[0] == '-') return false;
    for (char c : host) {
      if (!IsHostChar(c)) return false;
    }
  }
  if (!port.empty()) {
    if (port.size() > 5) return false;
    int n = 0;
    for (char c : port) {
      if (!IsDigit(c)) return false;
      n = n * 10 + (c - '0');
    }
    if (n > 65535) return false;
  }
  return true;
}

absl::Status CheckUrl(absl::string_view path, absl::string_view url,
                      bool required) {
  if (url.empty()) return required ? Required(path) : absl::OkStatus();
  if (url.size() > static_cast<size_t>(kMaxUrlBytes)) {
    return Invalid(path, absl::StrCat("want at most ", kMaxUrlBytes, " bytes"),
                   absl::StrCat(url.size(), " bytes"));
  }
  if (!IsValidHttpUrl(url)) return InvalidValue(path, kUrlRule, url);
  return absl::OkStatus();
}

absl::Status CheckTicker(absl::string_view path, absl::string_view ticker) {
  if (ticker.empty()) return Required(path);
  if (!IsValidTicker(ticker)) return InvalidValue(path, kTickerRule, ticker);
  return absl::OkStatus();
}

absl::Status CheckSector(absl::string_view path, absl::string_view sector) {
  if (sector.empty()) return Required(path);
  if (!IsValidSector(sector)) return InvalidValue(path, kSectorRule, sector);
  return absl::OkStatus();
}

absl::Status CheckCountry(absl::string_view path, absl::string_view country) {
  if (country.empty() || IsValidCountry(country)) return absl::OkStatus();
  return InvalidValue(path, "want an ISO 3166-1 alpha-2 code such as \"US\"",
                      country);
}

absl::Status CheckOptionalDate(absl::string_view path, absl::string_view date) {
  if (date.empty()) return absl::OkStatus();
  return ValidateDate(path, date);
}

absl::Status CheckLabelValue(absl::string_view path, absl::string_view value) {
  return CheckText(path, value, kMaxLabelValueBytes, /*required=*/false,
                   Lines::kSingle);
}

absl::Status CheckLabels(
    absl::string_view path,
    const google::protobuf::Map<std::string, std::string>& labels) {
  if (labels.size() > static_cast<size_t>(kMaxLabels)) {
    return TooMany(path, kMaxLabels, static_cast<int>(labels.size()));
  }
  // Sorted, so that the first bad label reported does not depend on the
  // map's iteration order.
  std::map<absl::string_view, absl::string_view> sorted(labels.begin(),
                                                        labels.end());
  for (const auto& [key, value] : sorted) {
    if (!IsValidLabelKey(key)) return InvalidValue(path, kLabelKeyRule, key);
    RETURN_IF_ERROR(
        CheckLabelValue(absl::StrCat(path, "[", Quote(key), "]"), value));
  }
  return absl::OkStatus();
}

// "same as company.tickers[0]" when `value` repeats an earlier entry.
template <typename Key>
absl::Status CheckDistinct(absl::flat_hash_map<Key, int>* seen, Key key,
                           absl::string_view path, int i,
                           absl::string_view rule, absl::string_view got) {
  auto [it, inserted] = seen->emplace(std::move(key), i);
  if (inserted) return absl::OkStatus();
  return Invalid(
      Indexed(path, i),
      absl::StrCat(rule, " (same as ", Indexed(path, it->second), ")"), got);
}

absl::Status CheckEnum(absl::string_view path, const EnumNames& names,
                       int value, bool allow_unspecified) {
  if (names.InRange(value) && (value != 0 || allow_unspecified)) {
    return absl::OkStatus();
  }
  return Invalid(path, names.OneOf(), names.Name(value));
}

// Collection "companies" names its id "company_id" in messages.
std::string IdPlaceholder(absl::string_view collection) {
  std::string singular(collection);
  if (absl::EndsWith(singular, "ies")) {
    singular.resize(singular.size() - 3);
    singular.append("y");
  } else if (absl::EndsWith(singular, "s")) {
    singular.pop_back();
  }
  return absl::StrCat("{", singular, "_id}");
}

}  // namespace

std::string Quote(absl::string_view value) {
  constexpr size_t kMaxQuotedBytes = 80;
  std::string out = "\"";
  size_t pos = 0;
  while (pos < value.size()) {
    if (pos >= kMaxQuotedBytes) {
      out.append("...");
      break;
    }
    const size_t len = Utf8SequenceLength(value, pos);
    const char c = value[pos];
    if (len == 0 || IsControlAt(value, pos, len)) {
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\r') {
        out.append("\\r");
      } else {
        const size_t n = len == 0 ? 1 : len;
        for (size_t i = 0; i < n; ++i) {
          absl::StrAppend(
              &out,
              absl::StrFormat("\\x%02x", static_cast<uint8_t>(value[pos + i])));
        }
        pos += n;
        continue;
      }
      ++pos;
      continue;
    }
    if (c == '"' || c == '\\') out.push_back('\\');
    out.append(value.data() + pos, len);
    pos += len;
  }
  out.push_back('"');
  return out;
}

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Required(field);
  if (!IsValidId(id)) return InvalidValue(field, kIdRule, id);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseResourceName(absl::string_view field,
                                              absl::string_view name,
                                              absl::string_view collection) {
  if (name.empty()) return Required(field);
  const std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix) ||
      !IsValidId(name.substr(prefix.size()))) {
    return InvalidValue(
        field, absl::StrCat("want ", prefix, IdPlaceholder(collection)), name);
  }
  return std::string(name.substr(prefix.size()));
}

absl::Status ValidateDate(absl::string_view field, absl::string_view date) {
  if (date.empty()) return Required(field);
  auto fail = [&] { return InvalidValue(field, kDateRule, date); };
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return fail();
  int parts[3] = {0, 0, 0};
  int part = 0;
  for (size_t i = 0; i < date.size(); ++i) {
    if (i == 4 || i == 7) {
      ++part;
      continue;
    }
    if (!IsDigit(date[i])) return fail();
    parts[part] = parts[part] * 10 + (date[i] - '0');
  }
  const int year = parts[0], month = parts[1], day = parts[2];
  if (year < 1800 || month < 1 || month > 12 || day < 1) return fail();
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > days) return fail();
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view field,
                               absl::string_view request_id) {
  if (request_id.empty()) return absl::OkStatus();
  if (request_id.size() > static_cast<size_t>(kMaxRequestIdBytes)) {
    return Invalid(field,
                   absl::StrCat("want 1..", kMaxRequestIdBytes, " bytes"),
                   absl::StrCat(request_id.size(), " bytes"));
  }
  for (char c : request_id) {
    if (c < 0x20 || c > 0x7E) {
      return InvalidValue(field, "want printable ASCII", request_id);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCompany(const CompanyRecord& company) {
  RETURN_IF_ERROR(CheckText("company.display_name", company.display_name(),
                            kMaxDisplayNameBytes, /*required=*/true,
                            Lines::kSingle));
  RETURN_IF_ERROR(CheckText("company.legal_name", company.legal_name(),
                            kMaxLegalNameBytes, /*required=*/false,
                            Lines::kSingle));

  if (company.aliases_size() > kMaxAliases) {
    return TooMany("company.aliases", kMaxAliases, company.aliases_size());
  }
  absl::flat_hash_map<std::string, int> folded_aliases;
  for (int i = 0; i < company.aliases_size(); ++i) {
    const std::string& alias = company.aliases(i);
    RETURN_IF_ERROR(CheckText(Indexed("company.aliases", i), alias,
                              kMaxDisplayNameBytes, /*required=*/true,
                              Lines::kSingle));
    RETURN_IF_ERROR(CheckDistinct(
        &folded_aliases, FoldCaseAndAccents(alias), "company.aliases", i,
        "want no two aliases equal after case and accent folding",
        Quote(alias)));
  }

  if (company.tickers_size() > kMaxTickers) {
    return TooMany("company.tickers", kMaxTickers, company.tickers_size());
  }
  absl::flat_hash_map<std::string, int> tickers;
  for (int i = 0; i < company.tickers_size(); ++i) {
    const std::string& ticker = company.tickers(i);
    RETURN_IF_ERROR(CheckTicker(Indexed("company.tickers", i), ticker));
    RETURN_IF_ERROR(CheckDistinct(&tickers, ticker, "company.tickers", i,
                                  "want distinct tickers", Quote(ticker)));
  }

  if (company.sectors_size() > kMaxSectors) {
    return TooMany("company.sectors", kMaxSectors, company.sectors_size());
  }
  absl::flat_hash_map<std::string, int> sectors;
  for (int i = 0; i < company.sectors_size(); ++i) {
    const std::string& sector = company.sectors(i);
    RETURN_IF_ERROR(CheckSector(Indexed("company.sectors", i), sector));
    RETURN_IF_ERROR(CheckDistinct(&sectors, sector, "company.sectors", i,
                                  "want distinct sectors", Quote(sector)));
  }

  RETURN_IF_ERROR(CheckCountry("company.country", company.country()));
  RETURN_IF_ERROR(
      CheckUrl("company.website", company.website(), /*required=*/false));
  RETURN_IF_ERROR(CheckText("company.description", company.description(),
                            kMaxDescriptionBytes, /*required=*/false,
                            Lines::kMulti));
  RETURN_IF_ERROR(CheckLabels("company.labels", company.labels()));
  return ValidateId("company.name", company.id());
}

void ApplyPartnershipDefaults(PartnershipRecord* partnership) {
  for (ParticipantRecord& p : *partnership->mutable_participants()) {
    if (p.role() == ROLE_UNSPECIFIED) p.set_role(ROLE_PARTNER);
  }
  if (partnership->status() == STATUS_UNSPECIFIED) {
    partnership->set_status(STATUS_ANNOUNCED);
  }
  if (partnership->terms().disclosure() == DISCLOSURE_UNSPECIFIED) {
    partnership->mutable_terms()->set_disclosure(DISCLOSURE_UNKNOWN);
  }
}

absl::Status ValidatePartnership(const PartnershipRecord& partnership) {
  const PartnershipRecord& p = partnership;
  RETURN_IF_ERROR(CheckText("partnership.title", p.title(), kMaxTitleBytes,
                            /*required=*/true, Lines::kSingle));
  RETURN_IF_ERROR(CheckText("partnership.summary", p.summary(),
                            kMaxSummaryBytes, /*required=*/false,
                            Lines::kMulti));

  if (p.participants_size() < kMinParticipants ||
      p.participants_size() > kMaxParticipants) {
    return Invalid(
        "partnership.participants",
        absl::StrCat("want ", kMinParticipants, "..", kMaxParticipants,
                     " entries naming at least 2 distinct "
                     "companies"),
        absl::StrCat(p.participants_size()));
  }
  absl::flat_hash_map<std::string, int> companies;
  for (int i = 0; i < p.participants_size(); ++i) {
    const ParticipantRecord& participant = p.participants(i);
    const std::string path = Indexed("partnership.participants", i);
    const std::string company_path = absl::StrCat(path, ".company");
    RETURN_IF_ERROR(ValidateId(company_path, participant.company_id()));
    auto [it, inserted] = companies.emplace(participant.company_id(), i);
    if (!inserted) {
      return InvalidValue(
          company_path,
          absl::StrCat("want each company at most once (same as ",
                       Indexed("partnership.participants", it->second),
                       ".company)"),
          participant.company_id());
    }
    RETURN_IF_ERROR(CheckEnum(absl::StrCat(path, ".role"), kRoles,
                              participant.role(),
                              /*allow_unspecified=*/true));
  }

  if (p.kinds_size() < 1 || p.kinds_size() > kMaxKinds) {
    return Invalid("partnership.kinds",
                   absl::StrCat("want 1..", kMaxKinds, " distinct kinds"),
                   absl::StrCat(p.kinds_size()));
  }
  absl::flat_hash_map<int, int> kinds;
  for (int i = 0; i < p.kinds_size(); ++i) {
    const int kind = p.kinds(i);
    RETURN_IF_ERROR(CheckEnum(Indexed("partnership.kinds", i), kKinds, kind,
                              /*allow_unspecified=*/false));
    RETURN_IF_ERROR(CheckDistinct(&kinds, kind, "partnership.kinds", i,
                                  "want distinct kinds", kKinds.Name(kind)));
  }

  RETURN_IF_ERROR(CheckEnum("partnership.status", kStatuses, p.status(),
                            /*allow_unspecified=*/true));
  RETURN_IF_ERROR(ValidateDate("partnership.announced_on", p.announced_on()));
  if (!p.ended_on().empty()) {
    RETURN_IF_ERROR(ValidateDate("partnership.ended_on", p.ended_on()));
    // Validated dates compare correctly as strings.
    if (p.ended_on() < p.announced_on()) {
      return InvalidValue("partnership.ended_on",
                          absl::StrCat("want a date not before "
                                       "partnership.announced_on (",
                                       p.announced_on(), ")"),
                          p.ended_on());
    }
  }

  const TermsRecord& terms = p.terms();
  RETURN_IF_ERROR(CheckEnum("partnership.terms.disclosure", kDisclosures,
                            terms.disclosure(), /*allow_unspecified=*/true));
  if (terms.has_value_usd()) {
    if (terms.disclosure() != DISCLOSURE_DISCLOSED) {
      return Invalid("partnership.terms.value_usd",
                     absl::StrCat("want unset unless "
                                  "partnership.terms.disclosure is DISCLOSED "
                                  "(it is ",
                                  kDisclosures.Name(terms.disclosure()), ")"),
                     absl::StrCat(terms.value_usd()));
    }
    if (terms.value_usd() < 0 || terms.value_usd() > kMaxValueUsd) {
      return Invalid(
          "partnership.terms.value_usd",
          absl::StrCat("want 0..", kMaxValueUsd, " whole US dollars"),
          absl::StrCat(terms.value_usd()));
    }
  }
  RETURN_IF_ERROR(CheckText("partnership.terms.description",
                            terms.description(), kMaxTermsDescriptionBytes,
                            /*required=*/false, Lines::kMulti));

  if (p.sources_size() > kMaxSources) {
    return TooMany("partnership.sources", kMaxSources, p.sources_size());
  }
  for (int i = 0; i < p.sources_size(); ++i) {
    const SourceRecord& source = p.sources(i);
    const std::string path = Indexed("partnership.sources", i);
    RETURN_IF_ERROR(CheckUrl(absl::StrCat(path, ".url"), source.url(),
                             /*required=*/true));
    RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".title"), source.title(),
                              kMaxSourceTitleBytes, /*required=*/false,
                              Lines::kSingle));
    RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".publisher"),
                              source.publisher(), kMaxPublisherBytes,
                              /*required=*/false, Lines::kSingle));
    RETURN_IF_ERROR(CheckOptionalDate(absl::StrCat(path, ".published_on"),
                                      source.published_on()));
    RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".excerpt"), source.excerpt(),
                              kMaxExcerptBytes, /*required=*/false,
                              Lines::kMulti));
  }

  if (p.market_reactions_size() > kMaxMarketReactions) {
    return TooMany("partnership.market_reactions", kMaxMarketReactions,
                   p.market_reactions_size());
  }
  for (int i = 0; i < p.market_reactions_size(); ++i) {
    const MarketReactionRecord& reaction = p.market_reactions(i);
    const std::string path = Indexed("partnership.market_reactions", i);
    RETURN_IF_ERROR(
        CheckTicker(absl::StrCat(path, ".ticker"), reaction.ticker()));
    const double change = reaction.change_percent();
    if (!std::isfinite(change) || change < -100 || change > 10000) {
      return Invalid(absl::StrCat(path, ".change_percent"),
                     "want a finite number in -100..10000",
                     absl::StrFormat("%g", change));
    }
    RETURN_IF_ERROR(
        CheckOptionalDate(absl::StrCat(path, ".on"), reaction.on()));
    if (!reaction.window().empty() && !IsValidWindow(reaction.window())) {
      return InvalidValue(absl::StrCat(path, ".window"),
                          "want 1..3 digits then h, d, w or m, such as \"1d\"",
                          reaction.window());
    }
    RETURN_IF_ERROR(CheckText(absl::StrCat(path, ".note"), reaction.note(),
                              kMaxNoteBytes, /*required=*/false,
                              Lines::kSingle));
  }

  RETURN_IF_ERROR(CheckLabels("partnership.labels", p.labels()));
  return ValidateId("partnership.name", p.id());
}

absl::Status ValidatePartnershipQuery(absl::string_view field,
                                      const PartnershipQuery& query) {
  const std::string kinds_path = absl::StrCat(field, ".kinds");
  if (query.kinds_size() > kMaxKinds) {
    return TooMany(kinds_path, kMaxKinds, query.kinds_size());
  }
  for (int i = 0; i < query.kinds_size(); ++i) {
    RETURN_IF_ERROR(CheckEnum(Indexed(kinds_path, i), kKinds, query.kinds(i),
                              /*allow_unspecified=*/false));
  }
  const std::string statuses_path = absl::StrCat(field, ".statuses");
  constexpr int kMaxStatuses = 3;
  if (query.statuses_size() > kMaxStatuses) {
    return TooMany(statuses_path, kMaxStatuses, query.statuses_size());
  }
  for (int i = 0; i < query.statuses_size(); ++i) {
    RETURN_IF_ERROR(CheckEnum(Indexed(statuses_path, i), kStatuses,
                              query.statuses(i),
                              /*allow_unspecified=*/false));
  }

  const std::string after_path = absl::StrCat(field, ".announced_after");
  const std::string before_path = absl::StrCat(field, ".announced_before");
  RETURN_IF_ERROR(CheckOptionalDate(after_path, query.announced_after()));
  RETURN_IF_ERROR(CheckOptionalDate(before_path, query.announced_before()));
  if (!query.announced_after().empty() && !query.announced_before().empty() &&
      query.announced_before() < query.announced_after()) {
    return InvalidValue(before_path,
                        absl::StrCat("want a date not before ", after_path,
                                     " (", query.announced_after(), ")"),
                        query.announced_before());
  }

  const std::string sectors_path = absl::StrCat(field, ".participant_sectors");
  if (query.participant_sectors_size() > kMaxFilterSectors) {
    return TooMany(sectors_path, kMaxFilterSectors,
                   query.participant_sectors_size());
  }
  for (int i = 0; i < query.participant_sectors_size(); ++i) {
    RETURN_IF_ERROR(
        CheckSector(Indexed(sectors_path, i), query.participant_sectors(i)));
  }

  if (!query.company_id().empty()) {
    RETURN_IF_ERROR(
        ValidateId(absl::StrCat(field, ".company"), query.company_id()));
  }
  if (query.min_sources() < 0 || query.min_sources() > kMaxSources) {
    return Invalid(absl::StrCat(field, ".min_sources"),
                   absl::StrCat("want 0..", kMaxSources),
                   absl::StrCat(query.min_sources()));
  }
  return absl::OkStatus();
}

absl::Status ValidateCompanyFilter(absl::string_view sector,
                                   absl::string_view country,
                                   absl::string_view label) {
  if (!sector.empty()) RETURN_IF_ERROR(CheckSector("sector", sector));
  RETURN_IF_ERROR(CheckCountry("country", country));
  if (label.empty()) return absl::OkStatus();
  const size_t eq = label.find('=');
  const absl::string_view key = label.substr(0, eq);
  if (!IsValidLabelKey(key)) {
    return InvalidValue("label",
                        "want key or key=value with the key matching "
                        "[a-z0-9][a-z0-9_.\\-/]{0,62}",
                        label);
  }
  if (eq != absl::string_view::npos) {
    RETURN_IF_ERROR(CheckLabelValue("label", label.substr(eq + 1)));
  }
  return absl::OkStatus();
}

absl::Status ValidatePageSize(absl::string_view field, int page_size) {
  if (page_size < 0) {
    return Invalid(field, "want 0 or more (0 means the default)",
                   absl::StrCat(page_size));
  }
  return absl::OkStatus();
}

absl::Status ValidateSearchQuery(absl::string_view field,
                                 absl::string_view query) {
  if (query.empty()) return Required(field);
  RETURN_IF_ERROR(CheckText(field, query, kMaxSearchQueryBytes,
                            /*required=*/true, Lines::kSingle));
  // The fold keeps only letters, digits, ':' and the spaces between words.
  for (char c : FoldForSearch(query)) {
    if (c != ':' && c != ' ') return absl::OkStatus();
  }
  return InvalidValue(field, "want at least one letter or digit", query);
}

bool SectorHasPrefix(absl::string_view sector, absl::string_view prefix) {
  if (!absl::StartsWith(sector, prefix)) return false;
  return prefix.empty() || sector.size() == prefix.size() ||
         sector[prefix.size()] == '/';
}

const std::vector<std::string>& CompanyMutableFields() {
  static const auto* fields = new std::vector<std::string>{
      "display_name", "legal_name", "aliases",     "tickers", "sectors",
      "country",      "website",    "description", "labels"};
  return *fields;
}

const std::vector<std::string>& PartnershipMutableFields() {
  static const auto* fields = new std::vector<std::string>{
      "title",   "summary",          "participants", "kinds",
      "status",  "announced_on",     "ended_on",     "terms",
      "sources", "market_reactions", "labels"};
  return *fields;
}

absl::Status ValidateEtag(absl::string_view field, absl::string_view etag) {
  if (etag.size() > kMaxEtagBytes) {
    return Invalid(field,
                   absl::StrCat("want at most ", kMaxEtagBytes, " bytes"),
                   absl::StrCat(etag.size(), " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace partnergraph::storage
