#include "storage/consistency.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/index_entries.h"
#include "storage/key_codec.h"
#include "storage/records.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

// One check over one snapshot; problems are collected up to a bound.
class Checker {
 public:
  Checker(const TableScan& scan, int64_t revision, int64_t compact,
          bool revisions_skip, size_t max_problems, ConsistencyReport* report)
      : scan_(scan),
        revision_(revision),
        compact_(compact),
        revisions_skip_(revisions_skip),
        max_problems_(max_problems),
        report_(*report) {}

  absl::Status Run() {
    RETURN_IF_ERROR(ScanCompanies());
    CheckTickerHolders();
    RETURN_IF_ERROR(ScanPartnerships());
    RETURN_IF_ERROR(CompareIndexes());
    return CheckChangeLog();
  }

 private:
  void Problem(std::string p) {
    if (report_.problems.size() < max_problems_) {
      report_.problems.push_back(std::move(p));
    }
  }

  // Checks a record's id and revision against its key and the store's.
  template <typename Record>
  void CheckRecord(absl::string_view collection, const std::string& id,
                   const Record& r) {
    if (r.id() != id) {
      Problem(absl::StrCat(collection, "/", id, ": id field \"", r.id(), "\""));
    }
    if (r.update_revision() > revision_) {
      Problem(absl::StrCat(collection, "/", id, ": update_revision ",
                           r.update_revision(), " beyond store revision ",
                           revision_));
    }
  }

  absl::Status ScanCompanies() {
    return scan_(keys::kCompany,
                 [&](absl::string_view key, absl::string_view value) {
                   ++report_.companies;
                   std::string id;
                   auto c = ParseRecord<CompanyRecord>(value, "company");
                   if (!keys::DecodeCompanyKey(key, &id) || !c.ok()) {
                     Problem("unreadable company record");
                     return absl::OkStatus();
                   }
                   CheckRecord(kCompanies, id, *c);
                   company_ids_.insert(id);
                   for (const std::string& t : c->tickers()) {
                     ticker_holders_[t].push_back(id);
                   }
                   for (auto& [k, v] : CompanyIndexEntries(*c))
                     expected_[k] = v;
                   return absl::OkStatus();
                 });
  }

  // A ticker belongs to one company at a time; a store written before that
  // rule may hold one twice, and keeps serving.
  void CheckTickerHolders() {
    for (const auto& [ticker, holders] : ticker_holders_) {
      if (holders.size() < 2) continue;
      Problem(absl::StrCat("ticker \"", ticker, "\" is held by ",
                           holders.size(), " companies: companies/",
                           absl::StrJoin(holders, ", companies/")));
    }
  }

  absl::Status ScanPartnerships() {
    return scan_(keys::kPartnership, [&](absl::string_view key,
                                         absl::string_view value) {
      ++report_.partnerships;
      std::string id;
      auto p = ParseRecord<PartnershipRecord>(value, "partnership");
      if (!keys::DecodePartnershipKey(key, &id) || !p.ok()) {
        Problem("unreadable partnership record");
        return absl::OkStatus();
      }
      CheckRecord(kPartnerships, id, *p);
      for (const auto& part : p->participants()) {
        if (!company_ids_.contains(part.company_id())) {
          Problem(absl::StrCat("partnerships/", id, ": participant companies/",
                               part.company_id(), " does not exist"));
        }
      }
      for (auto& [k, v] : PartnershipIndexEntries(*p)) expected_[k] = v;
      return absl::OkStatus();
    });
  }

  // Every index entry against those the records need.
  absl::Status CompareIndexes() {
    for (char table : {keys::kSearch, keys::kTicker, keys::kAdjacency,
                       keys::kAnnounced, keys::kDedupe}) {
      RETURN_IF_ERROR(
          scan_(table, [&](absl::string_view key, absl::string_view value) {
            ++report_.index_entries;
            auto it = expected_.find(std::string(key));
            if (it == expected_.end()) {
              Problem(absl::StrCat("index entry without its record: ",
                                   absl::CEscape(key)));
            } else {
              if (it->second != value) {
                Problem(absl::StrCat("index entry with a stale value: ",
                                     absl::CEscape(key)));
              }
              expected_.erase(it);
            }
            return absl::OkStatus();
          }));
    }
    for (const auto& [k, v] : expected_) {
      Problem(
          absl::StrCat("record without its index entry: ", absl::CEscape(k)));
    }
    return absl::OkStatus();
  }

  // The change log holds every revision after the compact one, no gap (an
  // etcd replica's: in increasing order, to the store revision).
  absl::Status CheckChangeLog() {
    int64_t want = compact_ + 1;
    RETURN_IF_ERROR(scan_(
        keys::kChange, [&](absl::string_view key, absl::string_view value) {
          int64_t rev = 0;
          if (!keys::DecodeChangeKey(key, &rev)) {
            Problem("malformed change-log key");
            return absl::OkStatus();
          }
          if (revisions_skip_ ? rev < want : rev != want) {
            Problem(absl::StrCat("change log: expected revision ", want,
                                 ", found ", rev));
          }
          want = rev + 1;
          return absl::OkStatus();
        }));
    if (want != revision_ + 1 && revision_ > compact_) {
      Problem(absl::StrCat("change log ends at ", want - 1,
                           " but the store revision is ", revision_));
    }
    return absl::OkStatus();
  }

  const TableScan& scan_;
  const int64_t revision_;
  const int64_t compact_;
  const bool revisions_skip_;
  const size_t max_problems_;
  ConsistencyReport& report_;
  // What the indexes must hold, derived from the records.
  std::map<std::string, std::string> expected_;
  absl::flat_hash_set<std::string> company_ids_;
  // Ticker -> the companies whose records hold it, in id order.
  std::map<std::string, std::vector<std::string>> ticker_holders_;
};

}  // namespace

absl::Status CheckStoredRecords(const TableScan& scan, int64_t revision,
                                int64_t compact_revision, bool revisions_skip,
                                size_t max_problems,
                                ConsistencyReport* report) {
  return Checker(scan, revision, compact_revision, revisions_skip, max_problems,
                 report)
      .Run();
}

}  // namespace partnergraph::storage
