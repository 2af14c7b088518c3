#include "storage/index_entries.h"

#include <algorithm>
#include <utility>

#include "storage/graph_query.h"
#include "storage/key_codec.h"
#include "storage/text.h"

namespace partnergraph::storage {
namespace {

// The search terms of a company: folded term -> best source for that term.
std::map<std::string, SearchTermRecord> SearchTermsFor(const CompanyRecord& c) {
  std::map<std::string, SearchTermRecord> terms;
  auto add = [&terms, &c](const std::string& term, SearchTermRecord::Source src,
                          const std::string& text) {
    if (term.empty()) return;
    auto it = terms.find(term);
    if (it != terms.end() && it->second.source() <= src) return;
    SearchTermRecord r;
    r.set_source(src);
    r.set_text(text);
    r.set_display_name(c.display_name());
    terms[term] = std::move(r);
  };
  for (const std::string& t : c.tickers()) {
    add(FoldForSearch(t), SearchTermRecord::TICKER, t);
    size_t colon = t.find(':');
    if (colon != std::string::npos) {
      add(FoldForSearch(t.substr(colon + 1)), SearchTermRecord::TICKER, t);
    }
  }
  std::vector<std::pair<const std::string*, SearchTermRecord::Source>> names;
  names.push_back({&c.display_name(), SearchTermRecord::NAME});
  for (const std::string& a : c.aliases()) {
    names.push_back({&a, SearchTermRecord::ALIAS});
  }
  for (const auto& [text, src] : names) {
    std::string folded = FoldForSearch(*text);
    add(folded, src, *text);
    for (const std::string& w : FoldedWords(folded)) {
      if (w != folded) add(w, SearchTermRecord::WORD, *text);
    }
  }
  return terms;
}

}  // namespace

std::vector<std::string> SortedParticipantIds(const PartnershipRecord& p) {
  std::vector<std::string> ids;
  for (const auto& part : p.participants()) ids.push_back(part.company_id());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

uint32_t KindMask(const PartnershipRecord& p) {
  uint32_t mask = 0;
  for (int k : p.kinds()) {
    if (k > 0 && k < 32) mask |= 1u << k;
  }
  return mask;
}

IndexEntries PartnershipIndexEntries(const PartnershipRecord& p) {
  IndexEntries entries;
  // Graph queries follow and filter partnerships from these values alone.
  const std::string adjacency = AdjacencyRecordFor(p).SerializeAsString();
  for (const auto& part : p.participants()) {
    entries[keys::AdjacencyKey(part.company_id(), p.announced_on(), p.id())] =
        adjacency;
  }
  entries[keys::AnnouncedKey(p.announced_on(), p.id())] = adjacency;
  entries[keys::DedupeKey(p.announced_on(), SortedParticipantIds(p), p.id())] =
      keys::EncodeInt64(KindMask(p));
  return entries;
}

IndexEntries CompanyIndexEntries(const CompanyRecord& c) {
  IndexEntries entries;
  for (const auto& [term, rec] : SearchTermsFor(c)) {
    entries[keys::SearchKey(term, c.id())] = rec.SerializeAsString();
  }
  for (const std::string& t : c.tickers()) {
    entries[keys::TickerKey(t, c.id())] = "";
  }
  return entries;
}

}  // namespace partnergraph::storage
