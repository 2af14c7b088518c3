#include "storage/key_codec.h"

#include "absl/strings/strip.h"

namespace partnergraph::storage::keys {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xFF';
constexpr char kTerminator = '\x01';

bool ConsumeTable(absl::string_view* in, char table) {
  if (in->empty() || (*in)[0] != table) return false;
  in->remove_prefix(1);
  return true;
}

}  // namespace

void AppendStringPrefix(std::string* out, absl::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == kEscape) out->push_back(kEscapedZero);
  }
}

void AppendString(std::string* out, absl::string_view s) {
  AppendStringPrefix(out, s);
  out->push_back(kEscape);
  out->push_back(kTerminator);
}

void AppendUint64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xFF));
  }
}

bool ConsumeString(absl::string_view* in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in->size(); ++i) {
    char c = (*in)[i];
    if (c != kEscape) {
      out->push_back(c);
      continue;
    }
    if (i + 1 >= in->size()) return false;
    char next = (*in)[i + 1];
    if (next == kTerminator) {
      in->remove_prefix(i + 2);
      return true;
    }
    if (next != kEscapedZero) return false;
    out->push_back(kEscape);
    ++i;
  }
  return false;
}

bool ConsumeStringView(absl::string_view* in, std::string* scratch,
                       absl::string_view* out) {
  size_t end = in->find(kEscape);
  if (end != absl::string_view::npos && end + 1 < in->size() &&
      (*in)[end + 1] == kTerminator) {
    *out = in->substr(0, end);
    in->remove_prefix(end + 2);
    return true;
  }
  if (!ConsumeString(in, scratch)) return false;
  *out = *scratch;
  return true;
}

bool ConsumeUint64(absl::string_view* in, uint64_t* out) {
  if (in->size() < 8) return false;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  }
  in->remove_prefix(8);
  *out = v;
  return true;
}

std::string PrefixSuccessor(absl::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char last = static_cast<unsigned char>(s.back());
    if (last != 0xFF) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

std::string TablePrefix(char table) { return std::string(1, table); }

std::string MetaKey(absl::string_view name) {
  std::string k = TablePrefix(kMeta);
  AppendString(&k, name);
  return k;
}

std::string CompanyKey(absl::string_view id) {
  std::string k = TablePrefix(kCompany);
  AppendString(&k, id);
  return k;
}

std::string PartnershipKey(absl::string_view id) {
  std::string k = TablePrefix(kPartnership);
  AppendString(&k, id);
  return k;
}

std::string AdjacencyPrefix(absl::string_view company_id) {
  std::string k = TablePrefix(kAdjacency);
  AppendString(&k, company_id);
  return k;
}

std::string AdjacencyKey(absl::string_view company_id,
                         absl::string_view announced_on,
                         absl::string_view partnership_id) {
  std::string k = AdjacencyPrefix(company_id);
  AppendString(&k, announced_on);
  AppendString(&k, partnership_id);
  return k;
}

std::string SearchKey(absl::string_view folded_term,
                      absl::string_view company_id) {
  std::string k = TablePrefix(kSearch);
  AppendString(&k, folded_term);
  AppendString(&k, company_id);
  return k;
}

std::string SearchTermPrefix(absl::string_view folded_prefix) {
  std::string k = TablePrefix(kSearch);
  AppendStringPrefix(&k, folded_prefix);
  return k;
}

std::string AnnouncedKey(absl::string_view announced_on,
                         absl::string_view partnership_id) {
  std::string k = TablePrefix(kAnnounced);
  AppendString(&k, announced_on);
  AppendString(&k, partnership_id);
  return k;
}

std::string DedupePrefix(absl::string_view announced_on,
                         const std::vector<std::string>& sorted_company_ids) {
  std::string k = TablePrefix(kDedupe);
  AppendString(&k, announced_on);
  AppendUint64(&k, sorted_company_ids.size());
  for (const std::string& id : sorted_company_ids) AppendString(&k, id);
  return k;
}

std::string DedupeKey(absl::string_view announced_on,
                      const std::vector<std::string>& sorted_company_ids,
                      absl::string_view partnership_id) {
  std::string k = DedupePrefix(announced_on, sorted_company_ids);
  AppendString(&k, partnership_id);
  return k;
}

std::string TickerPrefix(absl::string_view ticker) {
  std::string k = TablePrefix(kTicker);
  AppendString(&k, ticker);
  return k;
}

std::string TickerKey(absl::string_view ticker, absl::string_view company_id) {
  std::string k = TickerPrefix(ticker);
  AppendString(&k, company_id);
  return k;
}

std::string ChangeKey(int64_t revision) {
  std::string k = TablePrefix(kChange);
  AppendUint64(&k, static_cast<uint64_t>(revision));
  return k;
}

std::string RequestIdKey(absl::string_view collection,
                         absl::string_view request_id) {
  std::string k = TablePrefix(kRequestId);
  AppendString(&k, collection);
  AppendString(&k, request_id);
  return k;
}

std::string HistoryPrefix(char table, absl::string_view id) {
  std::string k = TablePrefix(kHistory);
  k.push_back(table);
  AppendString(&k, id);
  return k;
}

std::string HistoryKey(char table, absl::string_view id, int64_t revision) {
  std::string k = HistoryPrefix(table, id);
  AppendUint64(&k, static_cast<uint64_t>(revision));
  return k;
}

std::string EncodeHistoryValue(int first, int last) {
  std::string s;
  AppendUint64(&s, (static_cast<uint64_t>(static_cast<uint32_t>(first)) << 32) |
                       static_cast<uint32_t>(last));
  return s;
}

bool DecodeHistoryValue(absl::string_view value, int* first, int* last) {
  uint64_t v = 0;
  if (!ConsumeUint64(&value, &v) || !value.empty()) return false;
  *first = static_cast<int>(v >> 32);
  *last = static_cast<int>(v & 0xffffffffu);
  return *first >= 0 && *first <= *last;
}

bool DecodeCompanyKey(absl::string_view key, std::string* id) {
  return ConsumeTable(&key, kCompany) && ConsumeString(&key, id) && key.empty();
}

bool DecodePartnershipKey(absl::string_view key, std::string* id) {
  return ConsumeTable(&key, kPartnership) && ConsumeString(&key, id) &&
         key.empty();
}

bool DecodeAdjacencyKey(absl::string_view key, std::string* company_id,
                        std::string* announced_on,
                        std::string* partnership_id) {
  return ConsumeTable(&key, kAdjacency) && ConsumeString(&key, company_id) &&
         ConsumeString(&key, announced_on) &&
         ConsumeString(&key, partnership_id) && key.empty();
}

bool DecodeSearchKey(absl::string_view key, std::string* folded_term,
                     std::string* company_id) {
  return ConsumeTable(&key, kSearch) && ConsumeString(&key, folded_term) &&
         ConsumeString(&key, company_id) && key.empty();
}

bool DecodeAnnouncedKey(absl::string_view key, std::string* announced_on,
                        std::string* partnership_id) {
  return ConsumeTable(&key, kAnnounced) && ConsumeString(&key, announced_on) &&
         ConsumeString(&key, partnership_id) && key.empty();
}

bool DecodeDedupePrefix(absl::string_view prefix, std::string* announced_on,
                        std::vector<std::string>* sorted_company_ids) {
  uint64_t n = 0;
  if (!ConsumeTable(&prefix, kDedupe) ||
      !ConsumeString(&prefix, announced_on) || !ConsumeUint64(&prefix, &n) ||
      n > 1024) {
    return false;
  }
  sorted_company_ids->assign(n, std::string());
  for (std::string& id : *sorted_company_ids) {
    if (!ConsumeString(&prefix, &id)) return false;
  }
  return prefix.empty();
}

bool DecodeTickerPrefix(absl::string_view prefix, std::string* ticker) {
  return ConsumeTable(&prefix, kTicker) && ConsumeString(&prefix, ticker) &&
         prefix.empty();
}

bool DecodeDedupeKey(absl::string_view key, std::string* partnership_id) {
  std::string date, id;
  uint64_t n = 0;
  if (!ConsumeTable(&key, kDedupe) || !ConsumeString(&key, &date) ||
      !ConsumeUint64(&key, &n) || n > 1024) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (!ConsumeString(&key, &id)) return false;
  }
  return ConsumeString(&key, partnership_id) && key.empty();
}

bool DecodeTickerKey(absl::string_view key, std::string* ticker,
                     std::string* company_id) {
  return ConsumeTable(&key, kTicker) && ConsumeString(&key, ticker) &&
         ConsumeString(&key, company_id) && key.empty();
}

bool DecodeChangeKey(absl::string_view key, int64_t* revision) {
  uint64_t v = 0;
  if (!ConsumeTable(&key, kChange) || !ConsumeUint64(&key, &v) ||
      !key.empty()) {
    return false;
  }
  *revision = static_cast<int64_t>(v);
  return true;
}

bool DecodeHistoryKey(absl::string_view key, absl::string_view prefix,
                      int64_t* revision) {
  uint64_t v = 0;
  if (!absl::ConsumePrefix(&key, prefix) || !ConsumeUint64(&key, &v) ||
      !key.empty()) {
    return false;
  }
  *revision = static_cast<int64_t>(v);
  return true;
}

std::string EncodeInt64(int64_t v) {
  std::string s;
  AppendUint64(&s, static_cast<uint64_t>(v));
  return s;
}

int64_t DecodeInt64(absl::string_view s) {
  uint64_t v = 0;
  if (!ConsumeUint64(&s, &v)) return 0;
  return static_cast<int64_t>(v);
}

}  // namespace partnergraph::storage::keys
