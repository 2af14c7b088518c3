#include "storage/partnership_filter.h"

#include <algorithm>

#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::storage {
namespace {

// True when each prefix can be matched by a different participant
// (backtracking bipartite matching; at most 8 prefixes and 32 participants).
bool AssignSectors(const std::vector<std::vector<bool>>& can, size_t i,
                   std::vector<bool>* used) {
  if (i == can.size()) return true;
  for (size_t j = 0; j < can[i].size(); ++j) {
    if (!can[i][j] || (*used)[j]) continue;
    (*used)[j] = true;
    if (AssignSectors(can, i + 1, used)) return true;
    (*used)[j] = false;
  }
  return false;
}

}  // namespace

bool MatchesBasics(const PartnershipQuery& q, const PartnershipRecord& p) {
  if (q.kinds_size() > 0) {
    bool any = false;
    for (int k : q.kinds()) {
      for (int pk : p.kinds()) any = any || k == pk;
    }
    if (!any) return false;
  }
  if (q.statuses_size() > 0 &&
      std::find(q.statuses().begin(), q.statuses().end(), p.status()) ==
          q.statuses().end()) {
    return false;
  }
  if (!q.announced_after().empty() && p.announced_on() < q.announced_after()) {
    return false;
  }
  if (!q.announced_before().empty() &&
      p.announced_on() > q.announced_before()) {
    return false;
  }
  if (!q.company_id().empty()) {
    bool found = false;
    for (const auto& part : p.participants()) {
      found = found || part.company_id() == q.company_id();
    }
    if (!found) return false;
  }
  return p.sources_size() >= q.min_sources();
}

bool SectorsMatch(const PartnershipQuery& q,
                  const std::vector<const CompanyRecord*>& participants) {
  if (q.participant_sectors_size() == 0) return true;
  std::vector<std::vector<bool>> can(q.participant_sectors_size(),
                                     std::vector<bool>(participants.size()));
  for (int i = 0; i < q.participant_sectors_size(); ++i) {
    for (size_t j = 0; j < participants.size(); ++j) {
      if (participants[j] == nullptr) continue;
      for (const std::string& s : participants[j]->sectors()) {
        if (SectorHasPrefix(s, q.participant_sectors(i))) can[i][j] = true;
      }
    }
  }
  std::vector<bool> used(participants.size());
  return AssignSectors(can, 0, &used);
}

bool CompanyMatches(const CompanyFilter& f, const CompanyRecord& c) {
  if (!f.country.empty() && c.country() != f.country) return false;
  if (!f.sector.empty()) {
    bool any = false;
    for (const std::string& s : c.sectors()) {
      any = any || SectorHasPrefix(s, f.sector);
    }
    if (!any) return false;
  }
  if (!f.label.empty()) {
    size_t eq = f.label.find('=');
    std::string key = f.label.substr(0, eq);
    auto it = c.labels().find(key);
    if (it == c.labels().end()) return false;
    if (eq != std::string::npos && it->second != f.label.substr(eq + 1)) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<bool> PartnershipMatchesQuery(const PartnershipQuery& q,
                                             const PartnershipRecord& p,
                                             const CompanyLookup& company) {
  if (!MatchesBasics(q, p)) return false;
  if (q.participant_sectors_size() == 0) return true;
  std::vector<const CompanyRecord*> parts;
  parts.reserve(p.participants_size());
  for (const auto& part : p.participants()) {
    ASSIGN_OR_RETURN(const CompanyRecord* c, company(part.company_id()));
    parts.push_back(c);
  }
  return SectorsMatch(q, parts);
}

}  // namespace partnergraph::storage
