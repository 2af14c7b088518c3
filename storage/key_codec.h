#ifndef PARTNERGRAPH_STORAGE_KEY_CODEC_H_
#define PARTNERGRAPH_STORAGE_KEY_CODEC_H_

// The only place that builds key bytes. A key is a one-byte table tag followed
// by order-preserving components:
//   - strings are escaped (0x00 -> 0x00 0xFF) and end with 0x00 0x01, so no
//     encoded string is a prefix of another and byte order equals string
//     order;
//   - integers are 8-byte big-endian, so byte order equals numeric order.
// A string encoded without its terminator (AppendStringPrefix) is a byte
// prefix of the encoding of every string that starts with it, which makes
// "all terms starting with q" one bounded prefix scan.
//
// Tables:
//   meta        M name                                   -> bytes
//   company     C id                                     -> CompanyRecord
//   partnership P id                                     -> PartnershipRecord
//   adjacency   A company_id announced_on partnership_id -> ""
//   search      S folded_term company_id                 -> SearchTermRecord
//   announced   N announced_on partnership_id            -> ""
//   dedupe      D announced_on n id_1 .. id_n partnership_id -> kinds bitmask
//   ticker      T ticker company_id                      -> ""
//   change log  R revision                               -> ChangeBatchRecord
//   request id  Q collection request_id                  -> RequestIdRecord
//   history     H table id revision                      -> event positions
//               (table: kCompany or kPartnership; the positions of the
//               record's first and last event in that revision's change
//               batch, EncodeHistoryValue)

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace partnergraph::storage::keys {

inline constexpr char kMeta = 'M';
inline constexpr char kCompany = 'C';
inline constexpr char kPartnership = 'P';
inline constexpr char kAdjacency = 'A';
inline constexpr char kSearch = 'S';
inline constexpr char kAnnounced = 'N';
inline constexpr char kDedupe = 'D';
inline constexpr char kTicker = 'T';
inline constexpr char kChange = 'R';
inline constexpr char kRequestId = 'Q';
inline constexpr char kHistory = 'H';

// Names of the meta table's keys (MetaKey(name)), and the schema version
// this build reads and writes.
inline constexpr char kSchemaVersion[] = "1";
inline constexpr char kMetaSchemaVersion[] = "schema_version";
inline constexpr char kMetaRevision[] = "revision";
inline constexpr char kMetaCompactRevision[] = "compact_revision";
inline constexpr char kMetaTokenKey[] = "page_token_key";
// Present once the ticker table holds an entry for every company's tickers
// (a store written before that table existed gets it built at open).
inline constexpr char kMetaTickerIndex[] = "ticker_index";
// Present once the history table holds an entry for every event of the
// change log held (built at open for a store written before it existed).
inline constexpr char kMetaHistoryIndex[] = "history_index";
// Present in the local store of an etcd replica (storage/etcd): the cluster
// and prefix it was fed from. Its revisions are etcd's and skip the numbers
// of writes outside the prefix.
inline constexpr char kMetaEtcdSource[] = "etcd_source";

// An int64 value (meta counters, dedupe kind masks): 8 bytes big-endian.
// DecodeInt64 gives 0 for malformed bytes.
std::string EncodeInt64(int64_t v);
int64_t DecodeInt64(absl::string_view s);

// Component encoders and decoders. Consume* advance `in` past the component
// and return false on malformed input.
void AppendString(std::string* out, absl::string_view s);
void AppendStringPrefix(std::string* out, absl::string_view s);
void AppendUint64(std::string* out, uint64_t v);
bool ConsumeString(absl::string_view* in, std::string* out);
bool ConsumeUint64(absl::string_view* in, uint64_t* out);
// As ConsumeString, without copying when it can: `out` views `in` when the
// string has no escaped bytes, else views `*scratch`, which holds the decoded
// string. Valid while both stay unchanged.
bool ConsumeStringView(absl::string_view* in, std::string* scratch,
                       absl::string_view* out);

// The smallest key greater than every key that starts with `prefix` (for an
// exclusive upper bound). Empty when no such key exists (all 0xFF).
std::string PrefixSuccessor(absl::string_view prefix);

// The table prefix alone: every key of that table starts with it.
std::string TablePrefix(char table);

std::string MetaKey(absl::string_view name);
std::string CompanyKey(absl::string_view id);
std::string PartnershipKey(absl::string_view id);
std::string AdjacencyKey(absl::string_view company_id,
                         absl::string_view announced_on,
                         absl::string_view partnership_id);
std::string AdjacencyPrefix(absl::string_view company_id);
std::string SearchKey(absl::string_view folded_term,
                      absl::string_view company_id);
// Every search key whose term starts with `folded_prefix`.
std::string SearchTermPrefix(absl::string_view folded_prefix);
std::string AnnouncedKey(absl::string_view announced_on,
                         absl::string_view partnership_id);
// `sorted_company_ids` must be sorted and distinct.
std::string DedupeKey(absl::string_view announced_on,
                      const std::vector<std::string>& sorted_company_ids,
                      absl::string_view partnership_id);
std::string DedupePrefix(absl::string_view announced_on,
                         const std::vector<std::string>& sorted_company_ids);
// A ticker's holder: one key per (ticker, company), so that a store which
// came to hold a ticker twice indexes both holders. `ticker` is stored as
// given, not folded.
std::string TickerKey(absl::string_view ticker, absl::string_view company_id);
// Every ticker key of exactly `ticker` (not of tickers it is a prefix of).
std::string TickerPrefix(absl::string_view ticker);
std::string ChangeKey(int64_t revision);
std::string RequestIdKey(absl::string_view collection,
                         absl::string_view request_id);
// `table` is kCompany or kPartnership.
std::string HistoryPrefix(char table, absl::string_view id);
std::string HistoryKey(char table, absl::string_view id, int64_t revision);
// The positions of a record's first and last event in one change batch.
std::string EncodeHistoryValue(int first, int last);
bool DecodeHistoryValue(absl::string_view value, int* first, int* last);

// Decoders for keys produced above; false when `key` is not of that table or
// is malformed.
bool DecodeCompanyKey(absl::string_view key, std::string* id);
bool DecodePartnershipKey(absl::string_view key, std::string* id);
bool DecodeAdjacencyKey(absl::string_view key, std::string* company_id,
                        std::string* announced_on, std::string* partnership_id);
bool DecodeSearchKey(absl::string_view key, std::string* folded_term,
                     std::string* company_id);
bool DecodeAnnouncedKey(absl::string_view key, std::string* announced_on,
                        std::string* partnership_id);
bool DecodeDedupeKey(absl::string_view key, std::string* partnership_id);
bool DecodeTickerKey(absl::string_view key, std::string* ticker,
                     std::string* company_id);
bool DecodeChangeKey(absl::string_view key, int64_t* revision);
// The revision at the end of a history key of `prefix` (HistoryPrefix).
bool DecodeHistoryKey(absl::string_view key, absl::string_view prefix,
                      int64_t* revision);
// Decoders for prefixes produced above (exactly, with nothing after).
bool DecodeDedupePrefix(absl::string_view prefix, std::string* announced_on,
                        std::vector<std::string>* sorted_company_ids);
bool DecodeTickerPrefix(absl::string_view prefix, std::string* ticker);

}  // namespace partnergraph::storage::keys

#endif  // PARTNERGRAPH_STORAGE_KEY_CODEC_H_
