#ifndef PARTNERGRAPH_STORAGE_INDEX_ENTRIES_H_
#define PARTNERGRAPH_STORAGE_INDEX_ENTRIES_H_

// Which index entries a record needs: the one derivation the writes, the
// imports and the consistency checker share.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/record.pb.h"

namespace partnergraph::storage {

// Index key -> value, in key order.
using IndexEntries = std::map<std::string, std::string>;

// A company's search entries: one per folded ticker, symbol, name, alias
// and word of a name or alias (the best source where two give one term);
// and its ticker entry per ticker, as given (keys::TickerKey, empty value),
// which the write rules read to keep a ticker to one company.
IndexEntries CompanyIndexEntries(const CompanyRecord& c);

// A partnership's adjacency entry per participant, its announced-date entry
// (both holding its AdjacencyRecord) and its dedupe entry (its kind mask).
IndexEntries PartnershipIndexEntries(const PartnershipRecord& p);

// The distinct participant company ids, sorted (the dedupe key's set).
std::vector<std::string> SortedParticipantIds(const PartnershipRecord& p);

// Bit k set for each kind k of the partnership (the dedupe entry's value).
uint32_t KindMask(const PartnershipRecord& p);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_INDEX_ENTRIES_H_
