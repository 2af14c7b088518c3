#ifndef PARTNERGRAPH_STORAGE_PARTNERSHIP_FILTER_H_
#define PARTNERGRAPH_STORAGE_PARTNERSHIP_FILTER_H_

// The filters of the listings, evaluated on records: PartnershipQuery (List,
// Watch) and CompanyFilter (ListCompanies).

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/graph_store.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Every rule of `q` except participant_sectors, which needs the
// participants' company records.
bool MatchesBasics(const PartnershipQuery& q, const PartnershipRecord& p);

// True when each of q.participant_sectors is the prefix of a sector of a
// different participant. `participants` has one entry per participant of
// the partnership, nullptr for a company that does not exist.
bool SectorsMatch(const PartnershipQuery& q,
                  const std::vector<const CompanyRecord*>& participants);

// The company record of a participant, nullptr when it does not exist; a
// non-OK status stops the evaluation.
using CompanyLookup =
    std::function<absl::StatusOr<const CompanyRecord*>(const std::string& id)>;

// Every rule of `q`; `company` is called only when q names
// participant_sectors.
absl::StatusOr<bool> PartnershipMatchesQuery(const PartnershipQuery& q,
                                             const PartnershipRecord& p,
                                             const CompanyLookup& company);

bool CompanyMatches(const CompanyFilter& f, const CompanyRecord& c);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_PARTNERSHIP_FILTER_H_
