#ifndef PARTNERGRAPH_STORAGE_ETCD_ETCD_STORE_H_
#define PARTNERGRAPH_STORAGE_ETCD_ETCD_STORE_H_

// The etcd engine of GraphStore (DESIGN.md, "Scale-out: --store=etcd"): an
// etcd cluster is the source of truth; each replica keeps a local RocksDB
// store (records, indexes, change log, history) and the graph index, fed
// by a watch of the prefix. Its methods live by concern:
//   etcd_store.cc    opening (bootstrap, rebuild) and the writes: each
//                    write rule planned at a snapshot of the replica, then
//                    committed as one etcd Txn whose compares are the
//                    plan's preconditions
//   etcd_replica.cc  the watch: each etcd revision, decoded into the
//                    replica's writes and change events, committed locally
//                    at that revision (one WriteBatch)
//
// Keys in etcd are the local store's keys (key_codec.h) after the prefix,
// with the same values, except that a record's revisions are etcd's: the
// replica sets update_revision and create_revision (and a request id's
// revision) from the key's mod_revision and create_revision, so an etag is
// the record's mod_revision. Every Txn also puts the commit marker
// (kCommitMarker), whose value is the commit time and whose mod_revision is
// the last revision partnergraph committed.
//
// Reads are the local store's. A write answers once this replica applied
// it; a write whose outcome etcd left unknown answers UNAVAILABLE.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/graph_store.h"

namespace partnergraph::storage {

struct EtcdOptions {
  // host:port of each member; at least one.
  std::vector<std::string> endpoints;
  // Every key partnergraph writes starts with it.
  std::string prefix = "/partnergraph/";
  // TLS to etcd when ca_file is set (PEM files); cert_file and key_file
  // present the client certificate etcd's --client-cert-auth asks for.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // How long one etcd call may take before the endpoint is given up on.
  absl::Duration request_timeout = absl::Seconds(5);
  // Writes planned and sent to etcd at once (threads).
  int writers = 32;
  // Called once, from the replica's watch thread, when the replica can no
  // longer follow etcd (compacted past it while it lagged, or a revision it
  // cannot apply); it then refuses writes and waits. The process should
  // stop: at the next start the replica is rebuilt from etcd.
  std::function<void(const absl::Status&)> on_broken;
};

// The meta name (keys::MetaKey) of the commit marker in etcd.
inline constexpr char kCommitMarker[] = "commit";

// Opens the replica in `data_dir` on the cluster of `etcd`: bootstraps it
// from a range of the prefix when it is new, was fed by another cluster or
// prefix, or is behind etcd's compaction; then follows the watch.
absl::StatusOr<std::unique_ptr<GraphStore>> OpenEtcdStore(
    const std::string& data_dir, const StoreOptions& options,
    const EtcdOptions& etcd);

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_ETCD_ETCD_STORE_H_
