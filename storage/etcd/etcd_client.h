#ifndef PARTNERGRAPH_STORAGE_ETCD_ETCD_CLIENT_H_
#define PARTNERGRAPH_STORAGE_ETCD_ETCD_CLIENT_H_

// A client of an etcd 3.4 cluster: Range and Txn on the current endpoint,
// moving to the next one when an endpoint stops answering, and watch
// streams. The etcd engine's only way to etcd.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "storage/etcd/etcd_store.h"
#include "storage/etcd/rpc.grpc.pb.h"

namespace partnergraph::storage {

class EtcdClient {
 public:
  // Checks the options and builds a channel per endpoint (connections are
  // made on first use). INVALID_ARGUMENT for no endpoint, an unreadable TLS
  // file or an empty prefix.
  static absl::StatusOr<std::unique_ptr<EtcdClient>> Connect(
      const EtcdOptions& options);

  // A read, tried once on each endpoint until one answers. etcd's errors
  // keep their code (OUT_OF_RANGE for a compacted revision).
  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request);
  // A transaction, sent once: an error means its outcome is unknown (it
  // may have committed), and the next call goes to the next endpoint.
  absl::StatusOr<etcdserverpb::TxnResponse> Txn(
      const etcdserverpb::TxnRequest& request);
  absl::StatusOr<etcdserverpb::CompactionResponse> Compact(int64_t revision);

  // A watch stream on the current endpoint; `context` must outlive it and
  // cancels it (TryCancel).
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest,
                                           etcdserverpb::WatchResponse>>
  Watch(grpc::ClientContext* context);
  // Moves the next call to the next endpoint (a watch that broke).
  void NextEndpoint();
  // The endpoint calls go to now.
  const std::string& endpoint() const;

  const EtcdOptions& options() const { return options_; }

 private:
  struct Member {
    std::string endpoint;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  };

  explicit EtcdClient(EtcdOptions options) : options_(std::move(options)) {}
  Member& Current();
  void SetDeadline(grpc::ClientContext* context) const;

  const EtcdOptions options_;
  std::vector<Member> members_;
  std::atomic<size_t> current_{0};
};

// The gRPC status of an etcd call as an absl::Status, naming the call and
// the endpoint.
absl::Status FromGrpc(const grpc::Status& s, absl::string_view call,
                      absl::string_view endpoint);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ETCD_ETCD_CLIENT_H_
