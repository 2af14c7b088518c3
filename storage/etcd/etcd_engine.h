#ifndef PARTNERGRAPH_STORAGE_ETCD_ETCD_ENGINE_H_
#define PARTNERGRAPH_STORAGE_ETCD_ETCD_ENGINE_H_

// The etcd engine's class, for storage/etcd only (see etcd_store.h).

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "storage/etcd/etcd_client.h"
#include "storage/etcd/etcd_store.h"
#include "storage/rocksdb_store.h"

namespace partnergraph::storage {

// The local keys and values a key of the prefix stands for.
struct EtcdKey {
  // Strips the prefix; false for a key outside it.
  static bool Local(const std::string& prefix, const std::string& etcd_key,
                    std::string* local);
};

// A record's value as the replica stores it: the revisions that etcd
// assigned set in the record (company, partnership) or request id; any
// other value unchanged. INTERNAL for a record that does not parse.
absl::StatusOr<std::string> ReplicaValue(const std::string& local_key,
                                         const mvccpb::KeyValue& kv);

class EtcdStore final : public RocksDbStore {
 public:
  EtcdStore(OpenedRocksDb local, StoreOptions options, EtcdOptions etcd,
            std::unique_ptr<EtcdClient> client);
  ~EtcdStore() override;

  // After Start(): the writer threads and the watch from the next revision.
  void StartReplica();

  absl::Status AwaitRevision(int64_t revision, absl::Time deadline) override;
  // One Txn when the batch fits etcd's limits; else chunks of records, each
  // its own Txn and revision (an all_or_nothing batch checked whole
  // first). Batches are committed one after another, in the order given.
  void ImportAsync(ImportBatch batch, Done<ImportResult> done) override;

 protected:
  void Submit(std::unique_ptr<Pending> p) override;
  void OnPublished(int64_t revision) override;

 private:
  // Writes (etcd_store.cc).
  void WriterLoop();
  void Commit(Pending& p);
  // The revision of the last Txn partnergraph committed (the commit
  // marker's mod_revision), read linearizably.
  absl::StatusOr<int64_t> LatestRevision();
  // Whether the replica applied `revision` before `deadline`.
  bool WaitApplied(int64_t revision, absl::Time deadline);

  // Imports (etcd_import.cc).
  struct ChunkedImport;
  // Commits the next chunk of the import at the head of imports_.
  void ImportNext(std::shared_ptr<ChunkedImport> work);
  void FinishImport(std::shared_ptr<ChunkedImport> work,
                    absl::StatusOr<ImportResult> result);

  // The watch (etcd_replica.cc).
  void WatchLoop();
  // Decodes the revisions of one watch response and queues them for the
  // commit thread (waiting only when the window is full); the first error
  // of an earlier one.
  absl::Status ApplyResponse(const etcdserverpb::WatchResponse& response);
  // The replica's value of `local_key` as the revisions queued so far
  // leave it.
  absl::StatusOr<std::optional<std::string>> Current(
      const std::string& local_key);

  const EtcdOptions etcd_;
  std::unique_ptr<EtcdClient> client_;

  absl::Mutex mu_;
  std::deque<std::unique_ptr<Pending>> writes_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  // Set when the replica cannot follow etcd any more (compacted past it).
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Imports waiting for the one in progress (the front).
  std::deque<std::shared_ptr<ChunkedImport>> imports_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> writers_;
  std::thread watcher_;

  // Revisions of the watch handed to the commit queue and not yet applied,
  // and the first that failed. Shared with the queue's callbacks.
  struct ApplyWindow {
    absl::Mutex mu;
    int in_flight ABSL_GUARDED_BY(mu) = 0;
    absl::Status error ABSL_GUARDED_BY(mu);
  };
  // Bounds of the window: revisions in flight, keys they write.
  static constexpr int kMaxInFlight = 1024;
  static constexpr size_t kMaxUnapplied = 200000;
  std::shared_ptr<ApplyWindow> window_ = std::make_shared<ApplyWindow>();

  // Watch thread only: the values of the keys of revisions queued and not
  // yet applied.
  absl::flat_hash_map<std::string, std::optional<std::string>> unapplied_;
  int64_t queued_ = 0;
};

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ETCD_ETCD_ENGINE_H_
