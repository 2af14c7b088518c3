#include "storage/page_token.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/key_codec.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

// 64-bit keyed hash (FNV-1a with a final avalanche) sealing page tokens
// against accidental or casual tampering. Not a MAC: a forged token can only
// name a cursor position, which a caller may reach anyway.
uint64_t SealHash(absl::string_view key, absl::string_view data) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](absl::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(key);
  mix(data);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

uint64_t Fingerprint(absl::string_view data) { return SealHash("", data); }

}  // namespace

uint64_t AsOfFingerprint(uint64_t fingerprint, int64_t as_of_revision) {
  if (as_of_revision == 0) return fingerprint;
  return fingerprint ^ Fingerprint(absl::StrCat("as_of=", as_of_revision));
}

uint64_t HistoryFingerprint(RecordKind kind, absl::string_view id) {
  return Fingerprint(absl::StrCat(
      kind == RecordKind::kCompany ? "company" : "partnership", "\x1f", id));
}

uint64_t FilterFingerprint(const CompanyFilter& filter) {
  return Fingerprint(absl::StrCat(filter.sector, "\x1f", filter.country, "\x1f",
                                  filter.label));
}

uint64_t FilterFingerprint(const PartnershipQuery& query) {
  std::string det;
  {
    google::protobuf::io::StringOutputStream stream(&det);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    query.SerializeToCodedStream(&out);
  }
  return Fingerprint(det);
}

std::string SealToken(absl::string_view token_key, absl::string_view listing,
                      uint64_t fp, const std::string& after_key) {
  PageCursorRecord cursor;
  cursor.set_listing(std::string(listing));
  cursor.set_filter_fingerprint(fp);
  cursor.set_after_key(after_key);
  std::string payload = cursor.SerializeAsString();
  std::string seal;
  keys::AppendUint64(&seal, SealHash(token_key, payload));
  return absl::WebSafeBase64Escape(payload + seal);
}

absl::StatusOr<std::string> OpenToken(absl::string_view token_key,
                                      absl::string_view token,
                                      absl::string_view listing, uint64_t fp) {
  if (token.empty()) return std::string();
  auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: ", why,
                     "; pass the next_page_token of the previous response "
                     "unchanged"));
  };
  if (token.size() > kMaxPageTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: want at most ", kMaxPageTokenBytes,
                     " bytes, got ", token.size(), " bytes"));
  }
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 8) {
    return bad("malformed");
  }
  absl::string_view payload(raw.data(), raw.size() - 8);
  absl::string_view seal(raw.data() + raw.size() - 8, 8);
  uint64_t want = 0;
  keys::ConsumeUint64(&seal, &want);
  PageCursorRecord cursor;
  if (SealHash(token_key, payload) != want ||
      !cursor.ParseFromArray(payload.data(),
                             static_cast<int>(payload.size()))) {
    return bad("tampered or from another store");
  }
  if (cursor.listing() != listing || cursor.filter_fingerprint() != fp) {
    return bad("issued for another listing or filter");
  }
  return cursor.after_key();
}

int ClampPageSize(int requested, int default_size, int max_size) {
  if (requested <= 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace partnergraph::storage
