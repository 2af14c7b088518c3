#ifndef PARTNERGRAPH_STORAGE_GRAPH_INDEX_H_
#define PARTNERGRAPH_STORAGE_GRAPH_INDEX_H_

// The in-memory graph index: what the graph queries traverse, fed by the
// apply stream (every committed revision, in order) and rebuilt from the
// store at start. Engine-neutral: it sees change batches and a GraphSnapshot,
// never RocksDB.
//
// What it holds:
//   - companies under dense integer slots, each with its adjacency (the
//     partnership versions it takes part in, ordered by (announced_on,
//     partnership id) as the store's adjacency index is) and its sectors;
//   - per partnership version: participants, kinds, status, announced_on,
//     number of sources, and the revisions it is valid in, [from, to);
//   - partnerships by announced_on, for queries that scan by date.
// A partnership gets a new version only when one of those fields changes; a
// company only when its sectors change. A version that ended is dropped at
// the next apply once no open view reads at a revision it was valid in, so
// the index holds the present and what open views read, not the history
// (reads of the past go through the change log: as_of.h).
//
// Revision-aware: a view opened at revision R sees exactly the versions
// valid at R, however many revisions are applied while it is open, so a
// traversal needs no lock across calls and blocks commits no longer than
// one call takes (one adjacency list, or one date, with its callbacks).
//
// Thread-safety: Apply and Rebuild from one thread (the engine's commit or
// apply thread); views from any number of threads, concurrently with it.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "storage/graph_query.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Opens a snapshot of the store's records at exactly the index's revision
// (the one the factory was handed over with). Called from any thread, any
// number of times, while a view is open.
using RecordSnapshotFactory = std::function<std::unique_ptr<GraphSnapshot>()>;

struct GraphIndexStats {
  int64_t revision = 0;
  // Live at `revision`.
  int64_t companies = 0;
  int64_t partnerships = 0;
  int64_t adjacency_entries = 0;
  // Held, live or not yet dropped.
  int64_t partnership_versions = 0;
  int64_t company_versions = 0;
};

class GraphIndex {
 public:
  GraphIndex();
  ~GraphIndex();
  GraphIndex(const GraphIndex&) = delete;
  GraphIndex& operator=(const GraphIndex&) = delete;

  // Replaces the whole index with the graph of `snapshot` (every company's
  // sectors, every partnership's adjacency value) at snapshot.revision();
  // `records` opens record snapshots at that revision. Versions rebuilt this
  // way count as valid since revision 0. Errors of the snapshot's scans are
  // returned and leave the index empty.
  absl::Status Rebuild(GraphSnapshot& snapshot, RecordSnapshotFactory records);

  // Applies committed change batches, in revision order, each above
  // revision(); then the index is at the last one's revision, with `records`
  // opening record snapshots there. Versions that ended are dropped once no
  // open view reads at a revision they were valid in.
  void Apply(absl::Span<const ChangeBatchRecord> batches,
             RecordSnapshotFactory records);

  // Empties the index and drops its record factory (and with it the store
  // snapshot it holds): the engine calls it before closing the store.
  void Reset();

  // The revision of the last batch applied (or rebuilt).
  int64_t revision() const;

  // A read view at the index's current revision: adjacency, dates and sectors
  // from memory; records from the record snapshot of that revision. The view
  // may outlive neither the index nor the store behind the records.
  std::unique_ptr<GraphSnapshot> OpenView() const;

  GraphIndexStats Stats() const;

  // What the index holds at its current revision, for writes planned on the
  // thread that applies to it (a bulk import reads through them instead of
  // the store; see import_reader.h).
  bool HasCompany(absl::string_view id) const;
  bool HasPartnership(absl::string_view id) const;
  // Calls fn(partnership id, kinds mask) for each partnership announced on
  // `announced_on` whose distinct participants are exactly
  // `sorted_company_ids` (sorted, distinct): the store's dedupe entries
  // under that prefix.
  void ForEachSameDeal(
      absl::string_view announced_on,
      const std::vector<std::string>& sorted_company_ids,
      const std::function<void(absl::string_view, uint32_t)>& fn) const;

  // The graph at `revision` (0: the current one; the caller keeps it held,
  // e.g. by an open view) as canonical text, one line per company's sectors
  // and per adjacency entry (partnership, date, kinds, status, sources,
  // participants), companies in id order. Two indexes of the same graph give
  // the same text, however they were built.
  std::string Describe(int64_t revision = 0) const;

  // Rebuilds a second index from the records at the current revision and
  // appends to `problems` each line of Describe() that only one of the two
  // has (at most `max_problems`). Errors of the rebuild are returned.
  absl::Status Verify(size_t max_problems,
                      std::vector<std::string>* problems) const;

 private:
  class View;
  static constexpr int64_t kLive = INT64_MAX;
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr int kInlineParticipants = 3;

  // One version of a partnership's adjacency value. 48 bytes.
  struct Edge {
    int64_t from = 0;
    int64_t to = kLive;
    uint32_t partnership = 0;
    // YYYYMMDD; 0 for no date.
    uint32_t date = 0;
    uint32_t kinds_mask = 0;
    int32_t sources = 0;
    uint8_t status = 0;
    uint8_t participants = 0;
    // Company slots; more than kInlineParticipants live in overflow_.
    uint32_t inline_participants[kInlineParticipants] = {0, 0, 0};
  };

  struct SectorVersion {
    int64_t from = 0;
    int64_t to = kLive;
    absl::InlinedVector<uint32_t, 2> sectors;
  };

  struct CompanyNode {
    // Edge slots, by (date, partnership id); every version held.
    std::vector<uint32_t> adjacency;
    absl::InlinedVector<SectorVersion, 1> versions;
  };

  // Hash and equality over partnership slots, looked up by id.
  struct SlotHash {
    using is_transparent = void;
    const std::deque<std::string>* ids;
    size_t operator()(uint32_t slot) const;
    size_t operator()(absl::string_view id) const;
  };
  struct SlotEq {
    using is_transparent = void;
    const std::deque<std::string>* ids;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, absl::string_view b) const;
    bool operator()(absl::string_view a, uint32_t b) const;
  };

  void Clear() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t CompanySlot(absl::string_view id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t PartnershipSlot(absl::string_view id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t SectorId(absl::string_view sector)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t DateOf(absl::string_view date) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyCompany(int64_t rev, const CompanyRecord& c, bool deleted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyPartnership(int64_t rev, const PartnershipRecord& p, bool deleted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds a version valid from `from`; with `sorted_append` the caller adds
  // versions in (date, id) order, so no search is needed.
  void AddEdge(int64_t from, uint32_t partnership, uint32_t date,
               uint32_t kinds_mask, int status, int sources,
               absl::Span<const uint32_t> participants, bool sorted_append)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndEdge(uint32_t edge, int64_t rev) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropEdge(uint32_t edge) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropEnded(int64_t bound) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Span<const uint32_t> Participants(const Edge& e) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // True when edge `a` sorts before edge `b` by (date, partnership id).
  bool EdgeLess(uint32_t a, uint32_t b) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::string_view DateText(uint32_t date) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  void Pin(int64_t revision) const;
  void Unpin(int64_t revision) const;

  mutable absl::Mutex mu_;
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
  RecordSnapshotFactory records_ ABSL_GUARDED_BY(mu_);

  // Company slots: ids (pointer-stable), id -> slot in id order, nodes.
  std::deque<std::string> company_ids_ ABSL_GUARDED_BY(mu_);
  absl::btree_map<absl::string_view, uint32_t> company_slots_
      ABSL_GUARDED_BY(mu_);
  // The same, hashed: the traversals' lookups.
  absl::flat_hash_map<absl::string_view, uint32_t> company_lookup_
      ABSL_GUARDED_BY(mu_);
  std::vector<CompanyNode> companies_ ABSL_GUARDED_BY(mu_);

  // Partnership slots: ids, the set of slots by id, the live edge of each.
  std::deque<std::string> partnership_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t, SlotHash, SlotEq> partnership_slots_
      ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> live_edge_ ABSL_GUARDED_BY(mu_);

  std::vector<Edge> edges_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> free_edges_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> overflow_
      ABSL_GUARDED_BY(mu_);
  // Edge slots by date, each date's by partnership id.
  absl::btree_map<uint32_t, std::vector<uint32_t>> by_date_
      ABSL_GUARDED_BY(mu_);
  // Ended edges and ended company versions, in the order they ended.
  std::deque<uint32_t> ended_edges_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<int64_t, uint32_t>> ended_companies_
      ABSL_GUARDED_BY(mu_);

  std::deque<std::string> sector_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> sector_ids_ ABSL_GUARDED_BY(mu_);
  // "YYYY-MM-DD" of each date seen (pointer-stable values).
  absl::node_hash_map<uint32_t, std::string> date_text_ ABSL_GUARDED_BY(mu_);

  // Revisions of open views (compaction keeps what they read).
  mutable absl::Mutex pins_mu_;
  mutable std::multiset<int64_t> pins_ ABSL_GUARDED_BY(pins_mu_);
};

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_GRAPH_INDEX_H_
