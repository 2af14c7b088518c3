#ifndef PARTNERGRAPH_SERVER_CHANGE_FEED_H_
#define PARTNERGRAPH_SERVER_CHANGE_FEED_H_

// The change feed behind GraphService.Watch: one thread that follows the
// store's change log and fans each committed revision out to every watcher.
//
// The store calls the feed's commit listener after each durable commit with
// the committed change batches (the apply stream); the listener only queues
// them and wakes the feed thread, which hands each watcher following the
// head the events that match its filter, from memory. Only when the feed
// thread fell more than kMaxLiveGroups commit groups behind does it read the
// head back from the change log with GraphStore::ReadChanges. A watcher that
// starts at an older revision is caught up from the change log on the same
// thread, paced by its buffer, and then follows the live head: every revision
// is handed to a watcher exactly once and in order, so "list at R, watch from
// R + 1" has no gap and no repeat.
//
// Bounds: a watcher that is following the head and has more than
// `max_pending_events` events waiting (plus at most the events of the one
// revision being handed over, at most storage::kMaxImportRecords) is cut off
// with RESOURCE_EXHAUSTED naming the revision to resume from. A catching-up
// watcher is only fed while it has room, so it is never cut off.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/slice.h"
#include "storage/graph_store.h"
#include "storage/record.pb.h"

namespace partnergraph::server {

struct ChangeFeedOptions {
  // A watcher with nothing to send for this long gets a bookmark (a
  // response with no events carrying its progress revision).
  absl::Duration bookmark_interval = absl::Seconds(10);
  // Events that may wait for one watcher before it is cut off.
  int max_pending_events = 10000;
};

// Which events a watcher wants.
struct WatchFilter {
  // Partnership events must match this (a DELETED one by its last version,
  // an UPDATED one by either version).
  storage::PartnershipQuery query;
  // Leave out company events.
  bool partnerships_only = false;
};

// One event with the revision of the write that made it, as the API's
// partnergraph.v1.ChangeEvent serialized once: every watcher it goes to
// shares these bytes (a reference-counted slice), none converts or copies.
struct FeedEvent {
  int64_t revision = 0;
  grpc::Slice wire;
};
using SharedFeedEvent = std::shared_ptr<const FeedEvent>;

// What a watcher should send next.
struct FeedChunk {
  enum class Kind {
    kEvents,     // `events`, then keep going.
    kBookmark,   // no events; keep going.
    kCompacted,  // the start revision was trimmed; send and end OK.
    kFailed,     // end with `status` (e.g. RESOURCE_EXHAUSTED).
  };
  Kind kind = Kind::kEvents;
  std::vector<SharedFeedEvent> events;
  // Every matching change up to this revision has been taken.
  int64_t progress = 0;
  // For kCompacted: revisions up to this one are no longer held.
  int64_t compact_revision = 0;
  absl::Status status;
};

class ChangeFeed;

// A watcher's place in the feed. Owned jointly by the feed and the watcher;
// the watcher calls ChangeFeed::Unsubscribe when it is done.
class FeedSubscription {
 public:
  // Moves up to `max_events` waiting events (or a bookmark, compaction or
  // failure notice) into `out`; false when there is nothing to send now.
  bool Take(int max_events, FeedChunk* out);

 private:
  friend class ChangeFeed;
  FeedSubscription(ChangeFeed* feed, WatchFilter filter, int64_t next_revision,
                   std::function<void()> notify);

  ChangeFeed* const feed_;
  const WatchFilter filter_;

  // Guards `notify_`: held while it runs, so Unsubscribe waits for a running
  // call to return.
  absl::Mutex notify_mu_;
  std::function<void()> notify_ ABSL_GUARDED_BY(notify_mu_);

  // The rest is guarded by the feed's mu_.
  // The next revision this watcher has not been handed.
  int64_t next_revision_;
  std::deque<SharedFeedEvent> pending_;
  bool bookmark_due_ = false;
  absl::Time last_sent_;
  int64_t compacted_ = -1;
  absl::Status failure_;
  bool ended_ = false;
};

class ChangeFeed {
 public:
  // Starts the feed thread and installs the store's commit listener. The
  // store must outlive the feed's Stop.
  ChangeFeed(storage::GraphStore* store, ChangeFeedOptions options);
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;
  ~ChangeFeed();

  // Removes the commit listener and stops the thread. Every subscription
  // must be gone (Unsubscribe) first. Idempotent.
  void Stop();

  // A watcher from `start_revision` (0: from the current revision + 1).
  // `notify` is called from the feed thread whenever the subscription may
  // have something to Take; it must be quick and may call Take. A start
  // revision already trimmed from the history yields a subscription whose first
  // Take is kCompacted. INVALID_ARGUMENT for a negative start_revision;
  // UNAVAILABLE after Stop.
  absl::StatusOr<std::shared_ptr<FeedSubscription>> Subscribe(
      int64_t start_revision, WatchFilter filter, std::function<void()> notify);

  // Ends the subscription: `notify` is not called any more once this
  // returns.
  void Unsubscribe(const std::shared_ptr<FeedSubscription>& subscription);

  const ChangeFeedOptions& options() const { return options_; }

 private:
  friend class FeedSubscription;
  // Change batches read per ReadChanges call.
  static constexpr int kBatchesPerRead = 64;

  void Run();
  // Reads and hands out the revisions the store committed after head_.
  void AdvanceHead();
  // Feeds watchers that are behind the head from the change log.
  void CatchUp();
  // A batch's events in their API form, made when a watcher first wants
  // one and then shared by every watcher it goes to.
  class PreparedBatch;
  // Hands `batch` to `sub` when it is the revision `sub` needs next; a
  // watcher following the head (!catching_up) that overflows is cut off.
  void Deliver(FeedSubscription* sub, PreparedBatch& batch, bool catching_up)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Wanted(const FeedSubscription& sub, const storage::ChangeEventRecord& e);
  // The store's compact revision.
  int64_t CompactRevision();
  void NotifyAll(const std::vector<std::shared_ptr<FeedSubscription>>& subs);
  void Wake();

  storage::GraphStore* const store_;
  const ChangeFeedOptions options_;

  // Commit groups handed over by the store and not yet taken by the feed
  // thread, at most kMaxLiveGroups.
  static constexpr size_t kMaxLiveGroups = 4096;
  absl::Mutex wake_mu_;
  int64_t committed_ ABSL_GUARDED_BY(wake_mu_) = 0;
  std::deque<std::shared_ptr<const std::vector<storage::ChangeBatchRecord>>>
      live_ ABSL_GUARDED_BY(wake_mu_);
  bool work_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(wake_mu_) = false;

  absl::Mutex mu_;
  // Every revision up to head_ has been handed to the watchers following it.
  int64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::shared_ptr<FeedSubscription>> subs_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;
};

}  // namespace partnergraph::server

#endif  // PARTNERGRAPH_SERVER_CHANGE_FEED_H_
