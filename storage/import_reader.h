#ifndef PARTNERGRAPH_STORAGE_IMPORT_READER_H_
#define PARTNERGRAPH_STORAGE_IMPORT_READER_H_

// The store as a bulk import finds it, answered from memory: a PlanReader
// for an import planned on the thread that applies to the graph index, so
// that the index is exactly at the store's revision. The import rules
// (write_plan.h) read through it unchanged:
//   - whether a company or partnership exists: from the index; its record
//     is read from the store only when it exists (a replacement);
//   - dedupe entries (same participants and date): from the index's
//     adjacency;
//   - ticker holders: from the store for the first kTickerLookupsBeforeLoad
//     tickers checked, then from one scan of the ticker table, kept for the
//     reader's life (the plan's own writes are overlaid by PlanContext);
//   - anything else: from the store.

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/graph_index.h"
#include "storage/plan_context.h"

namespace partnergraph::storage {

class ImportReader final : public PlanReader {
 public:
  // Both must outlive the reader; nothing may be applied to `index` while
  // it is used.
  ImportReader(const GraphIndex* index, PlanReader* store)
      : index_(index), store_(store) {}

  absl::StatusOr<bool> Get(const std::string& key, std::string* value) override;
  absl::StatusOr<bool> Exists(const std::string& key) override;
  absl::Status Scan(const std::string& prefix, int limit,
                    std::vector<std::pair<std::string, std::string>>* out,
                    bool* truncated) override;

 private:
  static constexpr int kTickerLookupsBeforeLoad = 64;

  absl::Status LoadTickers();

  const GraphIndex* index_;
  PlanReader* store_;
  int ticker_lookups_ = 0;
  bool tickers_loaded_ = false;
  // Ticker -> its holders, in id order.
  absl::flat_hash_map<std::string, std::vector<std::string>> tickers_;
};

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_IMPORT_READER_H_
