// GraphService's graph queries: validate and convert the request, run the
// store's query on a worker, convert the result back.
//
// Why a worker pool: a traversal may take up to its deadline, and a callback
// handler that blocks holds one of gRPC's few callback threads, stalling
// every other call on the server. The pool has one thread per core (the
// queries are CPU-bound), and a bounded queue so a burst of heavy queries is
// refused with UNAVAILABLE instead of piling up.

#include "server/graph_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/convert.h"
#include "server/log.h"
#include "server/read_at.h"
#include "server/response_bounds.h"
#include "server/status_util.h"
#include "storage/graph_query.h"
#include "storage/status_macros.h"
#include "storage/validation.h"

namespace partnergraph::server {

namespace v1 = ::partnergraph::v1;

// Longest a graph query runs when the call has no deadline.
constexpr absl::Duration kMaxGraphQueryTime = absl::Seconds(60);
// Queries waiting for a worker beyond which new ones get UNAVAILABLE.
constexpr size_t kMaxQueuedQueries = 256;

class GraphQueryPool {
 public:
  explicit GraphQueryPool(int threads) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }

  ~GraphQueryPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // False when the queue is full (the task is not run).
  bool Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.size() >= kMaxQueuedQueries) return false;
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and drained
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

std::shared_ptr<GraphQueryPool> GraphServiceImpl::NewGraphQueryPool() {
  int threads = std::max(2u, std::thread::hardware_concurrency());
  return std::make_shared<GraphQueryPool>(threads);
}

namespace {

absl::Time DeadlineOf(const grpc::CallbackServerContext* context) {
  absl::Time cap = absl::Now() + kMaxGraphQueryTime;
  auto deadline = context->deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(deadline));
}

grpc::Status Reply(absl::string_view method, const absl::Status& status) {
  if (status.ok()) {
    PG_LOG(kDebug) << method << ": OK";
  } else if (status.code() == absl::StatusCode::kInternal ||
             status.code() == absl::StatusCode::kDataLoss ||
             status.code() == absl::StatusCode::kUnknown) {
    PG_LOG(kError) << method << ": " << status;
  } else {
    PG_LOG(kDebug) << method << ": " << status;
  }
  return ToGrpcStatus(status);
}

// Runs `query` (which fills `response`) on the pool and finishes the call,
// reporting the response's revision in the metadata too.
template <typename Response>
grpc::ServerUnaryReactor* Run(GraphQueryPool* pool,
                              grpc::CallbackServerContext* context,
                              const char* method, const Response* response,
                              std::function<absl::Status()> query) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  bool queued = pool->Submit(
      [reactor, context, method, response, query = std::move(query)] {
        absl::Status status = query();
        if (status.ok()) ReportRevision(context, response->revision());
        reactor->Finish(Reply(method, status));
      });
  if (!queued) {
    reactor->Finish(
        Reply(method, absl::UnavailableError(absl::StrCat(
                          "server busy: ", kMaxQueuedQueries,
                          " graph queries already waiting; retry"))));
  }
  return reactor;
}

absl::Status Neighborhood(storage::GraphStore* store, absl::Time deadline,
                          size_t max_bytes,
                          const v1::GetNeighborhoodRequest& req,
                          v1::GetNeighborhoodResponse* resp) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  storage::NeighborhoodQuery q;
  ASSIGN_OR_RETURN(q.company_id,
                   storage::ParseResourceName("company", req.company(),
                                              kCompaniesCollection));
  q.depth = req.depth();
  q.max_nodes = req.max_nodes();
  ASSIGN_OR_RETURN(q.filter, PartnershipQueryFromApi("filter", req.filter()));
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  ASSIGN_OR_RETURN(storage::NeighborhoodResult r,
                   store->GetNeighborhood(q, deadline, as_of));
  for (const storage::NeighborhoodNode& n : r.nodes) {
    v1::NeighborhoodNode* node = resp->add_nodes();
    *node->mutable_company() = CompanyToApi(n.company);
    node->set_distance(n.distance);
  }
  for (const storage::PartnershipRecord& p : r.partnerships) {
    *resp->add_partnerships() = PartnershipToApi(p);
  }
  resp->set_truncated(r.truncated);
  resp->set_revision(r.revision);
  FitNeighborhood(max_bytes, resp);
  return absl::OkStatus();
}

absl::Status Paths(storage::GraphStore* store, absl::Time deadline,
                   size_t max_bytes, const v1::FindPathsRequest& req,
                   v1::FindPathsResponse* resp) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  storage::PathQuery q;
  ASSIGN_OR_RETURN(q.from_id, storage::ParseResourceName("from", req.from(),
                                                         kCompaniesCollection));
  ASSIGN_OR_RETURN(q.to_id, storage::ParseResourceName("to", req.to(),
                                                       kCompaniesCollection));
  q.max_depth = req.max_depth();
  q.max_paths = req.max_paths();
  ASSIGN_OR_RETURN(q.filter, PartnershipQueryFromApi("filter", req.filter()));
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  ASSIGN_OR_RETURN(storage::PathsResult r,
                   store->FindPaths(q, deadline, as_of));
  for (const storage::GraphPath& p : r.paths) {
    v1::Path* path = resp->add_paths();
    *path->mutable_from() = CompanyToApi(p.from);
    for (const storage::PathStep& s : p.steps) {
      v1::PathStep* step = path->add_steps();
      *step->mutable_partnership() = PartnershipToApi(s.partnership);
      *step->mutable_company() = CompanyToApi(s.company);
    }
  }
  resp->set_revision(r.revision);
  return FitPaths(max_bytes, resp);
}

absl::Status Aggregate(storage::GraphStore* store, absl::Time deadline,
                       const v1::AggregatePartnershipsRequest& req,
                       v1::AggregatePartnershipsResponse* resp) {
  RETURN_IF_ERROR(CheckMinRevision(store, req));
  storage::AggregateQuery q;
  ASSIGN_OR_RETURN(q.filter, PartnershipQueryFromApi("filter", req.filter()));
  // Enum numbers are shared; the store names any value it does not know.
  for (int g : req.group_by()) {
    q.group_by.push_back(static_cast<storage::GroupDim>(g));
  }
  q.max_groups = req.max_groups();
  ASSIGN_OR_RETURN(int64_t as_of, ResolveAsOf(store, req));
  ASSIGN_OR_RETURN(storage::AggregateResult r,
                   store->AggregatePartnerships(q, deadline, as_of));
  for (const storage::AggregateGroup& g : r.groups) {
    v1::AggregateGroup* group = resp->add_groups();
    for (size_t i = 0; i < g.keys.size(); ++i) {
      group->add_keys(q.group_by[i] == storage::GroupDim::kCompany
                          ? CompanyName(g.keys[i])
                          : g.keys[i]);
    }
    group->set_count(g.count);
  }
  resp->set_total(r.total);
  resp->set_truncated(r.truncated);
  resp->set_revision(r.revision);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* GraphServiceImpl::GetNeighborhood(
    grpc::CallbackServerContext* context,
    const v1::GetNeighborhoodRequest* request,
    v1::GetNeighborhoodResponse* response) {
  absl::Time deadline = DeadlineOf(context);
  storage::GraphStore* store = store_;
  size_t max_bytes = max_response_bytes_;
  return Run(pool_.get(), context, "GetNeighborhood", response,
             [store, deadline, max_bytes, request, response] {
               return Neighborhood(store, deadline, max_bytes, *request,
                                   response);
             });
}

grpc::ServerUnaryReactor* GraphServiceImpl::FindPaths(
    grpc::CallbackServerContext* context, const v1::FindPathsRequest* request,
    v1::FindPathsResponse* response) {
  absl::Time deadline = DeadlineOf(context);
  storage::GraphStore* store = store_;
  size_t max_bytes = max_response_bytes_;
  return Run(pool_.get(), context, "FindPaths", response,
             [store, deadline, max_bytes, request, response] {
               return Paths(store, deadline, max_bytes, *request, response);
             });
}

grpc::ServerUnaryReactor* GraphServiceImpl::AggregatePartnerships(
    grpc::CallbackServerContext* context,
    const v1::AggregatePartnershipsRequest* request,
    v1::AggregatePartnershipsResponse* response) {
  absl::Time deadline = DeadlineOf(context);
  storage::GraphStore* store = store_;
  return Run(pool_.get(), context, "AggregatePartnerships", response,
             [store, deadline, request, response] {
               return Aggregate(store, deadline, *request, response);
             });
}

}  // namespace partnergraph::server
