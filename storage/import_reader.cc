#include "storage/import_reader.h"

#include <algorithm>
#include <limits>

#include "storage/key_codec.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {

absl::StatusOr<bool> ImportReader::Get(const std::string& key,
                                       std::string* value) {
  std::string id;
  if (keys::DecodeCompanyKey(key, &id) && !index_->HasCompany(id)) {
    return false;
  }
  if (keys::DecodePartnershipKey(key, &id) && !index_->HasPartnership(id)) {
    return false;
  }
  return store_->Get(key, value);
}

absl::StatusOr<bool> ImportReader::Exists(const std::string& key) {
  std::string id;
  if (keys::DecodeCompanyKey(key, &id)) return index_->HasCompany(id);
  if (keys::DecodePartnershipKey(key, &id)) return index_->HasPartnership(id);
  return store_->Exists(key);
}

absl::Status ImportReader::Scan(
    const std::string& prefix, int limit,
    std::vector<std::pair<std::string, std::string>>* out, bool* truncated) {
  *truncated = false;
  std::string date, ticker;
  std::vector<std::string> ids;
  if (keys::DecodeDedupePrefix(prefix, &date, &ids)) {
    std::vector<std::pair<std::string, std::string>> found;
    index_->ForEachSameDeal(
        date, ids, [&](absl::string_view pid, uint32_t mask) {
          found.emplace_back(keys::DedupeKey(date, ids, pid),
                             keys::EncodeInt64(mask));
        });
    std::sort(found.begin(), found.end());
    for (auto& entry : found) {
      if (static_cast<int>(out->size()) >= limit) {
        *truncated = true;
        break;
      }
      out->push_back(std::move(entry));
    }
    return absl::OkStatus();
  }
  // A few tickers are looked up one by one; past that the whole ticker
  // table is read once, so a large batch costs one scan and a small one
  // never reads a large table.
  if (keys::DecodeTickerPrefix(prefix, &ticker) &&
      (tickers_loaded_ || ++ticker_lookups_ > kTickerLookupsBeforeLoad)) {
    RETURN_IF_ERROR(LoadTickers());
    auto it = tickers_.find(ticker);
    if (it == tickers_.end()) return absl::OkStatus();
    for (const std::string& holder : it->second) {
      if (static_cast<int>(out->size()) >= limit) {
        *truncated = true;
        break;
      }
      out->emplace_back(keys::TickerKey(ticker, holder), "");
    }
    return absl::OkStatus();
  }
  return store_->Scan(prefix, limit, out, truncated);
}

absl::Status ImportReader::LoadTickers() {
  if (tickers_loaded_) return absl::OkStatus();
  std::vector<std::pair<std::string, std::string>> entries;
  bool truncated = false;
  RETURN_IF_ERROR(store_->Scan(keys::TablePrefix(keys::kTicker),
                               std::numeric_limits<int>::max(), &entries,
                               &truncated));
  for (const auto& [key, value] : entries) {
    std::string ticker, holder;
    if (!keys::DecodeTickerKey(key, &ticker, &holder)) {
      return absl::DataLossError("malformed ticker key");
    }
    tickers_[ticker].push_back(std::move(holder));
  }
  tickers_loaded_ = true;
  return absl::OkStatus();
}

}  // namespace partnergraph::storage
