#include "storage/graph_index.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storage/index_entries.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

// "YYYY-MM-DD" -> YYYYMMDD, order-preserving; 0 for an empty or malformed
// date (validation admits only real calendar dates).
uint32_t DateKey(absl::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return 0;
  uint32_t v = 0;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return 0;
    v = v * 10 + static_cast<uint32_t>(d[i] - '0');
  }
  return v;
}

// The inclusive date window [after, before] of a scan (empty = unbounded).
std::pair<uint32_t, uint32_t> DateWindow(absl::string_view after,
                                         absl::string_view before) {
  return {after.empty() ? 0 : DateKey(after),
          before.empty() ? UINT32_MAX : DateKey(before)};
}

bool ValidAt(int64_t from, int64_t to, int64_t rev) {
  return from <= rev && rev < to;
}

// Companies read per lock hold by ForEachCompanySectors.
constexpr int kCompaniesPerChunk = 1024;

}  // namespace

size_t GraphIndex::SlotHash::operator()(uint32_t slot) const {
  return absl::Hash<absl::string_view>{}((*ids)[slot]);
}
size_t GraphIndex::SlotHash::operator()(absl::string_view id) const {
  return absl::Hash<absl::string_view>{}(id);
}
bool GraphIndex::SlotEq::operator()(uint32_t a, absl::string_view b) const {
  return (*ids)[a] == b;
}
bool GraphIndex::SlotEq::operator()(absl::string_view a, uint32_t b) const {
  return a == (*ids)[b];
}

// One traversal's read access: adjacency, dates and sectors from the index
// at `revision_` (copied out under a short shared lock per call, so the
// callbacks run unlocked), records from the record snapshot.
class GraphIndex::View final : public GraphSnapshot {
 public:
  View(const GraphIndex* index, int64_t revision,
       std::unique_ptr<GraphSnapshot> records)
      : index_(index), revision_(revision), records_(std::move(records)) {}
  ~View() override { index_->Unpin(revision_); }

  int64_t revision() const override { return revision_; }

  absl::StatusOr<CompanyRecord> Company(absl::string_view id) override {
    return records_->Company(id);
  }
  absl::StatusOr<PartnershipRecord> Partnership(absl::string_view id) override {
    return records_->Partnership(id);
  }
  absl::Status Companies(absl::Span<const absl::string_view> ids,
                         std::vector<CompanyRecord>* out) override {
    return records_->Companies(ids, out);
  }
  absl::Status Partnerships(absl::Span<const absl::string_view> ids,
                            std::vector<PartnershipRecord>* out) override {
    return records_->Partnerships(ids, out);
  }
  absl::Status ForEachCompany(
      const std::function<absl::Status(const CompanyRecord&)>& fn) override {
    return records_->ForEachCompany(fn);
  }

  // The callbacks run under the shared lock (they are short: the queries'
  // per-entry work), so nothing is copied. A callback that reads the index
  // again through this view does not lock twice.
  absl::Status ForEachAdjacent(absl::string_view company_id,
                               absl::string_view after,
                               absl::string_view before,
                               const EdgeFn& fn) override {
    const std::pair<uint32_t, uint32_t> window = DateWindow(after, before);
    const uint32_t lo = window.first;
    const uint32_t hi = window.second;
    SharedLock lock(this);
    auto it = index_->company_lookup_.find(company_id);
    if (it == index_->company_lookup_.end()) return absl::OkStatus();
    const std::vector<uint32_t>& adj = index_->companies_[it->second].adjacency;
    const std::vector<Edge>& edges = index_->edges_;
    auto start = adj.begin();
    if (lo != 0) {
      start = std::partition_point(adj.begin(), adj.end(), [&](uint32_t e) {
        return edges[e].date < lo;
      });
    }
    for (auto e = start; e != adj.end(); ++e) {
      const Edge& edge = edges[*e];
      if (edge.date > hi) break;
      if (ValidAt(edge.from, edge.to, revision_)) {
        RETURN_IF_ERROR(Emit(edge, fn));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ForEachAnnounced(absl::string_view after,
                                absl::string_view before,
                                const EdgeFn& fn) override {
    const std::pair<uint32_t, uint32_t> window = DateWindow(after, before);
    const uint32_t lo = window.first;
    const uint32_t hi = window.second;
    uint32_t next = lo;
    while (true) {
      // One date at a time under the lock; released between dates.
      SharedLock lock(this);
      auto it = index_->by_date_.lower_bound(next);
      if (it == index_->by_date_.end() || it->first > hi) break;
      for (uint32_t e : it->second) {
        const Edge& edge = index_->edges_[e];
        if (ValidAt(edge.from, edge.to, revision_)) {
          RETURN_IF_ERROR(Emit(edge, fn));
        }
      }
      if (it->first == UINT32_MAX) break;
      next = it->first + 1;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> CompanySectors(
      absl::string_view id) override {
    std::vector<std::string> out;
    SharedLock lock(this);
    auto it = index_->company_lookup_.find(id);
    if (it == index_->company_lookup_.end()) return out;
    for (const SectorVersion& v : index_->companies_[it->second].versions) {
      if (!ValidAt(v.from, v.to, revision_)) continue;
      for (uint32_t s : v.sectors) out.emplace_back(index_->sector_names_[s]);
    }
    return out;
  }

  absl::Status ForEachCompanySectors(const CompanySectorsFn& fn) override {
    std::vector<std::pair<absl::string_view, std::pair<size_t, size_t>>> chunk;
    std::vector<absl::string_view> names;
    absl::string_view after;
    bool first = true;
    bool done = false;
    while (!done) {
      chunk.clear();
      names.clear();
      {
        SharedLock lock(this);
        const auto& slots = index_->company_slots_;
        auto it = first ? slots.begin() : slots.upper_bound(after);
        for (int visited = 0; it != slots.end() && visited < kCompaniesPerChunk;
             ++it, ++visited) {
          after = it->first;
          for (const SectorVersion& v :
               index_->companies_[it->second].versions) {
            if (!ValidAt(v.from, v.to, revision_)) continue;
            size_t begin = names.size();
            for (uint32_t s : v.sectors) {
              names.push_back(index_->sector_names_[s]);
            }
            chunk.push_back({it->first, {begin, names.size()}});
          }
        }
        first = false;
        done = it == slots.end();
      }
      absl::Span<const absl::string_view> all(names);
      for (const auto& [id, range] : chunk) {
        RETURN_IF_ERROR(
            fn(id, all.subspan(range.first, range.second - range.first)));
      }
    }
    return absl::OkStatus();
  }

 private:
  // The index's shared lock, taken once however deeply this view's calls
  // nest (a second ReaderLock by the same thread deadlocks once a writer
  // waits).
  class SharedLock {
   public:
    explicit SharedLock(View* view) : view_(view) {
      if (view_->lock_depth_++ == 0) view_->index_->mu_.ReaderLock();
    }
    ~SharedLock() {
      if (--view_->lock_depth_ == 0) view_->index_->mu_.ReaderUnlock();
    }

   private:
    View* view_;
  };

  // Calls `fn` with `edge` as an EdgeView whose strings are the index's
  // own (pointer-stable) ones.
  absl::Status Emit(const Edge& edge, const EdgeFn& fn)
      ABSL_SHARED_LOCKS_REQUIRED(index_->mu_) {
    absl::InlinedVector<absl::string_view, 8> participants;
    for (uint32_t c : index_->Participants(edge)) {
      participants.push_back(index_->company_ids_[c]);
    }
    EdgeView view;
    view.partnership_id = index_->partnership_ids_[edge.partnership];
    view.announced_on = index_->DateText(edge.date);
    view.participant_ids = participants;
    view.kinds_mask = edge.kinds_mask;
    view.status = edge.status;
    view.sources = edge.sources;
    return fn(view);
  }

  const GraphIndex* index_;
  const int64_t revision_;
  std::unique_ptr<GraphSnapshot> records_;
  int lock_depth_ = 0;
};

GraphIndex::GraphIndex()
    : partnership_slots_(0, SlotHash{&partnership_ids_},
                         SlotEq{&partnership_ids_}) {}

GraphIndex::~GraphIndex() = default;

void GraphIndex::Reset() {
  absl::MutexLock lock(&mu_);
  Clear();
  records_ = nullptr;
}

int64_t GraphIndex::revision() const {
  absl::ReaderMutexLock lock(&mu_);
  return revision_;
}

void GraphIndex::Clear() {
  revision_ = 0;
  company_ids_.clear();
  company_slots_.clear();
  company_lookup_.clear();
  companies_.clear();
  partnership_ids_.clear();
  partnership_slots_.clear();
  live_edge_.clear();
  edges_.clear();
  free_edges_.clear();
  overflow_.clear();
  by_date_.clear();
  ended_edges_.clear();
  ended_companies_.clear();
  sector_names_.clear();
  sector_ids_.clear();
  date_text_.clear();
}

uint32_t GraphIndex::CompanySlot(absl::string_view id) {
  auto it = company_lookup_.find(id);
  if (it != company_lookup_.end()) return it->second;
  uint32_t slot = static_cast<uint32_t>(companies_.size());
  company_ids_.emplace_back(id);
  company_slots_.emplace(company_ids_.back(), slot);
  company_lookup_.emplace(company_ids_.back(), slot);
  companies_.emplace_back();
  return slot;
}

uint32_t GraphIndex::PartnershipSlot(absl::string_view id) {
  auto it = partnership_slots_.find(id);
  if (it != partnership_slots_.end()) return *it;
  uint32_t slot = static_cast<uint32_t>(partnership_ids_.size());
  partnership_ids_.emplace_back(id);
  partnership_slots_.insert(slot);
  live_edge_.push_back(kNone);
  return slot;
}

uint32_t GraphIndex::SectorId(absl::string_view sector) {
  auto it = sector_ids_.find(sector);
  if (it != sector_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(sector_names_.size());
  sector_names_.emplace_back(sector);
  sector_ids_.emplace(std::string(sector), id);
  return id;
}

uint32_t GraphIndex::DateOf(absl::string_view date) {
  uint32_t key = DateKey(date);
  if (date_text_.find(key) == date_text_.end()) {
    date_text_.emplace(key, key == 0 ? std::string() : std::string(date));
  }
  return key;
}

absl::string_view GraphIndex::DateText(uint32_t date) const {
  auto it = date_text_.find(date);
  return it == date_text_.end() ? absl::string_view() : it->second;
}

absl::Span<const uint32_t> GraphIndex::Participants(const Edge& e) const {
  if (e.participants <= kInlineParticipants) {
    return absl::MakeConstSpan(e.inline_participants, e.participants);
  }
  uint32_t slot = static_cast<uint32_t>(&e - edges_.data());
  return overflow_.at(slot);
}

bool GraphIndex::EdgeLess(uint32_t a, uint32_t b) const {
  const Edge& x = edges_[a];
  const Edge& y = edges_[b];
  if (x.date != y.date) return x.date < y.date;
  return partnership_ids_[x.partnership] < partnership_ids_[y.partnership];
}

void GraphIndex::AddEdge(int64_t from, uint32_t partnership, uint32_t date,
                         uint32_t kinds_mask, int status, int sources,
                         absl::Span<const uint32_t> participants,
                         bool sorted_append) {
  uint32_t slot;
  if (free_edges_.empty()) {
    slot = static_cast<uint32_t>(edges_.size());
    edges_.emplace_back();
  } else {
    slot = free_edges_.back();
    free_edges_.pop_back();
  }
  Edge& e = edges_[slot];
  e = Edge();
  e.from = from;
  e.partnership = partnership;
  e.date = date;
  e.kinds_mask = kinds_mask;
  e.status = static_cast<uint8_t>(status);
  e.sources = sources;
  e.participants = static_cast<uint8_t>(participants.size());
  if (participants.size() <= kInlineParticipants) {
    std::copy(participants.begin(), participants.end(), e.inline_participants);
  } else {
    overflow_[slot].assign(participants.begin(), participants.end());
  }
  live_edge_[partnership] = slot;
  auto insert = [&](std::vector<uint32_t>& list) {
    if (sorted_append) {
      list.push_back(slot);
    } else {
      list.insert(std::upper_bound(
                      list.begin(), list.end(), slot,
                      [&](uint32_t a, uint32_t b) { return EdgeLess(a, b); }),
                  slot);
    }
  };
  for (size_t i = 0; i < participants.size(); ++i) {
    uint32_t c = participants[i];
    // A company named twice has one adjacency entry, as in the store.
    if (std::find(participants.begin(), participants.begin() + i, c) !=
        participants.begin() + i) {
      continue;
    }
    insert(companies_[c].adjacency);
  }
  insert(by_date_[date]);
}

void GraphIndex::EndEdge(uint32_t edge, int64_t rev) {
  edges_[edge].to = rev;
  ended_edges_.push_back(edge);
  live_edge_[edges_[edge].partnership] = kNone;
}

void GraphIndex::DropEdge(uint32_t edge) {
  Edge& e = edges_[edge];
  auto remove = [edge](std::vector<uint32_t>& list) {
    auto it = std::find(list.begin(), list.end(), edge);
    if (it != list.end()) list.erase(it);
  };
  for (uint32_t c : Participants(e)) remove(companies_[c].adjacency);
  auto bucket = by_date_.find(e.date);
  if (bucket != by_date_.end()) {
    remove(bucket->second);
    if (bucket->second.empty()) by_date_.erase(bucket);
  }
  overflow_.erase(edge);
  e = Edge();
  free_edges_.push_back(edge);
}

void GraphIndex::DropEnded(int64_t bound) {
  while (!ended_edges_.empty() && edges_[ended_edges_.front()].to <= bound) {
    DropEdge(ended_edges_.front());
    ended_edges_.pop_front();
  }
  while (!ended_companies_.empty() && ended_companies_.front().first <= bound) {
    auto& versions = companies_[ended_companies_.front().second].versions;
    versions.erase(std::remove_if(versions.begin(), versions.end(),
                                  [bound](const SectorVersion& v) {
                                    return v.to <= bound;
                                  }),
                   versions.end());
    ended_companies_.pop_front();
  }
}

void GraphIndex::ApplyCompany(int64_t rev, const CompanyRecord& c,
                              bool deleted) {
  uint32_t slot = CompanySlot(c.id());
  auto& versions = companies_[slot].versions;
  SectorVersion* live = (!versions.empty() && versions.back().to == kLive)
                            ? &versions.back()
                            : nullptr;
  absl::InlinedVector<uint32_t, 2> sectors;
  if (!deleted) {
    for (const std::string& s : c.sectors()) sectors.push_back(SectorId(s));
    if (live != nullptr && live->sectors == sectors) return;
  }
  if (live != nullptr) {
    live->to = rev;
    ended_companies_.push_back({rev, slot});
  }
  if (!deleted) versions.push_back({rev, kLive, std::move(sectors)});
}

void GraphIndex::ApplyPartnership(int64_t rev, const PartnershipRecord& p,
                                  bool deleted) {
  uint32_t slot = PartnershipSlot(p.id());
  uint32_t live = live_edge_[slot];
  if (deleted) {
    if (live != kNone) EndEdge(live, rev);
    return;
  }
  absl::InlinedVector<uint32_t, kInlineParticipants> participants;
  for (const auto& part : p.participants()) {
    participants.push_back(CompanySlot(part.company_id()));
  }
  uint32_t date = DateOf(p.announced_on());
  uint32_t kinds = KindMask(p);
  if (live != kNone) {
    const Edge& e = edges_[live];
    if (e.date == date && e.kinds_mask == kinds && e.status == p.status() &&
        e.sources == p.sources_size() &&
        absl::MakeConstSpan(participants) == Participants(e)) {
      return;
    }
    EndEdge(live, rev);
  }
  AddEdge(rev, slot, date, kinds, p.status(), p.sources_size(), participants,
          /*sorted_append=*/false);
}

absl::Status GraphIndex::Rebuild(GraphSnapshot& snapshot,
                                 RecordSnapshotFactory records) {
  absl::MutexLock lock(&mu_);
  Clear();
  absl::Status s = snapshot.ForEachCompanySectors(
      [&](absl::string_view id, absl::Span<const absl::string_view> sectors) {
        SectorVersion v;
        for (absl::string_view sector : sectors) {
          v.sectors.push_back(SectorId(sector));
        }
        companies_[CompanySlot(id)].versions.push_back(std::move(v));
        return absl::OkStatus();
      });
  absl::InlinedVector<uint32_t, kInlineParticipants> participants;
  // The date index yields (date, id) order: appending keeps every list
  // sorted.
  if (s.ok()) {
    s = snapshot.ForEachAnnounced("", "", [&](const EdgeView& e) {
      participants.clear();
      for (absl::string_view id : e.participant_ids) {
        participants.push_back(CompanySlot(id));
      }
      AddEdge(0, PartnershipSlot(e.partnership_id), DateOf(e.announced_on),
              e.kinds_mask, e.status, e.sources, participants,
              /*sorted_append=*/true);
      return absl::OkStatus();
    });
  }
  if (!s.ok()) {
    Clear();
    return s;
  }
  // Sized to what was loaded: growth slack would be a third of the index.
  for (CompanyNode& node : companies_) node.adjacency.shrink_to_fit();
  for (auto& [date, list] : by_date_) list.shrink_to_fit();
  edges_.shrink_to_fit();
  live_edge_.shrink_to_fit();
  companies_.shrink_to_fit();
  revision_ = snapshot.revision();
  records_ = std::move(records);
  return absl::OkStatus();
}

void GraphIndex::Apply(absl::Span<const ChangeBatchRecord> batches,
                       RecordSnapshotFactory records) {
  // Applied a chunk of events per lock hold, so readers (views, and a bulk
  // import planning its next batch) wait at most one chunk: a view sees
  // nothing of a revision above its own however far the applying got, and
  // revision() moves, with the records' snapshot, only once all is applied.
  constexpr int kEventsPerHold = 1024;
  for (const ChangeBatchRecord& batch : batches) {
    const int64_t rev = batch.revision();
    for (int first = 0; first < batch.events_size(); first += kEventsPerHold) {
      absl::MutexLock lock(&mu_);
      const int last = std::min(batch.events_size(), first + kEventsPerHold);
      for (int i = first; i < last; ++i) {
        const ChangeEventRecord& event = batch.events(i);
        const bool deleted = event.type() == ChangeEventRecord::DELETED;
        if (event.has_company()) ApplyCompany(rev, event.company(), deleted);
        if (event.has_partnership()) {
          ApplyPartnership(rev, event.partnership(), deleted);
        }
      }
    }
  }
  absl::MutexLock lock(&mu_);
  if (!batches.empty()) revision_ = batches.back().revision();
  records_ = std::move(records);
  // A version that ended at or before `bound` is valid in no revision an
  // open view reads.
  int64_t bound = revision_;
  {
    absl::MutexLock pins(&pins_mu_);
    if (!pins_.empty()) bound = std::min(bound, *pins_.begin());
  }
  DropEnded(bound);
}

void GraphIndex::Pin(int64_t revision) const {
  absl::MutexLock lock(&pins_mu_);
  pins_.insert(revision);
}

void GraphIndex::Unpin(int64_t revision) const {
  absl::MutexLock lock(&pins_mu_);
  pins_.erase(pins_.find(revision));
}

std::unique_ptr<GraphSnapshot> GraphIndex::OpenView() const {
  absl::ReaderMutexLock lock(&mu_);
  Pin(revision_);
  return std::make_unique<View>(this, revision_, records_());
}

bool GraphIndex::HasCompany(absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = company_lookup_.find(id);
  if (it == company_lookup_.end()) return false;
  const auto& versions = companies_[it->second].versions;
  return !versions.empty() && versions.back().to == kLive;
}

bool GraphIndex::HasPartnership(absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = partnership_slots_.find(id);
  return it != partnership_slots_.end() && live_edge_[*it] != kNone;
}

void GraphIndex::ForEachSameDeal(
    absl::string_view announced_on,
    const std::vector<std::string>& sorted_company_ids,
    const std::function<void(absl::string_view, uint32_t)>& fn) const {
  if (sorted_company_ids.empty()) return;
  absl::ReaderMutexLock lock(&mu_);
  std::vector<uint32_t> want;
  for (const std::string& id : sorted_company_ids) {
    auto it = company_lookup_.find(id);
    if (it == company_lookup_.end()) return;
    want.push_back(it->second);
  }
  std::sort(want.begin(), want.end());
  const uint32_t date = DateKey(announced_on);
  const std::vector<uint32_t>& adjacency = companies_[want[0]].adjacency;
  auto first = std::lower_bound(
      adjacency.begin(), adjacency.end(), date,
      [&](uint32_t edge, uint32_t d) { return edges_[edge].date < d; });
  std::vector<uint32_t> have;
  for (auto it = first; it != adjacency.end() && edges_[*it].date == date;
       ++it) {
    const Edge& e = edges_[*it];
    if (e.to != kLive) continue;
    absl::Span<const uint32_t> participants = Participants(e);
    have.assign(participants.begin(), participants.end());
    std::sort(have.begin(), have.end());
    have.erase(std::unique(have.begin(), have.end()), have.end());
    if (have == want) fn(partnership_ids_[e.partnership], e.kinds_mask);
  }
}

GraphIndexStats GraphIndex::Stats() const {
  absl::ReaderMutexLock lock(&mu_);
  GraphIndexStats s;
  s.revision = revision_;
  for (const CompanyNode& node : companies_) {
    for (const SectorVersion& v : node.versions) {
      ++s.company_versions;
      if (ValidAt(v.from, v.to, revision_)) ++s.companies;
    }
    for (uint32_t e : node.adjacency) {
      if (ValidAt(edges_[e].from, edges_[e].to, revision_)) {
        ++s.adjacency_entries;
      }
    }
  }
  for (uint32_t live : live_edge_) {
    if (live != kNone) ++s.partnerships;
  }
  s.partnership_versions =
      static_cast<int64_t>(edges_.size() - free_edges_.size());
  return s;
}

std::string GraphIndex::Describe(int64_t revision) const {
  absl::ReaderMutexLock lock(&mu_);
  const int64_t rev = revision == 0 ? revision_ : revision;
  std::string out;
  for (const auto& [id, slot] : company_slots_) {
    const CompanyNode& node = companies_[slot];
    for (const SectorVersion& v : node.versions) {
      if (!ValidAt(v.from, v.to, rev)) continue;
      std::vector<absl::string_view> names;
      for (uint32_t s : v.sectors) names.push_back(sector_names_[s]);
      absl::StrAppend(&out, id, " sectors [", absl::StrJoin(names, ","), "]\n");
    }
    for (uint32_t e : node.adjacency) {
      const Edge& edge = edges_[e];
      if (!ValidAt(edge.from, edge.to, rev)) continue;
      std::vector<absl::string_view> parts;
      for (uint32_t c : Participants(edge)) parts.push_back(company_ids_[c]);
      absl::StrAppend(
          &out,
          absl::StrFormat("%s edge %s %s kinds=%x status=%d sources=%d [%s]\n",
                          id, partnership_ids_[edge.partnership],
                          DateText(edge.date), edge.kinds_mask, edge.status,
                          edge.sources, absl::StrJoin(parts, ",")));
    }
  }
  return out;
}

absl::Status GraphIndex::Verify(size_t max_problems,
                                std::vector<std::string>* problems) const {
  int64_t rev;
  RecordSnapshotFactory records;
  {
    absl::ReaderMutexLock lock(&mu_);
    rev = revision_;
    records = records_;
    Pin(rev);
  }
  struct Unpinner {
    const GraphIndex* index;
    int64_t rev;
    ~Unpinner() { index->Unpin(rev); }
  } unpin{this, rev};
  GraphIndex fresh;
  std::unique_ptr<GraphSnapshot> snapshot = records();
  RETURN_IF_ERROR(fresh.Rebuild(*snapshot, records));
  std::string got_text = Describe(rev);
  std::vector<absl::string_view> got =
      absl::StrSplit(got_text, '\n', absl::SkipEmpty());
  std::string want_text = fresh.Describe();
  std::vector<absl::string_view> want =
      absl::StrSplit(want_text, '\n', absl::SkipEmpty());
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  std::vector<absl::string_view> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  for (absl::string_view line : missing) {
    if (problems->size() >= max_problems) break;
    problems->push_back(absl::StrCat("graph index at revision ", rev,
                                     " lacks what the store holds: ", line));
  }
  for (absl::string_view line : extra) {
    if (problems->size() >= max_problems) break;
    problems->push_back(absl::StrCat("graph index at revision ", rev,
                                     " holds what the store does not: ", line));
  }
  return absl::OkStatus();
}

}  // namespace partnergraph::storage
