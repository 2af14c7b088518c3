#ifndef PARTNERGRAPH_STORAGE_GRAPH_STORE_H_
#define PARTNERGRAPH_STORAGE_GRAPH_STORE_H_

// The graph store: companies and partnerships with revisions, etags,
// secondary indexes and a change log. Knows nothing of gRPC or the API
// messages; speaks the on-disk records of record.proto.
//
// Every method is safe to call from many threads at once. Every mutation
// validates its input (see validation.h), then commits the record, its index
// entries and one change-log entry as one atomic write that takes exactly one
// new store revision. A mutation that returns an error writes nothing.
//
// Each mutation comes in two forms. The synchronous one returns once the
// write is durable. The asynchronous one (`...Async`) returns at once and
// calls `done` exactly once with what the synchronous form would have
// returned: on the calling thread when the input is refused before it is
// queued, otherwise on the store's commit thread after the write. `done` must
// be quick and must not call a synchronous mutation of the same store.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/graph_query.h"
#include "storage/record.pb.h"

namespace partnergraph::storage {

// Listing bounds.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultSearchLimit = 20;
inline constexpr int kMaxSearchLimit = 100;
inline constexpr int kMaxBatchGet = 100;
// A list page examines at most this many records before it returns (possibly
// fewer than page_size) with a next-page token, so no page costs unbounded
// time.
inline constexpr int kMaxScanPerPage = 20000;
// Most change batches one ReadChanges call returns.
inline constexpr int kMaxChangeBatches = 1000;

// What an engine is opened with; each engine's header says how it reads
// them (rocksdb_engine.h for the embedded one).
struct StoreOptions {
  // Make each write durable (the engine's log flushed to disk) before it is
  // acknowledged.
  bool sync = true;
  // Bytes of the engine's cache of its local files.
  int64_t block_cache_bytes = 64ll << 20;
  // Number of most recent revisions whose change-log entries are kept.
  int64_t history_limit = 100000;
  // Most mutations committed together in one durable write (group commit).
  int max_group_size = 256;
  // An import batch of at least this many records is written as sorted
  // files handed to the engine whole (RocksDB: an SST file ingested),
  // instead of through its write-ahead log and memtable.
  int64_t ingest_min_records = 10000;
  // Test hook, called at named points inside a mutation ("company.record",
  // "company.indexes", "partnership.record", "partnership.indexes",
  // "commit"). A non-OK status fails that mutation (or, at "commit", the whole
  // group) exactly as a storage error would there.
  std::function<absl::Status(absl::string_view point)> fault_injector;
  // Most index entries one graph query (GetNeighborhood, FindPaths,
  // AggregatePartnerships) examines before it fails with RESOURCE_EXHAUSTED.
  int64_t max_query_entries = kDefaultMaxEntriesExamined;
};

struct CompanyFilter {
  // Sector path prefix matched on whole segments ("ai" matches
  // "ai/frontier-lab", not "air").
  std::string sector;
  // ISO 3166-1 alpha-2 code.
  std::string country;
  // "key" (any value) or "key=value".
  std::string label;
};

struct CompanyPage {
  std::vector<CompanyRecord> companies;
  // Empty on the last page.
  std::string next_page_token;
  // Revision the page was read at.
  int64_t revision = 0;
};

struct PartnershipPage {
  std::vector<PartnershipRecord> partnerships;
  std::string next_page_token;
  int64_t revision = 0;
};

// How a search hit matched, best first.
enum class MatchKind {
  kExactTicker = 1,
  kExactName = 2,
  kPrefix = 3,
  kWordPrefix = 4
};

struct SearchHit {
  CompanyRecord company;
  MatchKind match;
  // The ticker, name or alias that matched.
  std::string matched_text;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  int64_t revision = 0;
};

struct ChangesPage {
  // Change batches in revision order.
  std::vector<ChangeBatchRecord> batches;
  // Revisions up to and including this one are no longer held.
  int64_t compact_revision = 0;
  // Current store revision.
  int64_t revision = 0;
};

// One version of a record (GraphStore::ListRevisions).
struct RecordVersion {
  int64_t revision = 0;
  // Commit time of the revision, microseconds since the epoch.
  int64_t time_micros = 0;
  // The change: its type and the record after it (for DELETED, the last
  // version before it). `previous` is left out.
  ChangeEventRecord event;
};

struct RevisionsPage {
  // Newest first.
  std::vector<RecordVersion> versions;
  std::string next_page_token;
  int64_t revision = 0;
};

enum class RecordKind { kCompany, kPartnership };

struct ConsistencyReport {
  // One line per disagreement between records and indexes.
  std::vector<std::string> problems;
  int64_t companies = 0;
  int64_t partnerships = 0;
  int64_t index_entries = 0;
  bool ok() const { return problems.empty(); }
};

struct StoreStats {
  int64_t companies = 0;
  int64_t partnerships = 0;
  int64_t revision = 0;
  int64_t compact_revision = 0;
  // Bytes of the store's files on disk (tables, write-ahead log, manifest).
  int64_t disk_bytes = 0;
  std::string schema_version;
  // Engine gauges (0 where the engine has none): bytes of its table files,
  // bytes of its in-memory write buffers, whether writes are stopped by a
  // stall (0/1) and the current delayed-write rate in bytes/s (0 = writes not
  // delayed).
  int64_t sst_bytes = 0;
  int64_t memtable_bytes = 0;
  int64_t write_stopped = 0;
  int64_t delayed_write_rate = 0;
};

// The etag of a record with this update_revision.
std::string EtagFor(int64_t update_revision);

// Bulk load (GraphStore::ImportAsync). Most records one import call takes.
inline constexpr int kMaxImportRecords = 100000;

// Records for one bulk write, each with the position the caller reports
// errors under (e.g. its index in the client's stream).
struct ImportBatch {
  std::vector<std::pair<int64_t, CompanyRecord>> companies;
  std::vector<std::pair<int64_t, PartnershipRecord>> partnerships;
  // Any bad record fails the whole batch: nothing is written.
  bool all_or_nothing = false;
  // A partnership whose participant does not exist is returned in
  // ImportResult::held_back (for a later retry) instead of `errors`.
  bool hold_back_missing = false;
  // Check every record as the write would, report the errors, write nothing.
  bool dry_run = false;
};

struct ImportError {
  // The position given with the record in ImportBatch.
  int64_t index = 0;
  // INVALID_ARGUMENT (bad field), FAILED_PRECONDITION (a participant does
  // not exist), ALREADY_EXISTS (duplicate of another partnership, or a
  // company ticker held by another company, in the store or by an earlier
  // record of the batch).
  absl::Status status;
};

struct ImportResult {
  // Records created or replaced (unchanged ones included).
  int64_t companies_written = 0;
  int64_t partnerships_written = 0;
  // Store revision after the write (unchanged when nothing changed).
  int64_t revision = 0;
  // Records refused, in batch order (companies first).
  std::vector<ImportError> errors;
  // With hold_back_missing: the partnerships not written because a
  // participant does not exist, unchanged.
  std::vector<std::pair<int64_t, PartnershipRecord>> held_back;
};

// A consistent snapshot of every record, read in chunks: companies in id
// order, then partnerships in id order. Must be destroyed before the store.
class RecordCursor {
 public:
  virtual ~RecordCursor() = default;
  // The store revision of the snapshot.
  virtual int64_t revision() const = 0;
  // Appends up to `max_records` records to the vectors; false once every
  // record has been returned. DATA_LOSS for an unreadable record.
  virtual absl::StatusOr<bool> Next(
      int max_records, std::vector<CompanyRecord>* companies,
      std::vector<PartnershipRecord>* partnerships) = 0;
};

struct CheckpointInfo {
  // The store revision the checkpoint holds, exactly.
  int64_t revision = 0;
  // Bytes of the checkpoint's files.
  int64_t size_bytes = 0;
};

// The apply stream: called after each durable commit with the new store
// revision and the change batches committed, in revision order, decoded once
// (the graph index has applied them already).
using CommitListener = std::function<void(
    int64_t revision,
    std::shared_ptr<const std::vector<ChangeBatchRecord>> batches)>;

// Completion callbacks of the asynchronous mutations.
template <typename T>
using Done = std::function<void(absl::StatusOr<T>)>;
using StatusDone = std::function<void(absl::Status)>;

// Whether a write is committed, or only checked: every rule runs against the
// current state and the result is what the write would return, but nothing
// is written and no revision is taken (the API's validate_only).
enum class WriteMode { kCommit, kValidateOnly };

class GraphStore {
 public:
  virtual ~GraphStore() = default;

  // Creates a company. `company.id` empty means derived from display_name as a
  // slug. Output-only fields are ignored. With a non-empty `request_id` seen
  // before, returns the company that first call created (as it is now).
  // INVALID_ARGUMENT (bad field), ALREADY_EXISTS (id taken, or a ticker held
  // by another company: `company.tickers[i]: "NASDAQ:MU" is held by
  // companies/micron`), FAILED_PRECONDITION (request_id used by a company
  // since deleted). A ticker belongs to one company at a time; it is freed
  // when its holder drops it or is deleted.
  absl::StatusOr<CompanyRecord> CreateCompany(
      const CompanyRecord& company, absl::string_view request_id,
      WriteMode mode = WriteMode::kCommit);
  virtual void CreateCompanyAsync(CompanyRecord company, std::string request_id,
                                  WriteMode mode, Done<CompanyRecord> done) = 0;

  // Point in time. Every read below takes `as_of_revision`: 0 reads the
  // current state; R > 0 the state right after revision R was committed.
  // INVALID_ARGUMENT for R < 0; OUT_OF_RANGE for R past the current
  // revision, or at or below the compact revision (history trimmed), naming
  // the revision that bounds it. The cost of a read as of R grows with the
  // number of changes since R (see as_of.h).

  // The last revision committed at or before `time`: the current revision
  // for a time after the last commit; OUT_OF_RANGE naming the oldest
  // revision held and its commit time when every revision held is later (0
  // for an empty store).
  virtual absl::StatusOr<int64_t> RevisionAt(absl::Time time) = 0;

  // NOT_FOUND when absent; INVALID_ARGUMENT for a malformed id.
  absl::StatusOr<CompanyRecord> GetCompany(absl::string_view id) {
    return GetCompany(id, 0);
  }
  virtual absl::StatusOr<CompanyRecord> GetCompany(absl::string_view id,
                                                   int64_t as_of_revision) = 0;

  // All or nothing at one revision: NOT_FOUND naming the first missing id.
  // INVALID_ARGUMENT for 0 or more than kMaxBatchGet ids.
  absl::StatusOr<std::vector<CompanyRecord>> BatchGetCompanies(
      const std::vector<std::string>& ids) {
    return BatchGetCompanies(ids, 0);
  }
  virtual absl::StatusOr<std::vector<CompanyRecord>> BatchGetCompanies(
      const std::vector<std::string>& ids, int64_t as_of_revision) = 0;

  // The versions of one record held in the change log, newest first, paged
  // as ListCompanies. NOT_FOUND when the record neither exists nor has a
  // version held; INVALID_ARGUMENT for a malformed id, page size or token.
  virtual absl::StatusOr<RevisionsPage> ListRevisions(
      RecordKind kind, absl::string_view id, int page_size,
      absl::string_view page_token) = 0;

  // Replaces the fields named in `paths` (record field names) with those of
  // `patch`; `patch.id` selects the company. Empty `paths` means every field
  // set in `patch`; "*" means every mutable field. NOT_FOUND, ABORTED (etag
  // set and stale), INVALID_ARGUMENT (unknown path, bad value),
  // ALREADY_EXISTS (a ticker added that another company holds; the
  // company's own tickers may be kept).
  absl::StatusOr<CompanyRecord> UpdateCompany(
      const CompanyRecord& patch, const std::vector<std::string>& paths,
      absl::string_view etag, WriteMode mode = WriteMode::kCommit);
  virtual void UpdateCompanyAsync(CompanyRecord patch,
                                  std::vector<std::string> paths,
                                  std::string etag, WriteMode mode,
                                  Done<CompanyRecord> done) = 0;

  // NOT_FOUND, ABORTED (etag), FAILED_PRECONDITION while partnerships
  // reference the company and !force. With force, those partnerships are
  // deleted in the same write and revision.
  absl::Status DeleteCompany(absl::string_view id, absl::string_view etag,
                             bool force, WriteMode mode = WriteMode::kCommit);
  virtual void DeleteCompanyAsync(std::string id, std::string etag, bool force,
                                  WriteMode mode, StatusDone done) = 0;

  // Companies in id order. page_size 0 means kDefaultPageSize; above
  // kMaxPageSize it is capped. INVALID_ARGUMENT for a bad filter, a negative
  // page size or a page token that is tampered or from another filter.
  // A page token is bound to the filter and to `as_of_revision`.
  absl::StatusOr<CompanyPage> ListCompanies(const CompanyFilter& filter,
                                            int page_size,
                                            absl::string_view page_token) {
    return ListCompanies(filter, page_size, page_token, 0);
  }
  virtual absl::StatusOr<CompanyPage> ListCompanies(
      const CompanyFilter& filter, int page_size, absl::string_view page_token,
      int64_t as_of_revision) = 0;

  // Companies whose ticker, symbol, display name or alias matches `query`
  // (case- and accent-insensitive): exact ticker, then exact name or alias,
  // then prefix, then word prefix; ties by display name. limit 0 means
  // kDefaultSearchLimit; at most kMaxSearchLimit.
  virtual absl::StatusOr<SearchResult> SearchCompanies(absl::string_view query,
                                                       int limit) = 0;

  // Creates a partnership; `partnership.id` empty means server-assigned.
  // FAILED_PRECONDITION naming a participant that does not exist;
  // ALREADY_EXISTS naming the existing partnership with the same participant
  // set, announced_on and an overlapping kind, or when the id is taken.
  absl::StatusOr<PartnershipRecord> CreatePartnership(
      const PartnershipRecord& partnership, absl::string_view request_id,
      WriteMode mode = WriteMode::kCommit);
  virtual void CreatePartnershipAsync(PartnershipRecord partnership,
                                      std::string request_id, WriteMode mode,
                                      Done<PartnershipRecord> done) = 0;

  absl::StatusOr<PartnershipRecord> GetPartnership(absl::string_view id) {
    return GetPartnership(id, 0);
  }
  virtual absl::StatusOr<PartnershipRecord> GetPartnership(
      absl::string_view id, int64_t as_of_revision) = 0;

  // As UpdateCompany; a change of participants, kinds or announced_on is
  // checked for duplicates and missing participants as on create.
  absl::StatusOr<PartnershipRecord> UpdatePartnership(
      const PartnershipRecord& patch, const std::vector<std::string>& paths,
      absl::string_view etag, WriteMode mode = WriteMode::kCommit);
  virtual void UpdatePartnershipAsync(PartnershipRecord patch,
                                      std::vector<std::string> paths,
                                      std::string etag, WriteMode mode,
                                      Done<PartnershipRecord> done) = 0;

  absl::Status DeletePartnership(absl::string_view id, absl::string_view etag,
                                 WriteMode mode = WriteMode::kCommit);
  virtual void DeletePartnershipAsync(std::string id, std::string etag,
                                      WriteMode mode, StatusDone done) = 0;

  // Partnerships matching `query`, newest announced_on first, then by id.
  absl::StatusOr<PartnershipPage> ListPartnerships(
      const PartnershipQuery& query, int page_size,
      absl::string_view page_token) {
    return ListPartnerships(query, page_size, page_token, 0);
  }
  virtual absl::StatusOr<PartnershipPage> ListPartnerships(
      const PartnershipQuery& query, int page_size,
      absl::string_view page_token, int64_t as_of_revision) = 0;

  // Change batches with revision >= start_revision, at most `max_batches`
  // (1..kMaxChangeBatches, else INVALID_ARGUMENT). OUT_OF_RANGE when
  // start_revision <= compact_revision (trimmed history).
  virtual absl::StatusOr<ChangesPage> ReadChanges(int64_t start_revision,
                                                  int max_batches) = 0;

  // The current store revision (0 for an empty store).
  virtual int64_t Revision() const = 0;

  // Returns once this store has applied `revision` (>= 1). A store that
  // acknowledges each write only after applying it (the embedded engine)
  // returns at once, or OUT_OF_RANGE past its current revision. A replica
  // fed from a shared engine (etcd) waits until `deadline` for a revision
  // committed there (DEADLINE_EXCEEDED), and answers OUT_OF_RANGE for one
  // not committed anywhere yet.
  virtual absl::Status AwaitRevision(int64_t revision, absl::Time deadline);

  // Walks every record and index at one snapshot and reports each
  // disagreement: an index entry without its record, a record without an
  // index entry it needs, a ticker held by more than one company, a
  // change-log gap, a revision counter behind a record; then compares the
  // in-memory graph index, as applied revision by revision, with one rebuilt
  // from the store at the index's revision.
  virtual absl::StatusOr<ConsistencyReport> CheckConsistency() = 0;

  virtual absl::StatusOr<StoreStats> GetStats() = 0;

  // Calls `listener` on the commit thread after every group of mutations is
  // durable, with the new revision, before their callers are answered. It
  // must be quick and must not call a mutation of this store. Replaces the
  // previous listener (nullptr removes it); returns once no call of the
  // previous one is running.
  virtual void SetCommitListener(CommitListener listener) = 0;

  // True when `p` matches `query` by the rules of ListPartnerships, reading
  // the participants' current company records when the query names
  // participant_sectors.
  virtual absl::StatusOr<bool> PartnershipMatches(
      const PartnershipQuery& query, const PartnershipRecord& p) = 0;

  // Bulk load: creates or replaces each record (same id: replaced, keeping
  // create_revision and create_time; a record equal to the stored one is
  // left alone but counted). Records are validated as by the single
  // creates; a company needs an id or a display_name to derive it from, a
  // partnership without an id gets one assigned. A company claiming a
  // ticker that another company holds (in the store, or an earlier record
  // of the batch with another id) is refused. Companies are written
  // before partnerships, so a partnership may name a company of the same
  // batch. Every accepted record and its index entries go into one write and
  // one revision, with one change-log entry listing them all. Bad records
  // are reported in `errors` and skipped, or, with `all_or_nothing`, nothing
  // is written (every error is still reported). The write is committed in a
  // group of its own, with no per-record fsync (one WAL write per call).
  // INVALID_ARGUMENT for more than kMaxImportRecords records.
  virtual void ImportAsync(ImportBatch batch, Done<ImportResult> done) = 0;
  absl::StatusOr<ImportResult> Import(ImportBatch batch);

  // A snapshot of every record (see RecordCursor).
  virtual absl::StatusOr<std::unique_ptr<RecordCursor>> OpenExport() = 0;

  // Writes a consistent copy of the store, at one revision, into `dir`
  // (which must not exist; files are hard-linked on the same filesystem)
  // while writes go on. ALREADY_EXISTS when `dir` exists.
  virtual absl::StatusOr<CheckpointInfo> CreateCheckpoint(
      const std::string& dir) = 0;

  // Graph queries at one snapshot (see graph_query.h for the semantics,
  // bounds and error codes). Each stops with DEADLINE_EXCEEDED once
  // `deadline` passes and with RESOURCE_EXHAUSTED beyond
  // StoreOptions::max_query_entries index entries.
  // As of a revision, each reports it as the result's `revision`.
  absl::StatusOr<NeighborhoodResult> GetNeighborhood(
      const NeighborhoodQuery& query, absl::Time deadline) {
    return GetNeighborhood(query, deadline, 0);
  }
  absl::StatusOr<PathsResult> FindPaths(const PathQuery& query,
                                        absl::Time deadline) {
    return FindPaths(query, deadline, 0);
  }
  absl::StatusOr<AggregateResult> AggregatePartnerships(
      const AggregateQuery& query, absl::Time deadline) {
    return AggregatePartnerships(query, deadline, 0);
  }
  virtual absl::StatusOr<NeighborhoodResult> GetNeighborhood(
      const NeighborhoodQuery& query, absl::Time deadline,
      int64_t as_of_revision) = 0;
  virtual absl::StatusOr<PathsResult> FindPaths(const PathQuery& query,
                                                absl::Time deadline,
                                                int64_t as_of_revision) = 0;
  virtual absl::StatusOr<AggregateResult> AggregatePartnerships(
      const AggregateQuery& query, absl::Time deadline,
      int64_t as_of_revision) = 0;
};

}  // namespace partnergraph::storage

// The embedded engine's OpenRocksDbStore and RestoreRocksDbCheckpoint, for
// the callers that found them here before they had a header of their own.
#include "storage/rocksdb_engine.h"  // IWYU pragma: export

#endif  // PARTNERGRAPH_STORAGE_GRAPH_STORE_H_
