// GraphService.Watch: a server-streaming reactor over a ChangeFeed
// subscription, with at most one write in flight.

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/change_feed.h"
#include "server/convert.h"
#include "server/graph_service.h"
#include "server/observability.h"
#include "server/status_util.h"
#include "storage/validation.h"

namespace partnergraph::server {
namespace {

namespace v1 = ::partnergraph::v1;

// Events per response; a partnership is at most a few tens of KiB, so a
// response stays well under the message size limit.
constexpr int kMaxEventsPerResponse = 100;

void EventToApi(const FeedEvent& in, v1::ChangeEvent* out) {
  const storage::ChangeEventRecord& e = in.event;
  out->set_type(static_cast<v1::ChangeEvent::Type>(e.type()));
  out->set_revision(in.revision);
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

class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchResponse> {
 public:
  WatchReactor(ChangeFeed* feed, const v1::WatchRequest& request)
      : feed_(feed) {
    AddActiveWatchers(1);
    absl::Status status = Subscribe(request);
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      finished_ = true;
      Finish(ToGrpcStatus(status));
      return;
    }
    MaybeSend();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (finished_) return;
    if (!ok) {
      finished_ = true;
      Finish(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "watch stream broken"));
      return;
    }
    if (end_after_write_) {
      finished_ = true;
      Finish(grpc::Status::OK);
      return;
    }
    SendLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
    Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    if (subscription_ != nullptr) feed_->Unsubscribe(subscription_);
    AddActiveWatchers(-1);
    delete this;
  }

 private:
  absl::Status Subscribe(const v1::WatchRequest& request) {
    if (feed_ == nullptr) {
      return absl::UnimplementedError("Watch is not enabled on this server");
    }
    WatchFilter filter;
    absl::StatusOr<storage::PartnershipQuery> query =
        PartnershipQueryFromApi("filter", request.filter());
    if (!query.ok()) return query.status();
    absl::Status valid = storage::ValidatePartnershipQuery("filter", *query);
    if (!valid.ok()) return valid;
    filter.query = *std::move(query);
    filter.partnerships_only = request.partnerships_only();
    absl::StatusOr<std::shared_ptr<FeedSubscription>> sub = feed_->Subscribe(
        request.start_revision(), std::move(filter), [this] { MaybeSend(); });
    if (!sub.ok()) return sub.status();
    absl::MutexLock lock(&mu_);
    subscription_ = *std::move(sub);
    return absl::OkStatus();
  }

  void MaybeSend() {
    absl::MutexLock lock(&mu_);
    SendLocked();
  }

  void SendLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || subscription_ == nullptr) return;
    FeedChunk chunk;
    if (!subscription_->Take(kMaxEventsPerResponse, &chunk)) return;
    response_.Clear();
    response_.set_revision(chunk.progress);
    switch (chunk.kind) {
      case FeedChunk::Kind::kFailed:
        finished_ = true;
        Finish(ToGrpcStatus(chunk.status));
        return;
      case FeedChunk::Kind::kCompacted:
        response_.set_compacted(true);
        response_.set_compact_revision(chunk.compact_revision);
        end_after_write_ = true;
        break;
      case FeedChunk::Kind::kBookmark:
        break;
      case FeedChunk::Kind::kEvents:
        for (const FeedEvent& e : chunk.events) {
          EventToApi(e, response_.add_events());
        }
        break;
    }
    writing_ = true;
    StartWrite(&response_);
  }

  ChangeFeed* const feed_;
  absl::Mutex mu_;
  std::shared_ptr<FeedSubscription> subscription_;
  v1::WatchResponse response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool end_after_write_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchResponse>* GraphServiceImpl::Watch(
    grpc::CallbackServerContext* /*context*/, const v1::WatchRequest* request) {
  return new WatchReactor(feed_, *request);
}

}  // namespace partnergraph::server
