// GraphService.Watch: a server-streaming reactor over a ChangeFeed
// subscription, with at most one write in flight.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
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

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// A WatchResponse written as bytes: each event is the feed's shared slice
// behind its field header, so a response costs no conversion and no copy of
// the events, however many watchers receive them. The same bytes as
// WatchResponse::SerializeAsString (fields in number order).
grpc::ByteBuffer ResponseBytes(const FeedChunk& chunk) {
  // WatchResponse: events = 1 (message), compacted = 2, compact_revision =
  // 3, revision = 4.
  constexpr char kEventsTag = (1 << 3) | 2;
  std::vector<grpc::Slice> slices;
  slices.reserve(2 * chunk.events.size() + 1);
  for (const SharedFeedEvent& e : chunk.events) {
    std::string header(1, kEventsTag);
    AppendVarint(e->wire.size(), &header);
    slices.emplace_back(header);
    slices.push_back(e->wire);
  }
  v1::WatchResponse rest;
  if (chunk.kind == FeedChunk::Kind::kCompacted) {
    rest.set_compacted(true);
    rest.set_compact_revision(chunk.compact_revision);
  }
  rest.set_revision(chunk.progress);
  slices.emplace_back(rest.SerializeAsString());
  return grpc::ByteBuffer(slices.data(), slices.size());
}

class WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
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
    switch (chunk.kind) {
      case FeedChunk::Kind::kFailed:
        finished_ = true;
        Finish(ToGrpcStatus(chunk.status));
        return;
      case FeedChunk::Kind::kCompacted:
        end_after_write_ = true;
        break;
      case FeedChunk::Kind::kBookmark:
      case FeedChunk::Kind::kEvents:
        break;
    }
    response_ = ResponseBytes(chunk);
    writing_ = true;
    StartWrite(&response_);
  }

  ChangeFeed* const feed_;
  absl::Mutex mu_;
  std::shared_ptr<FeedSubscription> subscription_;
  grpc::ByteBuffer response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool end_after_write_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* GraphServiceImpl::WatchBytes(
    grpc::CallbackServerContext* /*context*/, const v1::WatchRequest* request) {
  return new WatchReactor(feed_, *request);
}

}  // namespace partnergraph::server
