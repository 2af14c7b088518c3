#include "server/change_feed.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "partnergraph/v1/graph_service.pb.h"
#include "server/convert.h"
#include "server/log.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;

void EventToApi(int64_t revision, const storage::ChangeEventRecord& e,
                v1::ChangeEvent* out) {
  out->set_type(static_cast<v1::ChangeEvent::Type>(e.type()));
  out->set_revision(revision);
  if (e.has_company()) *out->mutable_company() = CompanyToApi(e.company());
  if (e.has_partnership()) {
    *out->mutable_partnership() = PartnershipToApi(e.partnership());
  }
  if (e.has_previous_company()) {
    *out->mutable_previous_company() = CompanyToApi(e.previous_company());
  }
  if (e.has_previous_partnership()) {
    *out->mutable_previous_partnership() =
        PartnershipToApi(e.previous_partnership());
  }
}

}  // namespace

class ChangeFeed::PreparedBatch {
 public:
  explicit PreparedBatch(const storage::ChangeBatchRecord& batch)
      : batch_(batch), events_(batch.events_size()) {}

  const storage::ChangeBatchRecord& batch() const { return batch_; }

  // Event `i`, converted and serialized on first use.
  const SharedFeedEvent& Event(int i) {
    SharedFeedEvent& event = events_[i];
    if (event == nullptr) {
      v1::ChangeEvent api;
      EventToApi(batch_.revision(), batch_.events(i), &api);
      const std::string bytes = api.SerializeAsString();
      auto made = std::make_shared<FeedEvent>();
      made->revision = batch_.revision();
      made->wire = grpc::Slice(bytes);
      event = std::move(made);
    }
    return event;
  }

 private:
  const storage::ChangeBatchRecord& batch_;
  std::vector<SharedFeedEvent> events_;
};

FeedSubscription::FeedSubscription(ChangeFeed* feed, WatchFilter filter,
                                   int64_t next_revision,
                                   std::function<void()> notify)
    : feed_(feed),
      filter_(std::move(filter)),
      notify_(std::move(notify)),
      next_revision_(next_revision),
      last_sent_(absl::Now()) {}

bool FeedSubscription::Take(int max_events, FeedChunk* out) {
  bool wake = false;
  {
    absl::MutexLock lock(&feed_->mu_);
    if (ended_) return false;
    out->events.clear();
    if (compacted_ >= 0) {
      out->kind = FeedChunk::Kind::kCompacted;
      out->compact_revision = compacted_;
      out->progress = next_revision_ - 1;
      ended_ = true;
      return true;
    }
    if (!failure_.ok()) {
      out->kind = FeedChunk::Kind::kFailed;
      out->status = failure_;
      ended_ = true;
      return true;
    }
    if (!pending_.empty()) {
      out->kind = FeedChunk::Kind::kEvents;
      const size_t n =
          std::min<size_t>(std::max(max_events, 1), pending_.size());
      out->events.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        out->events.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      out->progress = pending_.empty() ? next_revision_ - 1
                                       : pending_.front()->revision - 1;
      last_sent_ = absl::Now();
      bookmark_due_ = false;
      // A catching-up watcher is fed again once it has room.
      wake = next_revision_ <= feed_->head_ &&
             static_cast<int>(pending_.size()) <
                 feed_->options_.max_pending_events / 2;
    } else if (bookmark_due_) {
      out->kind = FeedChunk::Kind::kBookmark;
      out->progress = next_revision_ - 1;
      bookmark_due_ = false;
      last_sent_ = absl::Now();
    } else {
      return false;
    }
  }
  if (wake) feed_->Wake();
  return true;
}

ChangeFeed::ChangeFeed(storage::GraphStore* store, ChangeFeedOptions options)
    : store_(store), options_(std::move(options)) {
  const int64_t revision = store_->Revision();
  {
    absl::MutexLock lock(&wake_mu_);
    committed_ = revision;
  }
  {
    absl::MutexLock lock(&mu_);
    head_ = revision;
  }
  store_->SetCommitListener(
      [this](int64_t committed,
             std::shared_ptr<const std::vector<storage::ChangeBatchRecord>>
                 batches) {
        absl::MutexLock lock(&wake_mu_);
        committed_ = std::max(committed_, committed);
        // Past the bound the feed thread is behind: it reads the log.
        if (live_.size() < kMaxLiveGroups) live_.push_back(std::move(batches));
      });
  thread_ = std::thread([this] { Run(); });
}

ChangeFeed::~ChangeFeed() { Stop(); }

void ChangeFeed::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  store_->SetCommitListener(nullptr);
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  thread_.join();
}

absl::StatusOr<std::shared_ptr<FeedSubscription>> ChangeFeed::Subscribe(
    int64_t start_revision, WatchFilter filter, std::function<void()> notify) {
  if (start_revision < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("start_revision: want >= 0, got ", start_revision));
  }
  const int64_t current = store_->Revision();
  // A revision the store has not reached would have bookmarks claim it.
  if (start_revision > current + 1) {
    return absl::OutOfRangeError(
        absl::StrCat("start_revision: want at most ", current + 1,
                     " (the current revision + 1), got ", start_revision));
  }
  const int64_t next = start_revision == 0 ? current + 1 : start_revision;
  std::shared_ptr<FeedSubscription> sub(
      new FeedSubscription(this, std::move(filter), next, std::move(notify)));
  if (next <= current) {
    const int64_t compact = CompactRevision();
    if (next <= compact) sub->compacted_ = compact;
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return absl::UnavailableError("server is shutting down");
    subs_.push_back(sub);
  }
  Wake();
  return sub;
}

void ChangeFeed::Unsubscribe(
    const std::shared_ptr<FeedSubscription>& subscription) {
  {
    absl::MutexLock lock(&subscription->notify_mu_);
    subscription->notify_ = nullptr;
  }
  absl::MutexLock lock(&mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), subscription),
              subs_.end());
}

void ChangeFeed::Wake() {
  absl::MutexLock lock(&wake_mu_);
  work_ = true;
}

int64_t ChangeFeed::CompactRevision() {
  // A read past the head returns no batches but the compact revision.
  absl::StatusOr<storage::ChangesPage> page =
      store_->ReadChanges(store_->Revision() + 1, 1);
  return page.ok() ? page->compact_revision : 0;
}

void ChangeFeed::Run() {
  const absl::Duration tick = std::clamp(
      options_.bookmark_interval / 4, absl::Milliseconds(5), absl::Seconds(1));
  int64_t handled = 0;
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      auto ready = [this, &handled]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wake_mu_) {
        return stopping_ || work_ || committed_ > handled;
      };
      wake_mu_.AwaitWithTimeout(absl::Condition(&ready), tick);
      if (stopping_) return;
      work_ = false;
      handled = committed_;
    }
    AdvanceHead();
    CatchUp();
    // Bookmarks for quiet watchers that are following the head.
    std::vector<std::shared_ptr<FeedSubscription>> due;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = absl::Now();
      for (const auto& sub : subs_) {
        if (!sub->ended_ && sub->pending_.empty() && !sub->bookmark_due_ &&
            sub->next_revision_ > head_ &&
            now - sub->last_sent_ >= options_.bookmark_interval) {
          sub->bookmark_due_ = true;
          due.push_back(sub);
        }
      }
    }
    NotifyAll(due);
  }
}

void ChangeFeed::AdvanceHead() {
  int64_t target;
  std::deque<std::shared_ptr<const std::vector<storage::ChangeBatchRecord>>>
      live;
  {
    absl::MutexLock lock(&wake_mu_);
    target = committed_;
    live.swap(live_);
  }
  // The committed batches, as the store handed them over: the head advances
  // from memory, without reading the log back.
  std::vector<std::shared_ptr<FeedSubscription>> notify;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& group : live) {
      for (const storage::ChangeBatchRecord& batch : *group) {
        if (batch.revision() != head_ + 1 || subs_.empty()) continue;
        PreparedBatch prepared(batch);
        for (const auto& sub : subs_) Deliver(sub.get(), prepared, false);
        head_ = batch.revision();
        notify = subs_;
      }
    }
  }
  NotifyAll(notify);
  while (true) {
    int64_t head;
    {
      absl::MutexLock lock(&mu_);
      head = head_;
      if (head >= target) return;
      if (subs_.empty()) {
        // Nobody follows the head; a later watcher catches up from the log.
        head_ = target;
        return;
      }
    }
    absl::StatusOr<storage::ChangesPage> page =
        store_->ReadChanges(head + 1, kBatchesPerRead);
    std::vector<std::shared_ptr<FeedSubscription>> notify;
    {
      absl::MutexLock lock(&mu_);
      if (!page.ok() || page->batches.empty()) {
        // The head was trimmed before it was read (or the log is
        // unreadable): the watchers that needed it must start over.
        const int64_t compact =
            absl::IsOutOfRange(page.status()) ? CompactRevision() : -1;
        for (const auto& sub : subs_) {
          if (sub->next_revision_ != head + 1) continue;
          if (compact >= 0) {
            sub->compacted_ = compact;
          } else {
            sub->failure_ =
                page.ok()
                    ? absl::DataLossError(absl::StrCat("change log: revision ",
                                                       head + 1, " is missing"))
                    : page.status();
          }
        }
        PG_LOG(kWarning) << "change feed cannot read revision " << head + 1
                         << ": " << page.status();
        head_ = target;
        notify = subs_;
      } else {
        for (const storage::ChangeBatchRecord& batch : page->batches) {
          PreparedBatch prepared(batch);
          for (const auto& sub : subs_) Deliver(sub.get(), prepared, false);
          head_ = std::max(head_, batch.revision());
        }
        notify = subs_;
      }
    }
    NotifyAll(notify);
  }
}

void ChangeFeed::CatchUp() {
  std::vector<std::shared_ptr<FeedSubscription>> behind;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& sub : subs_) {
      if (!sub->ended_ && sub->failure_.ok() && sub->compacted_ < 0 &&
          sub->next_revision_ <= head_ &&
          static_cast<int>(sub->pending_.size()) <
              options_.max_pending_events / 2 + 1) {
        behind.push_back(sub);
      }
    }
  }
  for (const auto& sub : behind) {
    int64_t from;
    {
      absl::MutexLock lock(&mu_);
      from = sub->next_revision_;
    }
    absl::StatusOr<storage::ChangesPage> page =
        store_->ReadChanges(from, kBatchesPerRead);
    const int64_t compact =
        absl::IsOutOfRange(page.status()) ? CompactRevision() : -1;
    bool more = false;
    {
      absl::MutexLock lock(&mu_);
      if (compact >= 0) {
        sub->compacted_ = compact;
      } else if (!page.ok()) {
        sub->failure_ = page.status();
      } else {
        for (const storage::ChangeBatchRecord& batch : page->batches) {
          if (batch.revision() > head_ ||
              static_cast<int>(sub->pending_.size()) >=
                  options_.max_pending_events) {
            break;
          }
          PreparedBatch prepared(batch);
          Deliver(sub.get(), prepared, true);
        }
        more = sub->next_revision_ <= head_ &&
               static_cast<int>(sub->pending_.size()) <
                   options_.max_pending_events / 2 + 1;
      }
    }
    if (more) Wake();
  }
  NotifyAll(behind);
}

void ChangeFeed::Deliver(FeedSubscription* sub, PreparedBatch& prepared,
                         bool catching_up) {
  const storage::ChangeBatchRecord& batch = prepared.batch();
  if (sub->ended_ || !sub->failure_.ok() || sub->compacted_ >= 0) return;
  if (batch.revision() != sub->next_revision_) return;
  const size_t before = sub->pending_.size();
  for (int i = 0; i < batch.events_size(); ++i) {
    if (Wanted(*sub, batch.events(i))) {
      sub->pending_.push_back(prepared.Event(i));
    }
  }
  sub->next_revision_ = batch.revision() + 1;
  if (!catching_up && before > 0 &&
      static_cast<int>(sub->pending_.size()) > options_.max_pending_events) {
    const int64_t resume = sub->pending_.front()->revision;
    sub->pending_.clear();
    sub->failure_ = absl::ResourceExhaustedError(
        absl::StrCat("watcher fell more than ", options_.max_pending_events,
                     " events behind; resume from revision ", resume));
  }
}

bool ChangeFeed::Wanted(const FeedSubscription& sub,
                        const storage::ChangeEventRecord& e) {
  if (e.has_company()) return !sub.filter_.partnerships_only;
  if (!e.has_partnership()) return false;
  auto matches = [&](const storage::PartnershipRecord& p) {
    absl::StatusOr<bool> m = store_->PartnershipMatches(sub.filter_.query, p);
    // When the match cannot be decided, deliver rather than lose the event.
    return !m.ok() || *m;
  };
  return matches(e.partnership()) ||
         (e.has_previous_partnership() && matches(e.previous_partnership()));
}

void ChangeFeed::NotifyAll(
    const std::vector<std::shared_ptr<FeedSubscription>>& subs) {
  for (const auto& sub : subs) {
    absl::MutexLock lock(&sub->notify_mu_);
    if (sub->notify_) sub->notify_();
  }
}

}  // namespace partnergraph::server
