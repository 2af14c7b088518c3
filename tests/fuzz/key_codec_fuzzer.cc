// Fuzzes the key codec (storage/key_codec.h):
//   - every decoder, fed arbitrary bytes (alone and behind each table tag),
//     returns true or false and never reads out of bounds;
//   - a key a decoder accepts re-encodes to the same bytes;
//   - encode -> decode round-trips strings, integers and whole keys;
//   - byte order of encodings equals value order, for strings, integers and
//     (string, string) pairs;
//   - AppendStringPrefix(s) is a prefix of the encoding of every s + t, and
//     PrefixSuccessor(p) sorts after every key starting with p.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "storage/key_codec.h"

namespace keys = ::partnergraph::storage::keys;

namespace {

void Fail(const char* what, absl::string_view detail) {
  std::fprintf(stderr, "key codec property violated: %s (%s)\n", what,
               absl::CHexEscape(detail).c_str());
  std::abort();
}

void Check(bool ok, const char* what, absl::string_view detail) {
  if (!ok) Fail(what, detail);
}

int Sign(int c) { return (c > 0) - (c < 0); }

// Runs every decoder on `key`; each accepted key must re-encode to itself.
void DecodeAll(absl::string_view key) {
  std::string a, b, c;
  int64_t revision = 0;
  if (keys::DecodeCompanyKey(key, &a)) {
    Check(keys::CompanyKey(a) == key, "company key re-encodes", key);
  }
  if (keys::DecodePartnershipKey(key, &a)) {
    Check(keys::PartnershipKey(a) == key, "partnership key re-encodes", key);
  }
  if (keys::DecodeAdjacencyKey(key, &a, &b, &c)) {
    Check(keys::AdjacencyKey(a, b, c) == key, "adjacency key re-encodes", key);
  }
  if (keys::DecodeSearchKey(key, &a, &b)) {
    Check(keys::SearchKey(a, b) == key, "search key re-encodes", key);
  }
  if (keys::DecodeAnnouncedKey(key, &a, &b)) {
    Check(keys::AnnouncedKey(a, b) == key, "announced key re-encodes", key);
  }
  if (keys::DecodeDedupeKey(key, &a)) {
    Check(absl::StartsWith(key, keys::TablePrefix(keys::kDedupe)),
          "dedupe key has its tag", key);
  }
  if (keys::DecodeTickerKey(key, &a, &b)) {
    Check(keys::TickerKey(a, b) == key, "ticker key re-encodes", key);
  }
  if (keys::DecodeChangeKey(key, &revision)) {
    Check(keys::ChangeKey(revision) == key, "change key re-encodes", key);
  }
  absl::string_view in = key;
  std::string s;
  if (keys::ConsumeString(&in, &s)) {
    Check(in.size() < key.size(), "ConsumeString advances", key);
    std::string again;
    keys::AppendString(&again, s);
    Check(key.substr(0, key.size() - in.size()) == again,
          "ConsumeString consumes exactly one encoding", key);
  }
  in = key;
  uint64_t v = 0;
  if (keys::ConsumeUint64(&in, &v)) {
    Check(in.size() + 8 == key.size(), "ConsumeUint64 takes 8 bytes", key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view raw(reinterpret_cast<const char*>(data), size);
  DecodeAll(raw);
  for (char table :
       {keys::kCompany, keys::kPartnership, keys::kAdjacency, keys::kSearch,
        keys::kAnnounced, keys::kDedupe, keys::kTicker, keys::kChange}) {
    DecodeAll(std::string(1, table) + std::string(raw));
  }

  FuzzedDataProvider in(data, size);
  const std::string a = in.ConsumeRandomLengthString(64);
  const std::string b = in.ConsumeRandomLengthString(64);
  const std::string c = in.ConsumeRandomLengthString(64);
  const std::string d = in.ConsumeRandomLengthString(64);
  const uint64_t x = in.ConsumeIntegral<uint64_t>();
  const uint64_t y = in.ConsumeIntegral<uint64_t>();

  // Round trips.
  std::string enc;
  keys::AppendString(&enc, a);
  keys::AppendUint64(&enc, x);
  keys::AppendString(&enc, b);
  absl::string_view view = enc;
  std::string a2, b2;
  uint64_t x2 = 0;
  Check(keys::ConsumeString(&view, &a2) && a2 == a, "string round trip", a);
  Check(keys::ConsumeUint64(&view, &x2) && x2 == x, "uint64 round trip", enc);
  Check(keys::ConsumeString(&view, &b2) && b2 == b && view.empty(),
        "second string round trip", b);

  std::string got_a, got_b, got_c;
  int64_t revision = 0;
  Check(keys::DecodeCompanyKey(keys::CompanyKey(a), &got_a) && got_a == a,
        "company key round trip", a);
  Check(
      keys::DecodePartnershipKey(keys::PartnershipKey(a), &got_a) && got_a == a,
      "partnership key round trip", a);
  Check(keys::DecodeAdjacencyKey(keys::AdjacencyKey(a, b, c), &got_a, &got_b,
                                 &got_c) &&
            std::tie(got_a, got_b, got_c) == std::tie(a, b, c),
        "adjacency key round trip", a);
  Check(keys::DecodeSearchKey(keys::SearchKey(a, b), &got_a, &got_b) &&
            got_a == a && got_b == b,
        "search key round trip", a);
  Check(keys::DecodeAnnouncedKey(keys::AnnouncedKey(a, b), &got_a, &got_b) &&
            got_a == a && got_b == b,
        "announced key round trip", a);
  std::vector<std::string> ids = {a, b};
  if (ids[1] < ids[0]) std::swap(ids[0], ids[1]);
  Check(keys::DecodeDedupeKey(keys::DedupeKey(c, ids, d), &got_a) && got_a == d,
        "dedupe key round trip", d);
  const int64_t rev = static_cast<int64_t>(x >> 1);
  Check(
      keys::DecodeChangeKey(keys::ChangeKey(rev), &revision) && revision == rev,
      "change key round trip", enc);
  Check(!keys::DecodeCompanyKey(keys::PartnershipKey(a), &got_a),
        "a partnership key is no company key", a);

  // Order preservation.
  Check(Sign(keys::CompanyKey(a).compare(keys::CompanyKey(b))) ==
            Sign(a.compare(b)),
        "string order", a + "|" + b);
  Check(Sign(keys::ChangeKey(static_cast<int64_t>(x >> 1))
                 .compare(keys::ChangeKey(static_cast<int64_t>(y >> 1)))) ==
            Sign((x >> 1) < (y >> 1)   ? -1
                 : (x >> 1) > (y >> 1) ? 1
                                       : 0),
        "integer order", enc);
  const int pair_order = std::tie(a, b) < std::tie(c, d)   ? -1
                         : std::tie(c, d) < std::tie(a, b) ? 1
                                                           : 0;
  Check(
      Sign(keys::SearchKey(a, b).compare(keys::SearchKey(c, d))) == pair_order,
      "pair order", a + "|" + b + "|" + c + "|" + d);

  // Prefix scans.
  Check(absl::StartsWith(keys::SearchKey(a + b, c), keys::SearchTermPrefix(a)),
        "term prefix covers longer terms", a);
  Check(absl::StartsWith(keys::AdjacencyKey(a, b, c), keys::AdjacencyPrefix(a)),
        "adjacency prefix", a);
  if (a != c) {
    Check(!absl::StartsWith(keys::AdjacencyKey(c, b, d),
                            keys::AdjacencyPrefix(a)),
          "adjacency prefix of another company", a + "|" + c);
  }
  const std::string prefix = keys::AdjacencyPrefix(a);
  const std::string successor = keys::PrefixSuccessor(prefix);
  Check(successor.empty() || keys::AdjacencyKey(a, b, c) < successor,
        "successor bounds the prefix", prefix);
  Check(successor.empty() || prefix < successor, "successor above prefix",
        prefix);
  return 0;
}
